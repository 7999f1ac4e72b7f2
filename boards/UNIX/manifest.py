# Frozen set of MicroPython's unix port as CI runs it (the standard variant's
# own manifest, then every module of this package a board can freeze).
# `make test-staged` compiles this package's part with mpy-cross -march=x64
# into build/UNIX/lib and runs the MicroPython half of the test suite on it.
add_library("mqtt", "../packages", prepend=True)
include("$(PORT_DIR)/variants/standard/manifest.py")

require("mqtt")
require("mqtt-trace")
require("mqtt-driver")
require("mqtt-aio")
require("mqtt-link")
require("mqtt-haas")
require("mqtt-tls")
require("mqtt-stream")
require("mqtt-ws")
require("mqtt-v5")
require("mqtt-store")
require("mqtt-script")
require("mqtt-cloud")
require("mqtt-cli")
require("mqtt-aio")
require("mqtt_as")
require("umqtt.simple")
require("umqtt.robust")
