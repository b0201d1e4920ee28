"""Bulk loading for generated data: COPY on PostgreSQL (psycopg 3 `cursor.copy`), executemany on SQLite.

Rows are tuples in the order of the columns given. Ids are chosen by the caller (`next_id`) so rows
of different tables can refer to each other without a round trip; `finish` moves the PostgreSQL
id sequences past them and refreshes the planner statistics.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine


class BulkWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._raw: Any = None
        self._tables: set[str] = set()
        self._types: dict[str, dict[str, str]] = {}

    def __enter__(self) -> BulkWriter:
        self._raw = self.engine.raw_connection()
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        try:
            if exc_type is not None:
                self._raw.rollback()
        finally:
            self._raw.close()

    @property
    def _driver(self) -> Any:
        return self._raw.driver_connection

    def next_id(self, table: str) -> int:
        cursor = self._driver.cursor()
        try:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        """Write `rows` into `table` in one transaction; return how many."""
        self._tables.add(table)
        if self.dialect == "postgresql":
            return self._copy(table, columns, rows)
        return self._insert_many(table, columns, rows)

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        written = 0
        types = self._pg_types(table, columns)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with self._driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
                written += 1
        self._driver.commit()
        return written

    def _pg_types(self, table: str, columns: Sequence[str]) -> list[str]:
        """Column types for binary COPY (less parsing on the server than text); JSON is sent as its text."""
        if table not in self._types:
            with self._driver.cursor() as cursor:
                cursor.execute(
                    "SELECT column_name, udt_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s",
                    (table,),
                )
                self._types[table] = {name: udt for name, udt in cursor.fetchall()}
        known = self._types[table]
        return ["text" if known[c] in ("json", "varchar") else known[c] for c in columns]

    def _insert_many(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        converted = [tuple(_sqlite_value(value) for value in row) for row in rows]
        cursor = self._driver.cursor()
        try:
            cursor.execute("BEGIN")
            cursor.executemany(statement, converted)
            cursor.execute("COMMIT")
        finally:
            cursor.close()
        return len(converted)

    def finish(self) -> None:
        """Sequences past the written ids (PostgreSQL) and fresh statistics for the planner."""
        cursor = self._driver.cursor()
        try:
            for table in sorted(self._tables):
                if self.dialect == "postgresql":
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                cursor.execute(f"ANALYZE {table}")
            self._driver.commit()
        finally:
            cursor.close()


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types would have stored (see store/models.py UtcDateTime)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
