# Optional module of the mqtt package: the network link (network.WLAN, HaaS netmgr, LAN/PPP) for options link.
metadata(description="mqtt: the network link (network.WLAN, HaaS netmgr, LAN/PPP) for options link", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("link.py",), base_path="../../../lib", opt=3)
