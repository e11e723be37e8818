"""The deployment's files (deploy/) are what HAProxy, gunicorn and a process manager accept, and
agree with each other. bench/cluster.py runs them together; these checks take a few seconds."""

import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def haproxy():
    found = shutil.which("haproxy", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    assert found, "Checking deploy/haproxy.cfg needs Debian's haproxy: apt-get install haproxy."
    return found


def throwaway_certificate(path):
    """A self-signed certificate and its key in one PEM file, as HAProxy's ``crt`` reads them."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qpp.example.gov")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM) + key_pem)
    return path


def test_haproxy_accepts_the_deploy_config_without_a_warning(tmp_path):
    result = subprocess.run(  # noqa: S603 - HAProxy checking the project's own file
        [haproxy(), "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        env={**os.environ, "QPP_TLS_CERTIFICATE": str(throwaway_certificate(tmp_path / "qpp.pem"))},
        capture_output=True,
        text=True,
        timeout=30,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Configuration file is valid" in output
    assert "[WARNING]" not in output and "[ALERT]" not in output, output


def test_gunicorn_loads_the_deploy_config_and_the_portal_with_the_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qpp_registration.settings.production",
        "SECRET_KEY": "deploy-config-check-" + "x" * 40,
        "ALLOWED_HOSTS": "qpp.example.gov",
    }
    result = subprocess.run(  # noqa: S603 - gunicorn checking the project's own file
        [
            str(GUNICORN),
            "--check-config",
            "--config",
            str(DEPLOY / "gunicorn.conf.py"),
            "qpp_registration.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_haproxy_gives_up_on_a_slow_request_before_gunicorn_kills_its_worker():
    """Otherwise HAProxy would see a slow request's worker die, take it for a dead node and send
    the request to the next node, to kill a worker there too; and a deploy's graceful stop lets
    every request HAProxy still waits for finish."""
    gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    config = (DEPLOY / "haproxy.cfg").read_text()
    server_timeout = int(re.search(r"^\s*timeout server (\d+)s$", config, re.MULTILINE).group(1))
    assert server_timeout < gunicorn["timeout"]
    assert gunicorn["graceful_timeout"] >= server_timeout


def test_every_process_of_the_procfile_is_a_command_of_the_portal():
    commands = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[name] = shlex.split(command)
    assert set(commands) == {"web", "worker", "scheduler"}
    assert commands["web"][:3] == ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
    for name in ("worker", "scheduler"):
        program, script, subcommand = commands[name]
        assert (program, script) == ("python", "manage.py")
        assert subcommand in get_commands(), name
