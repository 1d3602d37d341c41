"""Secure mode of the local broker(s): TLS material, SCRAM passwords and the broker settings that use them.

Kept in ``<broker data dir>/security`` (0700), made once per data dir and reused:

- ``ca.pem`` / ``ca.key``: a CA of this data dir; clients check the broker's certificate against ``ca.pem``;
- ``broker.pem``: the brokers' key and certificate (for 127.0.0.1 and localhost), a PEM keystore. Brokers
  also present it to each other and to the controllers: on those listeners (SSL with client certificates)
  a broker is ``User:CN=accordeer-broker``, a super user. SCRAM cannot serve the controller listener in KRaft;
- ``credentials.json`` (0600): a generated password per principal, ``admin`` included. Created with the
  storage (``kafka-storage format --add-scram``); never logged.

Clients connect to the CLIENT listener with SASL_SSL and SCRAM-SHA-512; the StandardAuthorizer lets them do
only what deploy/kafka_acls.yaml allows (accordeer/localstack/acls.py).
"""

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from accordeer.localstack.jvm import JVM_OPTIONS

ADMIN = "admin"
BROKER_PRINCIPAL = "CN=accordeer-broker"
MECHANISM = "SCRAM-SHA-512"
SCRAM_LISTENER = "CLIENT"
SCRAM_LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"


class SecurityMaterialError(RuntimeError):
    """The CA, the broker's certificate or the credentials could not be made."""


@dataclass
class BrokerSecurity:
    """The secrets of one broker data dir (single broker or cluster), for ``principals`` plus the admin."""

    directory: Path
    principals: list[str]

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def keystore(self) -> Path:
        return self.directory / "broker.pem"

    @property
    def credentials_file(self) -> Path:
        return self.directory / "credentials.json"

    def prepare(self) -> "BrokerSecurity":
        """Make what is missing: the directory, the CA and broker certificate and, the first time, a password per
        principal (stored with the broker when its storage is formatted)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        if not (self.ca_file.exists() and self.keystore.exists()):
            self._make_certificates()
        if not self.credentials_file.exists():
            self._write_credentials({p: secrets.token_urlsafe(24) for p in [ADMIN, *self.principals]})
        return self

    def missing(self) -> list[str]:
        """Principals added since the storage was formatted (a new source): ``register_missing`` gives them one."""
        known = self.credentials()
        return [p for p in self.principals if p not in known]

    def register_missing(self, libs: Path, bootstrap_servers: str) -> list[str]:
        """Store a credential for each principal in ``missing`` with the running broker, then in
        credentials.json; returns their names."""
        if not (missing := self.missing()):
            return []
        passwords = {p: secrets.token_urlsafe(24) for p in missing}
        # Right after a start the broker may not have read its metadata yet and refuse even the admin for a moment.
        Retrying(
            stop=stop_after_delay(60),
            wait=wait_fixed(2),
            retry=retry_if_exception_type(SecurityMaterialError),
            reraise=True,
        )(store_scram, libs, bootstrap_servers, self, passwords)
        self._write_credentials({**self.credentials(), **passwords})
        return missing

    def credentials(self) -> dict[str, str]:
        """Principal → password (empty before ``prepare``)."""
        if not self.credentials_file.exists():
            return {}
        return json.loads(self.credentials_file.read_text())

    def password(self, principal: str) -> str:
        try:
            return self.credentials()[principal]
        except KeyError:
            raise SecurityMaterialError(f"no Kafka credentials for {principal!r} in {self.credentials_file}") from None

    @contextmanager
    def java_arguments(self, arguments: list[str]) -> Iterator[list[str]]:
        """A java main class and its arguments, passwords among them, as the launcher's @argfile in a file only we
        may read: a command line shows the file's path, never a password. Removed once the caller is done."""
        path = self.directory / f"java-arguments-{secrets.token_hex(6)}"
        _write_private(path, "".join(f'"{_quoted(argument)}"\n' for argument in arguments))
        try:
            yield [f"@{path}"]
        finally:
            path.unlink(missing_ok=True)

    def scram_arguments(self) -> list[str]:
        """``kafka-storage format`` arguments that store every principal's SCRAM credential with the metadata."""
        return [
            argument
            for name, password in sorted(self.credentials().items())
            for argument in ("--add-scram", f"{MECHANISM}=[name={name},password={password}]")
        ]

    def client_env(self, principal: str) -> dict[str, str]:
        """The environment of a process that connects as ``principal`` (shared/settings.py reads it)."""
        return {
            "ACCORDEER_KAFKA_SECURITY": "scram",
            "ACCORDEER_KAFKA_USERNAME": principal,
            "ACCORDEER_KAFKA_PASSWORD": self.password(principal),
            "ACCORDEER_KAFKA_CA_FILE": str(self.ca_file),
        }

    def server_properties(
        self, *, client_port: int, advertised_port: int, internal_port: int, controller_port: int
    ) -> str:
        """Broker settings of secure mode; appended after the plaintext ones, whose listeners they replace."""
        return f"""
# Secure mode (accordeer.localstack.secure): SCRAM over TLS for clients, certificates between brokers.
listeners={SCRAM_LISTENER}://127.0.0.1:{client_port},INTERNAL://127.0.0.1:{internal_port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners={SCRAM_LISTENER}://127.0.0.1:{advertised_port},INTERNAL://127.0.0.1:{internal_port},CONTROLLER://127.0.0.1:{controller_port}
listener.security.protocol.map={SCRAM_LISTENER}:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
sasl.enabled.mechanisms={MECHANISM}
listener.name.{SCRAM_LISTENER.lower()}.{MECHANISM.lower()}.sasl.jaas.config={SCRAM_LOGIN_MODULE} required;
ssl.keystore.type=PEM
ssl.keystore.location={self.keystore}
ssl.truststore.type=PEM
ssl.truststore.location={self.ca_file}
listener.name.internal.ssl.client.auth=required
listener.name.controller.ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{ADMIN};User:{BROKER_PRINCIPAL}
"""

    def _write_credentials(self, credentials: dict[str, str]) -> None:
        partial = self.credentials_file.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            json.dump(credentials, file, indent=2, sort_keys=True)
        partial.replace(self.credentials_file)

    def _make_certificates(self) -> None:
        d = self.directory
        extensions = d / "broker.ext"
        extensions.write_text(
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth,clientAuth\n"
        )
        _openssl(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            d / "ca.key",
            "-out",
            d / "ca.pem",
            "-days",
            "825",
            "-subj",
            "/CN=Accordeer local CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        )
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            d / "broker.key",
            "-out",
            d / "broker.csr",
            "-subj",
            f"/{BROKER_PRINCIPAL}",
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            d / "broker.csr",
            "-CA",
            d / "ca.pem",
            "-CAkey",
            d / "ca.key",
            "-CAcreateserial",
            "-out",
            d / "broker.crt",
            "-days",
            "825",
            "-extfile",
            extensions,
        )
        # A PEM keystore: the (unencrypted PKCS#8) key, then the certificate chain.
        keystore = "".join((d / name).read_text() for name in ("broker.key", "broker.crt", "ca.pem"))
        with os.fdopen(os.open(self.keystore, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(keystore)
        for name in ("broker.csr", "broker.key", "broker.crt", "broker.ext", "ca.srl"):
            (d / name).unlink(missing_ok=True)
        (d / "ca.key").chmod(0o600)


def _openssl(*arguments) -> None:
    result = subprocess.run(["openssl", *map(str, arguments)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SecurityMaterialError(f"openssl {arguments[0]} failed: {result.stderr.strip()}")


def find_security(data_dir: Path) -> BrokerSecurity | None:
    """The secrets of the secure local stack in ``data_dir`` (single broker first, then cluster), if one ran."""
    for folder in ("kafka-secure", "kafka-cluster-secure"):
        security = BrokerSecurity(data_dir / folder / "security", [])
        if security.credentials_file.exists():
            return security
    return None


def store_scram(libs: Path, bootstrap_servers: str, security: BrokerSecurity, passwords: dict[str, str]) -> None:
    """Create or change the SCRAM credentials of ``passwords``' principals on a running broker, as the admin
    (Kafka's ConfigCommand from the jars; aiokafka has no AlterUserScramCredentials). Passwords go through
    files readable only by us, never on a command line."""
    client = security.directory / "admin-client.properties"
    change = security.directory / "scram-change.properties"
    try:
        _write_private(
            client,
            "security.protocol=SASL_SSL\n"
            f"sasl.mechanism={MECHANISM}\n"
            "ssl.truststore.type=PEM\n"
            f"ssl.truststore.location={security.ca_file}\n"
            f"sasl.jaas.config={SCRAM_LOGIN_MODULE} required "
            f'username="{ADMIN}" password="{security.password(ADMIN)}";\n',
        )
        for principal, password in passwords.items():
            # The file takes the value without the brackets of --add-config (ConfigCommand matches password=...).
            _write_private(change, f"{MECHANISM}=password={password}\n")
            result = subprocess.run(
                [
                    "java",
                    "-Xmx256m",
                    *JVM_OPTIONS,
                    "-cp",
                    f"{libs}/*",
                    "kafka.admin.ConfigCommand",
                    "--bootstrap-server",
                    bootstrap_servers,
                    "--command-config",
                    str(client),
                    "--alter",
                    "--entity-type",
                    "users",
                    "--entity-name",
                    principal,
                    "--add-config-file",
                    str(change),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise SecurityMaterialError(
                    f"storing the SCRAM credential of {principal!r} failed: "
                    f"{_without(result.stdout + result.stderr, passwords.values())[-2000:]}"
                )
    finally:
        client.unlink(missing_ok=True)
        change.unlink(missing_ok=True)


def change_password(libs: Path, bootstrap_servers: str, security: BrokerSecurity, principal: str) -> None:
    """A new password for ``principal``: stored with the broker first, then in credentials.json. Connections
    already open keep working (SCRAM checks at connect); restart the principal's process to use it."""
    if principal == ADMIN:
        raise SecurityMaterialError("the admin's password is the stack's own; wipe the secure data dir to change it")
    security.password(principal)  # an unknown principal is refused before anything changes
    password = secrets.token_urlsafe(24)
    store_scram(libs, bootstrap_servers, security, {principal: password})
    security._write_credentials({**security.credentials(), principal: password})


def _quoted(argument: str) -> str:
    return argument.replace("\\", "\\\\").replace('"', '\\"')


def _write_private(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(text)


def _without(text: str, passwords) -> str:
    for password in passwords:
        text = text.replace(password, "***")
    return text
