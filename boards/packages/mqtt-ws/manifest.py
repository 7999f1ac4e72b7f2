# Optional module of the mqtt package: MQTT over WebSocket, ws:// and wss:// (wss:// also needs mqtt-tls).
metadata(description="mqtt: MQTT over WebSocket (ws://, wss://)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("ws.py",), base_path="../../../lib", opt=3)
