# umqtt.simple's API backed by the mqtt package. Named like micropython-lib's
# package, so a board that registers this folder with
# add_library(..., prepend=True) before including its port's manifest gets
# this module wherever that manifest says require("umqtt.simple").
metadata(description="umqtt.simple API over the mqtt package", version="0.1.0", license="MIT")
require("mqtt")
package("umqtt", files=("simple.py",), base_path="../../../lib")
