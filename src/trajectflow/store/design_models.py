"""Models of the process designer: versions pinned per municipality, and the log of deployments.

Imported at the end of `models.py` so they share its metadata (and so Alembic sees them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")  # as in models.py


class ProcessPin(Base):
    """New cases of `process_id` in `municipality` start on `version` instead of the latest one."""

    __tablename__ = "process_pins"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    pinned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    pinned_by: Mapped[str] = mapped_column(String(100))


class Deployment(Base):
    """One deploy: who sent which files and which process versions came of it (new or unchanged)."""

    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    files: Mapped[list[str]] = mapped_column(JSON)
    # [{"process_id": …, "version": …, "created": bool}, …]
    versions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
