# make run   — build, start MariaDB, the service and nginx on 127.0.0.1:$(PORT) under var/
# make stop  — stop everything `make run` started
# make test  — unit and integration tests against a throwaway stack
# make bench — bench/run (see its docstring); options through BENCH_ARGS, e.g.
#              make bench BENCH_ARGS="--quick --large"; BENCH_NO_BUILD=1 uses the existing release build
SHELL := /bin/bash
PORT ?= 8080
VAR := var

.PHONY: run stop test build deps bench

run: deps build
	@scripts/stack up $(VAR) $(PORT)
	@source $(VAR)/run.env && printf '\nOpen %s/login/ and log in as %s (or mobile %s) with password %s\n' "$$URL" "$$DEMO_USER" "$$DEMO_MOBILE" "$$DEMO_PASSWORD" \
	  && printf 'MariaDB: socket %s, database %s (root may connect through the socket without a password)\n' "$$DB_SOCKET" "$$DB_NAME" \
	  && printf 'Redis (for shops with sessions in Redis): socket %s, password in %s/redis_password\n' "$$REDIS_SOCKET" "$(VAR)" \
	  && printf 'Mail goes to %s; logs in %s/log; settings in %s/run.env\n' "$$MAIL_DESTINATION" "$(VAR)" "$(VAR)" \
	  && printf 'Metrics: %s/meiduo-email/metrics, health: %s/meiduo-email/health\n' "$$URL" "$$URL"

stop:
	@scripts/stack down $(VAR)

test:
	@scripts/test

build:
	swift build -c release

deps:
	@scripts/deps

bench: deps
	bench/run $(BENCH_ARGS)
