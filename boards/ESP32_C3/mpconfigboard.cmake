# Custom board for MicroPython's esp32 port: ESP32-C3 (RISC-V, 4 MiB flash,
# REPL on the built-in USB serial/JTAG) with the mqtt package frozen.
#   make -C $MICROPY_DIR/ports/esp32 BOARD_DIR=$PWD/boards/ESP32_C3
set(IDF_TARGET esp32c3)

set(SDKCONFIG_DEFAULTS
    boards/sdkconfig.base
    ${SDKCONFIG_IDF_VERSION_SPECIFIC}
    boards/sdkconfig.ble
    boards/sdkconfig.c3usb
    ${MICROPY_BOARD_DIR}/sdkconfig.board
)

set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
