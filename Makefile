# Two commands for a newcomer: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/current.tar.gz
TRAINING_DATA := data/nlu data/rules
# The chat widget's JavaScript (socket.io-client), pinned in web/package-lock.json.
WEB_DEPS := web/node_modules/.installed
TRAINING_INPUTS := config.yml domain.yml $(wildcard domain/*.yml) data/languages.yml bot/conversation/language_model.py bot/conversation/lemmas.py $(shell find data/nlu data/rules bot/plugins/components -type f -name "*.py" -o -type f -name "*.yml" 2>/dev/null)

# `make evaluate` (and so `make test`) fails when any language is below these.
EVAL_MIN_ACCURACY ?= 0.95
EVAL_MIN_F1 ?= 0.93

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install run shell train validate test unit e2e stories evaluate evaluate-fresh content-check programme-check compare-tokenizers clean \
	lint checks servers organisers evaluate-conversations \
	browser console console-publish channels reliability faq-check faq-import faq-export faq-status publish report-unanswered report-usage faq-test \
	run-cluster cluster-test bench

help:
	@echo "make run       install, train if needed, start the assistant (REST on :5005; 2 processes on 2+ CPUs, WORKERS=1 for one)"
	@echo "make test      every test: lint, validation, unit, conversations, evaluation, servers, cluster"
	@echo "make shell     chat in the terminal"
	@echo "make evaluate  held-out accuracy per language -> reports/, docs/evaluation.md"
	@echo "make evaluate-fresh  the same on a second, independent set (not a gate) -> reports/"
	@echo "make browser   the web chat in headless Chromium -> reports/screenshots/"
	@echo "make faq-check / faq-import / faq-status / publish / report-unanswered / report-usage"
	@echo "               the organisers' FAQ workflow (docs/organisers.md); FAQ=path/to/sheet.xlsx"
	@echo "make run-cluster  Rasa replicas + action servers behind nginx, PostgreSQL + Redis (docs/deployment.md)"
	@echo "make bench     benchmark vs. a stock rasa init assistant -> reports/bench/, docs/performance.md"

$(BIN)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed (Rasa 3.6 does not run on 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==24.0"
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	touch $@

$(WEB_DEPS): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the web chat's socket.io client"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	touch $@

install: $(BIN)/.installed $(WEB_DEPS)

$(MODEL): $(BIN)/.installed $(TRAINING_INPUTS)
	$(BIN)/rasa train --data $(TRAINING_DATA) --domain domain --config config.yml \
		--out models --fixed-model-name current
	touch $@

train: $(MODEL)

validate: $(BIN)/.installed
	$(BIN)/rasa data validate --data $(TRAINING_DATA) --domain domain --config config.yml --fail-on-warnings
	$(BIN)/python -m bot content check
	$(BIN)/python -m bot programme check

content-check: $(BIN)/.installed
	$(BIN)/python -m bot content check

# The agenda's programme file (data/programme/programme.yml); docs/agenda.md.
programme-check: $(BIN)/.installed
	$(BIN)/python -m bot programme check

# Sanic worker processes of the Rasa server: by default 2 where there are 2 CPUs or more
# (bot/tools/serve.py default_workers; they share conversations, locks and rate limits
# through SQLite files under var/). WORKERS=1 for one.
# PORT, ACTIONS_PORT, VAR_DIR (conversations, locks, token, logs) and PUBLIC (host:port of
# the public gateway) for a second instance beside the first (the tests use them).
WORKERS ?=
PORT ?= 5005
ACTIONS_PORT ?= 5055
VAR_DIR ?= var
PUBLIC ?=
run: $(MODEL) $(WEB_DEPS)
	$(BIN)/python -m bot serve --model $(MODEL) --port $(PORT) --actions-port $(ACTIONS_PORT) --var-dir $(VAR_DIR) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(PUBLIC),--public $(PUBLIC))

shell: $(MODEL)
	$(BIN)/python -m bot serve --model $(MODEL) --shell

lint: $(BIN)/.installed
	$(BIN)/ruff check bot actions
	$(BIN)/ruff format --check bot actions
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/python -m pytest tests/unit -q

# The suites that talk to a running assistant share one `make run` per pytest session
# (tests/conftest.py), so `make servers` starts it once for all of them; each suite also
# runs on its own (make e2e, channels, browser, reliability, organisers).
SERVER_SUITES := tests/e2e tests/channels tests/browser tests/reliability tests/organisers tests/admin
servers: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest $(SERVER_SUITES) -q --durations=15

e2e: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/e2e -q

# Telegram, WhatsApp (Twilio), Messenger and Slack webhooks against local fakes of their APIs.
channels: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/channels -q

# The web page's chat in Debian's Chromium (apt-get install chromium).
browser: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/browser -q

# Bad input, failing parts, access, personal data (docs/reliability.md).
reliability: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/reliability -q

# The organisers' web console (/admin/) in Chromium against make run (docs/organisers.md).
console: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/admin -q

# Publishing from the console (a new entry, Publish, both workers answer it): it trains a
# one-language model, so it is not in `make test` (docs/organisers.md, Measurements).
console-publish: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/admin_publish -q -s

# The organisers' commands against running assistants (faq import, publish, reports).
organisers: $(MODEL) $(WEB_DEPS)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/organisers -q

# HANDOFF_SLACK_CHANNEL: the hand-off to a person is offered only when the organisers'
# channel is set (docs/handoff.md); the conversation tests include it (no Slack is called).
stories: $(MODEL)
	HANDOFF_SLACK_CHANNEL=C0STORIES $(BIN)/rasa test core --stories tests/stories --model $(MODEL) \
		--out reports/stories --fail-on-prediction-errors --no-plot

# Held-out accuracy per language; fails below the floors. The table in docs/evaluation.md
# has no date, so the same model leaves the file unchanged.
evaluate: $(MODEL)
	$(BIN)/rasa test nlu --nlu tests/nlu --model $(MODEL) --out reports/nlu --successes --no-plot
	$(BIN)/python -m bot evaluate --results reports/nlu --tests tests/nlu \
		--json reports/evaluation.json --markdown docs/evaluation.md --config config.yml \
		--min-accuracy $(EVAL_MIN_ACCURACY) --min-f1 $(EVAL_MIN_F1)

# The blind conversation sets (tests/blind): first messages' reply language, new
# questions (a fifth multi-part), follow-up chains; the model with the real action server.
evaluate-conversations: $(MODEL)
	$(BIN)/python -m bot conversations --model $(MODEL) --markdown docs/evaluation.md --json reports/conversations.json

# A second, independent held-out set (docs/evaluation.md): measured, not a gate.
evaluate-fresh: $(MODEL)
	$(BIN)/rasa test nlu --nlu tests/nlu_fresh --model $(MODEL) --out reports/nlu_fresh --successes --no-plot
	$(BIN)/python -m bot evaluate --results reports/nlu_fresh --tests tests/nlu_fresh \
		--json reports/evaluation_fresh.json --markdown reports/evaluation_fresh.md --config config.yml \
		--min-accuracy 0 --min-f1 0

# Everything, in the order that takes least time on two CPUs: the checks that need no
# model run beside the training (the classifier trains on one CPU), then the model's own
# tests, then the suites with servers. Each stage fails the whole.
test: $(BIN)/.installed $(WEB_DEPS)
	@echo "== $$(date +%T) checks beside the training"
	$(MAKE) --no-print-directory -j2 checks train
	@echo "== $$(date +%T) the model's conversation tests and accuracy gate"
	$(MAKE) --no-print-directory -j2 stories evaluate
	@echo "== $$(date +%T) the suites against make run"
	$(MAKE) --no-print-directory servers
	@echo "== $$(date +%T) the cluster"
	$(MAKE) --no-print-directory cluster-test
	@echo "== $$(date +%T) done"

checks: $(BIN)/.installed
	$(MAKE) --no-print-directory lint validate unit

# Production shape on one machine: REPLICAS Rasa servers, ACTION_SERVERS action servers,
# nginx in front, conversations in PostgreSQL, locks in Redis (deploy/, docs/deployment.md).
# A process that dies is restarted; only Ctrl+C stops the whole. CLUSTER_ARGS: other
# options of `python -m bot cluster` (ports, --run-dir), e.g. for a second cluster (tests).
REPLICAS ?= 2
ACTION_SERVERS ?= 1
CLUSTER_ARGS ?=
run-cluster: $(MODEL)
	$(BIN)/python -m bot cluster --model $(MODEL) --replicas $(REPLICAS) --action-servers $(ACTION_SERVERS) $(CLUSTER_ARGS)

# Needs nginx (apt-get install nginx-light), PostgreSQL and Redis on localhost.
cluster-test: $(MODEL)
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/cluster -q

# A benchmark, not a test: about 15 minutes (docs/performance.md).
bench: $(MODEL)
	$(BIN)/python -m bench --model $(MODEL)

clean:
	rm -rf models reports var/tracker.db

# Trains a second model with WhitespaceTokenizer and evaluates both tokenizers on the
# held-out sets (about 10 minutes). Numbers go to reports/compare/ and docs/evaluation.md.
compare-tokenizers: $(MODEL)
	$(BIN)/rasa train --data $(TRAINING_DATA) --domain domain --config config_whitespace.yml \
		--out models --fixed-model-name whitespace
	$(BIN)/rasa test nlu --nlu tests/nlu --model models/whitespace.tar.gz --out reports/compare/whitespace --successes --no-plot
	$(BIN)/rasa test nlu --nlu tests/nlu --model $(MODEL) --out reports/compare/spacy --successes --no-plot
	$(BIN)/python -m bot evaluate --results reports/compare/whitespace --json reports/compare/whitespace.json --markdown reports/compare/whitespace.md --min-accuracy 0 --min-f1 0
	$(BIN)/python -m bot evaluate --results reports/compare/spacy --json reports/compare/spacy.json --markdown reports/compare/spacy.md --min-accuracy 0 --min-f1 0

# The organisers' FAQ (docs/organisers.md). FAQ=other.xlsx to use another spreadsheet.
.PHONY: faq-check faq-import faq-export faq-status publish report-unanswered report-usage faq-test
FAQ ?= data/faq/faq.csv

faq-check: $(BIN)/.installed
	$(BIN)/python -m bot faq check $(FAQ)

faq-import: $(BIN)/.installed
	$(BIN)/python -m bot faq import $(FAQ)

faq-export: $(BIN)/.installed
	$(BIN)/python -m bot faq export $(FAQ)

faq-status: $(BIN)/.installed
	$(BIN)/python -m bot faq status

# Validate, train, regression tests + accuracy gate, then install the model; every worker
# of the running assistant loads it, and publish waits until each one has (CLUSTER=1 for
# make run-cluster).
publish: $(BIN)/.installed
	$(BIN)/python -m bot publish $(if $(CLUSTER),--cluster) --min-accuracy $(EVAL_MIN_ACCURACY) --min-f1 $(EVAL_MIN_F1)

report-unanswered: $(BIN)/.installed
	$(BIN)/python -m bot report unanswered

report-usage: $(BIN)/.installed
	$(BIN)/python -m bot report usage

# The FAQ's own tests (they also run in `make unit` and `make organisers`); the
# end-to-end part trains a two-language model through `python -m bot publish`.
faq-test: $(MODEL) $(WEB_DEPS)
	$(BIN)/python -m pytest tests/unit/test_faq_check.py tests/unit/test_faq_project.py \
		tests/unit/test_faq_publish.py tests/unit/test_faq_reports.py -q
	BOT_MODEL=$(MODEL) $(BIN)/python -m pytest tests/organisers -q
