-- The JSON field and interval macros give the same values on every engine:
-- json_struct (a key with a dollar sign, a nested spec, a string kept
-- quoted in a json field), json_raw_fields, json_unquote, json_object_of,
-- json_keys_not_in, json_value_by_key_prefix, json_first_in_array,
-- json_quote_text, string_literal, skew_corrected_at, epoch_microseconds
-- and date_series.
-- A backslash is written chr(92), which both engines read alike. Rows
-- returned are the cases that disagree.

with

documents as (
    select
        '{"$id": "d1", "n": 2.50, "s": "x", "o": {"b": 1, "a": [1, 2.0]}, '
        || '"z": null, "nest": {"k": "v", "j": "w"}}' as doc,
        '{"unstruct_event_b_1": {"x": 2}, "unstruct_event_a_1": {"x": 1}, '
        || '"other": 3}' as prefixed_doc,
        '{"data": [{"data": {"os": null}}, {"data": {"n": 3}}, '
        || '{"data": {"os": "ios"}}, {"data": {"os": "android"}}]}' as array_doc,
        '"a' || chr(92) || 'nb"' as escaped_text,
        'a"b' || chr(92) || 'c' as plain_text
),

parsed as (
    select
        documents.*,
        {{ json_struct('doc', {
            '$id': 'text', 'n': 'text', 's': 'json', 'o': 'json', 'z': 'json',
            'nest': {'k': 'text', 'j': 'json'},
        }) }} as parsed_fields,
        {{ json_raw_fields('doc', ['s', 'n', 'o', 'z', 'missing']) }} as raw_fields
    from documents
),

checks as (
    select
        'json_struct' as macro_name,
        'text, json and nested fields' as case_input,
        coalesce(
            parsed_fields.{{ adapter.quote('$id') }} = 'd1'
            and parsed_fields.n = '2.5'
            and parsed_fields.s = '"x"'
            and parsed_fields.o = '{"b":1,"a":[1,2.0]}'
            and parsed_fields.z is null
            and parsed_fields.nest.k = 'v'
            and parsed_fields.nest.j = '"w"',
            false
        ) as agrees
    from parsed
    union all
    select
        'json_raw_fields' as macro_name,
        'a string, a number, an object, null, missing' as case_input,
        coalesce(
            raw_fields.s = '"x"'
            and raw_fields.n = '2.5'
            and raw_fields.o = '{"b":1,"a":[1,2.0]}'
            and raw_fields.z is null
            and raw_fields.missing is null,
            false
        ) as agrees
    from parsed
    union all
    select
        'json_unquote' as macro_name,
        'an escaped newline' as case_input,
        coalesce(
            {{ json_unquote('escaped_text') }} = 'a' || chr(10) || 'b', false
        ) as agrees
    from documents
    union all
    select
        'json_object_of' as macro_name,
        'text, non-ASCII text and null' as case_input,
        coalesce(
            {{ json_object_of([
                ('path', "'/feed'"),
                ('title', "'Für dich'"),
                ('gone', 'cast(null as string)'),
            ]) }} = '{"path":"/feed","title":"Für dich","gone":null}',
            false
        ) as agrees
    from documents
    union all
    select
        'json_keys_not_in' as macro_name,
        'some keys known, none, all' as case_input,
        coalesce(
            {{ json_keys_not_in('doc', string_list(['n', 's'])) }} = '$id;nest;o;z'
            and {{ json_keys_not_in('prefixed_doc', string_list([])) }}
            = 'other;unstruct_event_a_1;unstruct_event_b_1'
            and {{ json_keys_not_in(
                'prefixed_doc',
                string_list(['other', 'unstruct_event_a_1', 'unstruct_event_b_1']),
            ) }} is null,
            false
        ) as agrees
    from documents
    union all
    select
        'json_value_by_key_prefix' as macro_name,
        'the first key in sorted order' as case_input,
        coalesce(
            {{ json_value_by_key_prefix('prefixed_doc', 'unstruct_event_') }}
            = '{"x":1}',
            false
        ) as agrees
    from documents
    union all
    select
        'json_first_in_array' as macro_name,
        'nulls and missing keys skipped, a string quoted' as case_input,
        coalesce(
            {{ json_first_in_array('array_doc', '$.data', '$.data.os') }} = '"ios"'
            and {{ json_first_in_array('array_doc', '$.data', '$.data.n') }} = '3'
            and {{ json_first_in_array('array_doc', '$.data', '$.data.none') }}
            is null,
            false
        ) as agrees
    from documents
    union all
    select
        'json_quote_text' as macro_name,
        'a quote and a backslash' as case_input,
        coalesce(
            {{ json_quote_text('plain_text') }}
            = '"a' || chr(92) || '"b' || chr(92) || chr(92) || 'c"'
            and {{ json_unquote(json_quote_text('plain_text')) }} = plain_text
            and {{ json_quote_text('cast(null as string)') }} is null,
            false
        ) as agrees
    from documents
    union all
    select
        'string_literal' as macro_name,
        'a quote and a backslash' as case_input,
        coalesce(
            {{ string_literal("a'b\\c") }} = 'a''b' || chr(92) || 'c', false
        ) as agrees
    from documents
    union all
    select
        'skew_corrected_at' as macro_name,
        'a clock three hours fast, and a day off' as case_input,
        coalesce(
            {{ skew_corrected_at(
                "timestamp '2024-05-01 15:00:00'",
                "timestamp '2024-05-01 15:00:05'",
                "timestamp '2024-05-01 12:00:06.5'",
            ) }} = timestamp '2024-05-01 12:00:01.5'
            and {{ skew_corrected_at(
                "timestamp '2024-05-01 23:59:00'",
                "timestamp '2024-05-03 00:00:00'",
                "timestamp '2024-05-01 00:10:00'",
            ) }} = timestamp '2024-04-30 00:09:00',
            false
        ) as agrees
    from documents
    union all
    select
        'epoch_microseconds' as macro_name,
        '2024-05-01 12:00:00.123456' as case_input,
        coalesce(
            {{ epoch_microseconds("timestamp '2024-05-01 12:00:00.123456'") }}
            = 1714564800123456,
            false
        ) as agrees
    from documents
),

calendar as (
    {{ date_series("'2024-02-27'", "'2024-03-01'") }}
),

calendar_checked as (
    select
        'date_series' as macro_name,
        'across a leap day' as case_input,
        coalesce(
            count(*) = 4
            and min(calendar_date) = cast('2024-02-27' as date)
            and max(calendar_date) = cast('2024-03-01' as date),
            false
        ) as agrees
    from calendar
),

disagreements as (
    select
        macro_name,
        case_input
    from checks
    where not agrees
    union all
    select
        macro_name,
        case_input
    from calendar_checked
    where not agrees
)

select * from disagreements
