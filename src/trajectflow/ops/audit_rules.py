"""Which requests the audit trail records, and as what: one table from Flask endpoint to action and object.

Every request to an endpoint is recorded unless its rule says otherwise:
- SKIP: never recorded — static files, /healthz, /readyz, /metrics, the OpenAPI document and its
  viewer, the language switch, the sign-in form itself (GET /login).
- QUIET: reads without personal data (process definitions, the modeler, aggregate reports, KPIs,
  programme progress, workload counts, the case diagram's element states, your own identity and token
  list, empty forms): recorded only when refused (401, 403, 404, or an anonymous page visitor sent to
  sign in), so probing is still visible.
- everything else: views and lists of personal data, every change, every export, every sign-in.

An endpoint without a rule (one added later) gets a default from its URL: a download or `export`
→ "export", user or account administration → "admin", a GET with an object id → "view", other GETs
→ "list", anything else → "change". Objects come from the URL (`case_id` → case, `task_id` → task …).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SKIP = "-"
QUIET = ""
READ_METHODS = frozenset({"GET", "HEAD"})
FILE_FORMATS = frozenset({"csv", "xlsx", "pdf", "json"})


@dataclass(frozen=True)
class Rule:
    """`action` for every method, or per method in `by_method` (SKIP / QUIET allowed as actions)."""

    action: str | None = None
    object_type: str | None = None
    by_method: Mapping[str, str] = field(default_factory=dict)

    def action_for(self, method: str) -> str | None:
        method = "GET" if method == "HEAD" else method
        return self.by_method.get(method, self.action)


def _r(action: str | None = None, object_type: str | None = None, **by_method: str) -> Rule:
    return Rule(action, object_type, by_method)


_API: dict[str, Rule] = {
    "api_auth.SignIn": _r("login", "user"),
    "api_auth.Me": _r(QUIET, "user"),
    "api_auth.Tokens": _r(object_type="api_token", GET=QUIET, POST="admin"),
    "api_auth.Token": _r("admin", "api_token"),
    "api_audit.CaseAudit": _r("view", "audit_log"),
    "cases.Cases": _r(object_type="case", GET="list", POST="start_case"),
    "cases.CaseDetail": _r("view", "case"),
    "cases.CaseHistory": _r("view", "case"),
    "supervision.Cancel": _r("cancel", "case"),
    "supervision.Move": _r("move", "case"),
    "supervision.MoveTargets": _r(QUIET, "case"),
    "supervision.Resume": _r("resume", "case"),
    "supervision.Retry": _r("retry", "case"),
    "supervision.Suspend": _r("suspend", "case"),
    "supervision.Reassign": _r("reassign", "task"),
    "supervision.BulkReassign": _r("reassign", "task"),
    "supervision_reports.Stuck": _r("list", "case"),
    "supervision_reports.Workload": _r(QUIET, "workload"),
    "supervision_reports.Heatmap": _r(QUIET, "process"),
    "supervision_reports.Report": _r(QUIET, "report"),
    "supervision_reports.ReportFile": _r("export", "report"),
    "tasks.Tasks": _r("list", "task"),
    "tasks.TaskDetail": _r("view", "task"),
    "tasks.Claim": _r("claim", "task"),
    "tasks.Unclaim": _r("unclaim", "task"),
    "tasks.Complete": _r("complete", "task"),
    "notifications.Notifications": _r("list", "notification"),
    "notifications.MarkRead": _r("change", "notification"),
    "processes.Processes": _r(QUIET, "process"),
    "processes.Deployments": _r(QUIET, "process"),
    "processes.Validate": _r(QUIET, "process"),
    "processes.Pins": _r(QUIET, "process"),
    "processes.Pin": _r("pin", "process"),
    "processes.Deploy": _r("deploy", "process"),
    "processes.Migrate": _r("migrate", "process"),
    "employers.Employers": _r(object_type="employer", GET="list", POST="change"),
    "employers.EmployerDetail": _r(object_type="employer", GET="view", PUT="change"),
    "employers.Workplaces": _r("change", "employer"),
    "employers.WorkplaceStatus": _r("change", "workplace"),
    "employers.Plans": _r("list", "employer_plan"),
    "employers.PlanDetail": _r("view", "employer_plan"),
    "employers.PlanEvaluations": _r("change", "employer_plan"),
    "programmes.Programmes": _r(object_type="programme", GET=QUIET, POST="change"),
    "programmes.ProgrammeProgress": _r(QUIET, "programme"),
    "programmes.Enrolments": _r("enrol", "programme"),
    "kpis.Kpis": _r(QUIET, "kpi"),
    "kpis.Billing": _r(QUIET, "billing"),
    "kpis.KpiFile": _r("export", "kpi"),
    "kpis.BillingRecords": _r("list", "billing"),
    "kpis.BillingRecordsFile": _r("export", "billing"),
}

_PAGES: dict[str, Rule] = {
    "auth.login": _r("login", "user", GET=SKIP),
    "auth.logout": _r("logout", "user"),
    "worklist.index": _r("list", "task"),
    "worklist.save": _r("change", "saved_filter"),
    "worklist.delete": _r("change", "saved_filter"),
    "dossier.show": _r("view", "case"),
    "dossier.diagram": _r(QUIET, "case"),
    "dossier.note": _r("add_note", "case"),
    "dossier.audit_csv": _r("export", "audit_log"),
    "melding.new": _r(QUIET, "case"),
    "melding.create": _r("start_case", "case"),
    "task_page.show": _r("view", "task"),
    "task_page.submit": _r("complete", "task"),  # refined by the form's _action (ops/audit_hook.py)
    "task_page.claim": _r("claim", "task"),
    "task_page.unclaim": _r("unclaim", "task"),
    "supervisor.stuck": _r("list", "case"),
    "supervisor.case": _r("view", "case"),
    "supervisor.cancel": _r("cancel", "case"),
    "supervisor.resume": _r("resume", "case"),
    "supervisor.retry": _r("retry", "case"),
    "supervisor.suspend": _r("suspend", "case"),
    "supervisor.move": _r("move", "case"),
    "supervisor.reassign": _r("reassign", "task"),
    "supervisor.reassign_bulk": _r("reassign", "task"),
    "supervisor.workload_page": _r(QUIET, "workload"),
    "supervisor.heatmap_page": _r(QUIET, "process"),
    "supervisor.heatmap_data": _r(QUIET, "process"),
    "supervisor.reports_page": _r(QUIET, "report"),
    "supervisor.report_download": _r("export", "report"),
    "employer_pages.index": _r("list", "employer"),
    "employer_pages.detail": _r("view", "employer"),
    "employer_pages.new": _r(QUIET, "employer"),
    "employer_pages.edit": _r(QUIET, "employer"),
    "employer_pages.create": _r("change", "employer"),
    "employer_pages.update": _r("change", "employer"),
    "employer_pages.add_place": _r("change", "employer"),
    "employer_pages.place_status": _r("change", "workplace"),
    "employer_pages.evaluate": _r("change", "employer_plan"),
    "employer_pages.programmes": _r(QUIET, "programme"),
    "employer_pages.programme": _r(QUIET, "programme"),
    "employer_pages.enrol": _r("enrol", "programme"),
    "employer_pages.enrol_chosen": _r("enrol", "programme"),
    "designer.index": _r(QUIET, "process"),
    "designer.modeler": _r(QUIET, "process"),
    "designer.sources": _r(QUIET, "process"),
    "designer.decision_tables": _r(QUIET, "process"),
    "designer.validate": _r(QUIET, "process"),
    "designer.deploy": _r("deploy", "process"),
    "designer.migrate": _r(object_type="process", GET=QUIET, POST="migrate"),
    "privacy.bsn": _r("view_bsn", "case"),
    "supervisor.billing_records_download": _r("export", "billing"),
    "admin.new": _r(QUIET, "user"),
    "account.index": _r(QUIET, "api_token"),  # your own account and token list
    "account.create": _r("admin", "api_token"),
    "account.revoke": _r("admin", "api_token"),
}

_SKIPPED_ENDPOINTS = frozenset({"static", "metrics", "i18n.switch_language"})
# OIDC redirects to and from the provider: the callback reports the sign-in itself (g.audit_login).
_SKIPPED_BLUEPRINTS = frozenset({"health", "api-docs", "oidc"})
# Blueprints (present or to come) whose changes are administration of users and access.
_ADMIN_HINTS = ("admin", "users", "account")
_EXPORT_HINTS = ("export", "download", "inzage")

RULES: dict[str, Rule] = {**_API, **_PAGES}

# URL arguments that name an object, most specific first.
OBJECT_ARGS: tuple[tuple[str, str], ...] = (
    ("workplace_id", "workplace"),
    ("plan_id", "employer_plan"),
    ("notification_id", "notification"),
    ("task_id", "task"),
    ("token_id", "api_token"),
    ("filter_id", "saved_filter"),
    ("case_id", "case"),
    ("client_id", "client"),
    ("employer_id", "employer"),
    ("programme_id", "programme"),
    ("username", "user"),
    ("process_id", "process"),
    ("key", "report"),
)


def is_skipped(endpoint: str | None, method: str) -> bool:
    if endpoint is None or method == "OPTIONS":
        return True  # no route matched: nothing was reached
    if endpoint in _SKIPPED_ENDPOINTS or endpoint.partition(".")[0] in _SKIPPED_BLUEPRINTS:
        return True
    rule = RULES.get(endpoint)
    return rule is not None and rule.action_for(method) == SKIP


def action_of(
    endpoint: str,
    method: str,
    view_args: Mapping[str, object],
    path: str,
    wants: str | None = None,
    reveal: str | None = None,
) -> str:
    """The action for a request: the rule's, or a default from the URL; QUIET for reads without personal data.

    `wants` is the requested `format` of the response and `reveal` the `reveal` query argument, if any.
    """
    rule = RULES.get(endpoint)
    action = rule.action_for(method) if rule is not None else None
    if action is None:
        action = _default_action(endpoint, method, view_args, path)
    if method in READ_METHODS and wants in FILE_FORMATS - {"json"}:
        return "export"
    if method in READ_METHODS and reveal == "bsn":
        return "view_bsn"
    return action


def object_type_of(endpoint: str, view_args: Mapping[str, object]) -> str | None:
    rule = RULES.get(endpoint)
    if rule is not None and rule.object_type is not None:
        return rule.object_type
    named = next((kind for arg, kind in OBJECT_ARGS if arg in view_args), None)
    if named is None and any(hint in endpoint.partition(".")[0] for hint in _ADMIN_HINTS):
        return "user"  # user administration: the list and the new account
    return named


def object_id_of(view_args: Mapping[str, object], object_type: str | None) -> str | None:
    """The URL argument naming an object of `object_type`, or else the most specific one."""
    for arg, kind in OBJECT_ARGS:
        if kind == object_type and arg in view_args:
            return str(view_args[arg])
    if object_type == "audit_log" and "case_id" in view_args:
        return str(view_args["case_id"])
    return None


def fallback_action(method: str, view_args: Mapping[str, object]) -> str:
    """A plain name for a refused request to a QUIET endpoint."""
    if method in READ_METHODS:
        return "view" if _names_object(view_args) else "list"
    return "change"


def _default_action(endpoint: str, method: str, view_args: Mapping[str, object], path: str) -> str:
    name = endpoint.lower()
    if any(hint in name or hint in path for hint in _EXPORT_HINTS) or view_args.get("file_format") in FILE_FORMATS:
        return "export" if method in READ_METHODS else "change"
    if any(hint in name.partition(".")[0] for hint in _ADMIN_HINTS):
        return "admin" if method not in READ_METHODS else fallback_action(method, view_args)
    return fallback_action(method, view_args)


def _names_object(view_args: Mapping[str, object]) -> bool:
    return any(arg in view_args for arg, _kind in OBJECT_ARGS)
