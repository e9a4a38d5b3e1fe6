"""The session: the router, the language switch, the user and their scope, the one
year/month selector in the sidebar, and the banner of a dashboard open to the network."""

from __future__ import annotations

import ipaddress

import streamlit as st

from perfbudget import data
from perfbudget.i18n import t
from perfbudget.scope import Scope
from perfbudget.ui.markdown import md_text
from perfbudget.users import LOCAL_ADMIN, User


def ensure_router() -> None:
    """Every page calls this first. A link straight to a page (/execution) on a freshly started
    server reaches Streamlit before app.py has ever called st.navigation, and Streamlit then
    runs the page alone, the old pages/-folder way: no sidebar, no period, an empty page.
    Switch to the router and rerun: the same URL then runs through app.py."""
    # a Streamlit internal, not its public API: imported only where this workaround uses it
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def lang() -> str:
    return "en" if st.session_state.get("lang_en") else "zh"


def _keep_choices_across_languages() -> None:
    """on_change of the language switch: every choice made on a page is set again through
    the session state, so the browser is sent its label in the new language.
    Why: the browser keeps a selectbox's or radio's choice as its label (Streamlit's serde is
    by formatted option). After a switch that label is in neither language's list: the page
    fell back to the first option while the box still showed the old Chinese label (the
    成本分析 class, the 财政可靠性 level). A value set through the session state is sent
    again, worded by the widget's format_func of this run. Only plain values are set again:
    buttons (bools), uploads, table selections and editors refuse it or do not need it.
    .streamlit/config.toml turns off the warning a widget with a default would then show."""
    for key, value in list(st.session_state.items()):
        if key == "lang_en" or not isinstance(key, str) or not _plain(value):
            continue
        st.session_state[key] = value


def _plain(value: object) -> bool:
    """A choice worth setting again: a number, a text, or a non-empty list of them. Not None
    or an empty list (an uploader holds those, and refuses to be set), not a bool (buttons)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_plain(v) for v in value)
    return isinstance(value, (int, float, str))


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


# --- who is using it, and what they may see ---------------------------------------------
#
# With no users configured (perfbudget users add …) the dashboard is the local single-user
# mode: everyone who reaches it is LOCAL_ADMIN, so it listens on 127.0.0.1 only (the banner
# below says so when it does not). With users, every page needs a sign-in first (app.py calls
# require_sign_in before any page runs): a name and password checked against the users table,
# or, when .streamlit/secrets.toml has an [auth] section, the organisation's identity provider
# through st.login, its e-mail (or name) claim looked up in the same table. The scope and the
# rights always come from that table row, never from a widget.

SIGNED_IN = "signed_in_user"  # session_state: the name signed in with the form
OIDC_AUDITED = "signed_in_oidc_audited"  # session_state: the identity whose sign-in is recorded


def client_origin() -> str:
    """Where the browser is: the forwarded-for address behind a proxy, else the peer's;
    "localhost" for a browser on this machine (Streamlit gives no address for 127.0.0.1 / ::1);
    empty without a browser (a test run)."""
    try:
        headers = st.context.headers
        forwarded = headers.get("X-Forwarded-For") or ""
        if forwarded.strip():
            return forwarded.split(",")[0].strip()
        if st.context.ip_address:
            return str(st.context.ip_address)
        return "localhost" if len(headers) else ""
    except Exception:  # no browser behind this run (a bare script run)
        return ""


def oidc_configured() -> bool:
    """Whether secrets.toml has an [auth] section: then st.login is offered."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def _oidc_identity() -> str | None:
    """The identity provider's e-mail (else, with no e-mail claim, name) claim of the browser's
    st.user, if any. An e-mail the provider says it has not verified (email_verified false)
    is no identity: the sign-in is refused."""
    user = getattr(st, "user", None)
    if user is None or not user.get("is_logged_in"):
        return None
    if user.get("email"):
        return None if user.get("email_verified") is False else str(user.get("email"))
    return str(user.get("name")) if user.get("name") else None


def _session_user() -> User | None:
    """The user of this session, None when someone must still sign in."""
    if not data.users_configured():
        return LOCAL_ADMIN
    name = st.session_state.get(SIGNED_IN)
    if name is not None:
        # read again on every run: a user disabled or given another role meanwhile is so now
        user = data.find_user(name)
        if user is not None and not user.disabled:
            return user
        st.session_state.pop(SIGNED_IN, None)
    who = _oidc_identity() if oidc_configured() else None
    if who is not None:
        user = data.find_user(who)
        if user is not None and not user.disabled:
            if st.session_state.get(OIDC_AUDITED) != who:
                st.session_state[OIDC_AUDITED] = who
                data.record_audit(user.name, "sign_in", "oidc", client_origin())
            return user
    return None


def current_user() -> User:
    """The signed-in user (LOCAL_ADMIN with no users configured). A run without one stops
    here, so a page that somehow runs before the sign-in shows nothing."""
    user = _session_user()
    if user is None:
        st.stop()
    return user


def current_scope() -> Scope:
    """What the signed-in user may see: their departments, and sensitive projects only with
    that right (perfbudget.users.User.scope)."""
    return current_user().scope()


def export_scope() -> Scope:
    """What the user may see, minus sensitive (涉密) projects: the scope of any file that
    leaves the system."""
    scope = current_scope()
    return Scope(departments=scope.departments, include_sensitive=False)


def user_name() -> str:
    """Who is acting (imports, rollbacks, follow-ups, settings): the signed-in user's name."""
    return current_user().name


def role_label(user: User | None = None) -> str:
    return tr(f"role_{(user or current_user()).role}")


def can(action: str) -> bool:
    """Whether the signed-in user's role allows an action (perfbudget.users: view, export,
    upload, rollback_own, rollback_any, follow_up, settings, users, audit)."""
    return current_user().can(action)


def may_roll_back(owner: str | None) -> bool:
    """One's own batch needs rollback_own, another's (or one of unknown owner) rollback_any."""
    return current_user().may_roll_back(owner or "")


DENIED_KEYS = {
    "upload": "denied_upload",
    "settings": "denied_settings",
    "follow_up": "denied_followup",
    "export": "denied_export",
    "audit": "denied_audit",
}


def denied_reason(action: str) -> str | None:
    """Why the signed-in user may not do an action (bilingual), None when they may."""
    if can(action):
        return None
    return tr(DENIED_KEYS[action], role=role_label())


def require(action: str) -> None:
    """A page (upload, settings, audit) that the user's role may not use: the reason, and
    nothing else of the page."""
    reason = denied_reason(action)
    if reason is not None:
        st.info(reason, icon=":material/lock:")
        st.stop()


def require_sign_in() -> None:
    """app.py, before the sidebar and any page: with users configured and nobody signed in,
    the sign-in (the identity provider's button when configured, and the name/password form)
    and nothing else."""
    if _session_user() is not None:
        return
    read_url_state()  # a link's language counts on the sign-in too
    with st.sidebar:  # the language switch of the sidebar, before anything else of it
        st.toggle(t("language", "en"), key="lang_en", on_change=_keep_choices_across_languages)
    st.title(tr("signin_title"))
    if oidc_configured():
        who = _oidc_identity()
        if who is not None:
            # signed in at the identity provider, but not a user here (or disabled)
            if st.session_state.get(OIDC_AUDITED) != f"refused:{who}":
                st.session_state[OIDC_AUDITED] = f"refused:{who}"
                data.record_audit(who, "sign_in_failed", "oidc: unknown", client_origin())
            st.error(tr("signin_oidc_unknown", who=md_text(who)), icon=":material/block:")
            if st.button(tr("signout"), key="signin_oidc_logout", icon=":material/logout:"):
                st.logout()
            st.stop()
        if st.button(tr("signin_oidc"), type="primary", key="signin_oidc", icon=":material/key:"):
            st.login(_oidc_provider())
        st.caption(tr("signin_oidc_or"))
    else:
        st.caption(tr("signin_intro"))
    failed = st.session_state.pop("signin_failed", False)
    with st.form("sign_in", border=True):
        name = st.text_input(tr("signin_name"), key="signin_name")
        password = st.text_input(tr("signin_password"), type="password", key="signin_password")
        submitted = st.form_submit_button(tr("signin_submit"), type="primary")
    if submitted:
        name = (name or "").strip()
        user = data.authenticate(name, password or "") if name else None
        if user is not None and not user.disabled:
            st.session_state[SIGNED_IN] = user.name
            data.record_audit(user.name, "sign_in", "password", client_origin())
            st.rerun()
        # one message whether or not the name exists; the name tried goes to the audit log
        data.record_audit(name, "sign_in_failed", "password", client_origin())
        failed = True
    if failed:
        st.error(tr("signin_failed"), icon=":material/error:")
    st.stop()


def _oidc_provider() -> str | None:
    """The [auth.NAME] provider when secrets.toml names one, else None (the [auth] section's
    own client_id and server_metadata_url)."""
    section = st.secrets.get("auth", {})
    if "client_id" in section:
        return None
    named = [key for key, value in section.items() if hasattr(value, "get")]
    return named[0] if named else None


def sign_out() -> None:
    st.session_state.pop(SIGNED_IN, None)
    st.session_state.pop(OIDC_AUDITED, None)
    if _oidc_identity() is not None:
        st.logout()
    st.rerun()


def _who_box() -> None:
    """The sidebar's line of who is signed in, with their role, departments and sign-out."""
    user = current_user()
    if not data.users_configured():
        st.caption(tr("local_mode"))
        return
    st.caption(tr("signed_in_as", name=md_text(user.name), role=role_label(user)))
    if user.departments is not None:
        st.caption(tr("signed_in_scope", departments=md_text("、".join(user.departments))))
    if user.sensitive:
        st.caption(tr("signed_in_sensitive"))
    if st.button(tr("signout"), key="sign_out", icon=":material/logout:"):
        sign_out()


# --- the sidebar: language, year and month ----------------------------------------------


# The view a link or a reload keeps: ?lang=en&year=2025&month=6 beside a page's own
# parameters (?project=…). Read once, when a browser session starts; written on every run.
URL_STATE = ("lang", "year", "month")


def read_url_state() -> None:
    """At a session's first run, the language, year and month the address asks for (a shared
    link, a reload); a value the data does not have is left to the defaults."""
    if st.session_state.get("_url_read"):
        return
    st.session_state["_url_read"] = True
    params = st.query_params
    if params.get("lang") in ("zh", "en"):
        st.session_state["lang_en"] = params.get("lang") == "en"
    for name in ("year", "month"):
        value = str(params.get(name) or "")
        if value.isdigit():
            st.session_state[f"_url_{name}"] = int(value)


def _write_url_state(year: int | None, month: int | None, latest: bool = False) -> None:
    """The address for this view. The period only when it is not the latest (latest=True):
    a link or reload with no period shows the newest data, and keeps doing so after an
    import; a chosen earlier month stays in it."""
    wanted = {"lang": lang()}
    if year is not None and month is not None and not latest:
        wanted.update(year=str(year), month=str(month))
    for name in URL_STATE:
        if name not in wanted:
            st.query_params.pop(name, None)
        elif st.query_params.get(name) != wanted[name]:
            st.query_params[name] = wanted[name]


def sidebar() -> None:
    """Language switch, the shared year/month selector and the synthetic-data label; the
    language and period kept in the address (URL_STATE)."""
    read_url_state()
    with st.sidebar:
        st.toggle(t("language", "en"), key="lang_en", on_change=_keep_choices_across_languages)
        _who_box()
        periods = data.available_periods(current_scope())
        if periods.empty:
            st.session_state.pop("period", None)
            _write_url_state(None, None)
        else:
            years = [int(y) for y in periods["year"]]
            if st.session_state.get("_url_year") in years:
                st.session_state["year"] = st.session_state.pop("_url_year")
            year = st.selectbox(tr("year"), years, key="year")
            last = periods.loc[periods["year"] == year, "last_month"].iloc[0]
            last_month = 12 if last != last or last is None else int(last)
            months = list(range(1, last_month + 1)) or [12]
            if st.session_state.get("_url_month") in months:
                st.session_state["month"] = st.session_state.pop("_url_month")
            if st.session_state.get("month") not in months:
                st.session_state["month"] = months[-1]
            # The widget's key carries the language: Streamlit keeps a selectbox's labels while
            # its key stays the same, so 12月 would survive the switch to English.
            widget_key = f"month_{lang()}"
            st.session_state[widget_key] = st.session_state["month"]
            month = st.selectbox(
                tr("month"),
                months,
                key=widget_key,
                format_func=lambda m: tr("month_n", m=m),
                on_change=_remember_month,
                args=(widget_key,),
            )
            st.session_state["period"] = (int(year), int(month))
            latest = int(year) == years[0] and int(month) == months[-1]  # the defaults
            _write_url_state(int(year), int(month), latest=latest)
        if data.is_synthetic():
            st.warning(tr("synthetic_badge"), icon=":material/science:")


def _remember_month(widget_key: str) -> None:
    st.session_state["month"] = st.session_state[widget_key]


def current_period() -> tuple[int, int] | None:
    """The (year, month) chosen in the sidebar; None when the database is empty."""
    return st.session_state.get("period")


def require_period() -> tuple[int, int]:
    """The chosen period, or an empty-state message and a stop when there is no data."""
    period = current_period()
    if period is None:
        st.info(tr("no_data"), icon=":material/upload_file:")
        st.stop()
    return period


# --- where the dashboard listens --------------------------------------------------------

LOOPBACK_NAMES = ("localhost",)


def listen_address() -> str:
    """The address the server binds (server.address: scripts/start.sh passes 127.0.0.1 unless
    told --listen ADDRESS); empty means every interface."""
    return str(st.get_option("server.address") or "").strip()


def is_loopback(address: str) -> bool:
    """127.0.0.1, ::1, localhost: reachable from this machine only. Empty, 0.0.0.0, :: or any
    other address: reachable from the network."""
    host = address.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign_in_configured() -> bool:
    """Whether visitors must sign in: once the users table has a user. Until then anyone who
    reaches the port sees and changes everything."""
    return data.users_configured()


def exposure_banner() -> None:
    """On every page (app.py): a red banner while the dashboard listens beyond this machine
    and nobody has to sign in."""
    address = listen_address()
    if is_loopback(address) or sign_in_configured():
        return
    st.error(tr("exposed_banner", address=md_text(address or "0.0.0.0")), icon=":material/lan:")
