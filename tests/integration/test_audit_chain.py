"""The hash-chained audit trail on SQLite and PostgreSQL: append, verify, and tampering named by `audit verify`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tests.audit_support import audit_rows, database_url
from trajectflow.cli_audit import audit
from trajectflow.services.audit import GENESIS_DIGEST, record_audit, record_cli_audit
from trajectflow.services.audit_verify import Anchor, verify_audit_trail
from trajectflow.services.context import ServiceContext
from trajectflow.store import append_only


def _append(ctx: ServiceContext, count: int, case_id: int | None = None) -> None:
    for n in range(count):
        record_audit(
            ctx,
            action="view",
            actor=f"user{n}",
            object_type="case",
            object_id=case_id or n,
            case_id=case_id,
            origin_ip="127.0.0.1",
            client="pytest",
            details={"endpoint": "cases.CaseDetail", "n": n},
        )


@pytest.fixture
def tamper(ctx: ServiceContext) -> Iterator[Engine]:
    """What someone with owner rights on the database does first: drop the append-only triggers."""
    engine = ctx.uow.engine
    with engine.begin() as conn:
        append_only.remove(conn)
    yield engine
    with engine.begin() as conn:
        append_only.install(conn)


def _cli(ctx: ServiceContext, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(audit, list(args), env={"TRAJECTFLOW_DATABASE_URL": database_url(ctx)})


def test_appends_chain_from_genesis_and_verify_reports_the_head(ctx):
    _append(ctx, 5)
    rows = audit_rows(ctx)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_digest == GENESIS_DIGEST
    assert all(later.prev_digest == earlier.digest for earlier, later in zip(rows, rows[1:], strict=False))
    result = verify_audit_trail(ctx)
    assert result.intact, result.problems
    assert result.records == 5 and result.head == Anchor(5, rows[-1].digest)
    assert verify_audit_trail(ctx, Anchor(5, rows[-1].digest)).intact
    assert verify_audit_trail(ctx, Anchor(3, rows[2].digest)).intact

    out = _cli(ctx, "verify")
    assert out.exit_code == 0, out.output
    assert out.output.startswith(f"audit trail intact: 5 records, head 5:{rows[-1].digest}")
    # verify is itself recorded, as a command run on the server
    last = audit_rows(ctx)[-1]
    assert (last.seq, last.action, last.result) == (6, "verify", "success") and last.actor.startswith("cli:")


def test_the_triggers_refuse_update_and_delete(ctx):
    _append(ctx, 2)
    for statement in ("UPDATE audit_records SET actor = 'someone' WHERE seq = 1", "DELETE FROM audit_records"):
        with pytest.raises(DBAPIError, match="append-only"):
            with ctx.uow.engine.begin() as conn:
                conn.execute(text(statement))
    assert [r.actor for r in audit_rows(ctx)] == ["user0", "user1"]


def test_an_edited_record_is_named(ctx, tamper):
    _append(ctx, 5)
    victim = audit_rows(ctx)[2]
    with tamper.begin() as conn:
        conn.execute(text("UPDATE audit_records SET actor = 'nobody' WHERE seq = 3"))
    result = verify_audit_trail(ctx)
    assert result.problems == [f"seq 3 (id {victim.id}): digest mismatch — the record was altered"]

    out = _cli(ctx, "verify")
    assert out.exit_code == 1
    assert f"seq 3 (id {victim.id}): digest mismatch" in out.output


def test_an_edit_with_a_recomputed_digest_breaks_the_next_link(ctx, tamper):
    from trajectflow.services.audit import CHAINED_FIELDS, chain_digest

    _append(ctx, 4)
    row = audit_rows(ctx)[1]
    values = {name: getattr(row, name) for name in CHAINED_FIELDS} | {"result": "denied"}
    forged = chain_digest(row.prev_digest, values)
    with tamper.begin() as conn:
        conn.execute(
            text("UPDATE audit_records SET result = 'denied', digest = :d WHERE seq = 2"),
            {"d": forged},
        )
    problems = verify_audit_trail(ctx).problems
    assert len(problems) == 1
    assert problems[0].startswith("seq 3 (id ")
    assert "does not link to seq 2 — seq 2 was altered or replaced" in problems[0]


def test_a_deleted_record_leaves_a_named_gap(ctx, tamper):
    _append(ctx, 6)
    with tamper.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq IN (3, 4)"))
    problems = verify_audit_trail(ctx).problems
    assert len(problems) == 1 and problems[0].startswith("seq 3..4: missing — record(s) deleted before seq 5")
    with tamper.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq = 1"))
    assert verify_audit_trail(ctx).problems[0].startswith("seq 1: missing")


def test_a_deleted_tail_needs_the_anchor(ctx, tamper):
    _append(ctx, 5)
    head = verify_audit_trail(ctx).head
    with tamper.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq >= 4"))
    assert verify_audit_trail(ctx).intact  # from the inside a shorter chain looks whole
    problems = verify_audit_trail(ctx, head).problems
    assert problems == ["seq 4..5: missing — the trail ends at seq 3 but the expected head is seq 5"]

    out = _cli(ctx, "verify", "--expect-head", str(head))
    assert out.exit_code == 1 and "seq 4..5: missing" in out.output
    assert _cli(ctx, "verify", "--expect-head", "5:nonsense").exit_code == 2


def test_a_rewritten_chain_differs_from_the_anchor(ctx, tamper):
    _append(ctx, 3)
    anchor = verify_audit_trail(ctx).head
    with tamper.begin() as conn:
        conn.execute(text("DELETE FROM audit_records"))
    _append(ctx, 1)  # a forger rewrites the trail with one record changed and every digest recomputed
    record_audit(ctx, action="view", actor="someone-else", object_type="case", object_id=1)
    _append(ctx, 1)
    assert verify_audit_trail(ctx).intact
    assert verify_audit_trail(ctx, anchor).problems == [
        "seq 3: digest differs from the expected head — the trail was rewritten up to seq 3"
    ]


def test_renumbered_records_are_found(ctx, tamper):
    _append(ctx, 4)
    with tamper.begin() as conn:
        conn.execute(text("UPDATE audit_records SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_records SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_records SET seq = 3 WHERE seq = 100"))
    problems = verify_audit_trail(ctx).problems
    assert any(p.startswith("seq 2 (id ") and "digest mismatch" in p for p in problems)
    assert any(p.startswith("seq 3 (id ") and "stored before seq 2" in p for p in problems)


def test_details_never_keep_secrets_or_bsns(ctx):
    token = "tf_" + "x" * 43
    record_audit(
        ctx,
        action="admin",
        actor="beheerder",
        details={"password": "Geheim-42!", "token": token, "note": f"client 999999990 with {token}", "ids": [1, 2]},
    )
    stored = audit_rows(ctx)[0]
    assert stored.details == {"note": "client ********* with tf_***", "ids": [1, 2]}
    assert verify_audit_trail(ctx).intact


def test_concurrent_appends_keep_one_chain(ctx):
    threads, each = 8, 15
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(each):
                record_audit(ctx, action="view", actor=f"t{n}", object_type="task", object_id=i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    rows = audit_rows(ctx)
    assert [r.seq for r in rows] == list(range(1, threads * each + 1))
    result = verify_audit_trail(ctx)
    assert result.intact, result.problems


def test_export_of_a_case_as_json_and_csv(ctx):
    _append(ctx, 2, case_id=7)
    _append(ctx, 1, case_id=8)
    record_cli_audit(ctx, "retention", "case", details={"cases": 3})

    out = _cli(ctx, "export", "--case", "7", "--format", "json")
    assert out.exit_code == 0, out.output
    exported = json.loads(out.output)
    assert [(r["seq"], r["case_id"], r["action"]) for r in exported] == [(1, 7, "view"), (2, 7, "view")]
    assert exported[0]["digest"] == audit_rows(ctx)[0].digest

    out = _cli(ctx, "export", "--format", "csv", "--since", "2026-03-02")
    lines = out.output.splitlines()
    assert lines[0].startswith("seq,at,actor,action,object_type,object_id,case_id,result")
    assert len(lines) == 1 + 5  # four records, plus the first export (recorded after it was written)
    assert _cli(ctx, "export", "--format", "csv", "--since", "2999-01-01").output.splitlines()[1:] == []
    exports = [r for r in audit_rows(ctx) if r.action == "export"]
    assert [(r.object_type, r.case_id, r.details["records"]) for r in exports] == [
        ("audit_log", 7, 2),
        ("audit_log", None, 5),
        ("audit_log", None, 0),
    ]


def test_a_record_slipped_in_at_the_end_is_found(ctx, tamper):
    _append(ctx, 3)
    with tamper.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_records (seq, at, actor, action, result, prev_digest, digest)"
                " VALUES (4, :at, 'someone', 'view', 'success', :prev, :digest)"
            ),
            {"at": audit_rows(ctx)[0].at.replace(tzinfo=None), "prev": "f" * 64, "digest": "e" * 64},
        )
    problems = verify_audit_trail(ctx).problems
    assert problems[0].startswith("seq 4 (id ") and "does not link to seq 3" in problems[0]
    assert problems[1].startswith("seq 4 (id ") and problems[1].endswith("digest mismatch — the record was altered")
