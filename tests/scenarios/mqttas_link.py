# ssid/wifi_pw: on a platform with network.WLAN and mqtt.link, the adapter
# hands the client a link (mqtt.link.WLAN(ssid, wifi_pw)); stand-ins for both
# here. The link going down ends the connection (the down event), going up
# reconnects at once (the up event). Without network.WLAN: no link.
import asyncio
import sys
from scenario import check
from mqttas_common import conf, within, until
import mqtt
import mqtt_as


class Mod:
    pass


class Link:  # mqtt.link.WLAN's interface as the client uses it: up(), watch(fn)
    made = []

    def __init__(self, ssid, pw):
        self.state = True
        self.fns = []
        Link.made.append(self)
        print("link made:", ssid, pw)

    def up(self):
        return self.state

    def watch(self, fn):
        self.fns.append(fn)

    def set(self, state):  # told from the client's loop (a timer), as the client asks
        self.state = state
        for f in self.fns:
            mqtt.setTimeout(lambda: f(state), 0)


ev = []


async def watch(c):
    while True:
        await c.up.wait()
        c.up.clear()
        ev.append("up")
        await c.down.wait()
        c.down.clear()
        ev.append("down")


async def main():
    c = mqtt_as.MQTTClient(conf(client_id="s-mqttas-nolink", ssid="net", wifi_pw="pw"))
    print("without network.WLAN: link made %d" % len(Link.made))
    net = Mod()
    net.WLAN = object
    lk = Mod()
    lk.WLAN = Link
    sys.modules["network"] = net
    sys.modules["mqtt.link"] = lk
    c = mqtt_as.MQTTClient(conf(client_id="s-mqttas-link", ssid="net", wifi_pw="pw", queue_len=1))
    await within(c.connect(), 5, "connect")
    asyncio.create_task(watch(c))
    await until(lambda: ev == ["up"], 5, "up")
    link = Link.made[0]
    print("watched:", len(link.fns))
    link.set(False)
    await until(lambda: ev == ["up", "down"], 5, "down after the link went down")
    print("link down: connected", c.isconnected())
    await asyncio.sleep(0.5)
    check(not c.isconnected(), "reconnected while the link is down")
    link.set(True)
    await until(lambda: ev == ["up", "down", "up"], 5, "up after the link came back")
    print("link up: connected", c.isconnected())
    await within(c.disconnect(), 5, "disconnect")


asyncio.run(main())
print("OK")
