"""The triggers that raise accounts.context_version on every change to what a time entry's
create reads (projects, tasks, user and task assignments): the one value a create's insert
checks to know that the context it used is still the database's (ADR 0515). The column itself
is in 0001 (regenerated from the models); autogenerate cannot see triggers, so they are here.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The tables whose rows a create's context is read from (services/time_entries._context_statement).
CONTEXT_TABLES = ("projects", "tasks", "user_assignments", "task_assignments")

# A row that moved to another workspace (none do) raises both workspaces' versions.
_PG_FUNCTION = """
CREATE FUNCTION keito_bump_context_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE accounts SET context_version = context_version + 1 WHERE id = OLD.account_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.account_id IS DISTINCT FROM OLD.account_id) THEN
        UPDATE accounts SET context_version = context_version + 1 WHERE id = NEW.account_id;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in CONTEXT_TABLES:
            op.execute(
                f"CREATE TRIGGER keito_context_version AFTER INSERT OR UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION keito_bump_context_version()"
            )
        return
    for table in CONTEXT_TABLES:
        for event, where in (
            ("INSERT", "id = NEW.account_id"),
            ("UPDATE", "id IN (OLD.account_id, NEW.account_id)"),
            ("DELETE", "id = OLD.account_id"),
        ):
            op.execute(
                f"CREATE TRIGGER keito_context_version_{table}_{event.lower()} AFTER {event} ON {table}"
                f" BEGIN UPDATE accounts SET context_version = context_version + 1 WHERE {where}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in CONTEXT_TABLES:
            op.execute(f"DROP TRIGGER keito_context_version ON {table}")
        op.execute("DROP FUNCTION keito_bump_context_version()")
    else:
        for table in CONTEXT_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER keito_context_version_{table}_{event}")
