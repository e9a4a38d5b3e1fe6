"""Files that leave the dashboard: formatted Excel tables (xlsx); chart images and briefings
may join them. Nothing here imports streamlit."""
