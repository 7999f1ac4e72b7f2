# A program with a script (tests/scripts/sig.py) that a signal ends: with
# MODE=run, Ctrl-C (or SIGTERM on CPython) ends mqtt.run() and the program;
# its scripts get onWillExit at the exit (atexit). With MODE=wait, the
# program waits in Script.wait(), which ends the script first and then
# raises (KeyboardInterrupt, or SystemExit 143 for SIGTERM). With
# MODE=caught, the program catches Ctrl-C out of mqtt.run() as the REPL
# does: the script has ended by then (onWillExit, its publish acknowledged).
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
elif env("MODE") == "caught":  # as at the REPL: Ctrl-C stops run(), the program goes on
    try:
        mqtt.run(timeout_ms=20000)
    except KeyboardInterrupt:
        print("caught: the script has ended: %s" % s.ended)
        raise SystemExit(0)
else:
    mqtt.run(timeout_ms=20000)
print("FAIL: no signal came")
