# Two commands: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

export FLASK_APP := wsgi:app

.PHONY: run test install migrate seed bench clean client-check contract-fuzz contract

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# face-recognition pins a source-built dlib; dlib-bin (a prebuilt wheel) provides it instead.
	$(BIN)/pip install --quiet --no-deps face-recognition==1.3.0
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed

run: seed
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-reload

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
