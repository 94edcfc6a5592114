-- The text and time macros give the same values on every engine:
-- parse_iso_timestamp, epoch_ms_to_timestamp, normalize_event_name,
-- base64url_decode_text, sha256_hex and explode_split. Rows returned are
-- the cases that disagree.

with

timestamps as (
    select
        listed.timestamp_text,
        listed.expected_at
    from (
        values
        ('2024-05-01T12:00:00Z', timestamp '2024-05-01 12:00:00'),
        ('2024-05-01T12:00:00+05:30', timestamp '2024-05-01 06:30:00'),
        ('2024-05-01T12:00:00-0800', timestamp '2024-05-01 20:00:00'),
        ('2024-05-01T12:00:00+05', timestamp '2024-05-01 07:00:00'),
        ('2024-05-01T12:00Z', timestamp '2024-05-01 12:00:00'),
        ('2024-05-01 12:00:00.5+01:00', timestamp '2024-05-01 11:00:00.5'),
        ('2024-05-01T12:00:00.123456789Z', timestamp '2024-05-01 12:00:00.123456'),
        ('2024-05-01T12:00:00', timestamp '2024-05-01 12:00:00'),
        ('2024-05-01 12:00', timestamp '2024-05-01 12:00:00'),
        ('2024-05-01', timestamp '2024-05-01 00:00:00'),
        ('2015-2-02T00:30:12.984Z', null),
        ('2024-05-01T12:00:00z', null),
        ('2024-02-30T00:00:00Z', null),
        ('2024-05-01T12:00:00 Z', null),
        ('yesterday', null),
        ('', null)
    ) as listed (timestamp_text, expected_at)
),

epochs as (
    select
        listed.epoch_ms,
        listed.expected_at
    from (
        values
        (1714564800123, timestamp '2024-05-01 12:00:00.123'),
        (0, timestamp '1970-01-01 00:00:00'),
        (-1, timestamp '1969-12-31 23:59:59.999')
    ) as listed (epoch_ms, expected_at)
),

event_names as (
    select
        listed.raw_name,
        listed.expected_name
    from (
        values
        ('Item Clicked', 'item_clicked'),
        ('item-clicked', 'item_clicked'),
        ('ItemClicked', 'item_clicked'),
        ('  HTTPServer Error ', 'httpserver_error'),
        ('aB_cD', 'a_b_c_d'),
        ('__x__', 'x'),
        ('Order #42 Placed!', 'order_42_placed')
    ) as listed (raw_name, expected_name)
),

encoded as (
    select
        listed.encoded_text,
        listed.expected_text
    from (
        values
        ('aGk', 'hi'),
        ('aGVsbG8', 'hello'),
        ('aGVsbG8=', 'hello'),
        ('Pz8-', '??>'),
        ('Pz8_', '???'),
        ('4pyTIG9r', '✓ ok'),
        ('', ''),
        ('_w', null),
        ('a', null),
        ('***', null),
        ('aGVs bG8=', null)
    ) as listed (encoded_text, expected_text)
),

hashed as (
    select
        listed.plain_text,
        listed.expected_hex
    from (
        values
        (
            'abc',
            'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
        ),
        (
            '',
            'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
        ),
        (
            'é',
            '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c'
        )
    ) as listed (plain_text, expected_hex)
),

split_parts as (
    select {{ explode_split("'a;b;;c;'", ';') }} as part
    union all
    select {{ explode_split("'x||y|z'", '||') }} as part
    union all
    select {{ explode_split("'p.q'", '.') }} as part
),

split_counts as (
    select
        part,
        count(*) as parts
    from split_parts
    group by part
),

split_expected as (
    select
        listed.part,
        listed.parts
    from (
        values
        ('a', 1), ('b', 1), ('', 2), ('c', 1),
        ('x', 1), ('y|z', 1),
        ('p', 1), ('q', 1)
    ) as listed (part, parts)
),

disagreements as (
    select
        'parse_iso_timestamp' as macro_name,
        timestamp_text as case_input
    from timestamps
    where {{ parse_iso_timestamp('timestamp_text') }} is distinct from expected_at
    union all
    select
        'epoch_ms_to_timestamp' as macro_name,
        cast(epoch_ms as string) as case_input
    from epochs
    where {{ epoch_ms_to_timestamp('epoch_ms') }} is distinct from expected_at
    union all
    select
        'normalize_event_name' as macro_name,
        raw_name as case_input
    from event_names
    where {{ normalize_event_name('raw_name') }} is distinct from expected_name
    union all
    select
        'base64url_decode_text' as macro_name,
        encoded_text as case_input
    from encoded
    where
        {{ base64url_decode_text('encoded_text') }} is distinct from expected_text
    union all
    select
        'sha256_hex' as macro_name,
        plain_text as case_input
    from hashed
    where {{ sha256_hex('plain_text') }} is distinct from expected_hex
    union all
    select
        'explode_split' as macro_name,
        coalesce(split_counts.part, split_expected.part) as case_input
    from split_counts
    full outer join split_expected
        on split_counts.part = split_expected.part
    where split_counts.parts is distinct from split_expected.parts
)

select * from disagreements
