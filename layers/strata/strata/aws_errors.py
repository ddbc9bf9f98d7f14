"""AWS failures that may pass if tried again, raised as :class:`~strata.errors.TransientError`.

Every Lambda task in the state machine retries ``TransientError`` by name, with a backoff far
longer than botocore's own few attempts: by the time a throttled or failing call reaches the
library, botocore has already retried it, and what is left is an outage of seconds to minutes.

Which failures count is botocore's standard retry classification (throttling codes, modeled
retryable errors, 429, connection errors and read timeouts), plus every 5xx and the services'
internal-error codes. :func:`raise_transient` applies it to a client through the client's own
events, so every call (paginators and managed transfers included) raises ``TransientError``
before the adapter's own ``ClientError`` handling sees it; other clients are unaffected.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from botocore.retries.standard import (
    ModeledRetryableChecker,
    OrRetryChecker,
    RetryContext,
    ThrottledRetryableChecker,
    ThrottlingStatusCodeChecker,
    TransientRetryableChecker,
)

from strata.errors import TransientError

Client = TypeVar("Client")

# botocore's transient codes, and the codes services give their internal errors.
TRANSIENT_ERROR_CODES = (
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
)
_CHECKER = OrRetryChecker(
    [
        TransientRetryableChecker(
            transient_error_codes=list(TRANSIENT_ERROR_CODES),
            transient_status_codes=list(range(500, 600)),
        ),
        ThrottledRetryableChecker(),
        ThrottlingStatusCodeChecker(),
        ModeledRetryableChecker(),
    ]
)


def raise_transient(client: Client) -> Client:
    """``client``, its transient failures raised as TransientError (idempotent)."""
    events = client.meta.events  # type: ignore[attr-defined]
    events.register("after-call", _after_call, unique_id="strata-transient-response")
    events.register("after-call-error", _after_call_error, unique_id="strata-transient-exception")
    return client


def transient_error(exc: BaseException, operation_model: Any = None) -> TransientError | None:
    """The TransientError for ``exc`` if trying again later may succeed, else None: for an
    error outside a client call, such as reading a response body."""
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        context = RetryContext(
            1,
            operation_model=operation_model,
            parsed_response=exc.response,
            http_response=SimpleNamespace(status_code=status) if status else None,
        )
        code = exc.response.get("Error", {}).get("Code")
    else:
        context = RetryContext(1, operation_model=operation_model, caught_exception=exc)
        code = type(exc).__name__
    if not _CHECKER.is_retryable(context):
        return None
    operation = getattr(operation_model, "name", None) or getattr(exc, "operation_name", None)
    service = getattr(getattr(operation_model, "service_model", None), "service_name", None)
    return TransientError(str(exc), service=service, operation=operation, code=code)


def _after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if http_response is None or http_response.status_code < 300:
        return
    # The error botocore raises next unless this raises first.
    error = ClientError(parsed, model.name)
    transient = transient_error(error, model)
    if transient is not None:
        raise transient from error


def _after_call_error(exception: BaseException, **kwargs: Any) -> None:
    transient = transient_error(exception)
    if transient is not None:
        raise transient from exception
