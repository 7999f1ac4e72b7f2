# Password auth: the right user/password (in the URL or as options) connects;
# a wrong password is refused with an 'error' event (MQTTError, CONNACK code)
# and 'close'.
# env: MQTT_URL (no credentials), GOOD_URL (with them), USER, PASS
import mqtt
from scenario import env, url, check, wait, Events, connected, end

a = mqtt.connect(env("GOOD_URL"), clientId="s-auth-url")
ea = Events(a, "URL")
connected(a, ea)
end(a, ea)

b = mqtt.connect(url(), clientId="s-auth-opt", username=env("USER"), password=env("PASS"))
eb = Events(b, "OPT")
connected(b, eb)
end(b, eb)

c = mqtt.connect(url(), {"clientId": "s-auth-bad", "username": env("USER"), "password": "wrong",
                         "reconnectPeriod": 5000})
ec = Events(c, "BAD")
wait(lambda: ec.count("close"), 5000, "close after a refused CONNECT")
check(ec.count("connect") == 0, "connected with a wrong password")
check(ec.errors, "no error event")
e = ec.errors[0]
check(isinstance(e, mqtt.MQTTError), "error %r is not an MQTTError" % (e,))
check(e.code in (4, 5), "error code %r, expected 4 or 5 (CONNACK refusal)" % (e.code,))
print("refused: code=%d" % e.code)
end(c, ec)
print("OK")
