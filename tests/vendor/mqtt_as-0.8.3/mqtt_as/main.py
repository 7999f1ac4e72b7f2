import utime
utime.sleep(4)
import range
