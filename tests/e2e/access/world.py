"""The world the access matrix runs in: a user per role, and per municipality a case with all that hangs on it.

Three municipalities: Roermond (owned by Werkbedrijf Roermond), Leudal (buys Werkbedrijf Roermond's services;
its own municipal staff see only Leudal) and Oude IJsselstreek (served by Laborijn, invisible to both).
Everything written for a municipality carries its marker word (client names, notes, evaluations, saved
filters, notifications, token names), so an answer that shows another municipality's data is found by
searching it for that municipality's markers, BSNs and case and task numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update

from tests.conftest import ROOT
from tests.e2e import answers as a
from trajectflow.domain.bsn import is_valid_bsn
from trajectflow.domain.cases import Actor, TaskStatus
from trajectflow.domain.municipalities import MUNICIPALITIES as NAMES
from trajectflow.domain.roles import ROLES
from trajectflow.domain.tenancy import visible_municipalities
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.context import ServiceContext
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.drafts import save_draft
from trajectflow.services.employer_plans import EvaluationInput, evaluate_plan
from trajectflow.services.employers import WorkplaceInput, add_workplace
from trajectflow.services.messages import Message
from trajectflow.services.notes import add_note
from trajectflow.services.notifications import notify
from trajectflow.services.pins import pin_version
from trajectflow.services.programmes import ProgrammeInput, create_programme, enrol_case
from trajectflow.services.saved_filters import save_filter
from trajectflow.services.supervision import resume_case, suspend_case
from trajectflow.services.tasks import claim_task, complete_task, unclaim_task
from trajectflow.services.tokens import issue_token, revoke_token
from trajectflow.services.users import ensure_user
from trajectflow.store.models import Case, Client, EmployerPlan, Task, User
from trajectflow.store.security_models import ApiToken

OWN, OTHER = "roermond", "oude-ijsselstreek"  # served by Werkbedrijf Roermond; by Laborijn
MUNICIPALITIES = (OWN, OTHER, "leudal")  # Leudal buys Werkbedrijf Roermond's services
MARK = {"roermond": "Qzroermond", "leudal": "Qzleudal", "oude-ijsselstreek": "Qzijssel"}
PASSWORD = "Matrix-wachtwoord-7"
STAFF_ORG = "werkbedrijf-roermond"
PROCESS = "participatie_traject"
KVK = "12345678"  # the employer every municipality's case is matched with (a shared registry entry)
T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    username: str
    roles: frozenset[str]
    organisation: str | None = STAFF_ORG
    municipality: str | None = None

    @property
    def municipalities(self) -> frozenset[str]:
        return visible_municipalities(self.organisation, self.municipality)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles, self.organisation, self.municipality)


ROLE_ACCOUNTS = [Account(role, frozenset({role})) for role in ROLES]
LEUDAL_STAFF = Account("klantmanager-leudal", frozenset({"klantmanager"}), None, "leudal")
LABORIJN_TEAMLEIDER = Account("teamleider-laborijn", frozenset({"teamleider"}), "laborijn")
LABORIJN_KLANTMANAGER = Account("klantmanager-laborijn", frozenset({"klantmanager"}), "laborijn")
# Accounts a functioneel beheerder manages in the matrix (password, deactivation…): one per municipality.
MANAGED = {
    "roermond": Account("beheerd-roermond", frozenset({"klantmanager"})),
    "leudal": Account("beheerd-leudal", frozenset({"klantmanager"}), None, "leudal"),
    "oude-ijsselstreek": Account("beheerd-ijssel", frozenset({"klantmanager"}), "laborijn"),
}
# Who calls in the matrix, and who owns the personal things (notifications, filters, tokens, claims) per municipality.
PRINCIPALS = [*ROLE_ACCOUNTS, LEUDAL_STAFF, LABORIJN_TEAMLEIDER]
ACCOUNTS = {account.username: account for account in [*PRINCIPALS, LABORIJN_KLANTMANAGER, *MANAGED.values()]}
OWNER = {"roermond": "klantmanager", "leudal": "klantmanager-leudal", "oude-ijsselstreek": "klantmanager-laborijn"}
SYSTEM = Actor("matrix-opbouw", frozenset(ROLES))  # builds the world outside any request (no tenancy scope)

MAIN_STEPS = [
    ("aanvraag_beoordelen", a.AANV_OK),
    ("brede_intake", a.intake(5)),
    ("diagnose", a.diagnose("volledig", "laag", False)),
    ("plan_van_aanpak", a.PVA),
    ("match_werkgever", {**a.MATCH, "kvk_nummer": KVK}),
    ("trajectplan_werkgever", a.trajectplan(False, False, False)),
    ("plaatsing_starten", a.PLAATS),
]


@dataclass
class Side:
    """The objects of one municipality the matrix points its requests at."""

    municipality: str
    case_id: int = 0  # placed: completed tasks, note, employer plan, placement, programme enrolment
    open_case_id: int = 0  # waiting at its first task, with a draft and a notification on it
    open_task_id: int = 0
    client_id: int = 0
    plan_id: int = 0
    notification_id: int = 0
    filter_id: int = 0
    token_id: int = 0


class World:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.sides = {m: Side(m) for m in MUNICIPALITIES}
        self.case_ids: dict[str, set[int]] = defaultdict(set)  # read from the database for each check
        self.task_ids: dict[str, set[int]] = defaultdict(set)
        self.bsns: dict[str, set[str]] = defaultdict(set)
        self.employer_id = self.workplace_id = self.programme_id = 0
        self.api_tokens: dict[str, str] = {}
        self.bad_tokens: dict[str, str] = {}
        self._numbers = iter(range(1, 10**6))
        self._tails = {m: iter(range(10**6)) for m in MUNICIPALITIES}
        self._memo: dict[Any, Any] = {}
        self._markers: dict[frozenset[str], re.Pattern[str] | None] = {}

    # -- building ---------------------------------------------------------------------------------
    def build(self) -> World:
        for account in ACCOUNTS.values():
            # Laborijn's staff share no municipality with the others: their names are Oude IJsselstreek's data.
            marked = f" {MARK['oude-ijsselstreek']}" if account.organisation == "laborijn" else ""
            ensure_user(
                self.ctx,
                account.username,
                sorted(account.roles),
                PASSWORD,
                f"Matrix {account.username}{marked}",
                organisation=account.organisation,
                municipality=account.municipality,
            )
        deploy_directory(self.ctx, ROOT / "processes", ROOT / "forms", "test")
        start, end = self.today() - timedelta(days=60), self.today() + timedelta(days=700)
        self.programme_id = create_programme(
            self.ctx,
            SYSTEM,
            ProgrammeInput("matrix", "Matrix Werkt", start, end, list(MUNICIPALITIES), 100, 100, {}),
        )
        for municipality in MUNICIPALITIES:
            self._build_side(self.sides[municipality])
        with self.ctx.uow(write=False) as uow:
            self.employer_id = uow.session.scalar(select(EmployerPlan.employer_id).limit(1)) or 0
        self.workplace_id = add_workplace(self.ctx, SYSTEM, self.employer_id, WorkplaceInput("Matrix werkplek", 24.0))
        for account in PRINCIPALS:
            self.api_tokens[account.username] = issue_token(self.ctx, account.username, "matrix", None).token
        self._bad_tokens()
        return self

    def _build_side(self, side: Side) -> None:
        m, owner = side.municipality, ACCOUNTS[OWNER[side.municipality]]
        side.case_id, _ = self.fresh_case(m)
        for element_id, answer in MAIN_STEPS:
            complete_task(self.ctx, SYSTEM, self._open_task(side.case_id, element_id), answer)
        add_note(self.ctx, owner.actor, side.case_id, f"Notitie over de cliënt {MARK[m]}")
        with self.ctx.uow(write=False) as uow:
            side.plan_id = uow.session.scalar(select(EmployerPlan.id).where(EmployerPlan.case_id == side.case_id)) or 0
            side.client_id = uow.session.scalar(select(Case.client_id).where(Case.id == side.case_id)) or 0
        note = f"Evaluatie {MARK[m]}"
        evaluate_plan(self.ctx, owner.actor, side.plan_id, EvaluationInput(self.today(), "op_koers", note))
        enrol_case(self.ctx, SYSTEM, self.programme_id, side.case_id)
        side.open_case_id, side.open_task_id = self.fresh_case(m)
        save_draft(self.ctx, owner.actor, side.open_task_id, {"toelichting": f"Concept {MARK[m]}"})
        side.notification_id = self._notification(owner.username, side)
        side.filter_id = save_filter(self.ctx, owner.actor, f"Filter {MARK[m]}", {"view": "groups"}, "klantmanager")
        side.token_id = issue_token(self.ctx, owner.username, f"sleutel {MARK[m]}", timedelta(days=30)).id
        pin_version(self.ctx, SYSTEM, PROCESS, m, 1)

    def _notification(self, username: str, side: Side) -> int:
        message = Message(f"Herinnering {MARK[side.municipality]}", f"Taak in zaak {side.open_case_id}")
        with self.ctx.uow() as uow:
            user = uow.session.scalar(select(User).where(User.username == username))
            assert user is not None
            row = notify(
                uow.session,
                self.ctx.settings,
                user,
                "reminder",
                side.open_case_id,
                side.open_task_id,
                message,
                f"/taken/{side.open_task_id}",
                self.ctx.clock.now(),
            )
            assert row is not None
            uow.commit()
            return row.id

    def _bad_tokens(self) -> None:
        """A revoked and an expired token of a klantmanager: both must be refused like no token at all."""
        revoked = issue_token(self.ctx, "klantmanager", "ingetrokken", timedelta(days=1))
        revoke_token(self.ctx, ACCOUNTS["klantmanager"].actor, revoked.id)
        expired = issue_token(self.ctx, "klantmanager", "verlopen", timedelta(days=1))
        with self.ctx.uow() as uow:
            yesterday = self.ctx.clock.now() - timedelta(days=1)
            uow.session.execute(update(ApiToken).where(ApiToken.id == expired.id).values(expires_at=yesterday))
            uow.commit()
        self.bad_tokens = {"revoked token": revoked.token, "expired token": expired.token}

    # -- objects made on demand ---------------------------------------------------------------------
    def today(self) -> date:
        return self.ctx.clock.now().date()

    def once(self, key: Any, make: Callable[[], T]) -> T:
        """One object per key for the whole run (a target made for an endpoint and municipality)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]  # type: ignore[no-any-return]

    def number(self) -> int:
        return next(self._numbers)

    def new_bsn(self, municipality: str) -> str:
        """A valid BSN whose last three digits (all a list shows) belong to this municipality alone."""
        lowest = 100 + 300 * MUNICIPALITIES.index(municipality)
        tail = lowest + next(self._tails[municipality]) % 300
        prefix = 200_000 + self.number()
        while not is_valid_bsn(f"{prefix}{tail:03d}"):
            prefix += 1
        return f"{prefix}{tail:03d}"

    def client_name(self, municipality: str) -> str:
        return f"Cliënt {MARK[municipality]} {self.number()}"

    def fresh_case(self, municipality: str) -> tuple[int, int]:
        """A new case in `municipality`, waiting at its first task (klantmanager); returns case and task id."""
        client = ClientInput(self.new_bsn(municipality), self.client_name(municipality), date(1980, 5, 17))
        case_id = start_case(self.ctx, SYSTEM, PROCESS, municipality, client)
        self.changed()
        return case_id, self._open_task(case_id, "aanvraag_beoordelen")

    def claimed_task(self, municipality: str) -> int:
        _case_id, task_id = self.fresh_case(municipality)
        claim_task(self.ctx, ACCOUNTS[OWNER[municipality]].actor, task_id)
        return task_id

    def reclaim(self, task_id: int, municipality: str) -> None:
        """Put the task back in its owner's hands (after an allowed caller released it)."""
        with self.ctx.uow(write=False) as uow:
            assignee = uow.session.scalar(select(Task.assignee).where(Task.id == task_id))
        owner = ACCOUNTS[OWNER[municipality]].actor
        if assignee not in (None, owner.username):
            unclaim_task(self.ctx, SYSTEM, task_id)
            assignee = None
        if assignee is None:
            claim_task(self.ctx, owner, task_id)

    def case_status(self, case_id: int) -> str:
        with self.ctx.uow(write=False) as uow:
            return uow.session.scalar(select(Case.status).where(Case.id == case_id)) or ""

    def set_suspended(self, case_id: int, suspended: bool) -> None:
        status = self.case_status(case_id)
        if suspended and status == "active":
            suspend_case(self.ctx, SYSTEM, case_id, "matrix")
        elif not suspended and status == "suspended":
            resume_case(self.ctx, SYSTEM, case_id, "matrix")

    def _open_task(self, case_id: int, element_id: str) -> int:
        with self.ctx.uow(write=False) as uow:
            case = uow.session.get(Case, case_id)
            assert case is not None
            task_id = uow.session.scalar(
                select(Task.id).where(
                    Task.case_id == case_id, Task.element_id == element_id, Task.status == TaskStatus.OPEN
                )
            )
        assert task_id is not None, f"case {case_id} is not waiting at {element_id}"
        return int(task_id)

    # -- what must not show ---------------------------------------------------------------------------
    def changed(self) -> None:
        """Cases or clients may have been added: read the markers afresh before the next check."""
        self._markers.clear()

    def leak_pattern(self, hidden: frozenset[str], aggregates: bool = False) -> re.Pattern[str] | None:
        """A pattern matching any trace of the `hidden` municipalities' data in an answer."""
        key = frozenset({*hidden, "+aggregates"} if aggregates else hidden)
        if not self._markers:
            self._read_ids()
        if key not in self._markers:
            self._markers[key] = self._compile(hidden, aggregates)
        return self._markers[key]

    def _read_ids(self) -> None:
        self.case_ids, self.task_ids, self.bsns = defaultdict(set), defaultdict(set), defaultdict(set)
        with self.ctx.uow(write=False) as uow:
            for case_id, municipality, bsn in uow.session.execute(
                select(Case.id, Case.municipality, Client.bsn).join(Client, Client.id == Case.client_id)
            ):
                self.case_ids[municipality].add(case_id)
                self.bsns[municipality].add(bsn)
            for task_id, municipality in uow.session.execute(
                select(Task.id, Case.municipality).join(Case, Case.id == Task.case_id)
            ):
                self.task_ids[municipality].add(task_id)

    def _compile(self, hidden: frozenset[str], aggregates: bool) -> re.Pattern[str] | None:
        parts: list[str] = []
        for m in sorted(hidden):
            parts.append(re.escape(MARK[m]))
            if self.bsns[m]:
                parts.append(r"\b(?:" + "|".join(sorted(self.bsns[m])) + r")\b")
                parts.append(r"\*{6}(?:" + "|".join(sorted({bsn[-3:] for bsn in self.bsns[m]})) + r")\b")  # masked
            if self.case_ids[m]:
                cases = "|".join(str(i) for i in sorted(self.case_ids[m]))
                parts.append(rf'"case_id":\s*(?:{cases})\b|/dossiers/(?:{cases})\b|/zaken/(?:{cases})\b')
                parts.append(rf"\b(?:dossier|zaak|case) (?:{cases})\b")
            if self.task_ids[m]:
                tasks = "|".join(str(i) for i in sorted(self.task_ids[m]))
                parts.append(rf'/taken/(?:{tasks})\b|"task_id":\s*(?:{tasks})\b')
            if aggregates:
                parts += [re.escape(m), re.escape(NAMES[m])]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None
