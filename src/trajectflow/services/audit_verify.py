"""`trajectflow audit verify`: walk the hash chain and name every record that was altered, deleted or inserted.

What the chain proves and what it cannot:
- an edited record no longer matches its digest (or, if the editor recomputed that digest, the next
  record no longer links to it);
- a deleted record leaves a gap in `seq` and a broken link;
- records renumbered, reordered or slipped in break the digests (seq is part of each digest);
- a deleted *last* record, or a whole chain recomputed from some point on, looks intact from the
  inside. Only an anchor kept elsewhere catches that: operators note the head (`seq:digest`) that
  verify prints and pass it back later with `--expect-head`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from .audit import CHAINED_FIELDS, GENESIS_DIGEST, TABLE, chain_digest
from .context import ServiceContext

BATCH = 2000


@dataclass(frozen=True)
class Anchor:
    """A chain head noted earlier: `seq:digest`."""

    seq: int
    digest: str

    @classmethod
    def parse(cls, value: str) -> Anchor:
        seq, sep, digest = value.strip().partition(":")
        digest = digest.strip().lower()
        if not sep or not seq.isdecimal() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("expected SEQ:DIGEST, e.g. 1234:9f86d081… (64 hex digits)")
        return cls(int(seq), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.digest}"


@dataclass
class Verification:
    records: int = 0
    head: Anchor = field(default_factory=lambda: Anchor(0, GENESIS_DIGEST))
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_audit_trail(ctx: ServiceContext, expect_head: Anchor | None = None) -> Verification:
    """Recompute every digest and link in seq order; problems name the seq (and id) concerned."""
    with ctx.uow.engine.connect() as connection:
        result = _walk(_rows(connection))
    if expect_head is not None:
        _check_anchor(result, expect_head, ctx)
    return result


def _rows(connection: Connection) -> Iterator[Any]:
    """Every record in seq order, read in keyset batches (a large trail never sits in memory)."""
    after = -1
    columns = [TABLE.c.id, TABLE.c.prev_digest, TABLE.c.digest, *(TABLE.c[name] for name in CHAINED_FIELDS)]
    while True:
        batch = connection.execute(select(*columns).where(TABLE.c.seq > after).order_by(TABLE.c.seq).limit(BATCH)).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].seq


def _walk(rows: Iterator[Any]) -> Verification:
    result = Verification()
    prev: Any = None
    for row in rows:
        result.records += 1
        _check_row(row, prev, result.problems)
        prev = row
    if prev is not None:
        result.head = Anchor(prev.seq, prev.digest)
    return result


def _check_row(row: Any, prev: Any, problems: list[str]) -> None:
    name = f"seq {row.seq} (id {row.id})"
    expected_seq = prev.seq + 1 if prev is not None else 1
    expected_link = prev.digest if prev is not None else GENESIS_DIGEST
    if row.seq > expected_seq:
        missing = f"seq {expected_seq}" if row.seq == expected_seq + 1 else f"seq {expected_seq}..{row.seq - 1}"
        problems.append(f"{missing}: missing — record(s) deleted before {name}")
    elif row.prev_digest != expected_link:
        before = f"seq {prev.seq}" if prev is not None else "the start of the trail"
        problems.append(f"{name}: does not link to {before} — {before} was altered or replaced, or {name} was inserted")
    if prev is not None and row.id <= prev.id:
        problems.append(f"{name}: stored before seq {prev.seq} (id {prev.id}) — inserted or renumbered afterwards")
    values = {name_: getattr(row, name_) for name_ in CHAINED_FIELDS}
    if chain_digest(row.prev_digest, values) != row.digest:
        problems.append(f"{name}: digest mismatch — the record was altered")


def _check_anchor(result: Verification, anchor: Anchor, ctx: ServiceContext) -> None:
    if result.head.seq < anchor.seq:
        problems = (
            f"seq {result.head.seq + 1}..{anchor.seq}" if result.head.seq + 1 < anchor.seq else f"seq {anchor.seq}"
        )
        result.problems.append(
            f"{problems}: missing — the trail ends at seq {result.head.seq} but the expected head is seq {anchor.seq}"
        )
        return
    with ctx.uow.engine.connect() as connection:
        digest = connection.execute(select(TABLE.c.digest).where(TABLE.c.seq == anchor.seq)).scalar()
    if digest is not None and digest != anchor.digest:
        result.problems.append(
            f"seq {anchor.seq}: digest differs from the expected head — the trail was rewritten up to seq {anchor.seq}"
        )
