"""mqtt.cloud on both runtimes: published vectors (tests/scenarios/cloud_calls.py
runs each case and this test wants its result exactly), the checks and
errors, and each helper's login against a private mosquitto whose password
file holds exactly what the helper must produce for fixed inputs (AWS: a
TLS listener that wants a client certificate from a CA made at test time,
and refuses QoS 2 as AWS IoT Core does)."""
import base64
import hashlib
import hmac
import json
import re
import time

import pytest

from broker import Certs
from conftest import describe
from test_integration import ok

# -- published vectors ---------------------------------------------------------
# Alibaba Cloud IoT Platform's worked example (its MQTT-TCP connection guide,
# "MQTT-TCP连接通信": clientId 12345, deviceName device, productKey pk,
# timestamp 789, signmethod hmacsha1, deviceSecret secret, over TCP)
ALIYUN_DOC = ("mqtt://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883",
              {"clientId": "12345|securemode=3,signmethod=hmacsha1,timestamp=789|", "username": "device&pk",
               "password": "FAFD82A3D602B37FB0FA8B7892F24A477F851A14", "keepalive": 60})
# the triple-login example of "基于开源MQTT自主接入阿里云IoT平台" (Alibaba Cloud IoT
# developer community, GXIC; it cites help.aliyun.com/document_detail/63656):
# content clientIdSN1928339deviceNamelight1983432productKeya14Xib5kdYdtimestamp1539421321846
ALIYUN_GXIC = ("mqtts://a14Xib5kdYd.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883",
               {"clientId": "SN1928339|securemode=2,signmethod=hmacsha1,timestamp=1539421321846|",
                "username": "light1983432&a14Xib5kdYd", "password": "B2488041F64F425016B467EE1C94959EBD592AD1",
                "keepalive": 60})
# Azure: Azure/azure-iot-cli-extension, azext_iot/tests/test_iot_ext_unit.py,
# TestSasTokenAuth.test_generate_sas_token (a device token, no skn)
AZ_CLI = ("iot-hub-for-test.azure-devices.net/devices/iot-device-for-test",
          "+XLy+MVZ+aTeOnVzN2kLeB16O+kSxmz6g3rS6fAf6rw=", 1471940363,
          "SharedAccessSignature sr=iot-hub-for-test.azure-devices.net%2Fdevices%2Fiot-device-for-test"
          "&sig=SIumZ1ACqqPJZ2okHDlW9MSYKykEpqsQY3z6FMOICd4%3D&se=1471940363")
# damienpontifex/azure-iot-sdk-rs, src/client.rs test_add: generate_sas("myiothub.azure-devices.net",
# "FirstDevice", key, 1587123309), the whole token
AZ_RS_KEY = "O+H9VTcdJP0Tqkl7bh4nVG0OJNrAataMpuWB54D0VEc="
AZ_RS = ("SharedAccessSignature sr=myiothub.azure-devices.net%2Fdevices%2FFirstDevice"
         "&sig=vn0%2BgyIUKgaBhEU0ypyOhJ0gPK5fSY1TKdvcJ1HxhnQ%3D&se=1587123309")
AZ_RS_USER = "myiothub.azure-devices.net/FirstDevice/?api-version=2021-04-12"
# HMAC: RFC 4231 (SHA-256) and RFC 2202 (SHA-1, MD5) test cases 1, 2 and 6 (a key longer than a block)
LONG = b"Test Using Larger Than Block-Size Key - Hash Key First"
HMAC = [
    (b"\x0b" * 20, b"Hi There", "sha256", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (b"Jefe", b"what do ya want for nothing?", "sha256",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    (b"\xaa" * 131, LONG, "sha256", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    (b"\x0b" * 20, b"Hi There", "sha1", "b617318655057264e28bc0b6fb378c8ef146be00"),
    (b"Jefe", b"what do ya want for nothing?", "sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    (b"\xaa" * 80, LONG, "sha1", "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
    (b"\x0b" * 16, b"Hi There", "md5", "9294727a3638bb1c13f48ef8158bfc9d"),
    (b"Jefe", b"what do ya want for nothing?", "md5", "750c783e6ab0b503eaa86e310a5db738"),
    (b"\xaa" * 80, LONG, "md5", "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"),
]


def aliyun_password(secret, content, method="sha256"):
    """CPython's own hmac: the Alibaba password for cases without a published one."""
    return hmac.new(secret.encode(), content.encode(), getattr(hashlib, method)).hexdigest().upper()


def sas(resource, key, expiry):
    """CPython's hmac and urllib: Microsoft's documented SAS token (iot-hub-dev-guide-sas)."""
    from urllib.parse import quote

    r = quote(resource, safe="")
    sig = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (r, expiry)).encode(),
                                    hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d" % (r, quote(sig, safe=""), expiry)


def case(name, fn, *args, sim=None, **kw):
    return [name, fn, list(args), kw, sim]


def run_cases(runtime, cases):
    """{name: result} from cloud_calls.py (errors as ['ERR', type, message])."""
    res = runtime.run("cloud_calls.py", {"CASES": json.dumps(cases)})
    got = ok(res)
    out = {}
    for line in got[:-1]:
        r = json.loads(line)
        out[r[0]] = r[1] if len(r) == 2 else r[1:]
    assert sorted(out) == sorted(c[0] for c in cases), describe(*res)
    return out


def test_published_vectors(runtime):
    ts = 1700000000000
    c256 = "clientIdpk.devicedeviceNamedeviceproductKeypktimestamp%d" % ts
    cases = [
        case("aliyun doc", "aliyun", "pk", "device", "secret", clientId="12345", timestamp=789,
             signMethod="hmacsha1", tls=False),
        case("aliyun gxic", "aliyun", "a14Xib5kdYd", "light1983432", "oLyaKqVxtRvjH284LdhqVgVUx1UPy6zq",
             clientId="SN1928339", timestamp=1539421321846, signMethod="hmacsha1"),
        case("aliyun sha256", "aliyun", "pk", "device", "secret", timestamp=ts),
        case("aliyun md5", "aliyun", "pk", "device", "secret", timestamp=ts, signMethod="hmacmd5",
             instance="iot-06z00abcdefgh", keepalive=1200, port=443),
        case("aliyun region", "aliyun", "pk", "device", "secret", timestamp=ts, region="ap-southeast-1",
             keepalive=30),
        case("sas cli", "sas", *AZ_CLI[:3]),
        case("azure rs", "azure", "myiothub", "FirstDevice", AZ_RS_KEY, 1587123309),
        case("azure host", "azure", "myhub.azure-devices.cn", "dev-1", AZ_RS_KEY, expiry=1900000000, ws=True),
        case("quote", "quote", "a b/\u00fc~-._%+"),
    ] + [case("hmac %d" % i, "hmac", k.hex(), m.hex(), n) for i, (k, m, n, _) in enumerate(HMAC)]
    got = run_cases(runtime, cases)
    assert got["aliyun doc"] == list(ALIYUN_DOC)
    assert got["aliyun gxic"] == list(ALIYUN_GXIC)
    assert got["aliyun sha256"] == ["mqtts://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883", {
        "clientId": "pk.device|securemode=2,signmethod=hmacsha256,timestamp=%d|" % ts, "username": "device&pk",
        "password": aliyun_password("secret", c256), "keepalive": 60}]
    assert got["aliyun md5"] == ["mqtts://iot-06z00abcdefgh.mqtt.iothub.aliyuncs.com:443", {
        "clientId": "pk.device|securemode=2,signmethod=hmacmd5,timestamp=%d|" % ts, "username": "device&pk",
        "password": aliyun_password("secret", c256, "md5"), "keepalive": 1200}]
    assert got["aliyun region"][0] == "mqtts://pk.iot-as-mqtt.ap-southeast-1.aliyuncs.com:1883"
    assert got["sas cli"] == AZ_CLI[3]
    assert got["azure rs"] == ["mqtts://myiothub.azure-devices.net:8883",
                               {"clientId": "FirstDevice", "username": AZ_RS_USER, "password": AZ_RS}]
    # another cloud's host name is kept; ws: the WebSocket URL (mqtt.connect takes it with the ws transport)
    assert got["azure host"] == ["wss://myhub.azure-devices.cn:443/$iothub/websocket", {
        "clientId": "dev-1", "username": "myhub.azure-devices.cn/dev-1/?api-version=2021-04-12",
        "password": sas("myhub.azure-devices.cn/devices/dev-1", AZ_RS_KEY, 1900000000)}]
    assert got["quote"] == "a%20b%2F%C3%BC~-._%25%2B"
    for i, (k, m, n, want) in enumerate(HMAC):
        assert hmac.new(k, m, getattr(hashlib, n)).hexdigest() == want  # the RFC's figure, as CPython has it
        assert got["hmac %d" % i] == want, (n, k, m)


def test_checks_and_errors(runtime):
    ka = "keepalive must be 30 to 1200 s: Alibaba Cloud IoT Platform refuses others"
    cid = "clientId: 1 to 128 bytes of UTF-8, not starting with $ (AWS IoT Core)"
    key = "key must be the device's key as base64"
    cases = [
        case("ka 29", "aliyun", "pk", "d", "s", keepalive=29),
        case("ka 1201", "aliyun", "pk", "d", "s", keepalive=1201),
        case("ka bool", "aliyun", "pk", "d", "s", keepalive=True),
        case("method", "aliyun", "pk", "d", "s", signMethod="hmacsha512"),
        case("both", "aliyun", "pk", "d", "s", region="cn-shanghai", instance="iot-1"),
        case("cid long", "aliyun", "pk", "d", "s", clientId="x" * 65),
        case("cid bar", "aliyun", "pk", "d", "s", clientId="a|b"),
        case("ts", "aliyun", "pk", "d", "s", timestamp="soon"),
        case("no secret", "aliyun", "pk", "d", ""),
        # firmware without sha1 or md5 (MicroPython's esp32 port before 1.22 had no md5)
        case("no sha1", "aliyun", "pk", "d", "s", signMethod="hmacsha1", sim={"hashlib": ["sha256", "md5"]}),
        case("no md5", "aliyun", "pk", "d", "s", signMethod="hmacmd5", sim={"hashlib": ["sha1", "sha256"]}),
        case("sha256 only", "aliyun", "pk", "d", "s", timestamp=1, tls=False, sim={"hashlib": ["sha256"]}),
        case("no sha256", "azure", "h", "d", AZ_RS_KEY, 1, sim={"hashlib": []}),
        case("key junk", "azure", "h", "d", "!!!!", 1),
        case("key short", "azure", "h", "d", "abc", 1),
        # a connection string where the key belongs: a2b_base64 skips what is not base64 and decodes the rest
        case("key conn", "azure", "h", "d", "HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=" + AZ_RS_KEY, 1),
        case("expiry", "azure", "h", "d", AZ_RS_KEY, "tomorrow"),
        case("no device", "azure", "h", "", AZ_RS_KEY, 1),
        # the default expiry: an hour from now in Unix time, whatever the port's epoch
        case("epoch 2000", "azure", "h", "d", AZ_RS_KEY, sim={"time": [820000000, 2000]}),
        case("epoch 1970", "azure", "h", "d", AZ_RS_KEY, sim={"time": [1766684800.5, 1970]}),
        case("no gmtime", "azure", "h", "d", AZ_RS_KEY, sim={"time": [1766684800, None]}),
        case("clock unset", "azure", "h", "d", AZ_RS_KEY, sim={"time": [86400, 2000]}),
        case("aliyun now", "aliyun", "pk", "d", "s", tls=False, sim={"time": [820000000, 2000]}),
        case("aws", "aws", "abc123-ats.iot.eu-west-1.amazonaws.com", "thing-1", "CERT", "KEY", "CA"),
        case("aws no ca", "aws", "e", "\u00e9" * 64, "CERT", "KEY"),
        case("aws 443", "aws", "e", "thing-1", "CERT", "KEY", "CA", port=443),
        case("aws $", "aws", "e", "$thing", "CERT", "KEY"),
        case("aws long", "aws", "e", "\u00e9" * 64 + "x", "CERT", "KEY"),
        case("aws empty", "aws", "e", "", "CERT", "KEY"),
        case("aws no key", "aws", "e", "thing-1", "CERT", None),
    ]
    got = run_cases(runtime, cases)
    for n in ("ka 29", "ka 1201", "ka bool"):
        assert got[n] == ["ERR", "ValueError", ka], n
    assert got["method"] == ["ERR", "ValueError", "signMethod must be hmacsha256, hmacsha1 or hmacmd5"]
    assert got["both"] == ["ERR", "ValueError", "region or instance, not both"]
    for n in ("cid long", "cid bar"):
        assert got[n] == ["ERR", "ValueError", "clientId: up to 64 characters, without | or ,"], n
    assert got["ts"] == ["ERR", "ValueError", "timestamp must be milliseconds since 1970"]
    assert got["no secret"] == ["ERR", "ValueError", "deviceSecret must be a non-empty str"]
    assert got["no sha1"] == ["ERR", "ImportError", "mqtt.cloud: this firmware's hashlib has no sha1"]
    assert got["no md5"] == ["ERR", "ImportError", "mqtt.cloud: this firmware's hashlib has no md5"]
    assert got["sha256 only"][1]["password"] == aliyun_password("s", "clientIdpk.ddeviceNamedproductKeypktimestamp1")
    assert got["no sha256"] == ["ERR", "ImportError", "mqtt.cloud: this firmware's hashlib has no sha256"]
    assert got["key junk"] == got["key short"] == got["key conn"] == ["ERR", "ValueError", key]
    assert got["expiry"] == ["ERR", "ValueError", "expiry must be Unix seconds"]
    assert got["no device"] == ["ERR", "ValueError", "deviceId must be a non-empty str"]
    unix = 820000000 + 946684800
    assert got["epoch 2000"][1]["password"] == sas("h.azure-devices.net/devices/d", AZ_RS_KEY, unix + 3600)
    for n in ("epoch 1970", "no gmtime"):
        assert got[n][1]["password"] == sas("h.azure-devices.net/devices/d", AZ_RS_KEY, 1766684800 + 3600), n
    assert got["clock unset"] == ["ERR", "ValueError", "the clock is not set (time.time() is %d): set it "
                                  "(ntptime.settime()) or pass expiry" % (86400 + 946684800)]
    assert got["aliyun now"][1]["clientId"] == "pk.d|securemode=3,signmethod=hmacsha256,timestamp=%d000|" % unix
    assert got["aws"] == ["mqtts://abc123-ats.iot.eu-west-1.amazonaws.com:8883",
                          {"clientId": "thing-1", "cert": "CERT", "key": "KEY", "ca": "CA"}]
    assert got["aws no ca"][1] == {"clientId": "\u00e9" * 64, "cert": "CERT", "key": "KEY"}  # 128 bytes
    assert got["aws 443"] == ["ERR", "ValueError", "AWS IoT Core takes MQTT on port 443 only with TLS ALPN "
                              "x-amzn-mqtt-ca, which MicroPython's ssl cannot send: use 8883"]
    for n in ("aws $", "aws long", "aws empty"):
        assert got[n] == ["ERR", "ValueError", cid], n
    assert got["aws no key"] == ["ERR", "ValueError", "cert and key: the device's certificate and its private key"]


def test_import_mqtt_leaves_it_out(runtime):
    src = ("import sys, mqtt\nprint('after import mqtt:', 'mqtt.cloud' in sys.modules)\n"
           "from mqtt import cloud\nimport mqtt.cloud\nprint('mqtt.cloud:', cloud is mqtt.cloud)\n")
    rc, out, err = runtime.run(src)
    assert rc == 0 and out.split("\n")[:2] == ["after import mqtt: False", "mqtt.cloud: True"], describe(rc, out, err)


# -- logins ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return Certs(str(tmp_path_factory.mktemp("certs")))


def login(runtime, b, which, args, kw=None, ca=None, expect="connect"):
    env = {"MQTT_URL": b.url, "CLOUD": which, "ARGS": json.dumps(args), "KW": json.dumps(kw or {}),
           "EXPECT": expect}
    if ca:
        env["CA_FILE"] = ca
    return runtime.run("cloud_login.py", env)


def connected_as(b, cid, user, ka=60):
    """The broker's log line for the login: the client id and the user name as sent."""
    line = " as %s (p2, c1, k%d, u'%s')." % (cid, ka, user)
    end = time.monotonic() + 5
    while line not in b.log():
        assert time.monotonic() < end, "%r not in the broker log\n%s" % (line, b.log()[-3000:])
        time.sleep(0.05)


def test_aliyun_logs_in(runtime, make_broker):
    # the vendor's example, verbatim: user device&pk, password FAFD82A3..., over TCP (securemode=3)
    cid, user, pw = ALIYUN_DOC[1]["clientId"], ALIYUN_DOC[1]["username"], ALIYUN_DOC[1]["password"]
    b = make_broker(users={user: pw})
    args = ["pk", "device", "secret"]
    kw = {"clientId": "12345", "timestamp": 789, "signMethod": "hmacsha1", "tls": False}
    got = ok(login(runtime, b, "aliyun", args, kw), "url mqtt://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883",
             "connected as " + cid, "round trip at qos 1")
    connected_as(b, cid, user)  # mosquitto takes the client id with | , and =
    # another timestamp signs another password: refused (the password file is what decides)
    got = ok(login(runtime, b, "aliyun", args, dict(kw, timestamp=790), expect="refused"))
    assert "refused: code=5" in got or "refused: code=4" in got, got


def test_aliyun_logs_in_over_tls(runtime, make_broker, certs):
    # securemode=2 and HMAC-SHA256 (the default), over mqtts:// with the broker's CA
    ts = 1700000000000
    pw = aliyun_password("s3cret", "clientIdpk.devicedeviceNamedeviceproductKeypktimestamp%d" % ts)
    b = make_broker(users={"device&pk": pw}, tls=certs.listener())
    ok(login(runtime, b, "aliyun", ["pk", "device", "s3cret"], {"timestamp": ts, "keepalive": 30}, ca=certs.ca),
       "url mqtts://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883", "round trip at qos 1")
    connected_as(b, "pk.device|securemode=2,signmethod=hmacsha256,timestamp=%d|" % ts, "device&pk", 30)


def test_azure_logs_in(runtime, make_broker, certs):
    # the published token, verbatim, as the password; the hub's user name
    b = make_broker(users={AZ_RS_USER: AZ_RS}, tls=certs.listener())
    ok(login(runtime, b, "azure", ["myiothub", "FirstDevice", AZ_RS_KEY, 1587123309], ca=certs.ca),
       "url mqtts://myiothub.azure-devices.net:8883", "connected as FirstDevice", "round trip at qos 1")
    connected_as(b, "FirstDevice", AZ_RS_USER)
    got = ok(login(runtime, b, "azure", ["myiothub", "FirstDevice", AZ_RS_KEY, 1587123310], ca=certs.ca,
                   expect="refused"))
    assert any(re.match(r"refused: code=[45]$", x) for x in got), got


def test_aws_logs_in_with_its_certificate(runtime, make_broker, certs):
    # a listener that wants a client certificate from the test CA, and takes no QoS 2 (max_qos 1: mosquitto
    # closes the connection on a QoS 2 PUBLISH, as AWS IoT Core does): the publish's callback gets an error
    # once the broker closed the connection on it resendLimit (3) times, and the client goes on
    b = make_broker(tls=certs.listener(require_certificate=True), extra=["max_qos 1"])
    got = ok(login(runtime, b, "aws", ["abc123-ats.iot.eu-west-1.amazonaws.com", "thing-1", certs.client,
                                       certs.client_key, certs.ca], expect="qos2"),
             "url mqtts://abc123-ats.iot.eu-west-1.amazonaws.com:8883", "connected as thing-1", "round trip at qos 1")
    assert "qos 2 publish: dropped: the broker closed the connection on it 3 times" in got, got
    assert "New client connected from 127.0.0.1" in b.log() and " as thing-1 (p2, c1, k60)." in b.log(), b.log()
