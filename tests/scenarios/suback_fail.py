# The broker refuses subscriptions to secret/# (SUBACK return code 0x80).
# The subscribe callback gets an error naming the topic and granted qos 128;
# the accepted topic in the same SUBSCRIBE works; the client stays connected.
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end, ename

c = mqtt.connect(url(), clientId="s-subfail")
ev = Events(c, "A")
connected(c, ev)
r = subscribe(c, {"ok/t": 1, "secret/t": 1})
print("subscribe error %s: %s" % (ename(r.err), r.err))
print("granted %r" % (sorted((g["topic"], g["qos"]) for g in r.value or []),))
check(isinstance(r.err, mqtt.MQTTError), "subscribe error %r is not an MQTTError" % (r.err,))
check("secret/t" in str(r.err), "error message %r does not name secret/t" % str(r.err))
check("ok/t" not in str(r.err), "error message %r names the accepted ok/t" % str(r.err))
g = {}
for x in r.value or []:
    g[x["topic"]] = x["qos"]
check(g == {"ok/t": 1, "secret/t": 128}, "granted %r" % (r.value,))
r2 = subscribe(c, "secret/x", {"qos": 0})
check(r2.err is not None and "secret/x" in str(r2.err), "single refused subscribe: err %r" % (r2.err,))
check(r2.value == [{"topic": "secret/x", "qos": 128}], "granted %r" % (r2.value,))
c.publish("ok/t", b"fine", {"qos": 1})
wait(lambda: ev.messages, 5000, "a message on ok/t")
check(ev.payloads("ok/t") == [b"fine"], "messages %r" % (ev.messages,))
check(c.connected and ev.count("close") == 0, "connection lost after a refused subscription")
check(ev.count("error") == 0, "error event besides the callback")
end(c, ev)
print("OK")
