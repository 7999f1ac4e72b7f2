# Optional module of the mqtt package: the stream transport (option stream: a UART, a USB CDC, a modem).
metadata(description="mqtt: stream transport (option stream: a UART, USB CDC or modem link)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("stream.py",), base_path="../../../lib", opt=3)
