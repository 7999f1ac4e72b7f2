# Custom board for MicroPython's esp32 port: ESP32 (4 MiB flash) with the
# mqtt package frozen.
#   make -C $MICROPY_DIR/ports/esp32 BOARD_DIR=$PWD/boards/ESP32_GENERIC
# (or `make firmware BOARD=ESP32_GENERIC MICROPY_DIR=...` from this repo).
set(IDF_TARGET esp32)

set(SDKCONFIG_DEFAULTS
    boards/sdkconfig.base
    ${SDKCONFIG_IDF_VERSION_SPECIFIC}
    boards/sdkconfig.ble
    ${MICROPY_BOARD_DIR}/sdkconfig.board
)

set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
