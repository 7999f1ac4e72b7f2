# mqtt_as's API (peterhinch/micropython-mqtt: from mqtt_as import MQTTClient,
# config) over the mqtt package's asyncio client. Named like that module, so
# a program written for mqtt_as finds it; mqtt_as/v5.py only for mqttv5.
metadata(description="mqtt_as API over the mqtt package", version="0.1.0", license="MIT")
require("mqtt-aio")
package("mqtt_as", files=("__init__.py", "v5.py"), base_path="../../../lib")
