-- Daily volume of every event against its own trailing baseline: the mean
-- of the same weekday over up to var volume_baseline_weeks earlier weeks, so
-- that a weekly rhythm (quiet weekends) is expected, not flagged. A day
-- outside the band of var volume_band_z standard deviations (never tighter
-- than the noise of a count, z times the square root of the baseline) is
-- an anomaly. Days with no events at all count as 0: a collapse to nothing
-- is the anomaly that matters most. Only the latest var volume_window_days
-- days are monitored.

{%- set weeks = var('volume_baseline_weeks') %}
{%- set z = var('volume_band_z') %}

with

events as (
    select
        cast(event_at as date) as event_date,
        coalesce(registry_event_name, event_name_normalized, '(no name)')
            as event_name
    from {{ ref('int_events__deduplicated') }}
),

all_days as (
    select
        event_date,
        event_name,
        count(*) as events
    from events
    group by event_date, event_name
),

-- The monitored window: the latest var volume_window_days days, so that a
-- stray timestamp decades off cannot stretch the calendar.
window_start as (
    select
        {{ dbt.dateadd('day', -1 * var('volume_window_days'), 'max(event_date)') }}
            as first_date
    from all_days
),

daily as (
    select all_days.*
    from all_days
    inner join window_start
        on all_days.event_date >= window_start.first_date
),

first_seen as (
    select
        event_name,
        min(event_date) as first_date
    from daily
    group by event_name
),

calendar as (
    {{ date_series(
        '(select min(event_date) from daily)', '(select max(event_date) from daily)'
    ) }}
),

grid as (
    select
        calendar.calendar_date as event_date,
        first_seen.event_name
    from calendar
    inner join first_seen
        on calendar.calendar_date >= first_seen.first_date
),

filled as (
    select
        grid.event_date,
        grid.event_name,
        coalesce(daily.events, 0) as events,
        dayofweek(grid.event_date) as weekday
    from grid
    left join daily
        on
            grid.event_date = daily.event_date
            and grid.event_name = daily.event_name
),

with_baseline as (
    select
        *,
        avg(events) over same_weekday as baseline_events,
        stddev_samp(events) over same_weekday as baseline_stddev,
        count(*) over same_weekday as history_weeks,
        max(event_date) over () as latest_date
    from filled
    window same_weekday as (
        partition by event_name, weekday
        order by event_date
        rows between {{ weeks }} preceding and 1 preceding
    )
),

banded as (
    select
        *,
        greatest(
            {{ z }} * coalesce(baseline_stddev, 0), {{ z }} * sqrt(baseline_events)
        ) as band_half_width
    from with_baseline
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(event_name as string) as event_name,
        cast(events as bigint) as events,
        cast(baseline_events as double) as baseline_events,
        cast(baseline_stddev as double) as baseline_stddev,
        cast(history_weeks as integer) as history_weeks,
        cast(baseline_events - band_half_width as double) as expected_low,
        cast(baseline_events + band_half_width as double) as expected_high,
        {{ safe_rate('events', 'baseline_events') }} as events_over_baseline,
        coalesce(
            history_weeks >= {{ var('volume_min_history_weeks') }}
            and (
                events < baseline_events - band_half_width
                or events > baseline_events + band_half_width
            ),
            false
        ) as is_anomaly,
        case
            when history_weeks < {{ var('volume_min_history_weeks') }} then null
            when events < baseline_events - band_half_width then 'drop'
            when events > baseline_events + band_half_width then 'spike'
        end as anomaly_direction,
        event_date = latest_date as is_latest_day
    from banded
)

select * from final
