"""The Kafka connection settings a Kubernetes deployment sets (deploy/k8s/base/config.yaml):
every client of a service — producer, consumer, admin — is given the same options, TLS with
the cluster CA and SCRAM as the service's user; development stays PLAINTEXT."""

from __future__ import annotations

import ssl

import pytest
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from simpul_platform.kafka import connection_options, idempotent_producer
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit

# Any PEM CA bundle will do for building the context; the system's, as a container has it.
CAFILE = ssl.get_default_verify_paths().cafile or ssl.get_default_verify_paths().openssl_cafile


def test_development_connects_in_plaintext() -> None:
    options = connection_options(ServiceSettings(kafka_bootstrap_servers="127.0.0.1:9092"))
    assert options == {"bootstrap_servers": "127.0.0.1:9092", "security_protocol": "PLAINTEXT"}


async def test_kubernetes_connects_with_tls_and_scram() -> None:
    settings = ServiceSettings(
        kafka_bootstrap_servers="simpul-kafka-kafka-bootstrap:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="simpul-health",
        kafka_sasl_password="from-the-kafkauser-secret",
        kafka_ssl_cafile=CAFILE,
    )
    options = connection_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "simpul-health",
        "from-the-kafkauser-secret",
    )
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    # The clients the service builds take them: a typo in an option name would raise here.
    producer = idempotent_producer(settings)
    assert producer.client._security_protocol == "SASL_SSL"
    consumer = AIOKafkaConsumer(**connection_options(settings), group_id="health.test")
    assert consumer._client._sasl_mechanism == "SCRAM-SHA-512"


def test_sasl_without_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="kafka_sasl_username and kafka_sasl_password"):
        ServiceSettings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="simpul-health")
