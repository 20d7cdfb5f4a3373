# Chashan Town Work Safety Portal (茶山镇安全生产监管平台)
#
#   make run    set up .venv, migrate, load the demo, start web + Celery worker + beat
#   make test   ruff, then the whole test suite
#   make lint   ruff only
#   make messages  extract and compile translations (needs GNU gettext)
#   make bench  the ledger against Django's admin on a million findings (needs PostgreSQL; see README)
#   make audit  bandit over the code, pip-audit of requirements.txt (needs PyPI's vulnerability data)
#   make clean  remove caches and run-time files (keeps .venv and the database)
#
# Override on the command line, e.g. `make run PYTHON=/opt/python3.11/bin/python3.11 PORT=8001`
# or `make test PYTEST_ARGS="-n 2 tests/chashan_safety"`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3.11
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
CELERY_CONCURRENCY ?= 2
PYTEST_ARGS ?=

BIN := $(VENV)/bin
VPY := $(BIN)/python
# touched after a successful install; newer requirements files trigger the next install
STAMP := $(VENV)/.requirements-installed
# run-time files live where settings.py puts them: CHASHAN_VAR_DIR, by default var/
VAR_DIR := $(or $(CHASHAN_VAR_DIR),var)
CELERY_LOG := $(VAR_DIR)/celery.log
DEMO_PASSWORD := demo-chashan-2026

.PHONY: run install test lint messages bench audit clean distclean

# --- the virtual environment ---------------------------------------------------------------------

$(VPY):
	@command -v "$(PYTHON)" >/dev/null 2>&1 || { \
	  echo "error: $(PYTHON) was not found. The portal needs Python 3.11:" >&2; \
	  echo "  install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv)," >&2; \
	  echo "  or name it: make $(or $(MAKECMDGOALS),run) PYTHON=/path/to/python3.11" >&2; \
	  exit 1; }
	@"$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "error: $(PYTHON) is Python $$("$(PYTHON)" -c 'import platform; print(platform.python_version())'); the portal needs 3.11." >&2; \
	  echo "  name a Python 3.11: make $(or $(MAKECMDGOALS),run) PYTHON=/path/to/python3.11" >&2; \
	  exit 1; }
	@echo "Creating $(VENV) with $(PYTHON)"
	@"$(PYTHON)" -m venv "$(VENV)" || { \
	  rm -rf "$(VENV)"; \
	  echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3.11-venv." >&2; \
	  exit 1; }

$(STAMP): requirements.txt requirements-dev.txt | $(VPY)
	@"$(VPY)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "error: $(VENV) was made with another Python than 3.11; remove it (rm -rf $(VENV)) and run make again." >&2; \
	  exit 1; }
	@echo "Installing requirements-dev.txt into $(VENV) (the first time takes a few minutes)"
	"$(VPY)" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch "$@"

install: $(STAMP)

# --- make run: the portal with its demo data on http://$(HOST):$(PORT) --------------------------

run: $(STAMP)
	"$(VPY)" manage.py migrate --noinput
	"$(VPY)" manage.py load_demo
	@mkdir -p "$(dir $(CELERY_LOG))"
	@echo
	@echo "  茶山镇安全生产监管平台 · Chashan Town Work Safety Portal"
	@echo
	@echo "  Open http://$(HOST):$(PORT)"
	@echo
	@echo "  Demo logins (password for all: $(DEMO_PASSWORD)):"
	@echo "    admin      town_admin       镇管理员（应急管理分局、安委办）"
	@echo "    officer    safety_officer   专职安全员"
	@echo "    village    village_office   村（社区）安全办"
	@echo "    village2   village_office   村（社区）安全办，另一个村"
	@echo "    unit       unit_office      单位（部门/企业）"
	@echo "    leader     leadership       镇领导（只读）"
	@echo
	@echo "  admin and leader also give a two-factor code after the password; print it with"
	@echo "    $(VPY) manage.py totp_code admin     (or: totp_code leader)"
	@echo
	@echo "  Celery worker + beat log: $(CELERY_LOG). Ctrl-C stops the web server and the worker."
	@echo
	@worker=""; \
	stop_worker() { \
	  if [ -n "$$worker" ] && kill -0 "$$worker" 2>/dev/null; then \
	    echo "Stopping the Celery worker ($$worker)"; \
	    kill -TERM "$$worker" 2>/dev/null || true; \
	    wait "$$worker" 2>/dev/null || true; \
	  fi; \
	}; \
	trap stop_worker EXIT; \
	trap 'exit 130' INT; \
	trap 'exit 143' TERM; \
	"$(BIN)/celery" -A chashan_safety worker -B --concurrency $(CELERY_CONCURRENCY) --loglevel INFO \
	  >>"$(CELERY_LOG)" 2>&1 & \
	worker=$$!; \
	"$(VPY)" manage.py runserver "$(HOST):$(PORT)"

# --- checks ---------------------------------------------------------------------------------------

test: $(STAMP)
	"$(BIN)/ruff" check .
	"$(VPY)" -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	"$(BIN)/ruff" check .

# after changing strings marked for translation: extract them, translate the new entries in
# locale/zh_Hans/LC_MESSAGES/django.po, then run `make messages` again to compile (needs GNU gettext)
messages: $(STAMP)
	"$(VPY)" manage.py makemessages -l zh_Hans -l en --no-obsolete \
	  --ignore=$(VENV) --ignore=static --ignore=var --ignore=tests --ignore=bench
	"$(VPY)" manage.py compilemessages --ignore=$(VENV)

# --- make bench: the findings ledger against Django's admin on 1,000,000 findings ---------------
# Loads the data once into its own database (a few minutes; reused afterwards), then prints the figures.

BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/chashan_bench
BENCH_ARGS ?=

bench: $(STAMP)
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" "$(VPY)" -m bench.generate
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" "$(VPY)" -m bench.ledger $(BENCH_ARGS)
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" "$(VPY)" -m bench.dashboard
	"$(VPY)" -m bench.reminders

# --- make load: 40 people for 5 minutes against gunicorn on the million findings (bench/load.py) ---------
# Needs PostgreSQL (the database of make bench; a copy is made for the run and dropped after it) and a free
# port on 127.0.0.1; prints p50/p95/p99 and requests a second per endpoint, exits 1 on any failed request.
# A short smoke run: make load LOAD_ARGS="--users 10 --run-time 20s"

LOAD_ARGS ?=

.PHONY: load
load: $(STAMP)
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" "$(VPY)" -m bench.load $(LOAD_ARGS)

# --- make audit: the supply chain -------------------------------------------------------------------
# bandit over the portal's code (its configuration and the reason for each exception: pyproject.toml and
# the `# nosec` comments), then pip-audit of requirements.txt against PyPI's vulnerability data, --strict:
# a dependency it cannot look up fails the audit instead of being skipped in silence. When that data does
# not answer at all, the audit fails and says so; AUDIT_OFFLINE_OK=1 turns that one case into a loud
# warning and leaves the dependencies unchecked (README, Supply chain).

AUDIT_OFFLINE_OK ?= 0
# pip-audit asks PyPI's JSON API for each pinned release; this one must answer for the audit to mean anything
AUDIT_PROBE_URL := https://pypi.org/pypi/django/$(shell sed -n 's/^Django==//p' requirements.txt)/json

audit: $(STAMP)
	@echo "==> bandit (configuration: pyproject.toml [tool.bandit])"
	@# bandit warns about a `# nosec` on each extra visit of a multi-line string it already reported once
	"$(BIN)/bandit" -c pyproject.toml -r . 2> >(grep -v "nosec encountered" >&2)
	@echo "==> pip-audit -r requirements.txt"
	@if "$(VPY)" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30)' \
	    "$(AUDIT_PROBE_URL)" 2>/dev/null; then \
	  "$(BIN)/pip-audit" --strict --progress-spinner off --desc on -r requirements.txt; \
	elif [ "$(AUDIT_OFFLINE_OK)" = 1 ]; then \
	  echo "!! WARNING: pip-audit NOT RUN. PyPI's vulnerability data does not answer from this machine" >&2; \
	  echo "!! ($(AUDIT_PROBE_URL)): the dependencies were NOT checked for known vulnerabilities." >&2; \
	else \
	  echo "error: PyPI's vulnerability data does not answer ($(AUDIT_PROBE_URL))," >&2; \
	  echo "  so pip-audit cannot check the dependencies. Run make audit where PyPI's JSON API is reachable" >&2; \
	  echo "  (or make audit AUDIT_OFFLINE_OK=1 to run bandit alone, with a warning)." >&2; \
	  exit 1; \
	fi

# --- housekeeping ---------------------------------------------------------------------------------

# keeps .venv and the SQLite database with the demo data
clean:
	find . -path ./.git -prune -o -path "./$(VENV)" -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache test-artifacts staticfiles \
	  var/staticfiles var/celery var/celerybeat-schedule* "$(CELERY_LOG)"

# back to a fresh clone: also removes .venv and everything under var/ (the demo database too)
distclean: clean
	rm -rf "$(VENV)" var
