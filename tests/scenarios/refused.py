# Nothing listens at MQTT_URL: every attempt ends in 'error' and 'close', and
# the client retries every reconnectPeriod (200 ms, no back-off here:
# reconnectPeriodMax 200) on its own, no faster than that less its 25%
# jitter. end() stops the retries.
import mqtt
from scenario import env, url, check, idle, Events, end

ms = int(env("RUN_MS", "1500"))
period = 200
c = mqtt.connect(url(), clientId="s-refused", reconnectPeriod=period, reconnectPeriodMax=period, connectTimeout=2000)
ev = Events(c, "A", quiet=("reconnect", "close", "error"))
idle(ms)
n = ev.count("reconnect")
print("in %d ms: connect=%d error=%d close=%d reconnect=%d" % (
    ms, ev.count("connect"), ev.count("error"), ev.count("close"), n))
if ev.errors:
    print("first error %s: %s" % (type(ev.errors[0]).__name__, ev.errors[0]))
check(ev.count("connect") == 0, "connected to a closed port?")
check(not c.connected, "c.connected is True")
check(ev.count("error") >= 1, "no error event")
check(ev.count("close") >= 1, "no close event")
check(n >= 3, "only %d reconnect events in %d ms with reconnectPeriod %d" % (n, ms, period))
check(n <= ms // (period - period // 4) + 1, "%d reconnect events in %d ms: faster than reconnectPeriod %d"
      % (n, ms, period))
check(ev.count("close") >= n, "%d reconnects but %d closes" % (n, ev.count("close")))
end(c, ev)
n = ev.count("reconnect")
idle(3 * period)
check(ev.count("reconnect") == n, "reconnect after end")
check(mqtt.run(timeout_ms=1000) is True, "something left open after end")
print("stopped after end")
print("OK")
