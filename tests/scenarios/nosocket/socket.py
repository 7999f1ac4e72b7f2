# A stand-in for a port without socket (a UART or modem link, firmware built
# without networking): put first on the path, `import socket` fails as it
# does there. no_socket.py uses it.
raise ImportError("no module named 'socket'")
