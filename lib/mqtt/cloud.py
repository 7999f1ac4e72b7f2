# Cloud endpoints: a device's credentials -> (url, options) for
# mqtt.connect(url, options), for Alibaba Cloud IoT Platform, Azure IoT Hub
# and AWS IoT Core. Optional module: `import mqtt` does not load it
# (`from mqtt import cloud`). MicroPython firmware has no hmac, urllib or
# base64 module and may leave md5 or sha1 out of hashlib: HMAC, URL encoding
# and base64 are done here over hashlib and binascii, and a hash the firmware
# lacks is named in the error.
from binascii import a2b_base64, b2a_base64, hexlify

_SIGN = {"hmacsha256": "sha256", "hmacsha1": "sha1", "hmacmd5": "md5"}
_Y2000 = 946684800  # 2000-01-01 in Unix seconds: the epoch of MicroPython's esp32 port, among others
_SET = 1577836800  # 2020-01-01: a clock before it was never set


def _hash(name):
    # hashlib's constructor for name ('sha256', 'sha1', 'md5'), or an error that names what is missing
    try:
        import hashlib
    except ImportError:
        raise ImportError("mqtt.cloud: this firmware has no hashlib module")
    f = getattr(hashlib, name, None)
    if f is None:
        raise ImportError("mqtt.cloud: this firmware's hashlib has no %s" % name)
    return f


def hmac(key, msg, name="sha256"):
    # HMAC (RFC 2104) of msg with key, both bytes, over hashlib's name (block size 64) -> the digest
    h = _hash(name)
    if len(key) > 64:
        key = h(key).digest()
    key = bytes(key) + bytes(64 - len(key))
    i = h(bytes(c ^ 0x36 for c in key))
    i.update(msg)
    o = h(bytes(c ^ 0x5C for c in key))
    o.update(i.digest())
    return o.digest()


def now():
    # seconds since 1970 (Unix time) from time.time(), whose epoch is 2000 on
    # some MicroPython ports (esp32 among them: time.gmtime(0) says which)
    import time

    t = int(time.time())
    try:
        if time.gmtime(0)[0] == 2000:
            t += _Y2000
    except AttributeError:  # no gmtime: the Unix epoch (HaaS Python sets it)
        pass
    return t


def quote(s):
    # percent-encoding of every byte but RFC 3986's unreserved ones, %XX in upper case (as Azure's SDKs)
    r = ""
    for c in s.encode() if isinstance(s, str) else s:
        r += chr(c) if 47 < c < 58 or 64 < c < 91 or 96 < c < 123 or c in (45, 46, 95, 126) else "%%%02X" % c
    return r


def _text(v, what):
    if not isinstance(v, str) or not v:
        raise ValueError("%s must be a non-empty str" % what)


def aliyun(productKey, deviceName, deviceSecret, clientId=None, timestamp=None, signMethod="hmacsha256",
           region=None, instance=None, tls=True, keepalive=60, port=1883):
    # Alibaba Cloud IoT Platform, from the device's triple: the client id
    # with its |securemode=...,signmethod=...,timestamp=...| suffix, the user
    # deviceName&productKey, the password the upper-case hex HMAC of the
    # sorted name-value content. The endpoint: region's (an instance of the
    # previous version) or instance's (an instance id: public and Enterprise
    # Edition instances); port 1883 with or without TLS
    for v, what in ((productKey, "productKey"), (deviceName, "deviceName"), (deviceSecret, "deviceSecret")):
        _text(v, what)
    h = _SIGN.get(signMethod)
    if not h:
        raise ValueError("signMethod must be hmacsha256, hmacsha1 or hmacmd5")
    if not isinstance(keepalive, int) or isinstance(keepalive, bool) or not 30 <= keepalive <= 1200:
        raise ValueError("keepalive must be 30 to 1200 s: Alibaba Cloud IoT Platform refuses others")
    if region and instance:
        raise ValueError("region or instance, not both")
    c = clientId or productKey + "." + deviceName
    if not isinstance(c, str) or len(c) > 64 or "|" in c or "," in c:
        raise ValueError("clientId: up to 64 characters, without | or ,")
    t = str(now() * 1000 if timestamp is None else timestamp)  # ms
    if not t.isdigit():
        raise ValueError("timestamp must be milliseconds since 1970")
    s = "clientId%sdeviceName%sproductKey%stimestamp%s" % (c, deviceName, productKey, t)
    o = {"clientId": "%s|securemode=%d,signmethod=%s,timestamp=%s|" % (c, 2 if tls else 3, signMethod, t),
         "username": deviceName + "&" + productKey, "keepalive": keepalive,
         "password": hexlify(hmac(deviceSecret.encode(), s.encode(), h)).decode().upper()}
    host = instance + ".mqtt.iothub.aliyuncs.com" if instance else "%s.iot-as-mqtt.%s.aliyuncs.com" % (
        productKey, region or "cn-shanghai")
    return "%s://%s:%d" % ("mqtts" if tls else "mqtt", host, port), o


def sas(resource, key, expiry):
    # a shared access signature token for resource (not encoded), signed with
    # the base64 key (HMAC-SHA256 of the encoded resource and expiry), valid
    # until expiry (Unix seconds)
    k = key.encode() if isinstance(key, str) else bytes(key)
    try:
        d = a2b_base64(k)
    except ValueError:
        d = b""
    if not d or b2a_base64(d)[:-1] != k:  # (a2b_base64 skips what is not base64)
        raise ValueError("key must be the device's key as base64")
    if not isinstance(expiry, int) or isinstance(expiry, bool) or expiry <= 0:
        raise ValueError("expiry must be Unix seconds")
    r = quote(resource)
    sig = b2a_base64(hmac(d, ("%s\n%d" % (r, expiry)).encode()))[:-1]
    return "SharedAccessSignature sr=%s&sig=%s&se=%d" % (r, quote(sig), expiry)


def azure(hub, deviceId, key, expiry=None, ws=False):
    # Azure IoT Hub with a device's symmetric key: the device id as client
    # id, the user {hub}/{deviceId}/?api-version=2021-04-12, a SAS token as
    # password, valid until expiry (Unix seconds; default in an hour, which
    # needs the board's clock set). hub: the hub's host name, or its name in
    # azure-devices.net. Port 8883, or with ws 443 over WebSocket
    _text(hub, "hub")
    _text(deviceId, "deviceId")
    h = hub if "." in hub else hub + ".azure-devices.net"
    if expiry is None:
        expiry = now()
        if expiry < _SET:
            raise ValueError("the clock is not set (time.time() is %d): set it (ntptime.settime()) or pass expiry"
                             % expiry)
        expiry += 3600
    o = {"clientId": deviceId, "username": "%s/%s/?api-version=2021-04-12" % (h, deviceId),
         "password": sas(h + "/devices/" + deviceId, key, expiry)}
    return ("wss://%s:443/$iothub/websocket" if ws else "mqtts://%s:8883") % h, o


def aws(endpoint, clientId, cert, key, ca=None, port=8883):
    # AWS IoT Core with an X.509 device certificate and its key (PEM or DER):
    # TLS on 8883 (443 needs the TLS ALPN protocol x-amzn-mqtt-ca, which
    # MicroPython's ssl cannot send). ca: the root CA (Amazon Root CA 1 for
    # an -ats endpoint); a board has no store of its own
    _text(endpoint, "endpoint")
    if port == 443:
        raise ValueError("AWS IoT Core takes MQTT on port 443 only with TLS ALPN x-amzn-mqtt-ca, "
                         "which MicroPython's ssl cannot send: use 8883")
    if not isinstance(clientId, str) or not 0 < len(clientId.encode()) <= 128 or clientId[0] == "$":
        raise ValueError("clientId: 1 to 128 bytes of UTF-8, not starting with $ (AWS IoT Core)")
    if not cert or not key:
        raise ValueError("cert and key: the device's certificate and its private key")
    o = {"clientId": clientId, "cert": cert, "key": key}
    if ca:
        o["ca"] = ca
    return "mqtts://%s:%d" % (endpoint, port), o
