"""Behaviour every SecretStore shares, run against the local store and Secrets Manager (moto)."""

from __future__ import annotations

import json

import pytest

from strata.errors import ConfigError, SecretNotFoundError
from strata.secrets.local import LocalSecretStore, env_name
from strata.secrets.secretsmanager import SecretsManagerStore


def test_a_stored_secret_is_returned_as_text(secrets, stored_secrets):
    assert secrets.get("orders_api") == stored_secrets["orders_api"]
    assert json.loads(secrets.get("partner_sftp")) == {"username": "etl"}


def test_a_missing_secret_raises_naming_it(secrets):
    with pytest.raises(SecretNotFoundError) as raised:
        secrets.get("billing_api")

    assert raised.value.name == "billing_api"
    assert "billing_api" in str(raised.value)


def test_no_error_ever_carries_a_secret_value(secrets, stored_secrets):
    with pytest.raises(SecretNotFoundError) as raised:
        secrets.get("orders_api_v2")  # a name close to a stored one

    text = f"{raised.value} {raised.value!r} {raised.value.args}"
    for value in stored_secrets.values():
        assert value not in text


# -- local only ------------------------------------------------------------------------------


def test_local_env_name_upper_cases_and_replaces_other_characters():
    assert env_name("orders_api") == "STRATA_SECRET_ORDERS_API"
    assert env_name("partner/sftp-key.v2") == "STRATA_SECRET_PARTNER_SFTP_KEY_V2"


def test_local_environment_wins_over_the_file(tmp_path):
    file = tmp_path / ".secrets.json"
    file.write_text(json.dumps({"orders_api": "from-file", "other": "file-only"}))
    store = LocalSecretStore(env={"STRATA_SECRET_ORDERS_API": "from-env"}, file=file)

    assert store.get("orders_api") == "from-env"
    assert store.get("other") == "file-only"


def test_local_default_file_is_dot_secrets_json_in_the_project_dir(tmp_path):
    (tmp_path / ".secrets.json").write_text(json.dumps({"orders_api": "tok"}))
    store = LocalSecretStore(env={"STRATA_PROJECT_DIR": str(tmp_path)})

    assert store.file == tmp_path / ".secrets.json"
    assert store.get("orders_api") == "tok"


def test_local_missing_file_means_not_found_not_a_crash(tmp_path):
    store = LocalSecretStore(env={}, file=tmp_path / "absent.json")

    with pytest.raises(SecretNotFoundError, match="STRATA_SECRET_ORDERS_API"):
        store.get("orders_api")


def test_local_malformed_file_is_a_config_error_that_does_not_quote_it(tmp_path):
    file = tmp_path / ".secrets.json"
    file.write_text('{"orders_api": "tok-leak-me",, }')
    store = LocalSecretStore(env={}, file=file)

    with pytest.raises(ConfigError) as raised:
        store.get("orders_api")

    assert "tok-leak-me" not in str(raised.value)
    assert raised.value.file == str(file)


# -- Secrets Manager only --------------------------------------------------------------------


def test_secrets_manager_caches_values_for_max_age(aws):
    client = aws.client("secretsmanager")
    client.create_secret(Name="strata/test/token", SecretString="v1")
    calls: list[str] = []
    client.meta.events.register(
        "before-call.secrets-manager.GetSecretValue", lambda **_: calls.append("get")
    )
    store = SecretsManagerStore("strata/test/", client, max_age=300)

    assert store.get("token") == "v1"
    client.put_secret_value(SecretId="strata/test/token", SecretString="v2")
    assert store.get("token") == "v1"  # served from the cache
    assert len(calls) == 1

    store.clear_cache()
    assert store.get("token") == "v2"
    assert len(calls) == 2


def test_secrets_manager_with_max_age_zero_always_fetches(aws):
    client = aws.client("secretsmanager")
    client.create_secret(Name="p/token", SecretString="v1")
    store = SecretsManagerStore("p/", client, max_age=0)

    assert store.get("token") == "v1"
    client.put_secret_value(SecretId="p/token", SecretString="v2")
    assert store.get("token") == "v2"


def test_secrets_manager_reads_binary_secrets_as_text(aws):
    client = aws.client("secretsmanager")
    client.create_secret(Name="p/key", SecretBinary=b"-----BEGIN KEY-----")

    assert SecretsManagerStore("p/", client).get("key") == "-----BEGIN KEY-----"
