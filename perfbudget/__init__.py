"""PerfBudget 预算绩效看板: budget performance management on DuckDB, shown in Streamlit."""

__version__ = "0.1.0"
