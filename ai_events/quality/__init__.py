"""Data quality: Great Expectations suites kept as code, run after dbt build."""
