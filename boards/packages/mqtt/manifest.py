# The mqtt package's minimal MQTT 3.1.1 set (what every board freezes).
# require("mqtt") finds this file once a board has registered this folder
# with add_library() (MicroPython 1.22+ manifests).
metadata(description="MQTT 3.1.1 client with the mqtt.js API: minimal set", version="0.1.0", license="MIT")
package("mqtt", files=("__init__.py", "compat.py", "core.py", "transport.py", "client.py"), base_path="../../../lib", opt=3)
