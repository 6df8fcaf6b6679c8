# isek: two commands do all the set-up on a fresh Debian 12 machine (as root):
#   make demo   – installs what is missing, loads the Bochum demo, serves http://127.0.0.1:8000
#   make test   – installs what is missing, starts PostgreSQL/PostGIS on loopback, runs every
#                 test on SpatiaLite and on PostGIS (browser tests in Debian's Chromium)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEB_PACKAGES := libsqlite3-mod-spatialite gdal-bin libgdal-dev postgresql-15 postgresql-15-postgis-3 \
	chromium chromium-driver fonts-liberation poppler-utils gettext python3-venv python3-dev osmium-tool tilemaker nginx-light wrk \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 openssl systemd
PG_URL := postgis://postgres@127.0.0.1:54329/isek

help:
	@echo "make demo   – run the Bochum demo at http://127.0.0.1:$(PORT)"
	@echo "make test   – run all tests on SpatiaLite and PostGIS"
	@echo "make production SERVER_NAME=isek.example.de [TLS_CERT=… TLS_KEY=…] – the production stack (docs/deploy.md)"
	@echo "make lint   – ruff (make test runs it too)"
	@echo "make lock   – renew requirements.lock (pinned versions with hashes) from pyproject.toml"
	@echo "make messages – update and compile the translations"

system: var/.system-ok
var/.system-ok: Makefile
	@mkdir -p var
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	  case "$$missing" in *nginx-light*) started_nginx=yes;; esac; \
	  if [ -n "$$started_nginx" ] && command -v systemctl >/dev/null && systemctl is-active -q nginx 2>/dev/null; then \
	    echo "Stopping the system nginx that the package started (isek starts its own, on loopback, where needed)"; \
	    $$SUDO systemctl disable --now nginx; \
	  fi; \
	fi
	@touch $@

venv: $(VENV)/.installed
# Python packages come from requirements.lock (every version pinned, every file's hash checked), so a
# fresh machine installs exactly what CI tested; `make lock` renews it after pyproject.toml changes.
$(VENV)/.installed: pyproject.toml requirements.lock var/.system-ok
	test -x $(PY) || /usr/bin/python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

lock: var/.system-ok
	/usr/bin/python3 -m venv var/pip-tools
	var/pip-tools/bin/pip install -q pip-tools
	PIP_CONFIG_FILE=/dev/null var/pip-tools/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --extra test \
	  --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple -o requirements.lock pyproject.toml

static: src/isek/web/static/vendor/.installed
src/isek/web/static/vendor/.installed: package.json package-lock.json tools/vendor_static.py var/.system-ok
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) tools/vendor_static.py 2>/dev/null || /usr/bin/python3 tools/vendor_static.py
	@touch $@

setup: system venv static

demo: setup
	@# Real context layers: ../shared/data if present, else fetched and verified into var/data
	@# (the demo runs without them and says which are missing).
	-$(VENV)/bin/isek data fetch
	$(VENV)/bin/isek demo --port $(PORT)

test: setup
	tools/test.sh

# The production stack on this Debian machine (as root): PostgreSQL/PostGIS, gunicorn behind nginx,
# the worker and the daily housekeeping as systemd units. Without TLS_CERT/TLS_KEY a self-signed
# certificate is made (replace it, docs/deploy.md). PRODUCTION_ARGS passes more options
# (isek production install --help), e.g. PRODUCTION_ARGS=--demo.
SERVER_NAME ?=
production: setup
	@[ -n "$(SERVER_NAME)" ] || { echo "make production SERVER_NAME=isek.example.de (the public host name)"; exit 2; }
	$(VENV)/bin/isek production install --server-name "$(SERVER_NAME)" \
	  $(if $(TLS_CERT),--tls-cert "$(TLS_CERT)" --tls-key "$(TLS_KEY)",--self-signed) $(PRODUCTION_ARGS)

bench: setup
	$(PY) bench/kuf_bench.py
	$(PY) bench/analysis_bench.py
	$(PY) bench/analysis_growth.py
	$(PY) bench/report_bench.py
	$(PY) bench/tiles_bench.py
	$(PY) bench/public_read_bench.py
	$(PY) bench/participation_write_bench.py
	$(PY) bench/api_ogc_bench.py
	$(PY) bench/production_load_bench.py

lint: venv
	$(VENV)/bin/ruff check src tests bench tools

# The .po files are the source of the translations (edit them in Poedit or Weblate); this target
# only collects new strings and compiles. tests/config/test_translations.py fails on any
# untranslated or fuzzy English message.
messages: venv
	cd src/isek && ../../$(VENV)/bin/isek makemessages -l en --no-obsolete --no-wrap
	cd src/isek && ../../$(VENV)/bin/isek makemessages -d djangojs -e mjs -l en --no-obsolete --no-wrap --ignore 'web/static/vendor/*'
	cd src/isek && ../../$(VENV)/bin/isek compilemessages

.PHONY: help system venv static setup demo test production bench lint lock messages
