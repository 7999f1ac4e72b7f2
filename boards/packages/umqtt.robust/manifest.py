# umqtt.robust's API backed by the mqtt package (replaces micropython-lib's,
# as umqtt.simple does).
metadata(description="umqtt.robust API over the mqtt package", version="0.1.0", license="MIT")
require("umqtt.simple")
package("umqtt", files=("robust.py",), base_path="../../../lib")
