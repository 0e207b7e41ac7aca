"""Another workspace's id is a 404 on every API route, in both dialects, and changes nothing.

The routes are not hand-picked: they are read from ``create_app().routes``. Each path
parameter's kind is the resource segment before it (``/projects/{project_id}/task_assignments/{id}``
-> project, task assignment). A kind this test does not know fails the test, so a new route
cannot slip through: add its kind to ``KNOWN_KINDS`` and a row of it to ``_foreign_objects``.
Request bodies are generated from the route's own request schema in ``/openapi.json`` so that
they pass validation and reach the lookup.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from keito_server.app import create_app
from keito_server.settings import Settings
from sqlalchemy import select

from tests.support.live import Workspace

# Path segment (normalized: "-" -> "_") -> kind of the parameter that follows it.
KNOWN_KINDS = {
    "time_entries": "time_entry",
    "expenses": "expense",
    "expense_categories": "expense_category",
    "projects": "project",
    "task_assignments": "task_assignment",
    "user_assignments": "user_assignment",
    "clients": "client",
    "contacts": "contact",
    "tasks": "task",
    "users": "user",
    "invoices": "invoice",
    "payments": "payment",
    "messages": "invoice_message",
    "api_keys": "api_key",
    "approvals": "approval",
}
_PARAM = re.compile(r"\{(\w+)\}")


def api_routes(tmp_dir: str) -> list[tuple[str, str, list[str]]]:
    """(METHOD, path template, kinds of its path parameters) for every API route with a parameter."""
    app = create_app(Settings.from_env({"KEITO_DATA_DIR": tmp_dir, "KEITO_SECRET_KEY": "t"}))
    out = []
    for rc in iter_route_contexts(app.routes):
        path = rc.path
        if not path.startswith(("/api/v2/", "/v1/")) or "{" not in path:
            continue
        kinds = [param_kind(path, m.start()) for m in _PARAM.finditer(path)]
        for method in sorted(rc.methods or ()):
            if method not in ("HEAD", "OPTIONS"):
                out.append((method, path, kinds))
    return out


def param_kind(path: str, pos: int) -> str:
    segment = path[:pos].rstrip("/").rsplit("/", 1)[-1].replace("-", "_")
    kind = KNOWN_KINDS.get(segment)
    assert kind is not None, (
        f"{path}: the path parameter after '{segment}' is a kind this test does not know; "
        "add it to KNOWN_KINDS and create one in _foreign_objects."
    )
    return kind


# ── the other workspace's objects ──────────────────────────────────────────────────────


def _foreign_objects(other: Workspace) -> dict[str, str]:
    """One object of every kind in ``other``, written straight to its database."""
    from keito_server.db import models as m
    from keito_server.domain.ids import new_id
    from keito_server.services import approvals, invoices

    user_id, _key = other.add_user("Victim", roles=["member"])

    def write(s: Any, actor: Any) -> dict[str, str]:
        acc = other.account_id
        ids: dict[str, str] = {
            "project": other.project_id,
            "client": other.client_id,
            "task": other.task_id,
            "user": user_id,
        }
        ids["task_assignment"] = s.scalars(
            select(m.TaskAssignment.id).where(m.TaskAssignment.project_id == other.project_id)
        ).first()
        ids["user_assignment"] = s.scalars(
            select(m.UserAssignment.id).where(m.UserAssignment.project_id == other.project_id)
        ).first()
        ids["expense_category"] = s.scalars(
            select(m.ExpenseCategory.id).where(m.ExpenseCategory.account_id == acc)
        ).first()
        ids["api_key"] = s.scalars(select(m.ApiKey.id).where(m.ApiKey.user_id == user_id)).first()
        te = m.TimeEntry(
            id=new_id("time_entry"),
            account_id=acc,
            user_id=user_id,
            project_id=other.project_id,
            task_id=other.task_id,
            spent_date=date(2026, 3, 2),
            duration_seconds=3600,
            notes="theirs",
        )
        ex = m.Expense(
            id=new_id("expense"),
            account_id=acc,
            user_id=user_id,
            project_id=other.project_id,
            expense_category_id=ids["expense_category"],
            spent_date=date(2026, 3, 2),
            total_cost=Decimal(10),
            notes="theirs",
        )
        contact = m.Contact(id=new_id("contact"), account_id=acc, client_id=other.client_id, first_name="Theirs")
        s.add_all([te, ex, contact])
        s.commit()
        ids.update(time_entry=te.id, expense=ex.id, contact=contact.id)
        view = invoices.create_invoice(
            s, actor, {"client_id": other.client_id, "line_items": [{"quantity": Decimal(1), "unit_price": Decimal(9)}]}
        )
        inv_id = view.invoice.id
        msg = invoices.create_message(s, actor, inv_id, {"recipients": [{"name": "AP", "email": "ap@x.test"}]})
        pay = invoices.create_payment(s, actor, inv_id, {"amount": Decimal(1)})
        ids.update(invoice=inv_id, invoice_message=msg.id, payment=pay.id)
        submitted = approvals.submit(
            s, actor, {"period_start": date(2026, 3, 2), "period_end": date(2026, 3, 8), "user_id": user_id}
        )
        ids["approval"] = submitted.approval.id
        missing = [k for k, v in ids.items() if not v]
        assert not missing, f"could not make {missing} in the other workspace"
        return ids

    return other.run(write)  # type: ignore[no-any-return]


def _snapshot(other: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every workspace table that belongs to ``other``."""
    from keito_server.db.models import Base

    def read(s: Any, _actor: Any) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        for table in Base.metadata.sorted_tables:
            if "account_id" not in table.c:
                continue
            cols = [c for c in table.c if c.name != "last_used_at"]
            rows = s.execute(select(*cols).where(table.c.account_id == other.account_id)).all()
            out[table.name] = sorted((tuple(map(repr, r)) for r in rows), key=repr)
        accounts = Base.metadata.tables["accounts"]
        out["accounts"] = [
            tuple(map(repr, r)) for r in s.execute(select(accounts).where(accounts.c.id == other.account_id))
        ]
        return out

    return other.run(read)  # type: ignore[no-any-return]


# ── request bodies from the route's schema ─────────────────────────────────────────────


def _example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example(options[0], components, depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    fmt = schema.get("format")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {k: _example(props[k], components, depth + 1) for k in schema.get("required", []) if k in props}
    if kind == "array":
        n = schema.get("minItems", 0)
        return [_example(schema.get("items", {}), components, depth + 1) for _ in range(n)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return "2026-03-02T10:00:00Z"
    if fmt == "email" or schema.get("pattern", "").find("@") >= 0:
        return "someone@example.com"
    return "x" * max(1, schema.get("minLength", 1))


def _request_kwargs(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    op = doc["paths"].get(path, {}).get(method.lower(), {})
    content = op.get("requestBody", {}).get("content", {})
    components = doc.get("components", {}).get("schemas", {})
    if "application/json" in content:
        body = _example(content["application/json"].get("schema", {}), components)
        if method == "PATCH" and isinstance(body, dict):
            body.setdefault("notes", "changed by another workspace")
        return {"json": body if body is not None else {}}
    if "multipart/form-data" in content:
        schema = content["multipart/form-data"].get("schema", {})
        schema = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
        field = next(iter(schema.get("properties", {"file": {}})))
        return {"files": {field: ("r.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")}}
    return {"json": {}} if method in ("POST", "PATCH", "PUT") else {}


# ── the test ───────────────────────────────────────────────────────────────────────────


def test_every_route_hides_other_workspaces(ws: Workspace, other_ws: Workspace, tmp_path: Any) -> None:
    routes = api_routes(str(tmp_path))
    assert len(routes) > 20, "the route walk found too few routes"
    theirs = _foreign_objects(other_ws)
    doc = httpx.get(f"{ws.server.url}/openapi.json", timeout=30).json()
    own_invoice = ws.api().post("invoices", json={"client_id": ws.client_id}).json()["id"]
    ours = {"project": ws.project_id, "invoice": own_invoice, "client": ws.client_id}
    # Control: the same credentials do reach their own objects, so the 404s below mean something.
    assert ws.api().get(f"invoices/{own_invoice}").status_code == 200
    assert ws.api(dialect="v1").get(f"invoices/{own_invoice}").status_code == 200
    before = _snapshot(other_ws)
    calls: list[tuple[str, str, str, list[str]]] = []
    for method, path, kinds in routes:
        dialect = "v1" if path.startswith("/v1/") else "v2"
        calls.append((dialect, method, path, [theirs[k] for k in kinds]))
        if len(kinds) > 1 and all(k in ours for k in kinds[:-1]):
            # Our own parent with their child: the child must still be a 404.
            calls.append((dialect, method, path, [ours[k] for k in kinds[:-1]] + [theirs[kinds[-1]]]))
    failures = []
    for dialect, method, path, ids in calls:
        api = ws.api(dialect=dialect)
        values = iter(ids)
        url = _PARAM.sub(lambda _m, it=values: next(it), path)  # type: ignore[misc]
        headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
        r = api.request(method, url, headers=headers, **_request_kwargs(doc, method, path))
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else None
        code = (body or {}).get("code") if dialect == "v2" else ((body or {}).get("error") or {}).get("code")
        well_formed = (
            body is not None
            and code == "not_found"
            and (dialect == "v1" or {"error", "error_description", "code"} <= set(body))
        )
        if r.status_code != 404 or not well_formed:
            failures.append(f"{method} {url} -> {r.status_code} {r.text[:200]}")
    assert not failures, "another workspace's object answered something other than a 404:\n" + "\n".join(failures)
    assert _snapshot(other_ws) == before, "a request with another workspace's id changed its data"
