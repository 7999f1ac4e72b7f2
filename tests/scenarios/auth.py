# Password auth: the right user/password (in the URL or as options) connects;
# a wrong password is refused with an 'error' event (MQTTError, CONNACK code
# and its text) and 'close', and (as mqtt.js) not tried again; with
# reconnectOnConnackError it is, backing off from reconnectPeriod to
# reconnectPeriodMax, no faster.
# env: MQTT_URL (no credentials), GOOD_URL (with them), USER, PASS, RUN_MS
import mqtt
from scenario import env, url, check, wait, idle, Events, connected, end

a = mqtt.connect(env("GOOD_URL"), clientId="s-auth-url")
ea = Events(a, "URL")
connected(a, ea)
end(a, ea)

b = mqtt.connect(url(), clientId="s-auth-opt", username=env("USER"), password=env("PASS"))
eb = Events(b, "OPT")
connected(b, eb)
end(b, eb)

c = mqtt.connect(url(), {"clientId": "s-auth-bad", "username": env("USER"), "password": "wrong",
                         "reconnectPeriod": 200})
ec = Events(c, "BAD")
wait(lambda: ec.count("close"), 5000, "close after a refused CONNECT")
idle(1000)
print("refused, then in 1000 ms: reconnect=%d" % ec.count("reconnect"))
check(ec.count("reconnect") == 0 and ec.count("offline") == 0, "a refused connection was retried")
check(mqtt.run(timeout_ms=500) is True, "a refused client is still driven")
check(ec.count("connect") == 0, "connected with a wrong password")
check(ec.errors, "no error event")
e = ec.errors[0]
check(isinstance(e, mqtt.MQTTError), "error %r is not an MQTTError" % (e,))
check(e.code in (4, 5), "error code %r, expected 4 or 5 (CONNACK refusal)" % (e.code,))
check("not authori" in str(e) or "bad user name or password" in str(e), "error text %r" % (str(e),))
print("refused: code=%d" % e.code)
print("refused: %s" % e)
end(c, ec)

# no retry storm: refused every time, it tries again after 200, 400, 400, ... ms (+-25%)
run = int(env("RUN_MS", "3000"))
d = mqtt.connect(url(), {"clientId": "s-auth-storm", "username": env("USER"), "password": "wrong",
                         "reconnectPeriod": 200, "reconnectPeriodMax": 400, "reconnectOnConnackError": True})
ed = Events(d, "STORM", quiet=("error", "close", "reconnect", "offline"))
idle(run)
print("in %d ms with reconnectPeriod 200..400: reconnect=%d error=%d connect=%d offline=%d" % (
    run, ed.count("reconnect"), len(ed.errors), ed.count("connect"), ed.count("offline")))
check(ed.count("offline") == 1, "offline once an outage")
check(ed.count("connect") == 0, "connected with a wrong password")
check(all(x.code in (4, 5) for x in ed.errors), "errors %r" % ([(x, x.code) for x in ed.errors],))
end(d, ed)
print("OK")
