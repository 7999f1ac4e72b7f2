# This package added to upstream MicroPython's ESP32_GENERIC_C3 board (esp32 port, 1.22+):
#   make -C $MICROPY_DIR/ports/esp32 BOARD=ESP32_GENERIC_C3 FROZEN_MANIFEST=$PWD/boards/ESP32_C3/manifest.py
# or `make firmware BOARD=ESP32_C3 MICROPY_DIR=...`, which checks the checkout first.
# FROZEN_MANIFEST replaces only the frozen manifest: the board's cmake,
# sdkconfig and partition table stay upstream's.
#
# This package's manifests (boards/packages) are searched before
# micropython-lib, so the port manifest's require("umqtt.simple") and
# require("umqtt.robust") freeze this package's umqtt-compatible modules in
# place of micropython-lib's.
add_library("mqtt", "../packages", prepend=True)
include("$(PORT_DIR)/boards/manifest.py")

# This package: the minimal MQTT 3.1.1 set, then one line per optional module.
require("mqtt")
require("mqtt-trace")
require("mqtt-driver")
require("mqtt-haas")
require("mqtt-tls")
require("mqtt-v5")
require("mqtt-store")
require("mqtt-script")
require("umqtt.simple")
require("umqtt.robust")
