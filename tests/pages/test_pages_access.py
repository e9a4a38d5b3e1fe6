"""Sign-in, roles, department scope and sensitive projects on the pages (issue 13), under
AppTest against the hand district (tests/hand_fixture.py) with users in its users table:

    boss   leader   every department, sensitive right
    lead2  leader   D02 only, no sensitive right
    ana    analyst  D01 only
    ana2   analyst  D02 only
    root   admin    every department, sensitive right

Two import batches are in the history: batch 1 imported by ana, batch 2 by ana2. Every user's
password is NAME-password (at least 8 characters)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import data, db, users
from tests.hand_fixture import seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 30

USERS = {
    "boss": ("leader", None, True),
    "lead2": ("leader", ("D02",), False),
    "ana": ("analyst", ("D01",), False),
    "ana2": ("analyst", ("D02",), False),
    "root": ("admin", None, True),
}


def _password(name: str) -> str:
    return f"{name}-password"


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def users_db(tmp_path, monkeypatch):
    path = tmp_path / "users.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    for name, (role, departments, sensitive) in USERS.items():
        users.add_user(
            conn,
            name,
            role=role,
            password=_password(name),
            departments=departments,
            sensitive=sensitive,
        )
    sha = "0" * 64
    for batch_id, owner in ((1, "ana"), (2, "ana2")):
        conn.execute(
            "insert into import_batches (batch_id, file_name, sha256, layout, table_kinds, "
            "row_count, row_counts, imported_at, imported_by) values (?, ?, ?, ?, ?, 0, '{}', ?, ?)",
            [
                batch_id,
                f"{owner}.csv",
                sha,
                "template:execution",
                "execution",
                dt.datetime(2025, 8, 1, 9, batch_id),
                owner,
            ],
        )
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    monkeypatch.setenv("PERFBUDGET_INBOX", "0")
    _clear_caches()
    yield path
    _clear_caches()


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password or _password(name))
    _submit(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label in ("登录", "Sign in")]
    button.click().run()


def _signed_in(name: str) -> AppTest:
    return _sign_in(_app(), name)


def _goto(at: AppTest, page: str, **query: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.info] + [e.value for e in at.error] + [e.value for e in at.warning]
    )
    return "\n".join(str(p) for p in parts)


def _audit(action: str):
    """The audit log's rows of one action, read through the dashboard's own connection (it
    holds the file)."""
    return data.audit_log(action=action)


# --- sign-in -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/execution.py", "pages/project.py"])
def test_with_users_a_page_shows_only_the_sign_in_until_someone_signs_in(users_db, page):
    at = _goto(_app(), page, **({"project": "P001"} if page.endswith("project.py") else {}))
    assert [t.value for t in at.title] == ["登录"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    # nothing of the sidebar's period either: it would name the years in the data
    assert not at.selectbox


def test_a_wrong_password_and_an_unknown_name_get_the_same_one_message(users_db):
    at = _app()
    _sign_in(at, "ana", "not-her-password")
    wrong = [e.value for e in at.error]
    _sign_in(at, "nobody", "whatever-password")
    unknown = [e.value for e in at.error]
    assert wrong == unknown == ["用户名或密码不正确，或账号已停用。"]
    assert [t.value for t in at.title] == ["登录"]
    failed = _audit("sign_in_failed")
    assert sorted(failed["user"]) == ["ana", "nobody"]


def test_the_sign_in_switches_to_english(users_db):
    at = _app()
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert [t.value for t in at.title] == ["Sign in"]
    _sign_in(at, "ana", "wrong-password-1")
    assert [e.value for e in at.error] == [
        "Wrong user name or password, or the account is disabled."
    ]


def test_signing_in_shows_who_and_the_role_and_is_in_the_audit_log_and_sign_out_ends_it(
    users_db,
):
    at = _signed_in("ana")
    assert at.title[0].value == "预算绩效总览"
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "已登录：ana（分析员）" in sidebar
    assert "可查看部门：D01" in sidebar
    at.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["登录"]
    rows = _audit("sign_in")
    assert list(rows["user"]) == ["ana"]
    assert list(rows["detail"]) == ["password"]


def test_without_users_the_dashboard_is_the_local_administrator_without_sign_in(
    tmp_path, monkeypatch
):
    path = tmp_path / "local.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    at = _app()
    assert at.title[0].value == "预算绩效总览"
    assert any("本机单用户模式" in c.value for c in at.sidebar.caption)
    # 127.0.0.1 (the checkout's .streamlit/config.toml): no banner of a dashboard open to all
    assert not any("任何人都能查看和修改数据" in e.value for e in at.error)
    at = _goto(at, "pages/settings.py")
    assert at.button(key="settings_reset")
    _clear_caches()


# --- roles ---------------------------------------------------------------------------------


def test_a_leader_sees_and_downloads_but_cannot_upload_change_settings_or_follow_up(users_db):
    at = _signed_in("boss")
    assert at.metric  # the overview's figures
    at = _goto(at, "pages/upload.py")
    assert "您的角色（领导）不能导入或回退数据" in _texts(at)
    assert not at.file_uploader and not at.dataframe
    at = _goto(at, "pages/settings.py")
    assert "您的角色（领导）不能修改阈值与设置：仅限管理员。" in _texts(at)
    assert not at.number_input
    at = _goto(at, "pages/project.py", project="P003")
    assert at.metric  # the project's figures
    assert "您的角色（领导）不能登记预警跟进" in _texts(at)
    assert not at.text_area
    at = _goto(at, "pages/warnings.py")
    assert [b.proto.label for b in at.get("download_button")] == ["下载预警表（Excel）"]
    at = _goto(at, "pages/departments.py")
    [save] = [b for b in at.button if b.label == "保存"]
    assert save.disabled


def test_an_analyst_uploads_but_cannot_change_settings_or_roll_back_anothers_batch(users_db):
    at = _goto(_signed_in("ana"), "pages/upload.py")
    assert at.file_uploader
    assert list(at.dataframe[-1].value["导入人"]) == ["ana2", "ana"]
    at.selectbox(key="upload_batch").select(2).run()
    assert "这是 ana2 导入的批次：回退他人的批次仅限管理员。" in _texts(at)
    assert not [b for b in at.button if b.key == "upload_rollback"]
    at.selectbox(key="upload_batch").select(1).run()
    assert at.button(key="upload_rollback")
    at = _goto(at, "pages/settings.py")
    assert "您的角色（分析员）不能修改阈值与设置" in _texts(at)
    assert not at.number_input
    at = _goto(at, "pages/audit.py")
    assert "审计日志仅限管理员查看。" in _texts(at)
    assert not at.dataframe


def test_an_admin_changes_settings_rolls_back_any_batch_and_reads_the_audit_log(users_db):
    at = _goto(_signed_in("root"), "pages/settings.py")
    assert at.number_input and at.button(key="settings_reset")
    at = _goto(at, "pages/upload.py")
    at.selectbox(key="upload_batch").select(2).run()
    assert at.button(key="upload_rollback")
    at = _goto(at, "pages/audit.py")
    log = at.dataframe[0].value
    # newest first: root's sign-in, then the five users added by the command line's local admin
    assert list(log["用户"]) == ["root"] + ["local"] * 5
    assert list(log["操作"]) == ["登录"] + ["用户变更"] * 5
    at.selectbox(key="audit_action").select("sign_in").run()
    assert list(at.dataframe[0].value["用户"]) == ["root"]
    assert [b.proto.label for b in at.get("download_button")] == ["下载审计日志（Excel）"]


# --- department scope and sensitive projects -----------------------------------------------


def test_a_department_user_sees_only_their_department_on_every_page(users_db):
    at = _signed_in("lead2")
    # D02 at July: budgets 500,000 + 500,000 + 0 + 300,000 = 1,300,000 → 130.00万元, spent
    # 575,000 + 550,000 + 0 + 0 = 1,125,000 → 112.50万元
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["调整后预算"] == "130.00万元"
    assert metrics["已支出"] == "112.50万元"
    at = _goto(at, "pages/execution.py")
    _district, departments, projects = (df.value for df in at.dataframe[:3])
    assert list(departments["部门编码"]) == ["D02"]
    assert sorted(projects["项目编码"]) == ["P004", "P005", "P006", "P009"]
    at = _goto(at, "pages/warnings.py")
    table = at.dataframe[0].value
    assert set(table["部门"]) == {"区卫生健康委员会"}
    assert not set(table["项目编码"].dropna()) - {"P004", "P005", "P006", "P009"}


def test_a_department_user_sees_their_rank_among_every_department_and_no_other_row(users_db):
    # the hand league at July (tests/cli/test_department_reports.py): D02 75.0, D01 59.2,
    # D03 17.1. Without the sensitive right D03 (a sensitive department) is not in the league:
    # ana's D01 is second of two (ranked within her scope alone it would read first of one)
    at = _goto(_signed_in("ana"), "pages/departments.py")
    table = at.dataframe[0].value
    assert list(table["部门"]) == ["区教育局"]
    assert list(table["排名"]) == [2]
    assert list(table["得分"]) == [59.2]
    assert "名次是在全部2个部门中的排名" in _texts(at)


@pytest.mark.parametrize(
    ("name", "code"),
    [("lead2", "P001"), ("ana", "P004"), ("lead2", "P007"), ("ana", "P007")],
    ids=["other-department", "other-department-analyst", "sensitive", "sensitive-analyst"],
)
def test_a_deep_link_outside_the_users_scope_says_so_and_shows_no_figure(users_db, name, code):
    at = _goto(_signed_in(name), "pages/project.py", project=code)
    assert f"2025年没有可查看的项目「{code}」（编码有误，或不在您的权限范围内）。" in _texts(at)
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not at.header


def test_a_user_with_the_sensitive_right_opens_the_sensitive_project(users_db):
    at = _goto(_signed_in("boss"), "pages/project.py", project="P007")
    assert at.header[0].value == "P007 保密设备维护"
    # 10,000 of 100,000 spent
    assert {m.label: m.value for m in at.metric}["已支出"] == "1.00万元"


def test_a_download_is_recorded_in_the_audit_log_with_who(users_db):
    at = _goto(_signed_in("ana"), "pages/warnings.py")
    at.get("download_button")[0].click().run()
    assert not at.exception
    rows = _audit("download")
    assert list(rows["user"]) == ["ana"]
    assert rows["detail"].iloc[0].endswith("预警_2025年07月.xlsx")


# --- OIDC ----------------------------------------------------------------------------------

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret-not-used",
    "client_id": "perfbudget",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


def _oidc_app(email: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_with_an_identity_provider_the_sign_in_offers_it_beside_the_form(users_db):
    at = _oidc_app(None)
    assert at.button(key="signin_oidc").label == "用单位统一身份认证登录"
    assert at.text_input(key="signin_name")


def test_an_identity_providers_user_is_mapped_to_the_users_table_row(users_db):
    at = _oidc_app("ana")
    assert at.title[0].value == "预算绩效总览"
    assert "已登录：ana（分析员）" in "\n".join(c.value for c in at.sidebar.caption)


def test_an_identity_unknown_to_the_users_table_is_refused(users_db):
    at = _oidc_app("stranger@example.org")
    # the address is shown as text (md_text keeps "@" from becoming a mail link)
    assert "未在本看板登记或已停用，无权访问" in _texts(at)
    assert "example.org" in _texts(at)
    assert not at.metric and not at.dataframe
    assert list(_audit("sign_in_failed")["user"]) == ["stranger@example.org"]


def test_an_email_the_identity_provider_has_not_verified_signs_nobody_in(users_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ana", "email_verified": False}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["登录"]
    assert not at.metric


# --- every page, as a department user ------------------------------------------------------

# What lead2 (a D02 leader without the sensitive right) must never see: the other
# departments' projects and the sensitive department's, by code or by name.
NOT_D02 = {
    "P001": "校舍维修",
    "P002": "课后服务购买",
    "P003": "新建学校工程",
    "P007": "保密设备维护",
    "P008": "教师培训",
}
EVERY_PAGE = sorted(p.name for p in (Path(APP).parent / "pages").glob("*.py"))


def _everything_shown(at: AppTest) -> str:
    """Every text a page put on the screen: tables' cells, charts' data, tiles, captions."""
    parts = [_texts(at)]
    parts += [frame.value.to_string() for frame in at.dataframe]
    parts += [str(table.value) for table in at.table]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    parts += [str(getattr(s, "options", "")) for s in at.selectbox]
    parts += [str(getattr(s, "options", "")) for s in at.multiselect]
    parts += [c.value for c in at.sidebar.caption]
    return "\n".join(parts)


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_a_department_user_sees_no_other_department_s_project_on_any_page(users_db, page):
    """The Scope comes from the signed-in user on every page: lead2 sees D02's projects only,
    and never the sensitive department's, whatever the page (a benchmark may count the
    others, never name them)."""
    at = _goto(
        _signed_in("lead2"),
        f"pages/{page}",
        **({"project": "P004"} if page == "project.py" else {}),
    )
    shown = _everything_shown(at)
    leaked = {code for code, name in NOT_D02.items() if code in shown or name in shown}
    assert not leaked, f"{page} shows {sorted(leaked)}"
    if page in {"execution.py", "warnings.py", "project.py"}:
        assert "P004" in shown  # the page does list projects: the check above means something


def test_the_every_page_check_sees_what_a_user_of_every_department_sees(users_db):
    """The control of the check above: signed in as boss (every department, sensitive right)
    the same collection of the screen holds the other departments' projects."""
    at = _goto(_signed_in("boss"), "pages/execution.py")
    shown = _everything_shown(at)
    assert "P001" in shown and "P007" in shown and "新建学校工程" in shown
