"""`python -m perfbudget` — the same as the installed `perfbudget` command."""

from perfbudget.cli import main

raise SystemExit(main())
