# mqtts:// and ssl:// URLs and the TLS options, checked by connect() without
# connecting (manualConnect); plain clients don't load the TLS module.
import sys

from scenario import check, options_of as opts, refused as err


plain = opts("mqtt://127.0.0.1")
check(plain["port"] == 1883, "mqtt:// port %r" % plain["port"])
check("mqtt.tls" not in sys.modules, "a plain client loaded mqtt.tls")
print("plain: port 1883, no TLS module")

o = opts("mqtts://127.0.0.1")
check(o["protocol"] == "mqtts" and o["port"] == 8883, "mqtts:// %r" % o)
check(opts("ssl://broker.local")["port"] == 8883, "ssl:// default port")
check(opts("mqtts://127.0.0.1:1884")["port"] == 1884, "URL port")
check(opts("mqtts://127.0.0.1", port=9999)["port"] == 9999, "port option")
check(opts(None, protocol="mqtts", host="h")["port"] == 8883, "protocol option")
check(opts("tcp://127.0.0.1")["port"] == 1883, "tcp:// port")
print("ports: mqtts/ssl 8883 unless given")

for k in ("ca", "ca_len", "cert", "key", "servername", "rejectUnauthorized"):
    check(k not in o, "unset %s kept in options" % k)
ca = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
o = opts("mqtts://h", ca=ca + "\x00junk", ca_len=len(ca))
check(o["ca"] == ca and "ca_len" not in o, "ca_len slices ca: %r" % (o.get("ca"),))
check(opts("mqtts://h", ca=ca, ca_len=len(ca) + 1)["ca"] == ca, "ca_len counting a NUL")
check(opts("mqtts://h", ca=ca.encode(), ca_len=len(ca))["ca"] == ca.encode(), "bytes ca with ca_len")
check("ca" not in opts("mqtts://h", ca="", ca_len=0), "seed 002: ca '' and ca_len 0 are no ca")
o = opts("mqtts://h", servername="broker.example", rejectUnauthorized=False, cert=b"c", key=b"k")
check(o["servername"] == "broker.example" and o["rejectUnauthorized"] is False, "options %r" % o)
print("ca, ca_len, cert, key, servername, rejectUnauthorized kept")

err("ca_len too long", "mqtts://h", ca=ca, ca_len=len(ca) + 2)
err("ca_len without ca", "mqtts://h", ca_len=10)
err("ca_len negative", "mqtts://h", ca=ca, ca_len=-1)
err("ca_len not a number", "mqtts://h", ca=ca, ca_len="10")
err("ca not bytes", "mqtts://h", ca=123)
err("cert without key", "mqtts://h", cert=b"c")
err("key without cert", "mqtts://h", key=b"k")
err("servername not str", "mqtts://h", servername=1)
err("unknown protocol", "mqttx://h")
err("unknown option", "mqtts://h", cafile="x")
print("OK")
