# This package added to upstream MicroPython's MPS2_AN385 board of the qemu
# port (an emulated Cortex-M3, for tests: not a product):
#   make -C $MICROPY_DIR/ports/qemu BOARD=MPS2_AN385 FROZEN_MANIFEST=$PWD/boards/QEMU_MPS2_AN385/manifest.py
# or `make firmware BOARD=QEMU_MPS2_AN385 MICROPY_DIR=...`, which checks the checkout first.
# The port has no socket: its link to a broker is a UART (make test-mcu wires
# UART1 to a private mosquitto), through the stream transport.
add_library("mqtt", "../packages", prepend=True)
require("unittest")  # (upstream's default FROZEN_MANIFEST freezes it too)

# This package: the minimal MQTT 3.1.1 set, then the optional modules the device tests use.
require("mqtt")
require("mqtt-stream")
require("mqtt-haas")
require("umqtt.simple")
