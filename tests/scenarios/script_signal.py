# A program with a script (tests/scripts/sig.py) that a signal ends: with
# MODE=run, Ctrl-C (or SIGTERM on CPython) ends mqtt.run() and the program;
# its scripts get onWillExit at the exit (atexit). With MODE=wait, the
# program waits in Script.wait(), which ends the script first and then
# raises (KeyboardInterrupt, or SystemExit 143 for SIGTERM).
# env: MQTT_URL, SCRIPT, MODE
import mqtt
import mqtt.script
from scenario import url, env, Events, connected

c = mqtt.connect(url(), {"clientId": "s-script-sig"})
s = mqtt.script.run(env("SCRIPT"), c)
connected(c, Events(c, "A"))
print("READY")
if env("MODE") == "wait":
    s.wait(20000)
else:
    mqtt.run(timeout_ms=20000)
print("FAIL: no signal came")
