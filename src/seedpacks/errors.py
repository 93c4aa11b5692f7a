"""One error base class carrying an HTTP status; the API renders it as `{status, message, ...}`."""

from dataclasses import dataclass
from typing import Any


class SeedError(Exception):
    """An error a caller can act on: carries an HTTP status and a sentence."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, **self.extra}


class BadRequest(SeedError):
    status = 400


class Unauthorized(SeedError):
    status = 401


class Forbidden(SeedError):
    status = 403


class NotFound(SeedError):
    status = 404


class PackNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"No dataset pack with key '{key}'. GET /api/v1/seed-dataset lists the available keys.",
            datasetKey=key,
        )


class PackNotLoaded(SeedError):
    """The pack a call names is not the tenant's loaded one.

    Its HTTP status is the API reference's for each call (upload 400, removal 404); the command
    line exits 3 for both, as for anything else that is not there.
    """

    def __init__(self, message: str, *, status: int, **extra: Any) -> None:
        super().__init__(message, status=status, **extra)


class Conflict(SeedError):
    status = 409


class OperationInProgress(Conflict):
    def __init__(self, tenant: str) -> None:
        super().__init__(
            f"Another seed operation is running for tenant '{tenant}'. "
            "Wait for it to finish (GET .../status) and try again."
        )


class RequestTimeout(SeedError):
    """The client stopped sending its request's body; the connection is closed after the answer."""

    status = 408

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.headers = {"Connection": "close"}


class PayloadTooLarge(SeedError):
    status = 413


class RateLimited(SeedError):
    status = 429

    def __init__(self, *, limit: int, window: int, retry_after: int) -> None:
        super().__init__(
            f"Rate limit reached: {limit} load or upload requests per {window} s for this tenant. "
            f"Try again in {retry_after} s.",
            retryAfter=retry_after,
        )
        self.headers = {"Retry-After": str(retry_after)}


class ServerBusy(SeedError):
    """The server's bound on work of this kind is reached: try again after `retry_after` s."""

    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retryAfter=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


class InvalidPack(SeedError):
    """A pack declaration that cannot be loaded: a defect in the pack, found before any SQL."""

    status = 500


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a pack file: where (line, dotted path) and what."""

    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.line and f"line {self.line}", self.path) if part)
        return f"{where}: {self.message}" if where else self.message

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "path": self.path, "message": self.message}


class InvalidPackFile(BadRequest):
    """A pack file that cannot become a pack: every problem found, each with its line and path."""

    def __init__(self, problems: list[Problem], *, origin: str = "pack file") -> None:
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        shown = "; ".join(str(p) for p in problems[:3])
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        super().__init__(
            f"The {origin} has {count}: {shown}{more}.",
            problems=[p.as_json() for p in problems],
        )
        self.problems = problems
