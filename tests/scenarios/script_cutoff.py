# The 2-second cut-off (tests/scripts/cutoff.py): the client never connects
# (nothing listens on DEAD_PORT), so what onWillExit publishes never
# completes; stop() returns at once, wait() drives the loop, and the script
# is detached 2 s after the exit began. The script has no hook that the
# failing connection calls: only the grace's timer can end it.
# env: DEAD_PORT, SCRIPT
import mqtt
import mqtt.script
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, check, idle

c = mqtt.connect("mqtt://127.0.0.1:%s" % env("DEAD_PORT"), {"reconnectPeriod": 100})
s = mqtt.script.run(env("SCRIPT"), c)
idle(300)
t0 = ticks_ms()
s.stop()
print("stop returned, script", s)
check(s.wait(5000), "wait() returned before the end")
ms = ticks_diff(ticks_ms(), t0)
print("cut off after %s" % ("2 s" if 1900 <= ms <= 2600 else "%d ms" % ms))
check(not s.client, "still attached")
c.end()
print("OK")
