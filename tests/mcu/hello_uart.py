# What a user runs with `mpremote mount <the staged .mpy set> run hello_uart.py`
# on a board whose firmware does not have the package frozen (the non-frozen
# route): the package and cmsdk_uart from the mounted folder, the broker
# over the board's UART1. Prints where mqtt came from, and a round trip.
import mqtt
from cmsdk_uart import CmsdkUart

uart = CmsdkUart()
uart.drain()
got = []
c = mqtt.connect(stream=lambda: uart, clientId="mcu-hello", keepalive=30)
c.on("message", lambda t, m, p: got.append((t, bytes(m))))
c.on("connect", lambda ack: c.subscribe("mcu/hello", {"qos": 1}, lambda err, g: c.publish("mcu/hello", "hi", {"qos": 1})))
mqtt.run(until=lambda: got, timeout_ms=20000)
print("mqtt from %s" % mqtt.__file__)
print("hello over the UART: %r" % got)
c.end()
mqtt.run(timeout_ms=3000)
print("OK")
