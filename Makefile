# make test   tests on CPython and the MicroPython unix port, against mosquitto
# make run    examples/hello.py under MicroPython against a private mosquitto
# make size   code size report (tools/size.py)
# make bench  benchmarks (tools/bench.py)
# make venv   .venv from requirements.txt (redone only when that file changes)
# make deps   Debian's mosquitto, when it is not installed
# make clean  remove .venv and caches

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: all venv deps test run size bench clean

all: test

venv: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

deps:
	@if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then \
		echo "mosquitto: found"; \
	else \
		echo "mosquitto: installing from Debian"; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto; \
	fi

test: venv deps
	$(BIN)/pytest -q $(PYTEST_ARGS) tests

run: venv deps
	$(BIN)/python tests/broker.py --run examples/hello.py

size: venv
	$(BIN)/python tools/size.py

bench: venv deps
	$(BIN)/python tools/bench.py

clean:
	rm -rf $(VENV) .pytest_cache tests/.pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
