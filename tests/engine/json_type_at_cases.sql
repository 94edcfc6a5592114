-- json_type_at names the same JSON type on every engine: each case's
-- value has the expected type, a JSON null is 'null' and a missing key
-- gives NULL. Rows returned are the cases that disagree.

with

cases as (
    select
        listed.doc,
        listed.expected_type
    from (
        values
        ('{"v": "3"}', 'string'),
        ('{"v": ""}', 'string'),
        ('{"v": "true"}', 'string'),
        ('{"v": 3}', 'integer'),
        ('{"v": -3}', 'integer'),
        ('{"v": 0}', 'integer'),
        ('{"v": 18446744073709551615}', 'integer'),
        ('{"v": -9223372036854775808}', 'integer'),
        ('{"v": 18446744073709551616}', 'number'),
        ('{"v": -9223372036854775809}', 'number'),
        ('{"v": 3.0}', 'number'),
        ('{"v": 3.5}', 'number'),
        ('{"v": 1e3}', 'number'),
        ('{"v": -2.5E-3}', 'number'),
        ('{"v": true}', 'boolean'),
        ('{"v": false}', 'boolean'),
        ('{"v": null}', 'null'),
        ('{"v": {}}', 'object'),
        ('{"v": {"a": [1]}}', 'object'),
        ('{"v": []}', 'array'),
        ('{"v": [1, "a", null]}', 'array'),
        ('{"w": 1}', null),
        ('{}', null)
    ) as listed (doc, expected_type)
),

nested_cases as (
    select
        listed.doc,
        listed.expected_type
    from (
        values
        ('{"p": {"q": 7}}', 'integer'),
        ('{"p": {"q": "7"}}', 'string'),
        ('{"p": {"r": 7}}', null),
        ('{"p": 7}', null)
    ) as listed (doc, expected_type)
),

typed as (
    select
        doc,
        expected_type,
        {{ json_type_at('doc', '$.v') }} as actual_type
    from cases
    union all
    select
        doc,
        expected_type,
        {{ json_type_at('doc', '$.p.q') }} as actual_type
    from nested_cases
)

select * from typed
where actual_type is distinct from expected_type
