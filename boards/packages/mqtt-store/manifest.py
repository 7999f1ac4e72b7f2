# Optional module of the mqtt package: a session kept across resets (options outgoingStore/incomingStore, FileStore).
metadata(description="mqtt: a session that survives a reset (outgoingStore/incomingStore on flash)", version="0.1.0", license="MIT")
require("mqtt")
package("mqtt", files=("store.py",), base_path="../../../lib", opt=3)
