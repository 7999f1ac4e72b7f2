# Optional module of the mqtt package: HaaS createClient() API (seed 003).
metadata(description="mqtt: HaaS createClient() API (seed 003)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("haas.py",), base_path="../../../lib", opt=3)
