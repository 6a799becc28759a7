"""Pure security configuration: SCRAM users at format time, client settings, and hints without secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from ingest.producer import connection_hint, kafka_config
from processors.app import _credentials
from sitrep.broker import scram_arguments
from sitrep.errors import ConfigurationError
from sitrep.settings import Settings

PASSWORD = "s3cret-a1b2c3"


def _sasl_ssl(**extra: object) -> Settings:
    return Settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="sitrep",
        kafka_sasl_password=SecretStr(PASSWORD),
        **extra,  # type: ignore[arg-type]
    )


def test_each_scram_user_gets_both_sha_mechanisms_at_format_time() -> None:
    assert scram_arguments({"alice": "pw1"}) == [
        "--add-scram",
        "SCRAM-SHA-256=[name=alice,password=pw1]",
        "--add-scram",
        "SCRAM-SHA-512=[name=alice,password=pw1]",
    ]


@pytest.mark.parametrize("password", ["a,b", "x=y", "[pw]", "", 'q"uote'])
def test_a_scram_password_storage_tool_would_misread_is_refused_without_echoing_it(password: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        scram_arguments({"alice": password})
    assert not password or password not in str(caught.value)


def test_kafka_python_gets_scram_over_tls_from_settings() -> None:
    config = kafka_config(_sasl_ssl(kafka_ssl_cafile=Path("/ca.pem")))
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("sitrep", PASSWORD)
    assert config["ssl_cafile"] == "/ca.pem"


def test_faust_gets_sasl_credentials_with_a_verifying_tls_context(tmp_path: Path) -> None:
    import ssl

    credentials = _credentials(_sasl_ssl())
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert (credentials.username, credentials.password) == ("sitrep", PASSWORD)
    assert credentials.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert credentials.ssl_context.check_hostname is True


def test_the_connection_hint_names_user_mechanism_and_ca_but_never_the_password() -> None:
    hint = connection_hint(_sasl_ssl(kafka_ssl_cafile=Path("/etc/ca.pem")))
    assert "SCRAM-SHA-512" in hint and "'sitrep'" in hint and "/etc/ca.pem" in hint
    assert "authentication" in hint and PASSWORD not in hint
    assert "PLAINTEXT" in connection_hint(Settings())
