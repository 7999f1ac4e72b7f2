# ws:// and wss:// URLs and the WebSocket options (path, wsOptions), checked
# by connect() without connecting (manualConnect); other clients don't load
# the WebSocket module.
import sys

from scenario import check, options_of as opts, refused as err


o = opts("mqtt://127.0.0.1/some/path")
check(o["port"] == 1883 and "mqtt.ws" not in sys.modules, "mqtt:// with a path %r" % o)
o = opts("mqtts://127.0.0.1")
check("mqtt.ws" not in sys.modules, "an mqtts:// client loaded mqtt.ws")
print("mqtt:// and mqtts://: no WebSocket module (a URL's path is theirs to ignore)")

o = opts("ws://broker.local")
check(o["protocol"] == "ws" and o["port"] == 80 and o["path"] == "/mqtt", "ws:// %r" % o)
check("mqtt.ws" in sys.modules, "ws:// did not load mqtt.ws")
o = opts("wss://broker.local")
check(o["protocol"] == "wss" and o["port"] == 443 and o["path"] == "/mqtt", "wss:// %r" % o)
print("defaults: ws:// port 80, wss:// port 443, path /mqtt")
check(opts("ws://u:p@broker.local:8080/")["path"] == "/", "path /")
o = opts("wss://u:p@[::1]:8443/$iothub/websocket?iothub-no-client-cert=true")
check(o["host"] == "::1" and o["port"] == 8443 and o["username"] == "u" and o["password"] == "p"
      and o["path"] == "/$iothub/websocket?iothub-no-client-cert=true", "URL %r" % o)
check(opts("ws://h", path="/other")["path"] == "/other", "path option")
check(opts("ws://h:1/a", path="/b")["path"] == "/b", "path option over the URL's")
check(opts(None, protocol="ws", host="h", port=9001)["path"] == "/mqtt", "protocol option")
print("path: the URL's, or the option (over the URL's), as given")
o = opts("wss://h", ca="x", servername="s", rejectUnauthorized=False, wsOptions={"headers": {"Authorization": "t"}})
check(o["ca"] == "x" and o["servername"] == "s" and o["wsOptions"] == {"headers": {"Authorization": "t"}},
      "wss:// options %r" % o)
print("wss:// takes the TLS options, ws:// wsOptions' headers")

err("path without /", "ws://h", path="mqtt")
err("path with a space", "ws://h", path="/a b")
err("path not str", "ws://h", path=5)
err("wsOptions not a dict", "ws://h", wsOptions="headers")
err("wsOptions other keys", "ws://h", wsOptions={"perMessageDeflate": True})
err("header with CR LF", "ws://h", wsOptions={"headers": {"X-A": "1\r\nX-B: 2"}})
err("header name with a colon", "ws://h", wsOptions={"headers": {"X:A": "1"}})
err("headers not a dict", "ws://h", wsOptions={"headers": [("a", "b")]})
err("TLS options checked for wss://", "wss://h", ca=5)
err("cert without key on wss://", "wss://h", cert="c")
err("unknown protocol", "wsx://h")

# a firmware whose hashlib has no sha1: said at connect()
real = sys.modules.get("hashlib")


class NoSha1:
    pass


sys.modules["hashlib"] = NoSha1()
try:
    err("no hashlib.sha1", "ws://h")
finally:
    if real is not None:
        sys.modules["hashlib"] = real
    else:
        del sys.modules["hashlib"]
print("OK")
