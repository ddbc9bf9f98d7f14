"""Every AWS adapter raises TransientError, by that very name, for a failure that may pass if
tried again (throttling, a 5xx, a connection or read timeout), and only for those: the state
machine retries TransientError and nothing a second attempt cannot fix."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from strata.aws_errors import raise_transient
from strata.catalog.glue import GlueCatalog, GlueConfig
from strata.errors import TransientError
from strata.secrets.secretsmanager import SecretsManagerStore
from strata.state.dynamodb import DynamoDBStateStore
from strata.storage.s3 import S3ObjectStore
from strata.warehouse.config import RedshiftDataConfig
from strata.warehouse.redshift_data import RedshiftDataWarehouse

# botocore's own retries off: the failure reaches the adapter at once, without its backoff.
NO_RETRIES = Config(region_name="us-east-1", retries={"total_max_attempts": 1})


def client(service: str) -> Any:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    return session.client(service, config=NO_RETRIES)


# service → (adapter over a client, the call under test, the API operation it makes)
Call = Callable[[Any], Any]
ADAPTERS: dict[str, tuple[Callable[[Any], Any], Call, str]] = {
    "s3": (lambda c: S3ObjectStore("lake", c), lambda a: a.get_bytes("k"), "get_object"),
    "dynamodb": (
        lambda c: DynamoDBStateStore("state", c),
        lambda a: a.get("pk", "sk"),
        "get_item",
    ),
    "glue": (
        lambda c: GlueCatalog(GlueConfig("db"), c),
        lambda a: a.get_table("orders"),
        "get_table",
    ),
    "redshift-data": (
        lambda c: RedshiftDataWarehouse(RedshiftDataConfig(workgroup="wg"), c),
        lambda a: a.describe("statement-1"),
        "describe_statement",
    ),
    "secretsmanager": (
        lambda c: SecretsManagerStore("strata/", c),
        lambda a: a.get("token"),
        "get_secret_value",
    ),
}
TRANSIENT = [
    ("Throttling", 400),
    ("ThrottlingException", 400),
    ("ProvisionedThroughputExceededException", 400),
    ("RequestLimitExceeded", 400),
    ("SlowDown", 503),
    ("ServiceUnavailable", 503),
    ("InternalError", 500),
    ("InternalServerError", 500),
    ("AnythingElse", 502),  # any 5xx, whatever its code
    ("TooManyRequests", 429),  # an unmodeled 429
]
PERMANENT = [("AccessDeniedException", 400), ("ValidationException", 400)]


@functools.cache
def shared_client(service: str) -> Any:
    return client(service)  # built once per service: building a client takes a while


def fail(service: str, code: str, status: int) -> Exception:
    """What the adapter's call raises when AWS answers ``status`` with error ``code``."""
    make, call, operation = ADAPTERS[service]
    raw = shared_client(service)
    with Stubber(raw) as stub:
        stub.add_client_error(operation, service_error_code=code, http_status_code=status)
        with pytest.raises(Exception) as raised:
            call(make(raw))
    return raised.value


@pytest.mark.parametrize("service", sorted(ADAPTERS))
@pytest.mark.parametrize(("code", "status"), TRANSIENT)
def test_throttling_and_server_errors_raise_transient_error(service, code, status):
    error = fail(service, code, status)
    # Exactly this class: Lambda reports the class name, which the Retry matches.
    assert type(error) is TransientError
    assert error.code == code
    assert error.operation == ADAPTERS[service][2].title().replace("_", "")
    assert code in str(error)


@pytest.mark.parametrize("service", sorted(ADAPTERS))
@pytest.mark.parametrize(("code", "status"), PERMANENT)
def test_other_errors_are_not_transient(service, code, status):
    assert not isinstance(fail(service, code, status), TransientError)


@pytest.mark.parametrize(
    "broken",
    [
        EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
    ],
    ids=type,
)
def test_connection_and_read_timeouts_raise_transient_error(broken):
    raw = client("dynamodb")

    def send(**kwargs: Any) -> None:
        raise broken  # where the HTTP request would go out

    raw.meta.events.register("before-send", send)
    with pytest.raises(TransientError) as raised:
        DynamoDBStateStore("state", raw).get("pk", "sk")
    assert raised.value.__cause__ is broken


def test_a_body_that_times_out_while_read_raises_transient_error():
    from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeout

    class TimingOut:
        def read(self, *args: Any) -> bytes:
            raise Urllib3ReadTimeout(None, "https://lake.s3.amazonaws.com/k", "read timed out")

    raw = client("s3")
    with Stubber(raw) as stub:
        stub.add_response("get_object", {"Body": StreamingBody(TimingOut(), 10)})
        with pytest.raises(TransientError):
            S3ObjectStore("lake", raw).get_bytes("k")


def test_only_the_adapters_clients_are_changed():
    wrapped, other = client("dynamodb"), client("dynamodb")
    raise_transient(wrapped)
    raise_transient(wrapped)  # idempotent
    for raw, expected in ((wrapped, TransientError), (other, Exception)):
        with Stubber(raw) as stub:
            stub.add_client_error("get_item", "ThrottlingException", http_status_code=400)
            with pytest.raises(expected) as raised:
                raw.get_item(TableName="t", Key={"pk": {"S": "a"}})
        assert isinstance(raised.value, TransientError) == (raw is wrapped)


def test_transient_error_cannot_be_subclassed_under_another_name():
    with pytest.raises(TypeError, match="TransientError itself"):

        class ThrottledError(TransientError):
            pass
