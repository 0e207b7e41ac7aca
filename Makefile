# Keito's front door. `make run` to try it, `make test` for the whole suite.
.PHONY: setup run serve demo test lint fmt migration bench docs

setup:  ## create .venv with server, SDK, CLI and dev tools; npm ci for the Node SDK
	./scripts/setup.sh

run: setup  ## set up, create the demo workspace (SQLite) and serve on http://localhost:8000
	.venv/bin/keito-server demo
	.venv/bin/keito-server serve

serve:  ## serve without touching the demo data
	.venv/bin/keito-server serve

demo:  ## (re)create the demo workspace and print fresh keys
	.venv/bin/keito-server demo

test:  ## everything CI runs: lint, types, layering, Python tests on SQLite and PostgreSQL, Node SDK tests
	./scripts/test.sh

lint:  ## ruff, format check, mypy, import-linter
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports

fmt:  ## format and auto-fix
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

migration:  ## a new migration for a change to db/models.py: make migration m="what changed"
	./scripts/new-migration.sh "$(m)"

bench:  ## run every benchmark in benchmarks/
	./benchmarks/run_all.sh
