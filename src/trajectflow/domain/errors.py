"""The one error hierarchy of trajectflow; api/web/cli map it to status codes and exit codes."""

from __future__ import annotations

from typing import Any


class TrajectflowError(Exception):
    """Base error. `code` is a stable machine-readable identifier, `details` is JSON-able."""

    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(TrajectflowError):
    code = "not_found"


class Conflict(TrajectflowError):
    code = "conflict"


class Forbidden(TrajectflowError):
    code = "forbidden"


class Unauthenticated(TrajectflowError):
    code = "unauthenticated"


class TooManyAttempts(Unauthenticated):
    """Sign-in refused for a while after repeated failures (lock-out) or too many attempts (rate limit)."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, {"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds


class ValidationFailed(TrajectflowError):
    """Input did not validate. `details` maps field paths to lists of messages."""

    code = "validation_failed"


class ProcessProblem:
    """One problem found in a process file: where it is and what is wrong."""

    def __init__(
        self,
        file: str,
        line: int | None,
        element_id: str | None,
        message: str,
        severity: str = "error",
    ) -> None:
        self.file = file
        self.line = line
        self.element_id = element_id
        self.message = message
        self.severity = severity

    def __str__(self) -> str:
        line = self.line if self.line is not None else "?"
        element = self.element_id or "-"
        return f"{self.file}:{line}: {element}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "element_id": self.element_id,
            "message": self.message,
            "severity": self.severity,
        }


class InvalidProcess(TrajectflowError):
    """A BPMN/DMN file cannot be deployed; `problems` lists each problem with file, line, element."""

    code = "invalid_process"

    def __init__(self, problems: list[ProcessProblem]) -> None:
        summary = "; ".join(str(p) for p in problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"invalid process: {summary}{more}", [p.as_dict() for p in problems])
        self.problems = problems


class EngineFailure(TrajectflowError):
    """The engine could not run a step (script error, no gateway path…)."""

    code = "engine_error"

    def __init__(self, message: str, element_id: str | None = None, task_name: str | None = None) -> None:
        super().__init__(message, {"element_id": element_id, "task": task_name})
        self.element_id = element_id
        self.task_name = task_name
