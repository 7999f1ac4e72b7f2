"""On an emulated bare-metal board: MicroPython's qemu port (boards/QEMU_MPS2_AN385,
a Cortex-M3 with no socket) with the package frozen, booted under
qemu-system-arm with its UART1 wired to a private mosquitto, scripts run
through upstream's tools/pyboard.py (make test-mcu builds the firmware first).
Skipped without the firmware, qemu-system-arm or MICROPY_DIR (pyboard.py).
Its timings mean nothing (an emulator); its heap figures do."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SCENARIOS, describe

FIRMWARE = os.environ.get("MCU_FIRMWARE") or os.path.join(ROOT, "firmware", "QEMU_MPS2_AN385", "firmware.elf")
TOP = os.environ.get("MICROPY_DIR")
PYBOARD = TOP and os.path.join(TOP, "tools", "pyboard.py")
QEMU = shutil.which("qemu-system-arm")
why = (not os.path.isfile(FIRMWARE) and "no %s (make test-mcu MICROPY_DIR=..., or make firmware BOARD=QEMU_MPS2_AN385)"
       % os.path.relpath(FIRMWARE, ROOT)
       or not QEMU and "qemu-system-arm is not on PATH (Debian: apt-get install qemu-system-arm)"
       or not (PYBOARD and os.path.isfile(PYBOARD)) and "MICROPY_DIR is not set: no tools/pyboard.py to drive the board")
pytestmark = pytest.mark.skipif(bool(why), reason=why or "")
MCU = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mcu")


def device(script, broker=None, prelude="", timeout=120):
    """Boot the firmware under qemu (UART0: the REPL on a pty; UART1: a TCP
    connection to broker, made again a second after the broker closes it)
    and run script there; (returncode, stdout, stderr)."""
    q = "%s -machine mps2-an385 -nographic -monitor null -semihosting -serial pty" % QEMU
    if broker:
        q += " -chardev socket,id=u1,host=127.0.0.1,port=%d,reconnect=1 -serial chardev:u1" % broker.port
    q += " -kernel " + FIRMWARE
    with open(script) as f:
        code = prelude + f.read()
    path = os.path.join(ROOT, "build", "mcu-" + os.path.basename(script))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(code)
    try:
        r = subprocess.run([sys.executable, PYBOARD, "--device", "execpty:" + q, path], cwd=ROOT,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail("the device run timed out after %d s\n%s" % (timeout, e.stdout), pytrace=False)
    return r.returncode, r.stdout, r.stderr


def ok(res, *lines):
    rc, out, err = res
    got = out.splitlines()
    assert rc == 0 and "OK" in got, describe(*res)
    for line in lines:
        assert line in got, "missing line %r\n%s" % (line, describe(*res))
    return got


def test_import_and_core_without_socket():
    # the port has no socket: import mqtt, the sans-IO core, a client made unconnected
    ok(device(os.path.join(SCENARIOS, "no_socket.py")), "no socket: import, core and client OK")


def test_client_over_the_uart(broker):
    got = ok(device(os.path.join(MCU, "uart_client.py"), broker),
             "connected over the UART", "round trips: QoS 0/1/2 x 10 in order", "idle 4500 ms: connected, pinged True",
             "silent link found within 1.5 x keepalive: keepalive timeout")
    heap = [x for x in got if x.startswith("heap: ")]
    print("\n".join(heap))  # (shown with -s: the device's own heap figures)
    m = re.search(r"import (\d+), connected (\d+), after 100 QoS 1 round trips (\d+)", heap[0])
    imp, conn, after = int(m.group(1)), int(m.group(2)), int(m.group(3))
    # the targets, on the device's own bare-metal heap (the script's own objects included)
    assert imp <= 4608, heap
    assert after <= 10240, heap
    log = broker.log()
    assert log.count("Received PINGREQ from mcu") >= 2, log[-3000:]
    assert "Received DISCONNECT from mcu" in log, log[-3000:]


@pytest.mark.parametrize("face", ["haas", "umqtt"])
def test_faces_over_the_uart(broker, face):
    ok(device(os.path.join(MCU, "uart_client.py"), broker, "FACE = %r\n" % face),
       {"haas": "haas over the UART: success, subscribe, publish, message",
        "umqtt": "umqtt over the UART: connect, subscribe, publish, wait_msg"}[face])
