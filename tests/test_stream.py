"""Links that are not TCP sockets, under both runtimes: a port without
socket (import mqtt, the sans-IO core), and the stream transport (option
stream) over a socket to mosquitto, wrapped as a pollable stream and as a
plain Python object the loop checks every few milliseconds."""
from test_integration import ok


def test_import_without_socket(runtime):
    # tests/scenarios/nosocket/socket.py, first on the path, makes `import socket` fail
    ok(runtime.run("no_socket.py"), "no socket: import, core and client OK")
