"""gunicorn for the portal: `gunicorn --config deploy/gunicorn.conf.py chashan_safety.wsgi:application`.

Used by deploy/chashan-web.service and by the web service of deploy/compose.yaml. nginx stands in
front: it buffers request bodies (uploads) and slow responses, so plain synchronous workers are
enough and none waits on a phone's network. Each value can be changed from the environment
(the same file as the portal's, /etc/chashan/env):

    GUNICORN_BIND       127.0.0.1:8001
    GUNICORN_WORKERS    2 × cores + 1, at most 12
    GUNICORN_TIMEOUT    60 seconds: a request still running then is killed (the longest, an Excel
                        export of a year's findings, takes about 15 s; nginx waits 75 s)
    GUNICORN_LOG_LEVEL  info
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None
    if value < 1:
        raise SystemExit(f"{name}={value} must be at least 1.")
    return value


def _cores() -> int:
    # the cores this process may run on (a container or a CPU affinity may allow fewer than the machine has)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "chashan_safety.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# gunicorn's rule of thumb for synchronous workers; the cap keeps memory bounded on a big machine
# (a worker re-encoding a 40-megapixel photo peaks at a few hundred MB)
workers = _int("GUNICORN_WORKERS", min(2 * _cores() + 1, 12))
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
# nginx keeps connections to gunicorn open (upstream keepalive)
keepalive = 5
# a worker is replaced after this many requests (with jitter, not all at once): a slow leak never grows
max_requests = 2000
max_requests_jitter = 200
# the workers' heartbeat files (empty, one per worker) in memory: a busy disk must not make the master
# think a worker hangs
_SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, no data  # nosec B108
worker_tmp_dir = _SHARED_MEMORY if os.path.isdir(_SHARED_MEMORY) else None
proc_name = "chashan-web"

# Logs go to standard output and error (journald under systemd, `docker compose logs` in containers).
# The access log carries the X-Request-ID that nginx gives every request ($request_id, also in nginx's
# own log), the client's address as nginx saw it, and the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}i)s'

# nginx on the same machine is the only proxy whose X-Forwarded-* headers gunicorn trusts
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
