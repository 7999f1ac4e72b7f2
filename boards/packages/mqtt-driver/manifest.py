# Optional module of the mqtt package: background driver (machine.Timer + micropython.schedule, or a thread).
metadata(description="mqtt: background driver (machine.Timer + micropython.schedule, or a thread)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("driver.py",), base_path="../../../lib", opt=3)
