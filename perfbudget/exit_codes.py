"""The exit codes of the `perfbudget` command: the one place they are defined (README,
"命令行 Command line", lists the same). Scripts test them, so a code keeps its meaning."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a `perfbudget` run ended with.

    OK (0): done; the output is complete.
    USAGE (1): the command could not run: a bad value (a month outside 1–12, an --out of the
        wrong kind, an unknown briefing section), no database at --db, a file to import that
        does not exist, a briefing with no data in its scope, a command the running dashboard
        will not run for you; also an unexpected error (a traceback). Nothing written.
    REFUSED (2): an import, rollback or restore refused, or a user change (`perfbudget users`:
        a name taken, an unknown user, a password too short) refused (the message says why);
        the database is unchanged. argparse also exits 2 when the arguments themselves cannot be parsed (an
        unknown option, a required one missing), after its usage message.
    BUSY (3): the database is held by another process: it stayed held for the whole wait
        (--timeout, $PERFBUDGET_BUSY_WAIT), or the running dashboard did not finish the
        command (shutting down, not started or still running at --timeout, or stopped while
        running it: then the outcome is unknown, see `perfbudget batches`).
    UNAVAILABLE (4): `export briefing --out FILE.pdf` could not make the PDF: LibreOffice is
        not installed, or its conversion failed. Nothing written; the .pptx needs no LibreOffice.
    UNKNOWN_USER (5): --user names no configured user, or a disabled one (report and export;
        import, rollback and restore when the name is a disabled user's). Nothing done.
    FORBIDDEN (6): the --user's role may not run the command (an import by a leader, the
        rollback or restore of another's batch by an analyst). Nothing done.
    """

    OK = 0
    USAGE = 1
    REFUSED = 2
    BUSY = 3
    UNAVAILABLE = 4
    UNKNOWN_USER = 5
    FORBIDDEN = 6
