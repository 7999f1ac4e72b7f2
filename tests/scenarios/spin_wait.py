# The loop's wait (client._idle) with poll() and the microsecond clock
# replaced: it spins on poll(0) only while a reply is due, sleeps once a spin
# has missed, and spins again after a sleep that a spin would have caught.
from mqtt import client as C

clock = [0]
calls = []
events = []  # what each poll returns, in turn ([] when none is left)
sleep_us = [1000]  # how long a sleeping poll takes


def fake_wait(ms):
    calls.append(ms)
    clock[0] += sleep_us[0] if ms else 10  # a poll(0) costs 10 us
    return events.pop(0) if events else []


C._wait = fake_wait
C.ticks_us = lambda: clock[0]


class Fake:  # a client as the wait sees it
    outgoing = {}
    state = 0  # DOWN (CONNECTING: 1)
    _readable = 0
    _transport = None


f = Fake()
C._clients.append(f)
C._socks[5] = f


def wait(ms, evs, sleep=1000):
    del calls[:]
    events[:] = evs
    sleep_us[0] = sleep
    f._readable = 0
    C._idle(ms)
    return "%s ready %d spin %d" % (calls, f._readable, C._spin)


print("nothing due:", wait(50, [[(5, 1)]]))
f.outgoing = {1: "entry"}
print("ack due:", wait(50, [[], [], [(5, 1)]]))
print("ack late:", wait(50, []))
print("after a miss:", wait(50, [[(5, 1)]], 1000))
print("a fast sleep:", wait(50, [[(5, 1)]], 40))
print("spins again:", wait(50, [[(5, 1)]]))
f.outgoing = {}
f.state = 1
print("CONNACK due:", wait(50, [[(5, 1)]]))
C._later.append((print, ("owed",)))
print("callbacks owed:", wait(50, []))
del C._later[:]
print("OK")
