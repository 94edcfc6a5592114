-- Experiments whose exposures per variant are too unlikely under the planned
-- split (srm_p_value below var srm_p_value_threshold): their assignment is
-- broken and their metrics should not be read until it is fixed. One row per
-- variant, with the planned and observed shares.

select
    experiment_id,
    variant,
    exposed_users,
    expected_share,
    observed_share,
    srm_chi_square,
    srm_p_value
from {{ ref('fct_experiment_results') }}
where has_sample_ratio_mismatch
order by experiment_id, variant
