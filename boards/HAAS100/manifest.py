# Frozen set for HaaS Python (AliOS-Things components/py_engine, MicroPython
# 1.17). A 1.17 manifest has include() and freeze() only: no module(),
# package(), require() or metadata().
# HaaS100 has no board folder in py_engine's MicroPython 1.17 tree (only HaaSEDUk1
# and HaaS200, same HaaS1000 chip as HaaS EDU K1): built from the vendor SDK,
# the vendor's default frozen set comes first.
include("$(PORT_DIR)/boards/manifest_release.py")

# This package: the minimal MQTT 3.1.1 set, then one line per optional module.
freeze("../../lib", ("mqtt/__init__.py", "mqtt/compat.py", "mqtt/core.py", "mqtt/transport.py", "mqtt/client.py"), opt=3)
freeze("../../lib", "mqtt/haas.py", opt=3)
freeze("../../lib", "mqtt/trace.py", opt=3)
freeze("../../lib", "mqtt/driver.py", opt=3)
freeze("../../lib", "mqtt/tls.py", opt=3)
freeze("../../lib", "mqtt/v5.py", opt=3)

# MicroPython 1.17 as HaaS Python configures it has usocket, uselect, ujson,
# ... but no weak links to socket, select, json, ... (py_engine
# adapter/haas*/mpconfigport.h: MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS is
# empty), and lib/ imports the plain names: aliases (boards/compat).
freeze("../compat", ("socket.py", "select.py", "errno.py", "json.py", "random.py", "time.py", "binascii.py", "ssl.py"))
