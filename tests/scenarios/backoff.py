# Reconnect back-off: against a port nobody listens on, attempts come after
# reconnectPeriod, doubling up to reconnectPeriodMax, each +-25% at random;
# two clients started together do not retry in step. env: DEAD_URL
import mqtt
from scenario import env, check, idle
from mqtt.compat import ticks_ms, ticks_diff

times = [[], []]
cs = []
for i in (0, 1):
    c = mqtt.connect(env("DEAD_URL"), {"clientId": "s-backoff-%d" % i, "reconnectPeriod": 100,
                                       "reconnectPeriodMax": 800})
    c.on("error", lambda e: None)
    c.on("reconnect", (lambda i: lambda: times[i].append(ticks_ms()))(i))
    cs.append(c)
t0 = ticks_ms()
idle(3500)
gaps = []
for i in (0, 1):
    ts = [t0] + times[i]
    gaps.append([ticks_diff(ts[k + 1], ts[k]) for k in range(len(ts) - 1)])
    print("client %d: %d attempts after %s ms" % (i, len(times[i]), gaps[i]))
for g in gaps:
    want = [100, 200, 400, 800, 800, 800]
    check(len(g) >= 5, "too few attempts: %r" % (g,))
    for k in range(min(len(g), len(want))):
        check(want[k] * 3 // 4 - 5 <= g[k] <= want[k] * 5 // 4 + 60, "gap %d of %r: expected %d +-25%%" % (k, g, want[k]))
check(gaps[0][:4] != gaps[1][:4], "two clients retried in step")
for c in cs:
    c.end(True)
idle(100)
print("OK")
