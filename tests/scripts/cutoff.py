# onWillExit publishes on a client that never connects: the message can't
# complete, so the script is detached when its 2 s are over
# (tests/scenarios/script_cutoff.py).
errors = [0]


def onError(error):
    errors[0] += 1


def onWillExit():
    print("script onWillExit, errors so far", errors[0] > 0)
    publish("cut/last", "never delivered", {"qos": 1})
