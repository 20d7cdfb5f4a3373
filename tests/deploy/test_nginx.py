"""deploy/nginx/chashan.conf in front of a real gunicorn (deploy/gunicorn.conf.py) running the portal.

The site file is rendered for a temporary folder and free ports (only its paths, ports and certificate
change: every replacement must find its target, so the test follows the file), checked with `nginx -t`,
and served over TLS with a certificate made for the test. gunicorn runs the portal in production mode
(DJANGO_DEBUG=0) on the test database, with PROTECTED_MEDIA_ACCEL_PREFIX set. Also here: the systemd
units (`systemd-analyze verify`) and the Compose file.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from inspections.photos import MAX_BYTES, MAX_PHOTOS_PER_UPLOAD
from tests.builders import make_site, record_findings
from tests.deploy.conftest import BASE_DIR, DEPLOY_DIR, VENV_BIN, database_url, find_program, free_port, require

SITE_CONF = DEPLOY_DIR / "nginx" / "chashan.conf"
HOST = "safety.example.org"
ACCEL_PREFIX = "/protected-media/"
#: how long nginx and gunicorn may take to start on a busy machine
START_TIMEOUT = 60


@dataclass
class Stack:
    root: Path
    static: Path
    media: Path
    https_port: int
    http_port: int
    secret_key: str
    nginx_log: Path
    gunicorn_log: Path
    nginx_test: subprocess.CompletedProcess

    def request(self, method: str, path: str, *, headers: dict | None = None, body=None) -> tuple:
        """One request over TLS to nginx: (status, headers, body)."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=context, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


def render_site(conf: str, *, root: Path, static: Path, media: Path, https: int, http: int, upstream: int) -> str:
    replacements = [
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};"),
        ("/var/lib/chashan/static/", f"{static}/"),
        ("/var/lib/chashan/media/", f"{media}/"),
        ("/etc/ssl/chashan/", f"{root}/tls/"),
        ("/var/log/nginx/", f"{root}/log/"),
    ]
    for old, new in replacements:
        assert old in conf, f"deploy/nginx/chashan.conf no longer holds {old!r}: update this test with it"
        conf = conf.replace(old, new)
    return conf


MAIN_CONF = """
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/log/error.log info;
{user}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    include {root}/chashan.conf;
}}
"""


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{process.args[0]} did not listen on {port} within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_setup):
    require(postgresql=True, programs=("nginx", "openssl", "gunicorn"))
    root = tmp_path_factory.mktemp("nginx")
    for folder in ("tls", "log", "tmp", "static", "media", "var"):
        (root / folder).mkdir()
    static, media = root / "static", root / "media"
    https_port, http_port, upstream_port = free_port(), free_port(), free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "1", "-subj", f"/CN={HOST}", "-keyout", str(root / "tls" / "privkey.pem"),
         "-out", str(root / "tls" / "fullchain.pem")],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    (root / "chashan.conf").write_text(
        render_site(
            SITE_CONF.read_text(),
            root=root,
            static=static,
            media=media,
            https=https_port,
            http=http_port,
            upstream=upstream_port,
        )
    )
    # as root, nginx's workers would become `nobody`, who may not enter pytest's private temporary folders
    user = "user root root;" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(MAIN_CONF.format(root=root, user=user))
    nginx = find_program("nginx")
    nginx_args = [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "log" / "error.log")]
    checked = subprocess.run([*nginx_args, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr

    secret_key = secrets.token_urlsafe(48)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "SECURE_", "GUNICORN_", "PROTECTED_MEDIA"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="chashan_safety.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CHASHAN_VAR_DIR=str(root / "var"),
        # gunicorn's own static folder is empty: what /static/ returns comes from nginx
        STATIC_ROOT=str(root / "var" / "static"),
        MEDIA_ROOT=str(media),
        PROTECTED_MEDIA_ACCEL_PREFIX=ACCEL_PREFIX,
        TRUSTED_PROXY_COUNT="1",
        GUNICORN_BIND=f"127.0.0.1:{upstream_port}",
        GUNICORN_WORKERS="1",
    )
    gunicorn_log = root / "log" / "gunicorn.log"
    with gunicorn_log.open("wb") as log:
        web = subprocess.Popen(
            [find_program("gunicorn"), "--config", str(DEPLOY_DIR / "gunicorn.conf.py")],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    with (root / "log" / "nginx.out").open("wb") as log:
        proxy = subprocess.Popen(nginx_args, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(https_port, proxy, root / "log" / "error.log")
        wait_for_port(upstream_port, web, gunicorn_log)
        yield Stack(
            root=root,
            static=static,
            media=media,
            https_port=https_port,
            http_port=http_port,
            secret_key=secret_key,
            nginx_log=root / "log" / "chashan.access.log",
            gunicorn_log=gunicorn_log,
            nginx_test=checked,
        )
    finally:
        stop(proxy)
        stop(web)


@pytest.fixture
def signed_in(stack, settings):
    """Sign a user in with the gunicorn process's secret key; returns the Cookie header for nginx."""
    settings.SECRET_KEY = stack.secret_key
    settings.MEDIA_ROOT = stack.media

    def cookie_for(user) -> dict:
        client = Client()
        client.force_login(user)
        name = django_settings.SESSION_COOKIE_NAME
        return {"Cookie": f"{name}={client.cookies[name].value}"}

    return cookie_for


def test_nginx_accepts_the_site_config(stack):
    assert "syntax is ok" in stack.nginx_test.stderr
    assert "test is successful" in stack.nginx_test.stderr


def test_nginx_serves_a_static_file_itself_with_hsts(stack):
    probe = f"probe-{secrets.token_hex(4)}.css"
    (stack.static / probe).write_text("body { color: #123456; }")

    status, headers, body = stack.request("GET", f"/static/{probe}")

    assert status == 200
    assert body == b"body { color: #123456; }"
    assert headers["Content-Type"] == "text/css"
    assert headers["Cache-Control"] == "max-age=2592000"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_users_photo_arrives_through_x_accel_redirect(stack, signed_in, safety_officer, village_office):
    finding = record_findings(officer=safety_officer, site=make_site(village_office.village), before_photos=1)[0]
    photo = finding.photos.get()
    stored = (stack.media / photo.image.name).read_bytes()

    status, headers, body = stack.request(
        "GET", reverse("inspections:photo", args=[photo.pk, "full"]), headers=signed_in(village_office)
    )

    assert status == 200, body[:500]
    assert body == stored
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"] == f'inline; filename="{finding.number}-{photo.pk}.jpg"'
    assert headers["Cache-Control"] == "private, max-age=3600"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    assert "X-Accel-Redirect" not in headers
    # nginx, not Django, sent the bytes: gunicorn answered with an empty body ("200 0") …
    path = reverse("inspections:photo", args=[photo.pk, "full"])
    line = wait_for_line(stack.gunicorn_log, path)
    assert re.search(rf'"GET {re.escape(path)} HTTP/1\.[01]" 200 0 ', line), line
    # … and both logs carry the same request id
    request_id = re.search(r"request_id=([0-9a-f]{32})", line).group(1)
    assert request_id in wait_for_line(stack.nginx_log, path)


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_not_to_a_photo(stack):
    status, headers, _ = stack.request("GET", reverse("inspections:photo", args=[1, "full"]))

    assert status == 302
    assert reverse("login") in headers["Location"]
    assert "X-Accel-Redirect" not in headers
    # Django's own HSTS header is hidden behind nginx's: one, not two
    assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]


def test_uploads_are_not_reachable_by_their_path(stack):
    name = f"photos/2026/01/{secrets.token_hex(16)}.jpg"
    (stack.media / name).parent.mkdir(parents=True, exist_ok=True)
    (stack.media / name).write_bytes(b"\xff\xd8 a stored photo")

    for path in (f"/media/{name}", f"{ACCEL_PREFIX}{name}"):
        status, _, body = stack.request("GET", path)
        assert status == 404, path
        assert b"a stored photo" not in body


def test_a_body_over_the_upload_limit_gets_413_before_it_reaches_the_portal(stack):
    # nginx refuses what the portal's own cap (MAX_REQUEST_BODY_MB) would, which holds a full upload
    limit = django_settings.MAX_REQUEST_BODY_BYTES
    assert limit >= MAX_PHOTOS_PER_UPLOAD * MAX_BYTES
    assert f"client_max_body_size {limit // 2**20}m;" in SITE_CONF.read_text()

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", stack.https_port, context=context, timeout=30)
    try:
        # nginx refuses on the announced length, without waiting for the body
        conn.putrequest("POST", "/inspections/new/", skip_host=True)
        conn.putheader("Host", HOST)
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(limit + 1))
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 413
        response.read()
    finally:
        conn.close()
    assert "/inspections/new/" not in stack.gunicorn_log.read_text()

    # a body under the limit goes through to the portal: past CSRF (a token of the test's own), to the sign-in
    token = secrets.token_hex(16)
    status, headers, _ = stack.request(
        "POST",
        "/inspections/new/",
        body=b"x" * 1024,
        headers={
            "Content-Type": "text/plain",
            "Cookie": f"{django_settings.CSRF_COOKIE_NAME}={token}",
            "X-CSRFToken": token,
            "Origin": f"https://{HOST}",
        },
    )
    assert status == 302
    assert reverse("login") in headers["Location"]
    assert '"POST /inspections/new/ HTTP/1.1" 302 ' in wait_for_line(stack.gunicorn_log, "/inspections/new/")


def test_plain_http_is_sent_to_https(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    try:
        conn.request("GET", "/findings/?village=1", headers={"Host": HOST})
        response = conn.getresponse()
        assert response.status == 301
        assert response.headers["Location"] == f"https://{HOST}/findings/?village=1"
    finally:
        conn.close()


def wait_for_line(log: Path, needle: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while True:
        for line in log.read_text(errors="replace").splitlines():
            if needle in line:
                return line
        if time.monotonic() > deadline:
            pytest.fail(f"no line with {needle!r} in {log.name}:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)


# --- systemd and Compose ----------------------------------------------------------------------------


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    units = sorted((DEPLOY_DIR / "systemd").glob("chashan-*"))
    assert {unit.name for unit in units} >= {
        "chashan-web.service",
        "chashan-worker.service",
        "chashan-beat.service",
        "chashan-backup.service",
        "chashan-backup.timer",
    }
    for unit in units:
        # the programs must exist for verify: those of this checkout's virtual environment stand in for /srv/chashan's
        text = (
            unit.read_text().replace("/srv/chashan/.venv/bin/", f"{VENV_BIN}/").replace("/srv/chashan", str(BASE_DIR))
        )
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *[str(tmp_path / unit.name) for unit in units]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_the_units_run_as_the_service_user_with_the_environment_file_and_a_read_only_system():
    for name in ("chashan-web.service", "chashan-worker.service", "chashan-beat.service"):
        text = (DEPLOY_DIR / "systemd" / name).read_text()
        for line in (
            "User=chashan",
            "EnvironmentFile=/etc/chashan/env",
            "Restart=always",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/chashan",
        ):
            assert f"\n{line}\n" in text, f"{name}: {line}"
    beat = (DEPLOY_DIR / "systemd" / "chashan-beat.service").read_text()
    worker = (DEPLOY_DIR / "systemd" / "chashan-worker.service").read_text()
    assert " beat " in beat
    assert " -B" not in worker and "--beat" not in worker  # production: beat runs once, in its own unit


def test_docker_compose_accepts_the_compose_file():
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed here")
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "DJANGO_SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY_DIR / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_compose_file_runs_the_tested_nginx_site_and_one_beat():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((DEPLOY_DIR / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "nginx"}
    assert "./nginx/chashan.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    # nginx's upstream is 127.0.0.1:8001: it shares the web container's network
    assert services["nginx"]["network_mode"] == "service:web"
    assert "exec gunicorn --config deploy/gunicorn.conf.py" in services["web"]["command"]
    commands = [
        " ".join(service.get("command", []))
        for service in services.values()
        if isinstance(service.get("command"), list)
    ]
    assert sum(" beat" in command for command in commands) == 1
    assert all(" -B" not in command for command in commands)
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["PROTECTED_MEDIA_ACCEL_PREFIX"] == "/protected-media/"
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
