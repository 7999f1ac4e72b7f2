# make test   tests on CPython and the MicroPython unix port, against mosquitto
# make run    examples/hello.py under MicroPython against a private mosquitto
#             (MQTT_TLS=1 make run: over TLS, mqtts:// with a fresh CA)
#             make run SCRIPT=my.py [ARGS=...]: your program the same way; CPYTHON=1: on CPython;
#             MQTT_URL=mqtt://host:1883 make run ...: against that broker, none started
# make cli ARGS="sub -t 'a/#' -v"   the command line client (python -m mqtt), the same way
# make size   code size report (tools/size.py)
# make bench  benchmarks (tools/bench.py; BENCH_ARGS="--quick", "--growth", ...)
#             MICROPY_DIR=~/micropython: umqtt.simple as its micropython-lib has it (else PyPI's 1.3.4)
# make bench-clients   the loop's cost per step with 10, 100, 1000 clients (tools/bench_clients.py)
# make venv   .venv from requirements.txt and requirements-dev.txt (redone when they change);
#             make run and make cli need requirements.txt only (the MicroPython unix port)
# make deps   Debian's mosquitto and openssl (TLS test certificates), when not installed
# make clean  remove .venv and caches
#
# Boards (boards/README.md):
# make boards                every board's frozen size against its budget (tools/boards.py); its tables
#                            written into README.md and boards/README.md
# make size BOARD=X          one board, module by module (without BOARD: make size as above)
# make stage BOARD=X         compile the board's set into build/X/lib
# make test-staged           the MicroPython half of the tests on build/UNIX/lib (.mpy, not .py)
# make typecheck             lib/ against MicroPython's stubs (tools/stubs/*.txt)
# make check-boards MICROPY_DIR=...       every board against a MicroPython checkout (skipped without one)
# make firmware BOARD=X MICROPY_DIR=...   check, then MicroPython's build with the package frozen -> firmware/X/
#                                         (BITS=32 with BOARD=UNIX: an i686 build -> firmware/UNIX32/, for make bench)
#                                         (UPSTREAM_BOARD=, BOARD_VARIANT=: another upstream board of the chip)
# make test-frozen                        the MicroPython half of the tests on firmware/UNIX/micropython
# make test-mcu MICROPY_DIR=...           the emulated Cortex-M board (QEMU_MPS2_AN385): its firmware, booted under
#                                         qemu with UART1 wired to a private mosquitto, runs tests/test_mcu.py
#                                         (and upstream's plain MPS2_AN385 with the staged set mounted by mpremote)
#                                         (skipped without MICROPY_DIR, arm-none-eabi-gcc or qemu-system-arm)
# make calibrate MICROPY_DIR=...          measure the frozen form's flash cost -> boards/calibration.json
# make flash BOARD=X PORT=/dev/ttyUSB0    esptool write-flash at the chip's offset
# make deploy BOARD=X PORT=/dev/ttyUSB0   mpremote: the compiled set to the board's /lib
# make mip BOARD=X [PORT=/dev/ttyUSB0]    that set as a mip package in build/X/mip (package.json + .mpy);
#                                         with PORT, mpremote mip installs it
# make heap                               the heap the README's Use example needs per route (.py, .mpy,
#                                         frozen) at 32 and 64 bits (tools/heap.py), written into README.md
# make repl PORT=/dev/ttyUSB0             mpremote REPL

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run.stamp
STAMP := $(VENV)/.dev.stamp
CLI := $(BIN)/mqtt
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
BENCH_ARGS ?=
SCRIPT ?= examples/hello.py
ARGS ?=
CPYTHON ?=
TIMEOUT ?= 3600
RUN_WITH = $(BIN)/python tests/broker.py --timeout $(TIMEOUT) $(if $(CPYTHON),--cpython)
BOARD ?=
PORT ?=
TYPINGS := $(VENV)/typings
STUB_SETS := $(patsubst tools/stubs/%.txt,%,$(wildcard tools/stubs/*.txt))
# $(call need,VAR,example): stop at once when VAR is empty
need = @if [ -z "$($(1))" ]; then echo "make $@: $(1) is not set, e.g. make $@ $(2)" >&2; exit 2; fi

.PHONY: all venv deps test run cli bench-clients size bench clean boards stage test-staged typecheck check-boards firmware \
	test-frozen test-mcu calibrate flash deploy repl mip heap

all: test

venv: $(STAMP) $(CLI)

$(RUN_STAMP): requirements.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

# .venv/bin/mqtt: the command line client on the venv's MicroPython unix port, with lib/ (this package)
# and .frozen (the port's own frozen modules: ssl, asyncio) on its path
$(CLI): $(RUN_STAMP)
	printf '#!/bin/sh\n# made by make venv: the command line client (lib/mqtt/cli.py) on the MicroPython unix port\nMICROPYPATH="%s/lib:.frozen" exec "%s/micropython" -m mqtt "$$@"\n' \
		"$(CURDIR)" "$(abspath $(BIN))" > $@
	chmod +x $@

$(STAMP): requirements-dev.txt $(RUN_STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

deps:
	@if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then \
		echo "mosquitto: found"; \
	else \
		echo "mosquitto: installing from Debian"; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto; \
	fi
	@if command -v openssl >/dev/null 2>&1; then \
		echo "openssl: found"; \
	else \
		echo "openssl: installing from Debian"; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl; \
	fi

test: venv deps
	$(BIN)/pytest -q $(PYTEST_ARGS) tests

run: $(RUN_STAMP) $(CLI) deps
	$(RUN_WITH) --run $(SCRIPT) -- $(ARGS)

cli: $(RUN_STAMP) $(CLI) deps
	$(RUN_WITH) --module mqtt -- $(ARGS)

size: venv
ifeq ($(strip $(BOARD)),)
	$(BIN)/python tools/size.py
else
	$(BIN)/python tools/boards.py size $(BOARD)
endif

boards: venv
	$(BIN)/python tools/boards.py all --write

stage: venv
	$(call need,BOARD,BOARD=UNIX)
	$(BIN)/python tools/boards.py stage $(BOARD)

test-staged: venv deps
	$(BIN)/python tools/boards.py stage UNIX
	MQTT_LIB=$(CURDIR)/build/UNIX/lib $(BIN)/pytest -q $(PYTEST_ARGS) tests -k micropython

$(TYPINGS)/%/.stamp: tools/stubs/%.txt $(STAMP)
	rm -rf $(TYPINGS)/$*
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps --target $(TYPINGS)/$* -r $<
	touch $@

typecheck: venv $(foreach s,$(STUB_SETS),$(TYPINGS)/$(s)/.stamp)
	$(BIN)/python tools/typecheck.py $(addprefix $(TYPINGS)/,$(STUB_SETS))

check-boards: venv
	$(BIN)/python tools/boards.py check $(BOARD)

# `+`: the nested make of MicroPython's build joins this make's jobserver (make -j2 firmware ...)
firmware: venv
	$(call need,BOARD,BOARD=UNIX MICROPY_DIR=~/micropython)
	+$(BIN)/python tools/boards.py firmware $(BOARD) $(if $(BITS),--bits $(BITS))

test-frozen: venv deps
	$(BIN)/python tools/boards.py frozen-check firmware/UNIX/micropython
	rm -rf build/empty-lib && mkdir -p build/empty-lib
	MICROPYTHON=$(CURDIR)/firmware/UNIX/micropython MQTT_LIB=$(CURDIR)/build/empty-lib \
		$(BIN)/pytest -q $(PYTEST_ARGS) tests -k micropython

MCU_TOOLS := arm-none-eabi-gcc qemu-system-arm
test-mcu: venv deps
	@if [ -z "$(MICROPY_DIR)" ]; then \
		echo "make test-mcu: skipped: MICROPY_DIR is not set (a MicroPython checkout with lib/micropython-lib)"; exit 0; fi; \
	for t in $(MCU_TOOLS); do if ! command -v $$t >/dev/null 2>&1; then \
		echo "make test-mcu: skipped: $$t is not on PATH (Debian: apt-get install gcc-arm-none-eabi" \
			"libnewlib-arm-none-eabi qemu-system-arm)"; exit 0; fi; done; \
	$(MAKE) --no-print-directory firmware BOARD=QEMU_MPS2_AN385 MICROPY_DIR=$(MICROPY_DIR) && \
	$(MAKE) --no-print-directory -C $(MICROPY_DIR)/ports/qemu BOARD=MPS2_AN385 \
		BUILD=$(CURDIR)/firmware/QEMU_MPS2_AN385/plain/build >&2 && \
	cp firmware/QEMU_MPS2_AN385/plain/build/firmware.elf firmware/QEMU_MPS2_AN385/plain/ && \
	$(MAKE) --no-print-directory stage BOARD=QEMU_MPS2_AN385 >&2 && \
	MICROPY_DIR=$(MICROPY_DIR) $(BIN)/pytest -q -rs $(PYTEST_ARGS) tests/test_mcu.py

calibrate: venv
	+$(BIN)/python tools/boards.py calibrate

flash:
	$(call need,BOARD,BOARD=ESP32_GENERIC PORT=/dev/ttyUSB0)
	$(call need,PORT,BOARD=$(BOARD) PORT=/dev/ttyUSB0)
	@$(MAKE) -s --no-print-directory venv
	$(BIN)/python tools/boards.py flash $(BOARD) $(PORT)

deploy:
	$(call need,BOARD,BOARD=ESP32_GENERIC PORT=/dev/ttyUSB0)
	$(call need,PORT,BOARD=$(BOARD) PORT=/dev/ttyUSB0)
	@$(MAKE) -s --no-print-directory venv
	$(BIN)/python tools/boards.py deploy $(BOARD) $(PORT)

mip:
	$(call need,BOARD,BOARD=ESP32_GENERIC [PORT=/dev/ttyUSB0])
	@$(MAKE) -s --no-print-directory venv
	$(BIN)/python tools/boards.py mip $(BOARD) $(PORT)

heap: venv deps
	$(BIN)/python tools/heap.py --write

repl:
	$(call need,PORT,PORT=/dev/ttyUSB0)
	@$(MAKE) -s --no-print-directory venv
	$(BIN)/python tools/boards.py repl $(PORT)

bench: venv deps
	$(BIN)/python tools/bench.py $(BENCH_ARGS)
	$(BIN)/python tools/heap.py

bench-clients: venv deps
	$(BIN)/python tools/bench_clients.py

clean:
	rm -rf $(VENV) .pytest_cache tests/.pytest_cache build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
