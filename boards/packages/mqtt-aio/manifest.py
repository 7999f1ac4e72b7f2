# Optional module of the mqtt package: the asyncio face (mqtt.aio).
metadata(description="mqtt: asyncio (await connect/publish/subscribe, messages())", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("aio.py",), base_path="../../../lib", opt=3)
