# Optional module of the mqtt package: cloud endpoints (mqtt.cloud: Alibaba Cloud IoT Platform, Azure IoT Hub, AWS IoT Core).
metadata(description="mqtt: cloud endpoints (Alibaba Cloud IoT Platform, Azure IoT Hub, AWS IoT Core)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("cloud.py",), base_path="../../../lib", opt=3)
