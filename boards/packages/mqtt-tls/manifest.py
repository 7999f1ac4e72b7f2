# Optional module of the mqtt package: TLS for mqtts:// and ssl://.
metadata(description="mqtt: TLS for mqtts:// and ssl://", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("tls.py",), base_path="../../../lib", opt=3)
