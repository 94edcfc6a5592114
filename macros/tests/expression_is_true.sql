{#
    Passes when `expression` holds on every row (optionally only on rows
    matching `where`); the failing rows are returned for inspection.
#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
