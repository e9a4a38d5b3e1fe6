"""`perfbudget users …`, `perfbudget audit`, and what `--user NAME` means on the other commands.

    perfbudget users add NAME --role leader|analyst|admin [--departments CODE,…] [--sensitive]
                              --db PATH
    perfbudget users passwd NAME --db PATH
    perfbudget users disable NAME --db PATH
    perfbudget users list --db PATH [--format csv|json|table]
    perfbudget audit --db PATH [--since DATE] [--until DATE] [--by NAME] [--action ACTION]
                     [--format csv|json|table]

The password is read from a prompt (twice), or from the first line of standard input when it
is not a terminal; never from an argument (it would stay in the shell's history and in `ps`).

--user NAME (perfbudget.users; the same User and Scope the pages build from a sign-in):
- report, export: that user's scope and rights; a name that is no configured user, or a
  disabled one, exits 5 (UNKNOWN_USER). Without --user the command acts as the local admin
  (users.LOCAL_ADMIN: whoever holds the file holds all of it).
- import, rollback, restore: the name recorded on the batch and in the audit log. When it is a
  configured user, that user's rights apply (a leader may not import, an analyst may roll back
  or restore only a batch they imported: exit 6, FORBIDDEN; a disabled user exits 5); any
  other name is recorded as given, acting as the local admin (as before users existed).
"""

from __future__ import annotations

import getpass
import socket
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

from perfbudget import audit, db, users
from perfbudget.exit_codes import ExitCode

DEPARTMENTS_HELP = "comma list of department codes (default: every department)"


def origin() -> str:
    """Where a command-line act came from, for the audit log."""
    try:
        return f"cli@{socket.gethostname()}"
    except OSError:
        return "cli"


# --- --user on the other commands --------------------------------------------------------------


def acting_user(db: users.DbRef, name: str | None, action: str) -> users.User | ExitCode:
    """report / export --user: the configured, enabled user of that name allowed `action`
    (users.ACTIONS), LOCAL_ADMIN without a name, else the exit code after a message. db: the
    command's open connection (read-only: a second open of the file would be refused)."""
    if name is None:
        return users.LOCAL_ADMIN
    user = users.find_user(db, name)
    if user is None or user.disabled:
        return _unknown(name, user)
    if not user.can(action):
        return _forbidden(user, action)
    return user


def recorded_user(db_path: Path, name: str, action: str) -> users.User | ExitCode | None:
    """import / rollback / restore --user: the configured user of that name (rights checked
    by the caller for `action` when given), None for a name that is no configured user (free
    text, as before users existed), or the exit code for a disabled user or a missing right."""
    user = users.find_user(db_path, name) if db_path.is_file() else None
    if user is None:
        return None
    if user.disabled:
        return _unknown(name, user)
    if action and not user.can(action):
        return _forbidden(user, action)
    return user


def _unknown(name: str, user: users.User | None) -> ExitCode:
    if user is None:
        print(
            f"没有用户 {name}（perfbudget users list 查看已有用户）/ there is no user {name} "
            "(perfbudget users list shows them)",
            file=sys.stderr,
        )
    else:
        print(f"用户 {name} 已停用 / the user {name} is disabled", file=sys.stderr)
    return ExitCode.UNKNOWN_USER


ACTION_LABELS = {
    "view": ("查看数据", "view data"),
    "export": ("导出", "export"),
    "upload": ("导入数据", "import data"),
    "rollback_own": ("撤销自己的批次", "roll back their own batches"),
    "rollback_any": ("撤销他人的批次", "roll back another's batch"),
}


def _forbidden(user: users.User, action: str) -> ExitCode:
    zh, en = ACTION_LABELS.get(action, (action, action))
    role_zh, role_en = users.ROLE_LABELS[user.role]
    print(
        f"用户 {user.name}（{role_zh}）无权{zh} / the user {user.name} ({role_en}) may not {en}",
        file=sys.stderr,
    )
    return ExitCode.FORBIDDEN


def batch_rights(user: users.User, imported_by: str | None) -> ExitCode | None:
    """None when the user may roll back or restore a batch imported by `imported_by`, else
    exit 6 after a message."""
    if user.may_roll_back(imported_by or ""):
        return None
    action = "rollback_any" if user.can("rollback_own") else "rollback_own"
    return _forbidden(user, action)


# --- perfbudget users ----------------------------------------------------------------------------


Render = Callable[[pd.DataFrame, str], str]  # cli.render: a frame as csv, json or a table


def add_users_parser(sub, with_db, render: Render) -> None:
    parser = sub.add_parser("users", help="who may sign in / 用户与角色")
    kinds = parser.add_subparsers(dest="users_command", required=True)

    add = kinds.add_parser("add", help="add a user (the password is asked for) / 新增用户")
    add.add_argument("name")
    add.add_argument("--role", choices=users.ROLES, required=True)
    add.add_argument("--departments", default=None, metavar="CODE,…", help=DEPARTMENTS_HELP)
    add.add_argument(
        "--sensitive",
        action="store_true",
        help="may see 涉密/敏感 projects and sensitive departments / 可查看涉密项目",
    )
    with_db(add)
    add.set_defaults(handler=_unforwarded(_cmd_add))

    passwd = kinds.add_parser("passwd", help="a new password / 修改密码")
    passwd.add_argument("name")
    with_db(passwd)
    passwd.set_defaults(handler=_unforwarded(_cmd_passwd))

    disable = kinds.add_parser("disable", help="no more sign-in / 停用用户")
    disable.add_argument("name")
    with_db(disable)
    disable.set_defaults(handler=_unforwarded(_cmd_disable))

    listing = kinds.add_parser("list", help="every user / 用户列表")
    with_db(listing)
    listing.add_argument("--format", choices=("csv", "json", "table"), default="table")
    listing.set_defaults(handler=_unforwarded(partial(_cmd_list, render=render)))


def _unforwarded(handler: Callable[..., int]) -> Callable[..., int]:
    """A users command beside a running dashboard: exit 3 with what to do instead. The inbox
    does not take it (perfbudget.inbox.NOT_FORWARDED): a job cannot carry a password."""

    def run(args) -> int:
        try:
            return handler(args)
        except db.DatabaseBusyError:
            print(
                f"数据库 {args.db} 正被另一个进程（通常是运行中的看板）占用；用户管理命令不能交给看板代为执行"
                "（密码不能写入任务文件）：请先停止看板，再运行此命令。\n"
                f"The database {args.db} is held by another process (usually the running "
                "dashboard); user commands are not handed to it (a password cannot go into a "
                "job file): stop the dashboard, then run this command again.",
                file=sys.stderr,
            )
            return ExitCode.BUSY

    return run


def read_password(confirm: bool = True) -> str | None:
    """From a prompt (asked twice when confirm), or the first line of standard input when it is
    not a terminal. None after a message when the two differ or nothing was given."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码 / password: ")
        if confirm and getpass.getpass("再输一次 / again: ") != first:
            print("两次输入的密码不同 / the passwords differ", file=sys.stderr)
            return None
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    if not first:
        print("没有给出密码 / no password given", file=sys.stderr)
        return None
    return first


def _refused(exc: users.UserError) -> ExitCode:
    print(str(exc), file=sys.stderr)
    return ExitCode.REFUSED


def _cmd_add(args) -> int:
    password = read_password()
    if password is None:
        return ExitCode.USAGE
    try:
        user = users.add_user(
            args.db,
            args.name,
            role=args.role,
            password=password,
            departments=args.departments,
            sensitive=args.sensitive,
            by=users.LOCAL_ADMIN.name,
            origin=origin(),
        )
    except users.UserError as exc:
        return _refused(exc)
    _warn_unknown_departments(args.db, user)
    print(f"已新增用户 / user added: {user.name} ({user.role_label})")
    return ExitCode.OK


def _warn_unknown_departments(db_path: Path, user: users.User) -> None:
    """A department code not (yet) in the database: said, not refused (a user may be set up
    before their department's data is imported)."""
    if user.departments is None:
        return
    conn = db.connect(db_path)
    try:
        known = {
            str(code)
            for (code,) in conn.execute("select department_code from departments").fetchall()
        }
    finally:
        conn.close()
    missing = [code for code in user.departments if code not in known]
    if missing:
        print(
            f"注意：数据库中还没有部门 {', '.join(missing)} / note: no department "
            f"{', '.join(missing)} in the database yet",
            file=sys.stderr,
        )


def _cmd_passwd(args) -> int:
    if args.db.is_file() and users.find_user(args.db, args.name) is None:
        return _refused(users.UserError(f"没有用户 {args.name}", f"there is no user {args.name}"))
    password = read_password()
    if password is None:
        return ExitCode.USAGE
    try:
        users.set_password(args.db, args.name, password, origin=origin())
    except users.UserError as exc:
        return _refused(exc)
    print(f"密码已更新 / password changed: {args.name}")
    return ExitCode.OK


def _cmd_disable(args) -> int:
    try:
        users.disable_user(args.db, args.name, origin=origin())
    except users.UserError as exc:
        return _refused(exc)
    print(f"已停用 / disabled: {args.name}")
    return ExitCode.OK


USER_COLUMNS = ("name", "role", "departments", "sensitive", "disabled")


def users_frame(listed: list[users.User]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                u.name,
                u.role,
                "" if u.departments is None else ",".join(u.departments),
                u.sensitive,
                u.disabled,
            )
            for u in listed
        ],
        columns=list(USER_COLUMNS),
    )


def _cmd_list(args, render: Render) -> int:
    if not args.db.is_file():
        print(f"数据库不存在 / no database at {args.db}", file=sys.stderr)
        return ExitCode.USAGE
    sys.stdout.write(render(users_frame(users.list_users(args.db)), args.format))
    return ExitCode.OK


# --- perfbudget audit ----------------------------------------------------------------------------


def add_audit_parser(sub, with_db, render: Render) -> None:
    parser = sub.add_parser("audit", help="the audit log: who did what, when / 审计日志")
    with_db(parser)
    parser.add_argument("--since", default=None, metavar="DATE", help="from this date or time")
    parser.add_argument("--until", default=None, metavar="DATE", help="before this date or time")
    parser.add_argument("--by", default=None, metavar="NAME", help="only this user's acts")
    parser.add_argument("--action", choices=audit.ACTIONS, default=None)
    parser.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    parser.set_defaults(handler=partial(_cmd_audit, render=render))


def _cmd_audit(args, render: Render) -> int:
    if not args.db.is_file():
        print(f"数据库不存在 / no database at {args.db}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        frame = audit.read(
            args.db, since=args.since, until=args.until, user=args.by, action=args.action
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return ExitCode.USAGE
    sys.stdout.write(render(frame, args.format))
    return ExitCode.OK
