"""Models of security and privacy: API tokens, the hash-chained audit trail and the sign-in log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class ApiToken(Base):
    """A personal API token. Only its SHA-256 digest is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a user can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditRecord(Base):
    """One BIO audit record. Append-only: `seq` has no gaps and `digest` chains each record to the one before."""

    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_object", "object_type", "object_id"),
        Index("ix_audit_records_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(String(100))
    # The case the object belongs to, so a case's records can be shown to supervisors.
    case_id: Mapped[int | None] = mapped_column(BigId)
    result: Mapped[str] = mapped_column(String(20))
    origin_ip: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class LoginFailure(Base):
    """Recent failed sign-ins per account, for lock-out; cleared by a successful sign-in."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    origin_ip: Mapped[str | None] = mapped_column(String(64))


class RetentionRun(Base):
    """What one retention run anonymised or deleted (counts only: no personal data)."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime())
    mode: Mapped[str] = mapped_column(String(20))
    cases: Mapped[int] = mapped_column(Integer)
    details: Mapped[str | None] = mapped_column(Text)
