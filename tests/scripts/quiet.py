# A script with one hook and a top level that publishes three messages while
# no client exists (tests/scenarios/script_args.py).
for i in range(3):
    publish("q/early", "early %d" % i)


def onWillExit():
    print("quiet onWillExit")
