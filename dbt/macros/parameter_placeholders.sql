{# (placeholder, text) pairs of the rule parameters in force this data year for all scales: a text
   that states a rule number names the parameter instead, and is filled in from the row in force
   (reference.labels for the labels, marts.dq_issues for the data-quality messages):
   {low_tax_bottom_percent} → 50, {halted_months:period} → 一年 (a period of months),
   {growth_output_rate_over:percent} → 10% (a ratio as a percentage),
   {growth_output_total_over:amount} → 1亿元 (an amount in 万元; 500 → 500万元). #}
{% macro parameter_placeholders() -%}
    with parameter_texts as (
        select parameter,
               case when value = trunc(value) then cast(cast(value as bigint) as varchar) else cast(value as varchar) end as number_text,
               -- a whole number of months as years and months (24 → 2 years 0 months)
               case when value = trunc(value) and value > 0 then to_months(cast(value as integer)) end as period,
               {{ short_number('value * 100') }} || '%' as percent_text,
               {{ amount_text('value') }} as amount_text
        from {{ rules_in_force('rule_parameters') }}
        where scale = 'all'
    )
    select '{' || parameter || '}' as placeholder, number_text as text from parameter_texts
    union all
    select '{' || parameter || ':percent}', percent_text from parameter_texts
    union all
    select '{' || parameter || ':amount}', amount_text from parameter_texts
    union all
    -- a period in words: 一年, 两年 … 十年, 11年; else in months (6个月, 18个月)
    select
        '{' || parameter || ':period}',
        case
            when datepart('month', period) = 0
                then coalesce(
                    list_extract(['一', '两', '三', '四', '五', '六', '七', '八', '九', '十'], datepart('year', period)),
                    cast(datepart('year', period) as varchar)
                ) || '年'
            else number_text || '个月'
        end
    from parameter_texts
{%- endmacro %}

{# `text` with a check: a placeholder of a code ({scale.above}) or of a rule parameter in a form
   ({halted_months:period}) left in it names nothing this data year (a typo, or a label that holds
   a placeholder itself): the build stops naming the text (`kind_zh`/`kind_en` and the SQL
   expression `name`) and the placeholder, rather than print it. Plain {name} placeholders are
   filled later, per enterprise or per finding. #}
{% macro placeholders_filled(text, kind_zh, kind_en, name) -%}
    {%- set left = "regexp_extract(" ~ text ~ ", '\{\w+[.:]\w+\}')" -%}
    case when regexp_matches({{ text }}, '\{\w+[.:]\w+\}')
        then error('{{ kind_zh }} ' || {{ name }} || ' 中的占位符 ' || {{ left }} || ' 无法填写：本年度没有这个代码或规则参数 / '
                   || 'placeholder ' || {{ left }} || ' in {{ kind_en }} ' || {{ name }} || ' names no code or rule parameter of the year')
        else {{ text }}
    end
{%- endmacro %}
