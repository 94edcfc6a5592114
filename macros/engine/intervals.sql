{#
    Clock-skew correction: the receive time, less what the device's clock
    says passed between the event and its sending. The device's clock may
    be wrong by hours; the difference of two of its readings is not.
#}
{% macro skew_corrected_at(original_at, sent_at, received_at) %}
    {{ return(adapter.dispatch('skew_corrected_at', 'ai_events')(original_at, sent_at, received_at)) }}
{% endmacro %}

{% macro default__skew_corrected_at(original_at, sent_at, received_at) -%}
    {{ received_at }} - ({{ sent_at }} - {{ original_at }})
{%- endmacro %}
