# Optional module of the mqtt package: packetsend/packetreceive events.
metadata(description="mqtt: packetsend/packetreceive events", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("trace.py",), base_path="../../../lib", opt=3)
