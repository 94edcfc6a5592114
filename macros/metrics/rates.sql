{#
    Rates and their uncertainty. A rate is always a ratio of sums: roll a
    mart up by summing its counts and dividing again, never by averaging
    its rates.

    Literals in a quotient are cast to double: Spark reads 1.0 as a
    decimal, and keeps as few as six decimal places of a quotient of
    decimals (1.0 / 3 is 0.333333 there), where DuckDB divides as doubles.
#}

{#-
    successes / trials, NULL when there were no trials. Either may be an
    expression (`conversations - open_conversations`): each is bracketed.
-#}
{% macro safe_rate(successes, trials) -%}
    case
        when ({{ trials }}) > 0
            then cast(({{ successes }}) as double) / ({{ trials }})
    end
{%- endmacro %}

{#
    A bound of the Wilson score interval for a proportion, at the confidence
    var rate_confidence_z sets (1.96 for 95%). Unlike the normal
    approximation it stays within 0 and 1 and behaves at small counts; the
    clamp only absorbs rounding at a rate of exactly 0 or 1.
#}
{% macro wilson_bound(successes, trials, bound) -%}
    {%- set z = var('rate_confidence_z') -%}
    {%- set z_squared = 'cast(' ~ z * z ~ ' as double)' -%}
    {%- set n = '(' ~ trials ~ ')' -%}
    {%- set p = '(cast((' ~ successes ~ ') as double) / ' ~ n ~ ')' -%}
    case
        when {{ n }} > 0
            then {{ 'greatest(0.0, ' if bound == 'lower' else 'least(1.0, ' }}(
                {{ p }} + {{ z_squared }} / (2.0 * {{ n }})
                {{ '-' if bound == 'lower' else '+' }} {{ z }} * sqrt(
                    {{ p }} * (1 - {{ p }}) / {{ n }}
                    + {{ z_squared }} / (4.0 * {{ n }} * {{ n }})
                )
            ) / (1 + {{ z_squared }} / {{ n }}))
    end
{%- endmacro %}

{#
    The p-value of a chi-square statistic with `df` degrees of freedom, for
    the sample-ratio-mismatch check: exact through erfc for one degree of
    freedom, the Wilson-Hilferty normal approximation for more. erf is
    Abramowitz and Stegun's 7.1.26 (error under 2e-7), written out because
    not every engine has it. Both arguments may be expressions
    (`variants - 1`): each is bracketed.
#}
{% macro chi_square_p_value(statistic, df) -%}
    {%- set x = '(' ~ statistic ~ ')' -%}
    {%- set k = '(' ~ df ~ ')' -%}
    case
        when {{ k }} < 1 or {{ x }} is null then null
        when {{ k }} = 1
            then 1 - {{ ai_events.erf_approximation('sqrt(' ~ x ~ ' / 2.0)') }}
        else
            1 - {{ ai_events.normal_cdf(
                '(power(' ~ x ~ ' / ' ~ k ~ ', cast(1 as double) / 3)'
                ~ ' - (1 - cast(2 as double) / (9 * ' ~ k ~ ')))'
                ~ ' / sqrt(cast(2 as double) / (9 * ' ~ k ~ '))'
            ) }}
    end
{%- endmacro %}

{% macro normal_cdf(z) -%}
    (
        case
            when ({{ z }}) >= 0
                then 0.5 * (1 + {{ ai_events.erf_approximation('(' ~ z ~ ') / sqrt(2.0)') }})
            else 0.5 * (1 - {{ ai_events.erf_approximation('-(' ~ z ~ ') / sqrt(2.0)') }})
        end
    )
{%- endmacro %}

{#- erf(x) for x >= 0. -#}
{% macro erf_approximation(x) -%}
    (
        1 - (
            0.254829592 * (1.0 / (1 + 0.3275911 * ({{ x }})))
            - 0.284496736 * power(1.0 / (1 + 0.3275911 * ({{ x }})), 2)
            + 1.421413741 * power(1.0 / (1 + 0.3275911 * ({{ x }})), 3)
            - 1.453152027 * power(1.0 / (1 + 0.3275911 * ({{ x }})), 4)
            + 1.061405429 * power(1.0 / (1 + 0.3275911 * ({{ x }})), 5)
        ) * exp(-(({{ x }}) * ({{ x }})))
    )
{%- endmacro %}

{#
    A variant's planned share of an experiment's users: its weight in var
    experiment_allocations ({experiment_id: {variant: weight}}), else an even
    split among the variants seen. Used in a select over one row per
    experiment and variant.
#}
{% macro experiment_expected_share(experiment_column, variant_column) -%}
    case
        {%- for experiment, weights in var('experiment_allocations').items() %}
        {%- for variant, weight in weights.items() %}
        when
            {{ experiment_column }} = '{{ experiment }}'
            and {{ variant_column }} = '{{ variant }}'
            then {{ weight / (weights.values() | sum) }}
        {%- endfor %}
        {%- endfor %}
        when true then cast(1 as double) / count(*) over (partition by {{ experiment_column }})
    end
{%- endmacro %}
