"""Retention on SQLite and PostgreSQL: closed cases past the term are anonymised (or deleted), nothing else is,
KPIs and billing keep their numbers, the audit trail stays as it was, runs are idempotent; the CLI and the
scheduler's daily job."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select, text

from tests.conftest import ROOT
from tests.e2e import answers as a
from tests.integration.flow import CaseFlow
from trajectflow.cli import main
from trajectflow.domain.bsn import is_valid_bsn
from trajectflow.domain.cases import Actor
from trajectflow.domain.clock import FixedClock
from trajectflow.domain.errors import ValidationFailed
from trajectflow.scheduler.runner import build_scheduler
from trajectflow.services.audit import record_audit
from trajectflow.services.audit_verify import verify_audit_trail
from trajectflow.services.context import ServiceContext
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.dossier import case_diagram, case_dossier
from trajectflow.services.drafts import save_draft
from trajectflow.services.employer_plans import EvaluationInput, evaluate_plan, list_plans
from trajectflow.services.kpis import KpiFilter, all_kpis, billing_records_table
from trajectflow.services.notes import add_note
from trajectflow.services.retention import retention_candidates, run_retention
from trajectflow.services.supervision import cancel_case
from trajectflow.store.models import (
    Base,
    Case,
    CaseEvent,
    CaseNote,
    Client,
    Notification,
    OutgoingEmail,
    Task,
    TaskDraft,
)
from trajectflow.store.registry_models import EmployerPlan, RegistryEvent
from trajectflow.store.security_models import AuditRecord, RetentionRun

TL = Actor("teamleider", frozenset({"teamleider"}))
KM = Actor("klantmanager", frozenset({"klantmanager"}))
ANNA = ("111222333", "Anna Yılmaz-de Vries")
SECRETS = ("111222333", "Yılmaz", "Venlo", "bakker", "schuldhulp", "Cliënt Anna", "kwam te laat", "100000022")


@dataclass
class World:
    ctx: ServiceContext
    anna: int  # cancelled with a reason, draft, note and notification: due
    dirk: int  # a trajectplan with an employer, evaluated with a note, then cancelled: due
    bram_closed: int  # rejected application: due, but Bram has another case open
    bram_open: int
    chantal: int  # completed recently: within the term
    anna_client: int
    bram_client: int
    dirk_client: int


def _ctx(ctx: ServiceContext, mode: str = "anonymise", days: int = 30) -> ServiceContext:
    return ServiceContext(ctx.uow, ctx.clock, replace(ctx.settings, retention_days=days, retention_mode=mode))


def _world(ctx: ServiceContext, clock: FixedClock, mode: str = "anonymise") -> World:
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    anna = CaseFlow.start(ctx, ANNA[0], date(1984, 3, 12), municipality="echt-susteren")
    with ctx.uow() as uow:
        uow.session.get(Client, _client_of(ctx, anna.case_id)).name = ANNA[1]  # type: ignore[union-attr]
        uow.commit()
    anna.complete("aanvraag_beoordelen", a.AANV_OK)
    anna.complete("brede_intake", {**a.intake(3), "schulden": True, "motivatie": "schuldhulp eerst, zegt Cliënt Anna"})
    anna.complete("diagnose", a.diagnose("volledig", "laag", False))
    save_draft(ctx, KM, anna.task("plan_van_aanpak").id, {"doelen": "Anna wil bakker worden"})
    add_note(ctx, KM, anna.case_id, "Anna belt over schuldhulp")
    _notify(ctx, anna.case_id, anna.task("plan_van_aanpak").id, clock.now())
    cancel_case(ctx, TL, anna.case_id, "Anna verhuist naar Venlo")
    dirk = _with_employer_plan(ctx, clock)

    bram_closed = CaseFlow.start(ctx, "123456782", date(1979, 7, 1), municipality="leudal")
    bram_closed.complete("aanvraag_beoordelen", a.AANV_AF)
    bram_open = CaseFlow.start(ctx, "123456782", date(1979, 7, 1), municipality="leudal")

    clock.set(clock.now() + timedelta(days=20))
    chantal = CaseFlow.start(ctx, "100000010", date(1990, 11, 23))
    chantal.complete("aanvraag_beoordelen", a.AANV_AF)
    clock.set(clock.now() + timedelta(days=11))  # Anna and Bram's first case closed 31 days ago, Chantal's 11
    return World(
        _ctx(ctx, mode),
        anna.case_id,
        dirk.case_id,
        bram_closed.case_id,
        bram_open.case_id,
        chantal.case_id,
        _client_of(ctx, anna.case_id),
        _client_of(ctx, bram_open.case_id),
        _client_of(ctx, dirk.case_id),
    )


def _with_employer_plan(ctx: ServiceContext, clock: FixedClock) -> CaseFlow:
    dirk = CaseFlow.start(ctx, "100000022", date(1968, 1, 30))
    dirk.complete("aanvraag_beoordelen", a.AANV_OK)
    dirk.complete("brede_intake", a.intake(4))
    dirk.complete("diagnose", a.diagnose("volledig", "laag", False))
    dirk.complete("plan_van_aanpak", a.PVA)
    dirk.complete("match_werkgever", a.MATCH)
    dirk.complete("trajectplan_werkgever", a.trajectplan(False, False, False))
    (plan,) = list_plans(ctx, case_id=dirk.case_id)
    evaluation = EvaluationInput(clock.now().date(), "bijsturen", "Dirk kwam te laat")
    evaluate_plan(ctx, Actor("werkgeversadviseur", frozenset({"werkgeversadviseur"})), plan["id"], evaluation)
    cancel_case(ctx, TL, dirk.case_id, "Gestopt")
    return dirk


def _client_of(ctx: ServiceContext, case_id: int) -> int:
    with ctx.uow(write=False) as uow:
        return uow.session.get_one(Case, case_id).client_id


def _notify(ctx: ServiceContext, case_id: int, task_id: int, now: datetime) -> None:
    with ctx.uow() as uow:
        note = Notification(recipient="klantmanager", kind="reminder", case_id=case_id, task_id=task_id,
                            title="Herinnering", body="Bel Anna Yılmaz-de Vries", link="/", created_at=now)  # fmt: skip
        uow.session.add(note)
        uow.session.flush()
        uow.session.add(OutgoingEmail(notification_id=note.id, to_address="km@example.org", subject="Herinnering",
                                      body="Bel Anna", status="pending", next_attempt_at=now,
                                      created_at=now))  # fmt: skip
        uow.commit()


def _dump(engine: Engine) -> str:
    """Every row of every table but the audit trail and the process definitions, as text."""
    skipped = {"audit_records", "process_versions"}
    with engine.connect() as connection:
        return "\n".join(
            str(row) for table in Base.metadata.sorted_tables if table.name not in skipped
            for row in connection.execute(table.select())
        )  # fmt: skip


def _audit_rows(ctx: ServiceContext) -> list[tuple[int, str]]:
    with ctx.uow(write=False) as uow:
        return [tuple(r) for r in uow.session.execute(select(AuditRecord.seq, AuditRecord.digest).order_by(AuditRecord.seq))]  # type: ignore[misc]  # noqa: E501


def _figures(ctx: ServiceContext, now: datetime) -> list[object]:
    flt = KpiFilter(date(2026, 1, 1), date(2026, 12, 31), as_of=now)
    return [t.as_dict() for t in all_kpis(ctx, TL, flt)] + [billing_records_table(ctx, TL, flt).rows]


def test_anonymising_removes_personal_data_and_keeps_the_statistics(ctx, clock, database):  # type: ignore[no-untyped-def]
    world = _world(ctx, clock)
    ctx = world.ctx
    record_audit(ctx, action="view", actor="klantmanager", object_type="case", object_id=world.anna, case_id=world.anna)
    trail, figures = _audit_rows(ctx), _figures(ctx, clock.now())
    assert any(row[0] == world.anna for row in figures[-1])  # Anna's trajectory is a billable record
    assert all(secret in _dump(database[1]) for secret in SECRETS)

    due = list(retention_candidates(ctx))
    assert [c.case_id for c in due] == [world.anna, world.dirk, world.bram_closed]
    assert {c.mode for c in due} == {"anonymise"}
    assert due[0].municipality == "echt-susteren" and due[0].closed_at < clock.now() - timedelta(days=30)

    report = run_retention(ctx, "test", batch_size=1)
    assert (report.cases, report.clients, report.batches) == (3, 2, 3)

    dump = _dump(database[1])
    assert [secret for secret in SECRETS if secret in dump] == []
    with ctx.uow(write=False) as uow:
        s = uow.session
        anna_case = s.get_one(Case, world.anna)
        assert (anna_case.data, anna_case.engine_state, anna_case.anonymised_at) == ({}, b"", clock.now())
        kept = (anna_case.status, anna_case.route, anna_case.municipality)
        assert kept == ("cancelled", "ontwikkeling", "echt-susteren")
        assert anna_case.organisation == "werkbedrijf-roermond" and anna_case.started_at is not None
        client = s.get_one(Client, world.anna_client)
        assert (client.name, client.birth_date) == ("geanonimiseerd", date(1984, 1, 1))
        assert client.anonymised_at == clock.now()
        assert re.fullmatch(r"X[0-9a-z]{8}", client.bsn) and not is_valid_bsn(client.bsn)
        intake = s.scalar(select(Task).where(Task.case_id == world.anna, Task.element_id == "brede_intake"))
        assert intake is not None and intake.submitted_data == {"ladder_trede": 3} and intake.completed_by
        assert s.scalar(select(func.count()).select_from(TaskDraft)) == 0
        assert s.scalar(select(func.count()).select_from(Notification)) == 0
        assert s.scalar(select(func.count()).select_from(OutgoingEmail)) == 0
        assert [n.body for n in s.scalars(select(CaseNote))] == ["[geanonimiseerd]"]
        evaluated = s.scalars(select(RegistryEvent).where(RegistryEvent.kind == "plan_evaluated")).one()
        assert set(evaluated.details or {}) == {"plan_id", "date"} and "Trajectplan" in evaluated.message
        assert [p.evaluations for p in s.scalars(select(EmployerPlan))] == [[]]
        events = select(CaseEvent).where(CaseEvent.case_id == world.anna)
        cancelled = s.scalar(events.where(CaseEvent.kind == "case_cancelled"))
        assert cancelled is not None and cancelled.message == "Traject geannuleerd" and cancelled.details is None
        bram = s.get_one(Client, world.bram_client)  # another case still open: Bram keeps his data
        assert (bram.name, bram.bsn, bram.anonymised_at) == ("Test Cliënt", "123456782", None)
        assert s.get_one(Case, world.bram_closed).anonymised_at == clock.now()
        for untouched in (world.bram_open, world.chantal):
            assert s.get_one(Case, untouched).anonymised_at is None and s.get_one(Case, untouched).data != {}
    assert _figures(ctx, clock.now()) == figures
    assert _audit_rows(ctx)[: len(trail)] == trail and verify_audit_trail(ctx).intact
    dossier = case_dossier(ctx, TL, world.anna)
    assert dossier["client"]["name"] == "geanonimiseerd" and dossier["client"]["bsn"] == "*********"
    assert "brede_intake" in case_diagram(ctx, world.anna)["completed"]

    again = run_retention(ctx, "test")
    assert (again.cases, again.clients) == (0, 0) and list(retention_candidates(ctx)) == []
    with ctx.uow(write=False) as uow:
        runs = list(uow.session.scalars(select(RetentionRun).order_by(RetentionRun.id)))
        assert [(r.mode, r.cases) for r in runs] == [("anonymise", 3), ("anonymise", 0)]
        actions = uow.session.scalars(select(AuditRecord.action).where(AuditRecord.actor == "test")).all()
        assert actions == ["retention", "retention"]


def test_a_client_is_anonymised_once_their_last_case_is_past_the_term(ctx, clock):  # type: ignore[no-untyped-def]
    world = _world(ctx, clock)
    run_retention(world.ctx)
    cancel_case(ctx, TL, world.bram_open, "Gestopt")
    clock.set(clock.now() + timedelta(days=31))
    report = run_retention(world.ctx)
    assert (report.cases, report.clients) == (2, 2)  # Bram's second case and Chantal's, and both clients
    with ctx.uow(write=False) as uow:
        assert uow.session.get_one(Client, world.bram_client).name == "geanonimiseerd"
        placeholders = uow.session.scalars(select(Client.bsn).where(Client.anonymised_at.is_not(None))).all()
        assert len(set(placeholders)) == len(placeholders) == 4


def test_delete_mode_removes_the_cases_and_clients_left_without_one(ctx, clock, database):  # type: ignore[no-untyped-def]
    world = _world(ctx, clock, mode="delete")
    record_audit(world.ctx, action="view", actor="km", object_type="case", object_id=world.anna, case_id=world.anna)
    trail = _audit_rows(world.ctx)
    report = run_retention(world.ctx)
    assert (report.mode, report.cases, report.clients) == ("delete", 3, 2)
    assert [secret for secret in SECRETS if secret in _dump(database[1])] == []
    with ctx.uow(write=False) as uow:
        s = uow.session
        assert sorted(s.scalars(select(Case.id))) == sorted([world.bram_open, world.chantal])
        assert s.get(Client, world.anna_client) is None and s.get(Client, world.bram_client) is not None
        gone = (world.anna, world.dirk, world.bram_closed)
        assert s.get(Client, world.dirk_client) is None
        kinds = s.scalars(select(RegistryEvent.kind)).all()
        assert "plan_evaluated" not in kinds and "plan_agreed" not in kinds and "employer_registered" in kinds
        for model in (Task, CaseEvent, CaseNote, Notification, EmployerPlan):
            assert s.scalar(select(func.count()).select_from(model).where(model.case_id.in_(gone))) == 0
        assert s.scalar(select(func.count()).select_from(TaskDraft)) == 0
        assert s.scalar(select(AuditRecord.case_id).where(AuditRecord.seq == trail[0][0])) == world.anna
    assert _audit_rows(world.ctx)[: len(trail)] == trail and verify_audit_trail(world.ctx).intact
    assert run_retention(world.ctx).cases == 0


def test_an_unknown_mode_or_term_is_refused(ctx):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed):
        run_retention(_ctx(ctx, mode="shred"))
    with pytest.raises(ValidationFailed):
        list(retention_candidates(_ctx(ctx, days=0)))


def _cli_env(database: tuple[str, Engine]) -> dict[str, str]:
    url, engine = database
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
        url += f"?options=-csearch_path%3D{schema}"
    return {"TRAJECTFLOW_DATABASE_URL": url, "TRAJECTFLOW_RETENTION_DAYS": "30"}


def test_cli_dry_run_lists_without_names_then_a_run_acts(ctx, database):  # type: ignore[no-untyped-def]
    ctx.clock.set(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))  # the CLI runs on the system clock: years later
    world = _world(ctx, ctx.clock)  # type: ignore[arg-type]
    env = {**_cli_env(database), "TRAJECTFLOW_RETENTION_MODE": "anonymise"}
    runner = CliRunner()
    dry = runner.invoke(main, ["retention", "run", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    lines = [line.split("\t") for line in dry.stdout.splitlines()]
    assert [int(line[0]) for line in lines] == [world.anna, world.dirk, world.bram_closed, world.chantal]
    assert lines[0][1:] == ["echt-susteren", "2020-01-06", "anonymise"]
    assert "Yılmaz" not in dry.output and "111222333" not in dry.output and "nothing changed" in dry.stderr
    with ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(RetentionRun)) == 0
        assert uow.session.get_one(Client, world.anna_client).name == ANNA[1]

    done = runner.invoke(main, ["retention", "run"], env=env)
    assert done.exit_code == 0, done.output
    assert "4 case(s) and 3 client(s) anonymised" in done.stdout
    with ctx.uow(write=False) as uow:
        run = uow.session.scalars(select(RetentionRun)).one()
        assert run.cases == 4
        record = uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "retention")).one()
        assert record.actor.startswith("cli:") and record.client == "trajectflow-cli"
        assert record.object_id == str(run.id)

    refused = runner.invoke(main, ["retention", "run"], env={**env, "TRAJECTFLOW_RETENTION_MODE": "shred"})
    assert refused.exit_code == 1 and "unknown retention mode" in refused.stderr


def test_the_scheduler_runs_retention_every_night(ctx):  # type: ignore[no-untyped-def]
    scheduler, _waker = build_scheduler(ctx)
    job = scheduler.get_job("retention")
    assert job is not None
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day"]) == ("2", "30", "*")
