# `hashlib` as an alias of `uhashlib`, for firmware whose MicroPython (before 1.20)
# has the u-named module only: without MICROPY_MODULE_WEAK_LINKS, or with an
# empty MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS, `import hashlib` fails there.
# Frozen (or deployed) by the boards that need it; where the firmware does
# have `hashlib`, its built-in module is found first and this file is not used.
from uhashlib import *  # noqa: F401,F403
