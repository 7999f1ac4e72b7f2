# Board folder for HaaS Python's CMake build (AliOS-Things
# components/py_engine/adapter/haas, MicroPython 1.17) with the mqtt package
# frozen. MICROPY_BOARD keeps the vendor's name: adapter/haas/CMakeLists.txt
# picks the chip's include folders by it.
#   cmake -DMICROPY_BOARD=HaaSEDUk1 -DMICROPY_BOARD_DIR=<this repo>/boards/HAAS_EDU_K1 ...
# The vendor's C module `mqtt` (PY_BUILD_MQTT) must stay out of this build:
# a built-in module is found before a frozen one of the same name.
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
