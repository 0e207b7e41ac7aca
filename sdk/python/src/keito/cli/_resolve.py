"""Projects and tasks by id, name or code (case-insensitive); a unique prefix also matches, so
``--project acme`` finds "Acme Website". Failure is exit 4 with the names available."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from keito.cli._runtime import EXIT_NOT_FOUND, CliError


def pick(value: str, candidates: Iterable[Any], kind: str, suggestion: str) -> Any:
    items = list(candidates)
    wanted = value.strip().lower()

    def keys(item: Any) -> list[str]:
        return [str(k).lower() for k in (getattr(item, "name", None), getattr(item, "code", None)) if k]

    for item in items:
        if item.id == value:
            return item
    exact = [i for i in items if wanted in keys(i)]
    if len(exact) == 1:
        return exact[0]
    prefixed = [i for i in items if any(k.startswith(wanted) for k in keys(i))]
    if len(exact) == 0 and len(prefixed) == 1:
        return prefixed[0]
    names = sorted(str(getattr(i, "name", i.id)) for i in items)
    how = "matches several" if (exact or prefixed) else "matches no"
    raise CliError(
        EXIT_NOT_FOUND,
        f"{value!r} {how} {kind}. Available: {', '.join(names) or 'none'}",
        suggestion,
        {"available": names},
        error_code="not_found",
    )


def project(client: Any, value: str) -> Any:
    return pick(value, client.projects.list(is_active=True, per_page=200), "project", "keito projects list --json")


def task(client: Any, project_id: str, value: str) -> Any:
    tasks = [a.task for a in client.projects.task_assignments.list(project_id, per_page=200) if a.task is not None]
    return pick(value, tasks, "task", "keito projects tasks --json")
