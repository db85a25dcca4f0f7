# portfoliobot: the README's commands. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat ask test lint eval bench tab-bench load soak kill replica-delivery fanout postgres clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

data/portfolio.db: | $(STAMP)
	$(BIN)/portfoliobot demo-db

## run: the bot on the embedded default (SQLite demo portfolio under data/), on 127.0.0.1:3978
run: $(STAMP) data/portfolio.db
	$(BIN)/portfoliobot serve

## chat: talk to the running bot from a terminal (start `make run` first)
chat: $(STAMP)
	$(BIN)/portfoliobot chat

ask: $(STAMP) data/portfolio.db
	$(BIN)/portfoliobot ask

## test: lint, type-check and the whole test suite (SQLite and PostgreSQL); the browser tests
## (tests/e2e/) run when Chromium and the Agents Playground are installed (`make browser-deps`)
test: $(STAMP) postgres lint
	scripts/pytest-or-fail $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot dialogs knowledge tests bench
	$(BIN)/mypy

## browser-deps: Debian's Chromium (apt-get, needs root) and the Agents Playground (npm ci)
browser-deps:
	scripts/browser-deps

## screenshots: drive the bot in the Agents Playground and write the README's pictures to docs/
screenshots: $(STAMP)
	$(BIN)/python -m tests.e2e.screenshots docs

## postgres: start the local PostgreSQL cluster if it is down (tests need 127.0.0.1:5432)
postgres:
	scripts/ensure-postgres

eval: $(STAMP)
	$(BIN)/portfoliobot eval

bench: $(STAMP)
	$(BIN)/python -m bench.knowledge_bench
	$(BIN)/python -m bench.bot_bench

## tab-bench: the tab's first view (`GET /tab`) over HTTP with 10,000 projects; fails over 300 ms p99
tab-bench: $(STAMP)
	$(BIN)/python -m bench.tab_bench

## load / soak / kill: issue 7's load, memory and SIGKILL runs (minutes each; figures in the README)
load: $(STAMP)
	$(BIN)/python -m bench.load_bench find

soak: $(STAMP)
	$(BIN)/python -m bench.load_bench soak --rate $(or $(RATE),150)

kill: $(STAMP) postgres
	$(BIN)/python -m bench.kill_bench --rounds 20 --database sqlite
	$(BIN)/python -m bench.kill_bench --rounds 20 --database postgres

## replica-delivery: issue 12's two replicas delivering 2,000 notifications, one killed (~9 min)
replica-delivery: $(STAMP) postgres
	$(BIN)/python -m bench.replica_delivery_bench --one 1000 --spread 1000 --conversations 100

## fanout: one change notified to 1,000 subscribed channels at Teams' 50 messages/s (≤ 22 s)
fanout: $(STAMP)
	$(BIN)/python -m bench.fanout_bench --channels 1000

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
