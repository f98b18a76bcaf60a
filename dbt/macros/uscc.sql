{#- GB 32100-2015 统一社会信用代码: 18 characters from a 31-character alphabet (no I, O, S, V, Z);
    the 18th is a check character: weight of position i (0-based) is 3^i mod 31,
    check = (31 - sum(code(c_i) * w_i) mod 31) mod 31. -#}
{% macro uscc_alphabet() -%}'0123456789ABCDEFGHJKLMNPQRTUWXY'{%- endmacro %}

{% macro uscc_is_valid(col) -%}
    coalesce(
        regexp_full_match({{ col }}, '[0-9A-HJ-NP-RTUW-Y]{18}')
        and substr({{ col }}, 18, 1) = substr({{ uscc_alphabet() }},
            cast(1 + (31 - list_sum(list_transform(range(17),
                    lambda i: (instr({{ uscc_alphabet() }}, substr({{ col }}, cast(i + 1 as bigint), 1)) - 1)
                         * (pow(3, i)::bigint % 31))) % 31) % 31 as bigint),
            1),
        false)
{%- endmacro %}
