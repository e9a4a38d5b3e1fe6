"""Large tables are paged on the server (ui.paged): one page of rows goes to the browser,
sorted across every page when the user picks a column."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    import pandas as pd
    import streamlit as st

    from perfbudget import ui

    frame = pd.DataFrame(
        {
            "project_code": [f"P{i:05d}" for i in range(1234)],
            "execution_rate": [(i * 7919) % 1000 / 1000 for i in range(1234)],
        }
    )
    shown = ui.paged(frame, "big", {"execution_rate": "执行率"})
    st.dataframe(shown, key="table")
    st.text(f"{len(shown)} {shown['project_code'].iloc[0]} {shown['execution_rate'].iloc[0]}")
    small = ui.paged(frame.head(12), "small")
    st.text(f"small {len(small)}")


def test_a_large_table_shows_one_page_and_says_which_rows_of_how_many():
    at = AppTest.from_function(_app).run()
    assert not at.exception
    assert at.text[0].value == "100 P00000 0.0"  # ui.PAGE_ROWS rows a page
    assert at.caption[0].value == "第1–100行，共1,234行"
    at.number_input(key="big_page").set_value(13).run()
    assert at.text[0].value.startswith("34 P01200")
    assert at.caption[0].value == "第1,201–1,234行，共1,234行"
    assert at.text[1].value == "small 12"  # a table that fits has no pager
    assert len(at.number_input) == 1


def test_sorting_orders_every_page_not_only_the_one_shown():
    at = AppTest.from_function(_app).run()
    at.selectbox(key="big_sort").set_value("execution_rate").run()
    # largest first across all 1,234 rows: the top rate is 0.999
    assert at.text[0].value.endswith(" 0.999")
    at.toggle(key="big_descending").set_value(False).run()
    assert at.text[0].value.endswith(" 0.0")


def test_a_scatter_of_a_city_draws_the_largest_budgets_in_their_own_order():
    from decimal import Decimal

    import pandas as pd

    from perfbudget import ui

    frame = pd.DataFrame(
        {
            "project_code": ["A", "B", "C", "D"],
            "adjusted_budget_yuan": [Decimal("5"), None, Decimal("9"), Decimal("7")],
        }
    )
    assert list(ui.largest_for_chart(frame, limit=2)["project_code"]) == ["C", "D"]
    assert ui.largest_for_chart(frame, limit=4) is frame


def _window_app():
    import pandas as pd
    import streamlit as st

    from perfbudget import results, ui

    frame = pd.DataFrame(
        {
            "project_code": [f"P{i:05d}" for i in range(1234)],
            "execution_rate": [(i * 7919) % 1000 / 1000 for i in range(1234)],
        }
    )
    asked = st.session_state.setdefault("asked", [])

    def fetch(order, offset, limit):
        asked.append((order, offset, limit))
        return results.window(frame, None, order, offset, limit)

    shown, total = ui.paged_window(fetch, "big", {"execution_rate": "执行率"})
    st.text(f"{len(shown)} {shown['project_code'].iloc[0]} {shown['execution_rate'].iloc[0]}")
    st.text(f"{total} {asked[-1]}")


def test_a_window_pager_asks_for_one_page_sorted_and_offset():
    """ui.paged_window: the same pager, the database doing the sorting and slicing: it asks
    fetch for exactly the page shown."""
    at = AppTest.from_function(_window_app).run()
    assert not at.exception
    assert at.text[0].value == "100 P00000 0.0"
    assert at.text[1].value == "1234 (None, 0, 100)"
    assert at.caption[0].value == "第1–100行，共1,234行"
    at.number_input(key="big_page").set_value(13).run()
    assert at.text[0].value.startswith("34 P01200")
    assert at.text[1].value == "1234 (None, 1200, 100)"
    at.selectbox(key="big_sort").set_value("execution_rate").run()
    assert at.text[1].value == "1234 (('execution_rate', True), 1200, 100)"
    at.number_input(key="big_page").set_value(1).run()
    assert at.text[0].value.endswith(" 0.999")  # the largest rate of all 1,234 first
