# keepalive=1 and idle for IDLE_MS: the client must ping (the test reads
# PINGREQs in the broker log) and stay connected.
import mqtt
from scenario import env, url, check, idle, Events, connected, end

c = mqtt.connect(url(), clientId="s-keepalive", keepalive=1)
ev = Events(c, "A")
connected(c, ev)
ms = int(env("IDLE_MS", "3000"))
idle(ms)
print("idle %d ms: connected=%s close=%d reconnect=%d" % (ms, c.connected, ev.count("close"), ev.count("reconnect")))
check(c.connected, "disconnected while idle")
check(ev.count("close") == 0 and ev.count("offline") == 0, "close/offline while idle")
check(ev.count("reconnect") == 0 and ev.count("connect") == 1, "reconnected while idle")
check(ev.count("error") == 0, "error while idle")
end(c, ev)
print("OK")
