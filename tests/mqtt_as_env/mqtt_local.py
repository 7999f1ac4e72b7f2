# mqtt_local.py for mqtt_as's sample programs under the tests: the broker
# from MQTT_URL (the test's mosquitto), made-up WiFi credentials (the unix
# port has no WiFi: network.py beside this file stands in), no LEDs.
import os
from mqtt_as import config

_h, _, _p = os.getenv("MQTT_URL").split("://")[1].partition(":")
config["server"] = _h
config["port"] = int(_p)
config["ssid"] = "test-ssid"
config["wifi_pw"] = "test-password"


def wifi_led(v):
    pass


blue_led = wifi_led
