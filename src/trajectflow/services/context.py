"""What every use case needs, wired once: database, clock, settings."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.clock import Clock, SystemClock
from ..settings import Settings
from ..store.db import make_engine
from ..store.uow import UnitOfWorkFactory


@dataclass
class ServiceContext:
    uow: UnitOfWorkFactory
    clock: Clock
    settings: Settings

    def __post_init__(self) -> None:
        # Projection code deep in a unit of work reads settings (calendar, deadline policy) from here.
        self.uow.session_info["settings"] = lambda: self.settings

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> ServiceContext:
        engine = make_engine(settings.database_url)
        return cls(uow=UnitOfWorkFactory(engine), clock=clock or SystemClock(), settings=settings)
