{#
    Passes when no two rows share the same values in all of `combination`:
    the primary-key test for models keyed on several columns.
#}
{% test unique_combination_of_columns(model, combination) %}
    select
        {{ combination | join(', ') }},
        count(*) as duplicate_rows
    from {{ model }}
    group by {{ combination | join(', ') }}
    having count(*) > 1
{% endtest %}
