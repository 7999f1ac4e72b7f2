# Optional module of the mqtt package: user scripts (MQTTX hooks: onConnect, onMessage, ..., onWillExit).
metadata(description="mqtt: user scripts (MQTTX hooks, publish/exit helpers)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("script.py",), base_path="../../../lib", opt=3)
