# Two commands: `make run` serves Atiende with demo data; `make test` passes the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install system-packages bench lint format messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/atiende migrate --verbosity 0
	$(BIN)/atiende demo --if-empty
	$(BIN)/atiende run

# Tests drive Debian's Chromium, check the catalogs with gettext and fetch the
# accessibility checker (axe-core) with npm: installed when missing (as root).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# The IMAP tests run a Dovecot of their own on a loopback port; where it cannot be
	@# installed they are reported as not run (the end of the pytest summary says so).
	@if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then \
	  echo "Installing Debian packages: dovecot-imapd"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null) \
	    || echo "dovecot-imapd could not be installed: the IMAP tests will not run."; \
	fi

# On SQLite the suite uses a database file, as a real installation does (concurrent
# writers are tested against it); DATABASE_URL=postgres://... switches to PostgreSQL.
test: install system-packages
	$(BIN)/ruff check .
	$(BIN)/atiende makemigrations --check --dry-run --verbosity 0
	mkdir -p var
	TEST_SQLITE_NAME=$${TEST_SQLITE_NAME:-$(CURDIR)/var/test.sqlite3} $(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the translation catalogs after changing user-visible strings (needs gettext).
messages: install
	cd atiende && ../$(BIN)/atiende makemessages -l es -l en --no-obsolete --no-location --ignore "static/*"
	cd atiende && ../$(BIN)/atiende compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
