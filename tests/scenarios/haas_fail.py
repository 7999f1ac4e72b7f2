# createClient's fail callback: once, for an unreachable port and for wrong
# credentials; the client keeps retrying until closed.
import mqtt
from scenario import env, check, wait, idle

fails = []
errors = []
c = mqtt.createClient({"host": "127.0.0.1", "port": int(env("DEAD_PORT")), "reconnectPeriod": 200,
                       "success": lambda: fails.append("success?"), "fail": fails.append})
c.on("error", errors.append)
wait(lambda: fails, 5000, "fail for the unreachable port")
idle(1000)
print("unreachable: fail calls %d, errors %d: %s" % (len(fails), len(errors), fails[0]))
check(len(fails) == 1 and fails[0].code == "ECONNREFUSED" and fails[0].errno == 111,
      "fail %r (ECONNREFUSED expected, once)" % (fails,))
check(len(errors) >= 3, "retries: only %d errors" % len(errors))
check(c.close() == 0, "close")
idle(200)

fails = []
c = mqtt.createClient({"host": "127.0.0.1", "port": int(env("AUTH_PORT")), "username": "alice",
                       "password": "wrong", "reconnectPeriod": 300, "fail": fails.append})
wait(lambda: fails, 5000, "fail for wrong credentials")
print("wrong credentials: %s (code %s)" % (fails[0], fails[0].code))
check(fails[0].code in (4, 5) and "connection refused" in str(fails[0]), "fail %r" % (fails,))
check(c.close() == 0, "close")
idle(200)
print("OK")
