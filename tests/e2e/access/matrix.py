"""Runs the access rules: every endpoint of the live URL map × every caller × every municipality of the world.

Per endpoint, method and municipality the callers who must be refused go first, bracketed by a
fingerprint of the database (a refused call changes nothing); then the callers who may, each after
the rule put its object back in shape. A call counts as refused on 401/403/404, or on a page on a
redirect to the sign-in page or back with a refusal flashed; anything else below 500 is access
granted (a 409 or 422 on a valid request still got past the access check). Every answer that grants
access is searched for traces of the municipalities the caller may not see.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import Engine, LargeBinary, func, select

from trajectflow.store import security_models  # noqa: F401  (its tables belong in the fingerprint)
from trajectflow.store.models import Base

from .callers import ApiCaller, PageCaller, Principal, Reply
from .rules import Rule
from .world import MUNICIPALITIES, OTHER, OWN, PRINCIPALS, World

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Written by any request, refused or not: the audit trail, token use, sign-in bookkeeping.
VOLATILE_TABLES = frozenset({"audit_records", "api_tokens", "login_failures", "scheduler_heartbeats", "retention_runs"})
APPEND_ONLY_TABLES = frozenset({"case_events", "registry_events", "process_versions", "deployments", "outgoing_emails"})
# How the pages say "no" when a form posts back with a flashed message (English: the callers switch language).
REFUSAL_FLASHES = re.compile(
    r"Only a teamleider may do this\.|Not found: |Only caseworkers of the placement may evaluate a plan\."
    r"|Only a werkgeversadviseur may do this\.|Case \d+ does not exist\.|You may not enrol cases\."
    r"|You can only share a filter with a team you belong to\."
)
Caller = ApiCaller | PageCaller


@dataclass
class Report:
    tried: int = 0
    refused_as_expected: int = 0
    allowed_as_expected: int = 0
    leaks: list[str] = field(default_factory=list)
    over_restricted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    endpoints: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: {"requests": 0.0, "fingerprints": 0.0})
    per_endpoint: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"access matrix: {self.tried} combinations tried, {self.refused_as_expected} denied as expected, "
            f"{self.allowed_as_expected} allowed as expected, leaks = {len(self.leaks)}"
        )

    def details(self) -> str:
        return (
            f"{self.endpoints} endpoint methods; over-restricted = {len(self.over_restricted)}, "
            f"errors = {len(self.errors)}, endpoints without a rule = {len(self.missing)}, "
            f"rules without an endpoint = {len(self.stale)}; "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        )


def classify(reply: Reply, page: bool, public: bool) -> str:
    if reply.status >= 500 or reply.status in (400, 405):
        return "error"  # never acceptable; 400/405 mean the matrix's own request was wrong
    if public:
        return "allowed"
    if reply.status in (401, 403, 404):
        return "refused"
    if page and 300 <= reply.status < 400:
        if PageCaller.to_login(reply.location):
            return "refused"
        if any(kind == "error" and REFUSAL_FLASHES.search(text) for kind, text in reply.flashes):
            return "refused"
    return "allowed"


class AccessMatrix:
    def __init__(self, app: Flask, world: World, base_url: str, engine: Engine) -> None:
        self.app, self.world, self.engine = app, world, engine
        self.urls = app.url_map.bind("localhost")
        users = [Principal(account.username, account) for account in PRINCIPALS]
        anonymous = Principal("anonymous")
        self.api_callers: list[Caller] = [
            *(ApiCaller(base_url, p, world.api_tokens[p.label]) for p in users),
            ApiCaller(base_url, anonymous, None),
            *(ApiCaller(base_url, Principal(label), token) for label, token in world.bad_tokens.items()),
        ]
        self.page_callers: list[Caller] = [*(PageCaller(base_url, p) for p in users), PageCaller(base_url, anonymous)]

    def endpoints(self) -> list[tuple[str, str, str]]:
        """(endpoint, method, URL rule) of every route the app answers, from its live URL map."""
        found = []
        for url_rule in self.app.url_map.iter_rules():
            for method in sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((url_rule.endpoint, method, url_rule.rule))
        return sorted(found)

    def run(self, rules: dict[str, dict[str, Rule]], only: tuple[str, ...] = ()) -> Report:
        """Every endpoint and method (or, with `only`, those whose endpoint name starts with one of them)."""
        report = Report()
        seen = set()
        for endpoint, method, url_rule in self.endpoints():
            seen.add((endpoint, method))
            if only and not endpoint.startswith(only):
                continue
            rule = rules.get(endpoint, {}).get(method)
            if rule is None:
                report.missing.append(f"no access rule for {endpoint} ({method} {url_rule})")
                continue
            report.endpoints += 1
            page = not url_rule.startswith("/api/")
            self._run_rule(report, endpoint, method, rule, page)
        report.stale = [f"{e} {m}" for e, methods in rules.items() for m in methods if (e, m) not in seen]
        if not only:
            self._lists_show_what_may_be_seen(report)
        return report

    def _lists_show_what_may_be_seen(self, report: Report) -> None:
        """The other half of tenancy: the case list shows exactly the municipalities a caller may see
        (Werkbedrijf Roermond's staff Leudal too, Leudal's own staff Leudal only)."""
        for caller in self.api_callers:
            account = caller.principal.account
            if account is None:
                continue
            reply = caller.send("GET", "/api/cases?page_size=500")
            shown = {item["municipality"] for item in json.loads(reply.body)["items"]}
            expected = set(MUNICIPALITIES) & account.municipalities
            report.tried += 1
            label = f"GET /api/cases as {account.username}"
            if shown - expected:
                report.leaks.append(f"{label} lists cases of {sorted(shown - expected)}")
            elif expected - shown:
                report.over_restricted.append(f"{label} lists no cases of {sorted(expected - shown)}")
            else:
                report.allowed_as_expected += 1

    def _run_rule(self, report: Report, endpoint: str, method: str, rule: Rule, page: bool) -> None:
        callers = self.page_callers if page else self.api_callers
        for municipality in MUNICIPALITIES if rule.per_municipality else (None,):
            calls = [
                (caller, rule.expects_access(caller.principal, self.world, municipality))
                for caller in callers
                if self._worth_trying(rule, caller.principal, municipality, callers)
            ]
            refused = [caller for caller, allowed in calls if not allowed]
            allowed = [caller for caller, expected in calls if expected]
            where = f"{endpoint} {method}" + (f" [{municipality}]" if municipality else "")
            if rule.prepare is not None:
                rule.prepare(self.world, municipality)
            rule.target(self.world, municipality)  # objects the target makes exist before the fingerprint
            before = self.fingerprint(report) if method in MUTATING and refused else None
            for caller in refused:
                self._call(report, endpoint, method, rule, page, caller, municipality, expected=False)
            if before is not None:
                after = self.fingerprint(report)
                changed = sorted(table for table, digest in before.items() if after.get(table) != digest)
                if changed:
                    report.leaks.append(f"{where}: refused callers changed the database ({', '.join(changed)})")
            for caller in allowed:
                if rule.prepare is not None:
                    rule.prepare(self.world, municipality)
                self._call(report, endpoint, method, rule, page, caller, municipality, expected=True)
            if method in MUTATING:
                self.world.changed()

    def _worth_trying(self, rule: Rule, principal: Principal, municipality: str | None, callers: list[Caller]) -> bool:
        """Every caller on the own and the other municipality; the rest only where the answer can differ."""
        if rule.public:  # the same for everyone: someone signed in and someone who is not
            return principal.label in ("anonymous", callers[0].principal.label)
        if not principal.signed_in:  # refused everywhere: one municipality is enough
            return municipality in (None, OWN)
        if municipality in (None, OWN, OTHER):
            return True
        # A third municipality (Leudal, a purchased service) tells only for callers the rule lets in by role.
        return rule.who(principal, self.world, municipality)

    def _call(
        self,
        report: Report,
        endpoint: str,
        method: str,
        rule: Rule,
        page: bool,
        caller: Caller,
        municipality: str | None,
        expected: bool,
    ) -> None:
        target = rule.target(self.world, municipality)
        path = self.urls.build(endpoint, target.values, method=method)
        if target.query:
            path += "?" + target.query
        started = time.perf_counter()
        reply = caller.send(method, path, json=target.json, data=target.data, isolated=target.isolated)
        spent = time.perf_counter() - started
        report.seconds["requests"] += spent
        report.per_endpoint[endpoint] = report.per_endpoint.get(endpoint, 0.0) + spent
        observed = classify(reply, page, rule.public)
        report.tried += 1
        principal = caller.principal
        label = f"{method} {path} ({endpoint}) as {principal.label}" + (f" [{municipality}]" if municipality else "")
        if observed == "error":
            report.errors.append(f"{label}: {reply.status} {reply.body[:300]!r}")
            return
        if observed == "refused":
            if expected:
                report.over_restricted.append(f"{label}: refused ({reply.status}{self._flash(reply)}), may call it")
            else:
                report.refused_as_expected += 1
            return
        if not expected:
            report.leaks.append(f"{label}: allowed ({reply.status}{self._flash(reply)}), must be refused")
            return
        visible = principal.account.municipalities if principal.account else frozenset()
        pattern = self.world.leak_pattern(frozenset(MUNICIPALITIES) - visible, rule.aggregates)
        found = pattern.search(reply.body) if pattern is not None else None
        if found:
            context = reply.body[max(0, found.start() - 80) : found.end() + 40]
            report.leaks.append(f"{label}: shows another municipality's data {found.group(0)!r} in …{context!r}…")
            return
        report.allowed_as_expected += 1

    @staticmethod
    def _flash(reply: Reply) -> str:
        return "".join(f", {kind}: {text}" for kind, text in reply.flashes)

    def fingerprint(self, report: Report) -> dict[str, str]:
        """A digest per table of everything a request may change (large binary columns left out)."""
        started = time.perf_counter()
        digests = {}
        with self.engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                if table.name in VOLATILE_TABLES:
                    continue
                if table.name in APPEND_ONLY_TABLES:  # rows are only added: their number and last id tell
                    key = next(iter(table.primary_key.columns))
                    rows = connection.execute(select(func.count(), func.max(key))).all()
                else:
                    columns = [column for column in table.columns if not isinstance(column.type, LargeBinary)]
                    rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
                digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        report.seconds["fingerprints"] += time.perf_counter() - started
        return digests
