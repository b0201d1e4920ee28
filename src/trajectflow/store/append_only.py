"""Database triggers that keep the audit trail append-only: UPDATE and DELETE on it are refused.

Someone with owner rights on the database can still drop the triggers; `trajectflow audit verify`
then finds what they changed through the hash chain.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

TABLE = "audit_records"
MESSAGE = "audit records are append-only"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION trajectflow_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS audit_records_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION trajectflow_append_only()
    """,
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_records_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS trajectflow_append_only()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
_SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_records_no_update", "DROP TRIGGER IF EXISTS audit_records_no_delete"]


def install(connection: Connection) -> None:
    statements = _POSTGRESQL_INSTALL if connection.dialect.name == "postgresql" else _SQLITE_INSTALL
    for statement in statements:
        connection.execute(text(statement))


def remove(connection: Connection) -> None:
    statements = _POSTGRESQL_REMOVE if connection.dialect.name == "postgresql" else _SQLITE_REMOVE
    for statement in statements:
        connection.execute(text(statement))
