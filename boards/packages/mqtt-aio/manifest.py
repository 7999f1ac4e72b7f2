# Optional module of the mqtt package: the client under asyncio (mqtt.aio).
metadata(description="mqtt: the client under asyncio", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("aio.py",), base_path="../../../lib")
