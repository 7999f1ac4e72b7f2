# Optional module of the mqtt package: MQTT 5.0 (protocolVersion 5).
metadata(description="mqtt: MQTT 5.0 (properties, reason codes, topic aliases)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("v5.py",), base_path="../../../lib", opt=3)
