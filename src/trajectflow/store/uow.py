"""Unit of work: one transaction per use case; commit once or leave the database as it was."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import Conflict
from . import tenancy  # noqa: F401 - registers the tenancy criteria on every session


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], write: bool = True, info: dict | None = None) -> None:
        self._factory = session_factory
        self._write = write
        self._info = info or {}
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.session.info.update(self._info)
        if self._write and self.session.get_bind().dialect.name == "sqlite":
            self.session.connection(execution_options={"sqlite_write": True})
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() ends any uncommitted transaction (a rollback at the connection) and detaches
        # loaded objects without expiring them, so read results stay usable after the block.
        self.session.close()

    def commit(self) -> None:
        with conflicts_as_409(self.session):
            self.session.commit()

    def flush(self) -> None:
        with conflicts_as_409(self.session):
            self.session.flush()


@contextlib.contextmanager
def conflicts_as_409(session: Session) -> Iterator[None]:
    """A concurrent change to the same rows surfaces as Conflict, with the transaction rolled back."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        raise Conflict("the case was changed by someone else at the same time; reload and try again") from None
    except OperationalError as err:
        session.rollback()
        if _is_lock_conflict(err):
            raise Conflict("the case is being changed by someone else; try again") from None
        raise


def _is_lock_conflict(err: OperationalError) -> bool:
    text = str(err.orig).lower()
    return "database is locked" in text or "deadlock detected" in text or "could not serialize" in text


class UnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        # Handed to every session as `session.info` (e.g. how to reach the settings).
        self.session_info: dict = {}

    def __call__(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self._sessions, write=write, info=self.session_info)
