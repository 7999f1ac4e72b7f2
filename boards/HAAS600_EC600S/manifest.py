# Frozen / deployed set for QuecPython on the Quectel module of this HaaS600
# kit (MicroPython 1.13: a manifest has include() and freeze() only).
# QuecPython's build for these ASR modules freezes a fixed list of its own
# modules (ports/quectel/core/Makefile), including a top-level `umqtt`
# module: this package's umqtt is left out, it would be shadowed by that one.

# This package: the minimal MQTT 3.1.1 set, then one line per optional module.
freeze("../../lib", ("mqtt/__init__.py", "mqtt/compat.py", "mqtt/core.py", "mqtt/transport.py", "mqtt/client.py"), opt=3)
freeze("../../lib", "mqtt/haas.py", opt=3)
freeze("../../lib", "mqtt/trace.py", opt=3)

# QuecPython's MicroPython 1.13 has usocket, uselect, ujson, ... and no weak
# links to socket, select, json, ... (ports/quectel/core/source/mpconfigport.h
# leaves MICROPY_MODULE_WEAK_LINKS at 0), and lib/ imports the plain names:
# aliases (boards/compat).
freeze("../compat", ("socket.py", "select.py", "errno.py", "json.py", "random.py", "time.py"))
