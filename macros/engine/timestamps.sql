{#
    Timestamps in the warehouse are UTC wall time in a zone-less TIMESTAMP.

    parse_iso_timestamp reads an ISO-8601 string strictly: a string with an
    offset (Z, +05:30, -0800) is converted to UTC; a string with no zone is
    taken as UTC whatever the session's time zone; anything else (such as
    '2015-2-02T00:30:12Z', with a one-digit month) gives NULL, so that the
    caller can fall back and flag it.
#}
{% macro parse_iso_timestamp(expression) %}
    {{ return(adapter.dispatch('parse_iso_timestamp', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__parse_iso_timestamp(expression) -%}
    case
        when regexp_full_match(
            {{ expression }},
            '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)'
        )
            then timezone('UTC', try_cast({{ expression }} as timestamptz))
        when regexp_full_match(
            {{ expression }},
            '\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?'
        )
            then try_cast({{ expression }} as timestamp)
    end
{%- endmacro %}

{#
    Spark: the same two shapes, checked with Java regular expressions (`\z`
    is the very end, where `$` would allow a final newline; backslashes are
    doubled because Spark unescapes string literals). Spark's cast reads
    the offsets DuckDB reads, but wants the seconds when a zone follows, so
    ':00' is put in; a zone-less string is read as wall time and pinned to
    UTC explicitly, so the session's zone does not matter. The result is a
    TIMESTAMP, an instant that Spark shows in the session's zone (UTC in
    profiles.yml). Where DuckDB is lenient past ISO-8601 (hour 24, offsets
    beyond 18 hours), Spark gives NULL.
#}
{% macro spark__parse_iso_timestamp(expression) -%}
    case
        when {{ expression }} rlike
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)\\z'
            then cast(regexp_replace({{ expression }}, '^(.{16})(?!:)', '$1:00') as timestamp)
        when {{ expression }} rlike
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?\\z'
            then cast(
                concat(cast(cast({{ expression }} as timestamp_ntz) as string), 'Z')
                as timestamp
            )
    end
{%- endmacro %}
