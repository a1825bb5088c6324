# Borgerdialog: `make run` serves the app with demo data on gunicorn (`make dev`: Flask's development server, which
# reloads on every change); `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
export PORT

.PHONY: run dev serve-prepare test test-quick bench bench-quick install install-test install-bench assets translations migrate demo lint pg-test chromium webkit nginx redis postgres kannel pdf-libs clean

# The production server, gunicorn, with its settings in gunicorn.conf.py (workers from the core count, the app
# preloaded); mail and SMS go to files.
run: serve-prepare
	MAIL_BACKEND=file SMS_BACKEND=file $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# Flask's development server: one process that restarts when the code changes.
dev: serve-prepare
	MAIL_BACKEND=file SMS_BACKEND=file $(FLASK) run --reload --host 127.0.0.1 --port $(PORT)

serve-prepare: install assets translations migrate demo
	@echo
	@echo "Borgerdialog kører på http://127.0.0.1:$(PORT)/  (Ctrl+C stopper)"
	@echo "Sundhedstjek: http://127.0.0.1:$(PORT)/healthz"
	@echo "E-mails sendes ikke, men gemmes i instance/mail (MAIL_FILE_PATH); læs dem på http://127.0.0.1:$(PORT)/personale/post"
	@echo "Sms'er sendes ikke, men gemmes i instance/sms (SMS_FILE_PATH); læs dem på http://127.0.0.1:$(PORT)/personale/sms"
	@$(FLASK) rounds list

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The stamp files re-install only when pyproject.toml or package-lock.json change.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate pdf-libs
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate pdf-libs
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test chromium webkit nginx redis postgres kannel

# The benchmarks need the test tools (Playwright, the server helpers) and the bench extra (DuckDB, Locust).
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/activate pdf-libs
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed

install-bench: $(VENV)/.installed-bench chromium redis postgres

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The build subsets the fonts with fontTools and compresses with WhiteNoise, both from the .venv (install).
assets: node_modules/.installed install
	PYTHON=$(BIN)/python npm run --silent build

translations: install
	$(FLASK) translate compile

migrate: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo load

# Pango for WeasyPrint, which makes the committee's report as PDF (Debian's packages; Chromium needs them too).
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "Installer Debians libpango-1.0-0 og libpangoft2-1.0-0 (sudo apt-get install …) til PDF-bilaget"; exit 1; fi; }

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser of its own).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Installer Debians chromium (sudo apt-get install chromium) for browsertestene"; exit 1; fi; }

# Debian's WebKitGTK WebDriver (WebKitWebDriver, which starts WebKit's MiniBrowser) and Xvfb for the survey walk in
# WebKit, Safari's engine (tests/webkit.py): WebKitGTK has no headless mode, so the test gives it a display of its own.
webkit:
	@test -x /usr/bin/WebKitWebDriver -a -x /usr/bin/Xvfb || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq webkit2gtk-driver xvfb >/dev/null; \
	  else echo "Installer Debians webkit2gtk-driver og xvfb (sudo apt-get install webkit2gtk-driver xvfb) for WebKit-testen"; exit 1; fi; }

# Debian's nginx for tests/https, which puts it in front of gunicorn to terminate TLS as in production. The test
# starts an nginx of its own (its own config, port and files); a system nginx that apt may start is not used.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx >/dev/null; \
	  else echo "Installer Debians nginx (sudo apt-get install nginx) for tests/https"; exit 1; fi; }

# Debian's Redis and PostgreSQL 15 for tests/deploy, which run two app servers sharing one database and one
# rate-limit store, as in production. The tests start and stop servers of their own on free ports on 127.0.0.1.
redis:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "Installer Debians redis-server (sudo apt-get install redis-server) for tests/deploy"; exit 1; fi; }

postgres:
	@test -x /usr/lib/postgresql/15/bin/initdb || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null; \
	  else echo "Installer Debians postgresql-15 (sudo apt-get install postgresql-15) for tests/deploy"; exit 1; fi; }

# Debian's Kannel SMS gateway (bearerbox, smsbox) and its fake SMSC (kannel-extras) for the SMS tests (tests/kannel.py),
# which start their own on free ports on 127.0.0.1 with a config of their own; a system kannel is not used.
kannel:
	@test -x /usr/sbin/bearerbox -a -x /usr/lib/kannel/test/fakesmsc || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq kannel kannel-extras >/dev/null; \
	  else echo "Installer Debians kannel og kannel-extras (sudo apt-get install kannel kannel-extras) for SMS-testene"; exit 1; fi; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check survey tests bench migrations/env.py
	$(BIN)/ruff format --check survey tests bench
	$(BIN)/lint-imports

test: install-test assets translations lint
	$(BIN)/pytest -q

# The suite without the tests that need Debian's Chromium, servers of their own (PostgreSQL, Redis, gunicorn, nginx),
# root (faults) or minutes (fuzz): their markers, tests/markers.py. Installs only Python's and npm's packages.
test-quick: $(VENV)/.installed-test assets translations lint
	$(BIN)/pytest -q -m "not browser and not deploy and not faults and not fuzz"

# Measurements, not tests: one table with a reference from the same run for each figure (bench/results/latest.md).
# The first run builds the benchmark databases under /tmp/bench-data (BENCH_DATA); later runs reuse them.
bench: install-bench assets translations
	$(BIN)/python -m bench.run

bench-quick: install-bench assets translations
	$(BIN)/python -m bench.run --quick

# The same suite against a real PostgreSQL 15 server that the script starts and stops.
pg-test: install-test assets translations
	bash .ci/with-postgres.sh $(BIN)/pytest -q

clean:
	rm -rf $(VENV) node_modules survey/static/dist instance .pytest_cache
