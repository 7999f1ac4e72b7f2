# mp_store with fsync=True: each sync waits for the disk (a board's flash commits the same way)
import sys

sys.argv.append("fsync")
import mp_store  # noqa: E402,F401
