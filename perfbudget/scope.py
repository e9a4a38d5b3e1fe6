"""Who may see what. Every query takes a Scope, so sign-in and roles can narrow it later
without touching a single query."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The departments a user may see (None = all) and whether sensitive (涉密) projects,
    or projects of a sensitive department, are included."""

    departments: tuple[str, ...] | None = None
    include_sensitive: bool = True

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def public(cls) -> Scope:
        """What may leave the system in a public export: never a sensitive project."""
        return cls(include_sensitive=False)

    def narrowed_to(self, department_code: str | None) -> Scope:
        """This scope restricted to one department (a drill-down); never widens it."""
        if department_code is None:
            return self
        if self.departments is not None and department_code not in self.departments:
            return Scope(departments=(), include_sensitive=self.include_sensitive)
        return Scope(departments=(department_code,), include_sensitive=self.include_sensitive)

    def as_params(self) -> dict[str, object]:
        return {
            "scope_departments": list(self.departments) if self.departments is not None else None,
            "scope_sensitive": self.include_sensitive,
        }
