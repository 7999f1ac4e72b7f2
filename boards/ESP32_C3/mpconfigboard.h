// ESP32-C3 module with the mqtt package frozen (custom board, BOARD_DIR=).
#define MICROPY_HW_BOARD_NAME "ESP32-C3 module (mqtt)"
#define MICROPY_HW_MCU_NAME "ESP32C3"

#define MICROPY_HW_ENABLE_SDCARD (0)
#define MICROPY_PY_MACHINE_DAC (0)
#define MICROPY_PY_MACHINE_I2S (0)
