-- Every label people see, one row per (domain, code), with its unit: the code labels of
-- data/seeds/code_labels.csv and the labels that live beside their rules (classes, score items,
-- adjustment rules, reward items, departments). Placeholders in a label are filled in here:
-- {scales}, {approving_authority}, each rule parameter in force for all scales
-- (macros/parameter_placeholders.sql: {low_tax_bottom_percent} → 50, {halted_months:period} → 一年)
-- and another code's label ({scale.above} → 规模以上), so that a text stating a rule number or
-- naming a code changes with the rule or the label (docs/adding-a-label.md).
with recursive settings as (
    select setting, value from {{ ref('settings') }} where data_year = {{ data_year() }}
),

scales as (
    select string_agg(short_label_zh, '、' order by position) as scales
    from {{ ref('code_labels') }} where domain = 'scale'
),

-- (placeholder, text) pairs, numbered: applied to every label one after another (filled, below).
-- Besides the rule parameters, a label may name another code's label, {domain.code} → its label
-- (新达到{scale.above}标准 → 新达到规模以上标准), so that a rule's wording follows a renamed label;
-- a label that holds a placeholder itself is not one to fill in with.
placeholders as (
    select row_number() over (order by placeholder) as n, placeholder, text
    from (
        select placeholder, text from ({{ parameter_placeholders() }}) as parameters
        union all
        select '{' || domain || '.' || code || '}', label_zh from {{ ref('code_labels') }}
        where not contains(label_zh, '{')
        union all
        select '{class.' || class || '}', name_zh from {{ rules_in_force('class_cutoffs') }}
    ) as pairs
),

labels as (
    select domain, code, label_zh, short_label_zh, unit_zh, position from {{ ref('code_labels') }}
    union all
    select 'class', class, name_zh as label_zh, name_zh as short_label_zh, null, row_number() over (order by max_percent)
    from {{ rules_in_force('class_cutoffs') }}
    union all
    select kind || '_item', item, name_zh, sheet_column_zh, null, position from {{ ref('score_items') }}
    union all
    select 'adjustment', rule, description_zh as label_zh, label_zh as short_label_zh, null, step
    from {{ rules_in_force('adjustment_rules') }}
    union all
    -- what decided an enterprise's final class: an adjustment rule, the approval, or its rank
    select 'decided_by', rule, label_zh, label_zh as short_label_zh, null, step from {{ rules_in_force('adjustment_rules') }}
    union all
    select 'decided_by', code, label_zh, short_label_zh, null, 100 + position
    from {{ ref('code_labels') }} where domain = 'adjustment'
    union all
    select 'reward_item', item, label_zh, label_zh as short_label_zh, null, position from {{ ref('reward_items') }}
    union all
    select 'department', department, any_value(department_zh), any_value(department_zh), null,
           row_number() over (order by department)
    from {{ ref('extracts') }} group by department
),

with_settings as (
    select
        labels.domain,
        labels.code,
        {% for column in ['label_zh', 'short_label_zh'] -%}
        replace(replace(labels.{{ column }},
            '{scales}', scales.scales),
            '{approving_authority}', (select value from settings where setting = 'approving_authority')) as {{ column }},
        {% endfor -%}
        labels.unit_zh,
        labels.position
    from labels, scales
),

filled as (
    select *, 0 as n from with_settings
    union all
    select filled.domain, filled.code,
           replace(filled.label_zh, p.placeholder, p.text), replace(filled.short_label_zh, p.placeholder, p.text),
           filled.unit_zh, filled.position, filled.n + 1
    from filled
    join placeholders p on p.n = filled.n + 1
)

select
    {{ data_year() }} as data_year,
    domain,
    code,
    {{ placeholders_filled('label_zh', '标签', 'the label', "domain || '.' || code") }} as label_zh,
    {{ placeholders_filled('short_label_zh', '标签', 'the label', "domain || '.' || code") }} as short_label_zh,
    unit_zh,
    position
from filled
where n = (select count(*) from placeholders)
