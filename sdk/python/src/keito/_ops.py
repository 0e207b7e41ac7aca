"""Every API operation as a pure function returning an ``Op``: the request building that the
sync and async resources share. Parameter names follow the SDK (``from_date``/``to_date``) and are
translated to the wire (``from``/``to``) here, nowhere else."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from keito._core import Op
from keito._types import drop_none, strip_not_given

LLM_USAGE_CATEGORY = "cat_llm_usage"  # the built-in LLM Usage category, same id in every workspace


def query(filters: dict[str, Any]) -> dict[str, Any]:
    params = drop_none(filters)
    if "from_date" in params:
        params["from"] = params.pop("from_date")
    if "to_date" in params:
        params["to"] = params.pop("to_date")
    return params


def body(values: dict[str, Any]) -> dict[str, Any]:
    """A create body: absent and None both mean "not sent"."""
    return drop_none(values)


def patch(values: dict[str, Any]) -> dict[str, Any]:
    """An update body: NOT_GIVEN is left out, None is sent (and clears the field)."""
    return strip_not_given(values)


# ── time entries ────────────────────────────────────────────────────────────────────────
def te_list(filters: dict[str, Any]) -> Op:
    return Op("GET", "/time_entries", query(filters), model="TimeEntry", list_key="time_entries")


def te_get(id: str) -> Op:
    return Op("GET", f"/time_entries/{id}", model="TimeEntry")


def te_create(values: dict[str, Any]) -> Op:
    return Op("POST", "/time_entries", json=body(values), model="TimeEntry")


def te_update(id: str, values: dict[str, Any]) -> Op:
    return Op("PATCH", f"/time_entries/{id}", json=patch(values), model="TimeEntry")


def te_delete(id: str) -> Op:
    return Op("DELETE", f"/time_entries/{id}")


def te_stop(id: str, notes: Any) -> Op:
    return Op("PATCH", f"/time_entries/{id}/stop", json=patch({"notes": notes}), model="TimeEntry")


def te_restart(id: str, replace_running: bool | None) -> Op:
    return Op(
        "PATCH", f"/time_entries/{id}/restart", json=body({"replace_running": replace_running}), model="TimeEntry"
    )


def te_start_timer(values: dict[str, Any]) -> Op:
    values = {k: v for k, v in values.items() if k not in ("hours", "ended_time")}
    values["is_running"] = True
    return te_create(values)


# ── generic resources ───────────────────────────────────────────────────────────────────
def list_op(path: str, key: str, model: Any, filters: dict[str, Any]) -> Op:
    return Op("GET", path, query(filters), model=model, list_key=key)


def get_op(path: str, model: Any) -> Op:
    return Op("GET", path, model=model)


def create_op(path: str, model: Any, values: dict[str, Any]) -> Op:
    return Op("POST", path, json=body(values), model=model)


def update_op(path: str, model: Any, values: dict[str, Any]) -> Op:
    return Op("PATCH", path, json=patch(values), model=model)


def delete_op(path: str) -> Op:
    return Op("DELETE", path)


def approval_action(id: str, action: str, reason: str | None = None) -> Op:
    return Op(
        "POST", f"/approvals/{id}/{action}", json={"reason": reason} if reason is not None else {}, model="Approval"
    )


def set_teammates(user_id: str, teammate_ids: Sequence[str]) -> Op:
    # The answer is the new list; one page holds the most a manager can have.
    params = {"per_page": 2000}
    return Op("PATCH", f"/users/{user_id}/teammates", params, {"teammate_ids": list(teammate_ids)}, "User", "teammates")


# ── agent helpers ───────────────────────────────────────────────────────────────────────
def outcome_entry(
    *,
    project_id: str,
    task_id: str,
    spent_date: str,
    outcome_type: str,
    description: str | None,
    unit_price: Any,
    quantity: float,
    success: bool,
    evidence: dict[str, Any] | None,
    metadata: dict[str, Any] | None,
) -> Op:
    """An outcome is a 0-hour source=agent entry whose metadata says what was achieved (§3.7)."""
    meta: dict[str, Any] = dict(metadata or {})
    meta.update(
        {
            "outcome_type": getattr(outcome_type, "value", outcome_type),
            "outcome_quantity": quantity,
            "outcome_success": success,
        }
    )
    if unit_price is not None:
        meta["outcome_unit_price"] = float(unit_price) if not isinstance(unit_price, int | float) else unit_price
    if evidence is not None:
        meta["outcome_evidence"] = evidence
    return te_create(
        {
            "project_id": project_id,
            "task_id": task_id,
            "spent_date": spent_date,
            "hours": 0,
            "notes": description,
            "source": "agent",
            "billable": True,
            "metadata": meta,
        }
    )


def llm_expense(
    *,
    project_id: str,
    spent_date: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    agent_id: str | None = None,
    agent_type: str | None = None,
    session_id: str | None = None,
    notes: str | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> Op:
    """An LLM Usage expense the server prices from the model and token counts (decisions §4)."""
    total = input_tokens + output_tokens + cache_read_tokens + cache_write_tokens
    meta: dict[str, Any] = dict(extra_metadata or {})
    meta.update(drop_none({"agent_id": agent_id, "agent_type": agent_type, "session_id": session_id}))
    meta.update({"model": model, "input_tokens": input_tokens, "output_tokens": output_tokens})
    if cache_read_tokens:
        meta["cache_read_tokens"] = cache_read_tokens
    if cache_write_tokens:
        meta["cache_write_tokens"] = cache_write_tokens
    return create_op(
        "/expenses",
        "Expense",
        {
            "project_id": project_id,
            "expense_category_id": LLM_USAGE_CATEGORY,
            "spent_date": spent_date,
            "units": max(1, math.ceil(total / 1000)),  # thousands of tokens, rounded up
            "notes": notes or f"{model}: {input_tokens} input + {output_tokens} output tokens",
            "source": "agent",
            "metadata": meta,
        },
    )
