# Custom board for MicroPython's esp32 port: ESP32-S3 (8 MiB flash, octal or
# quad SPIRAM used when present) with the mqtt package frozen.
#   make -C $MICROPY_DIR/ports/esp32 BOARD_DIR=$PWD/boards/ESP32_S3
set(IDF_TARGET esp32s3)

set(SDKCONFIG_DEFAULTS
    boards/sdkconfig.base
    ${SDKCONFIG_IDF_VERSION_SPECIFIC}
    boards/sdkconfig.usb
    boards/sdkconfig.ble
    boards/sdkconfig.spiram_sx
    ${MICROPY_BOARD_DIR}/sdkconfig.board
)

set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
