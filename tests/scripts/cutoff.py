# onWillExit publishes on a client that never connects: the message can't
# complete, so the script is detached when its 2 s are over
# (tests/scenarios/script_cutoff.py). No other hook: nothing but the timer
# ends it.
def onWillExit():
    print("script onWillExit")
    publish("cut/last", "never delivered", {"qos": 1})
