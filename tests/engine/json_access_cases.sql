-- json_text, json_value, json_keys_of and json_merge give the same text on
-- every engine. Rows returned are the cases that disagree.

with

extracted as (
    select
        listed.doc,
        listed.expected_text,
        listed.expected_value,
        listed.expected_keys
    from (
        values
        ('{"v": "x"}', 'x', '"x"', null),
        ('{"v": "für dich"}', 'für dich', '"für dich"', null),
        ('{"v": 2.50}', '2.5', '2.5', null),
        ('{"v": 7}', '7', '7', null),
        ('{"v": true}', 'true', 'true', null),
        ('{"v": null}', null, 'null', null),
        (
            '{"v": {"b": 1, "a": [1, 2.0]}}',
            '{"b":1,"a":[1,2.0]}',
            '{"b":1,"a":[1,2.0]}',
            '[b, a]'
        ),
        ('{"w": 1}', null, null, null)
    ) as listed (doc, expected_text, expected_value, expected_keys)
),

extracted_checked as (
    select
        doc,
        {{ json_text('doc', '$.v') }} as actual_text,
        expected_text,
        {{ json_value('doc', '$.v') }} as actual_value,
        expected_value,
        cast({{ json_keys_of('doc', '$.v') }} as string) as actual_keys,
        expected_keys
    from extracted
),

merged as (
    select
        listed.base_doc,
        listed.patch_doc,
        listed.expected_merge
    from (
        values
        (
            '{"a": 1, "b": 2, "d": {"x": 1, "y": 2}}',
            '{"a": 3, "c": 4, "b": null, "d": {"y": 9, "z": {"k": 1}}}',
            '{"a":3,"c":4,"d":{"x":1,"y":9,"z":{"k":1}}}'
        ),
        (
            '{"s": "x", "n": 2.5, "t": true, "z": null, "e": {}}',
            '{}',
            '{"s":"x","n":2.5,"t":true,"z":null,"e":{}}'
        ),
        (
            '{"a": {"b": {"c": {"d": 1, "e": 2}}}}',
            '{"a": {"b": {"c": {"e": [3]}}}}',
            '{"a":{"b":{"c":{"d":1,"e":[3]}}}}'
        ),
        ('{"a": {"x": 1}}', '{"a": "flat"}', '{"a":"flat"}'),
        ('{"a": "flat"}', '{"a": {"x": 1}}', '{"a":{"x":1}}'),
        (
            '{"p": "Feed – für dich"}',
            '{"q": "x y"}',
            '{"p":"Feed – für dich","q":"x y"}'
        ),
        (null, '{"a": "q"}', '{"a":"q"}'),
        ('{"a": 1}', null, '{"a":1}'),
        (null, null, '{}'),
        ('[1]', '{"a": 1}', '{"a":1}'),
        ('{"a": 1}', '[2]', '[2]')
    ) as listed (base_doc, patch_doc, expected_merge)
),

merged_checked as (
    select
        base_doc,
        patch_doc,
        {{ json_merge('base_doc', 'patch_doc') }} as actual_merge,
        expected_merge
    from merged
),

disagreements as (
    select
        'json_text' as macro_name,
        doc as case_input,
        actual_text as actual,
        expected_text as expected
    from extracted_checked
    where actual_text is distinct from expected_text
    union all
    select
        'json_value' as macro_name,
        doc as case_input,
        actual_value as actual,
        expected_value as expected
    from extracted_checked
    where actual_value is distinct from expected_value
    union all
    select
        'json_keys_of' as macro_name,
        doc as case_input,
        actual_keys as actual,
        expected_keys as expected
    from extracted_checked
    where actual_keys is distinct from expected_keys
    union all
    select
        'json_merge' as macro_name,
        concat(coalesce(base_doc, 'NULL'), ' + ', coalesce(patch_doc, 'NULL'))
            as case_input,
        cast(actual_merge as string) as actual,
        expected_merge as expected
    from merged_checked
    where cast(actual_merge as string) is distinct from expected_merge
)

select * from disagreements
