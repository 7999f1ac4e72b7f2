# Optional module of the mqtt package: the command line client (python -m mqtt,
# micropython -m mqtt: pub, sub, conn, bench). For the unix port: no board of
# this repository but UNIX freezes it (a board has no command line to give it).
metadata(description="mqtt: command line client (pub, sub, conn, bench)", version="0.1.0", license="MIT")
require("mqtt-script")
package("mqtt", files=("cli.py", "__main__.py"), base_path="../../../lib", opt=3)
