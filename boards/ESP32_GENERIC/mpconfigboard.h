// ESP32 module with the mqtt package frozen (custom board, BOARD_DIR=).
#define MICROPY_HW_BOARD_NAME "ESP32 module (mqtt)"
#define MICROPY_HW_MCU_NAME "ESP32"
