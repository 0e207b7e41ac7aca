"""Asynchronous resources. GENERATED from ``resources.py`` by ``scripts/unasync.py``: do not edit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from keito import _ops as ops
from keito._types import NOT_GIVEN, NotGiven, RequestOptions

if TYPE_CHECKING:
    from keito import types as t
    from keito._async_client import AsyncKeito
    from keito._pagination import AsyncPager

Opts = RequestOptions | None


class Resource:
    def __init__(self, client: AsyncKeito) -> None:
        self._c = client


class TimeEntries(Resource):
    """/time_entries: ``list`` walks every page; ``start_timer`` starts a running entry."""

    def list(
        self,
        *,
        user_id: str | None = None,
        client_id: str | None = None,
        project_id: str | None = None,
        task_id: str | None = None,
        is_billed: bool | None = None,
        is_running: bool | None = None,
        from_date: str | None = None,
        to_date: str | None = None,
        updated_since: str | None = None,
        source: str | None = None,
        session_id: str | None = None,
        agent_id: str | None = None,
        per_page: int | None = None,
        request_options: Opts = None,
        **filters: Any,
    ) -> AsyncPager[t.TimeEntry]:
        filters.update(
            user_id=user_id,
            client_id=client_id,
            project_id=project_id,
            task_id=task_id,
            is_billed=is_billed,
            is_running=is_running,
            from_date=from_date,
            to_date=to_date,
            updated_since=updated_since,
            source=source,
            session_id=session_id,
            agent_id=agent_id,
        )
        return self._c._pager(ops.te_list(filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.TimeEntry:
        return await self._c._call(ops.te_get(id), request_options)  # type: ignore[no-any-return]

    async def create(
        self,
        *,
        project_id: str,
        task_id: str,
        spent_date: str,
        hours: float | None = None,
        notes: str | None = None,
        billable: bool | None = None,
        is_running: bool | None = None,
        replace_running: bool | None = None,
        started_time: str | None = None,
        ended_time: str | None = None,
        source: str | None = None,
        metadata: dict[str, Any] | None = None,
        user_id: str | None = None,
        request_options: Opts = None,
        **extra: Any,
    ) -> t.TimeEntry:
        values: dict[str, Any] = dict(extra, project_id=project_id, task_id=task_id, spent_date=spent_date, hours=hours)
        values.update(notes=notes, billable=billable, is_running=is_running, replace_running=replace_running)
        values.update(started_time=started_time, ended_time=ended_time, source=source, metadata=metadata)
        values.update(user_id=user_id)
        return await self._c._call(ops.te_create(values), request_options)  # type: ignore[no-any-return]

    async def start_timer(
        self,
        *,
        project_id: str,
        task_id: str,
        spent_date: str | None = None,
        notes: str | None = None,
        billable: bool | None = None,
        replace_running: bool | None = None,
        started_time: str | None = None,
        source: str | None = None,
        metadata: dict[str, Any] | None = None,
        request_options: Opts = None,
    ) -> t.TimeEntry:
        values: dict[str, Any] = dict(project_id=project_id, task_id=task_id, spent_date=spent_date or _today())
        values.update(notes=notes)
        values.update(billable=billable, replace_running=replace_running, started_time=started_time)
        values.update(source=source, metadata=metadata)
        return await self._c._call(ops.te_start_timer(values), request_options)  # type: ignore[no-any-return]

    async def update(
        self,
        id: str,
        *,
        project_id: str | NotGiven = NOT_GIVEN,
        task_id: str | NotGiven = NOT_GIVEN,
        spent_date: str | NotGiven = NOT_GIVEN,
        hours: float | NotGiven | None = NOT_GIVEN,
        notes: str | NotGiven | None = NOT_GIVEN,
        billable: bool | NotGiven = NOT_GIVEN,
        started_time: str | NotGiven | None = NOT_GIVEN,
        ended_time: str | NotGiven | None = NOT_GIVEN,
        is_running: bool | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        request_options: Opts = None,
        **extra: Any,
    ) -> t.TimeEntry:
        values: dict[str, Any] = dict(extra, project_id=project_id, task_id=task_id, spent_date=spent_date, hours=hours)
        values.update(notes=notes, billable=billable, started_time=started_time, ended_time=ended_time)
        values.update(is_running=is_running, metadata=metadata)
        return await self._c._call(ops.te_update(id, values), request_options)  # type: ignore[no-any-return]

    async def delete(self, id: str, *, request_options: Opts = None) -> None:
        await self._c._call(ops.te_delete(id), request_options)

    async def stop(
        self, id: str, *, notes: str | NotGiven | None = NOT_GIVEN, request_options: Opts = None
    ) -> t.TimeEntry:
        return await self._c._call(ops.te_stop(id, notes), request_options)  # type: ignore[no-any-return]

    async def restart(
        self, id: str, *, replace_running: bool | None = None, request_options: Opts = None
    ) -> t.TimeEntry:
        return await self._c._call(ops.te_restart(id, replace_running), request_options)  # type: ignore[no-any-return]


class Expenses(Resource):
    """/expenses."""

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.Expense]:
        return self._c._pager(ops.list_op("/expenses", "expenses", "Expense", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Expense:
        return await self._c._call(ops.get_op(f"/expenses/{id}", "Expense"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.Expense:
        return await self._c._call(ops.create_op("/expenses", "Expense", values), request_options)  # type: ignore[no-any-return]

    async def update(self, id: str, *, request_options: Opts = None, **values: Any) -> t.Expense:
        op = ops.update_op(f"/expenses/{id}", "Expense", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]

    async def delete(self, id: str, *, request_options: Opts = None) -> None:
        await self._c._call(ops.delete_op(f"/expenses/{id}"), request_options)


class ExpenseCategories(Resource):
    """/expense_categories."""

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.ExpenseCategory]:
        op = ops.list_op("/expense_categories", "expense_categories", "ExpenseCategory", filters)
        return self._c._pager(op, per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.ExpenseCategory:
        op = ops.get_op(f"/expense_categories/{id}", "ExpenseCategory")
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.ExpenseCategory:
        op = ops.create_op("/expense_categories", "ExpenseCategory", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]

    async def update(self, id: str, *, request_options: Opts = None, **values: Any) -> t.ExpenseCategory:
        op = ops.update_op(f"/expense_categories/{id}", "ExpenseCategory", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]


class UserAssignments(Resource):
    """/projects/{project_id}/user_assignments."""

    def list(
        self, project_id: str, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.UserAssignment]:
        op = ops.list_op(f"/projects/{project_id}/user_assignments", "user_assignments", "UserAssignment", filters)
        return self._c._pager(op, per_page, request_options)

    async def create(self, project_id: str, *, request_options: Opts = None, **values: Any) -> t.UserAssignment:
        op = ops.create_op(f"/projects/{project_id}/user_assignments", "UserAssignment", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]


class TaskAssignments(Resource):
    """/projects/{project_id}/task_assignments."""

    def list(
        self, project_id: str, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.TaskAssignment]:
        op = ops.list_op(f"/projects/{project_id}/task_assignments", "task_assignments", "TaskAssignment", filters)
        return self._c._pager(op, per_page, request_options)

    async def create(self, project_id: str, *, request_options: Opts = None, **values: Any) -> t.TaskAssignment:
        op = ops.create_op(f"/projects/{project_id}/task_assignments", "TaskAssignment", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]


class Projects(Resource):
    """/projects, with ``.user_assignments`` and ``.task_assignments``."""

    def __init__(self, client: AsyncKeito) -> None:
        super().__init__(client)
        self.user_assignments = UserAssignments(client)
        self.task_assignments = TaskAssignments(client)

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.Project]:
        return self._c._pager(ops.list_op("/projects", "projects", "Project", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Project:
        return await self._c._call(ops.get_op(f"/projects/{id}", "Project"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.Project:
        return await self._c._call(ops.create_op("/projects", "Project", values), request_options)  # type: ignore[no-any-return]

    async def update(self, id: str, *, request_options: Opts = None, **values: Any) -> t.Project:
        op = ops.update_op(f"/projects/{id}", "Project", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]

    async def delete(self, id: str, *, request_options: Opts = None) -> None:
        await self._c._call(ops.delete_op(f"/projects/{id}"), request_options)


class Clients(Resource):
    """/clients: the customers being billed."""

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.Client]:
        return self._c._pager(ops.list_op("/clients", "clients", "Client", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Client:
        return await self._c._call(ops.get_op(f"/clients/{id}", "Client"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.Client:
        return await self._c._call(ops.create_op("/clients", "Client", values), request_options)  # type: ignore[no-any-return]

    async def update(self, id: str, *, request_options: Opts = None, **values: Any) -> t.Client:
        op = ops.update_op(f"/clients/{id}", "Client", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]

    async def delete(self, id: str, *, request_options: Opts = None) -> None:
        await self._c._call(ops.delete_op(f"/clients/{id}"), request_options)


class Contacts(Resource):
    """/contacts."""

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.Contact]:
        return self._c._pager(ops.list_op("/contacts", "contacts", "Contact", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Contact:
        return await self._c._call(ops.get_op(f"/contacts/{id}", "Contact"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.Contact:
        return await self._c._call(ops.create_op("/contacts", "Contact", values), request_options)  # type: ignore[no-any-return]


class Tasks(Resource):
    """/tasks (workspace-wide)."""

    def list(self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any) -> AsyncPager[t.Task]:
        return self._c._pager(ops.list_op("/tasks", "tasks", "Task", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Task:
        return await self._c._call(ops.get_op(f"/tasks/{id}", "Task"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.Task:
        return await self._c._call(ops.create_op("/tasks", "Task", values), request_options)  # type: ignore[no-any-return]


class Users(Resource):
    """/users and /users/me."""

    async def me(self, *, request_options: Opts = None) -> t.User:
        return await self._c._call(ops.get_op("/users/me", "User"), request_options)  # type: ignore[no-any-return]

    def list(self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any) -> AsyncPager[t.User]:
        return self._c._pager(ops.list_op("/users", "users", "User", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.User:
        return await self._c._call(ops.get_op(f"/users/{id}", "User"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.User:
        return await self._c._call(ops.create_op("/users", "User", values), request_options)  # type: ignore[no-any-return]

    def teammates(
        self, user_id: str, *, per_page: int | None = None, request_options: Opts = None
    ) -> AsyncPager[t.User]:
        """A manager's teammates; none means the manager sees the whole workspace."""
        return self._c._pager(
            ops.list_op(f"/users/{user_id}/teammates", "teammates", "User", {}), per_page, request_options
        )

    async def set_teammates(
        self, user_id: str, teammate_ids: Sequence[str], *, request_options: Opts = None
    ) -> Sequence[t.User]:
        """Restrict a manager to these people (administrators); ``[]`` lifts the restriction."""
        return await self._c._call(ops.set_teammates(user_id, teammate_ids), request_options)  # type: ignore[no-any-return]


class Approvals(Resource):
    """/approvals: submit a period; managers approve, reject (with a reason) or withdraw."""

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.Approval]:
        return self._c._pager(ops.list_op("/approvals", "approvals", "Approval", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Approval:
        return await self._c._call(ops.get_op(f"/approvals/{id}", "Approval"), request_options)  # type: ignore[no-any-return]

    async def submit(
        self, *, period_start: str, period_end: str, user_id: str | None = None, request_options: Opts = None
    ) -> t.Approval:
        values = {"period_start": period_start, "period_end": period_end, "user_id": user_id}
        return await self._c._call(ops.create_op("/approvals", "Approval", values), request_options)  # type: ignore[no-any-return]

    async def approve(self, id: str, *, request_options: Opts = None) -> t.Approval:
        return await self._c._call(ops.approval_action(id, "approve"), request_options)  # type: ignore[no-any-return]

    async def reject(self, id: str, *, reason: str, request_options: Opts = None) -> t.Approval:
        return await self._c._call(ops.approval_action(id, "reject", reason), request_options)  # type: ignore[no-any-return]

    async def withdraw(self, id: str, *, request_options: Opts = None) -> t.Approval:
        return await self._c._call(ops.approval_action(id, "withdraw"), request_options)  # type: ignore[no-any-return]


class InvoiceMessages(Resource):
    """/invoices/{invoice_id}/messages."""

    def list(
        self, invoice_id: str, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.InvoiceMessage]:
        op = ops.list_op(f"/invoices/{invoice_id}/messages", "invoice_messages", "InvoiceMessage", filters)
        return self._c._pager(op, per_page, request_options)

    async def create(self, invoice_id: str, *, request_options: Opts = None, **values: Any) -> t.InvoiceMessage:
        op = ops.create_op(f"/invoices/{invoice_id}/messages", "InvoiceMessage", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]


class InvoicePayments(Resource):
    """/invoices/{invoice_id}/payments."""

    def list(
        self, invoice_id: str, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.InvoicePayment]:
        op = ops.list_op(f"/invoices/{invoice_id}/payments", "invoice_payments", "InvoicePayment", filters)
        return self._c._pager(op, per_page, request_options)

    async def create(self, invoice_id: str, *, request_options: Opts = None, **values: Any) -> t.InvoicePayment:
        op = ops.create_op(f"/invoices/{invoice_id}/payments", "InvoicePayment", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]


class Invoices(Resource):
    """/invoices, with ``.messages`` and ``.payments``."""

    def __init__(self, client: AsyncKeito) -> None:
        super().__init__(client)
        self.messages = InvoiceMessages(client)
        self.payments = InvoicePayments(client)

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.Invoice]:
        return self._c._pager(ops.list_op("/invoices", "invoices", "Invoice", filters), per_page, request_options)

    async def get(self, id: str, *, request_options: Opts = None) -> t.Invoice:
        return await self._c._call(ops.get_op(f"/invoices/{id}", "Invoice"), request_options)  # type: ignore[no-any-return]

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.Invoice:
        return await self._c._call(ops.create_op("/invoices", "Invoice", values), request_options)  # type: ignore[no-any-return]

    async def update(self, id: str, *, request_options: Opts = None, **values: Any) -> t.Invoice:
        op = ops.update_op(f"/invoices/{id}", "Invoice", values)
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]

    async def delete(self, id: str, *, request_options: Opts = None) -> None:
        await self._c._call(ops.delete_op(f"/invoices/{id}"), request_options)


class Reports(Resource):
    """/reports: team time (paged) and the time-and-cost summary."""

    def team_time(
        self, *, from_date: str, to_date: str, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.TeamTimeResult]:
        filters.update(from_date=from_date, to_date=to_date)
        op = ops.list_op("/reports/time/team", "results", "TeamTimeResult", filters)
        return self._c._pager(op, per_page, request_options)

    def summary(
        self,
        *,
        from_date: str,
        to_date: str,
        group_by: str = "project",
        per_page: int | None = None,
        request_options: Opts = None,
        **filters: Any,
    ) -> AsyncPager[t.SummaryRow]:
        """Hours, billable amounts, cost and LLM spend grouped by client, project, task, user, source,
        user_type, model, agent or session."""
        filters.update(from_date=from_date, to_date=to_date, group_by=group_by)
        op = ops.list_op("/reports/summary", "results", "SummaryRow", filters)
        return self._c._pager(op, per_page, request_options)


class ApiKeys(Resource):
    """/api_keys."""

    def list(
        self, *, per_page: int | None = None, request_options: Opts = None, **filters: Any
    ) -> AsyncPager[t.KeitoModel]:
        return self._c._pager(ops.list_op("/api_keys", "api_keys", "KeitoModel", filters), per_page, request_options)

    async def create(self, *, request_options: Opts = None, **values: Any) -> t.KeitoModel:
        return await self._c._call(ops.create_op("/api_keys", "KeitoModel", values), request_options)  # type: ignore[no-any-return]

    async def delete(self, id: str, *, request_options: Opts = None) -> None:
        await self._c._call(ops.delete_op(f"/api_keys/{id}"), request_options)


class Outcomes(Resource):
    """Outcome-based billing: ``log`` records what an agent achieved as a 0-hour entry."""

    async def log(
        self,
        *,
        project_id: str,
        task_id: str,
        outcome_type: str,
        spent_date: str | None = None,
        description: str | None = None,
        unit_price: float | None = None,
        quantity: float = 1,
        success: bool = True,
        evidence: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        request_options: Opts = None,
    ) -> t.TimeEntry:
        op = ops.outcome_entry(
            project_id=project_id,
            task_id=task_id,
            spent_date=spent_date or _today(),
            outcome_type=outcome_type,
            description=description,
            unit_price=unit_price,
            quantity=quantity,
            success=success,
            evidence=evidence,
            metadata=metadata,
        )
        return await self._c._call(op, request_options)  # type: ignore[no-any-return]


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()
