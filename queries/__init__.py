"""The SQL that computes every figure: one read-only SELECT per .sql file in this folder.

It is installed inside the package as `perfbudget.queries` (pyproject.toml maps the package to
this folder), so `perfbudget.db` finds the files through the import system in every install: a
wheel (site-packages/perfbudget/queries/), an editable install and so a checkout (this folder).
This file only makes the folder a package; it holds no SQL and no code.
"""
