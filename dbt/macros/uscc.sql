{#- GB 32100-2015 统一社会信用代码: 18 characters from a 31-character alphabet (no I, O, S, V, Z);
    the 18th is a check character: weight of position i (0-based) is 3^i mod 31,
    check = (31 - sum(code(c_i) * w_i) mod 31) mod 31. The 17 terms are written out (not a
    lambda per value) so that DuckDB evaluates them vectorised over millions of cells. -#}
{% macro uscc_alphabet() -%}'0123456789ABCDEFGHJKLMNPQRTUWXY'{%- endmacro %}

{% macro uscc_is_valid(col) -%}
    coalesce(
        regexp_full_match({{ col }}, '[0-9A-HJ-NP-RTUW-Y]{18}')
        and substr({{ col }}, 18, 1) = substr({{ uscc_alphabet() }},
            cast(1 + (31 - ((
                {%- for i in range(17) %}
                {% if not loop.first %}+ {% endif %}(instr({{ uscc_alphabet() }}, substr({{ col }}, {{ i + 1 }}, 1)) - 1) * {{ (3 ** i) % 31 }}
                {%- endfor %}
            ) % 31)) % 31 as bigint),
            1),
        false)
{%- endmacro %}
