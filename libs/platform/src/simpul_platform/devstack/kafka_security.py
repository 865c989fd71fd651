"""How a dev-stack Kafka cluster authenticates: SCRAM users made at format time, the
listeners' security settings, and (``scram_tls``) a CA and node certificate made here.

Clients use one listener, ``CLIENT``: SASL_PLAINTEXT (``scram``) or SASL_SSL (``scram_tls``)
with SCRAM-SHA-512, which the brokers also use among themselves as the principal ``broker``.
The controller listener is on loopback and authenticates with SASL/PLAIN from a static JAAS
entry (Kafka cannot check SCRAM there: the credentials live in the metadata the controllers
serve), as the principal ``controller``. ``admin``, ``broker`` and ``controller`` are super
users; everyone else is allowed only what an ACL grants (``allow.everyone.if.no.acl.found``
is false), and a client without credentials cannot connect at all.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Security = Literal["plaintext", "scram", "scram_tls"]
MECHANISM = "SCRAM-SHA-512"
ADMIN = "admin"
BROKER = "broker"  # the brokers' inter-broker principal
CONTROLLER = "controller"  # brokers and controllers on the controller listener
EXTERNAL = "simpul-external"
OPERATIONS = "simpul-operations"


def service_principal(service: str) -> str:
    """The principal a service's Kafka clients authenticate as (as on Kubernetes)."""
    return f"simpul-{service}"


def default_principals() -> list[str]:
    """A principal per service of deploy/services.toml with a database (the gateway has no
    Kafka client), the DLQ replay command's, the external systems', and the admin."""
    from simpul_platform.devstack.services import load_services

    services = [service_principal(e.name) for e in load_services() if e.database]
    return [*services, OPERATIONS, EXTERNAL, ADMIN]


@dataclass
class Credentials:
    """Random passwords for every principal, kept by the cluster object for its clients."""

    principals: list[str]
    passwords: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in [*self.principals, BROKER, CONTROLLER]:
            self.passwords.setdefault(name, secrets.token_urlsafe(18))

    def keep_in(self, path: Path) -> None:
        """Reuse the passwords stored at ``path`` (a kept data directory's nodes were
        formatted with them), and store ours there for the next start."""
        if path.exists():
            self.passwords.update(json.loads(path.read_text()))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(self.passwords, indent=2))

    def password(self, principal: str) -> str:
        try:
            return self.passwords[principal]
        except KeyError:
            raise KeyError(f"no Kafka principal {principal!r}") from None

    def format_arguments(self) -> list[str]:
        """``kafka-storage format`` arguments that store every SCRAM user in the bootstrap
        metadata, so that clients can authenticate from the first start."""
        arguments: list[str] = []
        for name in [*self.principals, BROKER]:
            arguments += [
                "--add-scram",
                f"{MECHANISM}=[name={name},password={self.passwords[name]}]",
            ]
        return arguments


def _jaas(module: str, username: str, password: str, extra: str = "") -> str:
    return f'{module} required username="{username}" password="{password}"{extra};'


def listener_properties(
    security: Security, credentials: Credentials | None, tls_dir: Path | None
) -> dict[str, str]:
    """The listener, SASL, TLS and authorizer settings of a node (all nodes alike)."""
    if security == "plaintext" or credentials is None:
        return {
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT",
            "inter.broker.listener.name": "CLIENT",
        }
    client_protocol = "SASL_SSL" if security == "scram_tls" else "SASL_PLAINTEXT"
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    controller_password = credentials.password(CONTROLLER)
    properties = {
        "listener.security.protocol.map": f"CONTROLLER:SASL_PLAINTEXT,CLIENT:{client_protocol}",
        "inter.broker.listener.name": "CLIENT",
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "listener.name.client.sasl.enabled.mechanisms": MECHANISM,
        "listener.name.client.scram-sha-512.sasl.jaas.config": _jaas(
            scram, BROKER, credentials.password(BROKER)
        ),
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": _jaas(
            plain, CONTROLLER, controller_password, f' user_{CONTROLLER}="{controller_password}"'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{ADMIN};User:{BROKER};User:{CONTROLLER}",
        "allow.everyone.if.no.acl.found": "false",
    }
    if security == "scram_tls" and tls_dir is not None:
        properties.update(
            {
                "listener.name.client.ssl.keystore.type": "PEM",
                "listener.name.client.ssl.keystore.location": str(tls_dir / "node.pem"),
                "listener.name.client.ssl.truststore.type": "PEM",
                "listener.name.client.ssl.truststore.location": str(tls_dir / "ca.pem"),
                "ssl.endpoint.identification.algorithm": "https",
            }
        )
    return properties


def make_certificates(directory: Path) -> Path:
    """A CA and one certificate for all nodes (they all listen on 127.0.0.1), written as PEM:
    ``ca.pem`` (what clients trust) and ``node.pem`` (key + certificate chain, Kafka's PEM
    keystore). Returns the CA file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Simpul dev Kafka CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    node = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "node.pem").write_bytes(key_pem + node.public_bytes(pem) + ca.public_bytes(pem))
    return directory / "ca.pem"
