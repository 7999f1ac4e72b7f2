"""A fault-injecting TCP proxy between a client and a broker (CPython, one
thread). Scenarios steer it through a control port, so a fault happens at an
exact point of the script on either runtime (scenario.fault("freeze")).

    p = FaultProxy(broker.port)        # p.url: mqtt://127.0.0.1:PORT, the client's
    env = {"MQTT_URL": p.url, "FAULT_PORT": str(p.control_port)}
    ...
    p.stop()

Commands (one per line on the control port, answered "ok"; or p.command()):
    pass          forward as it comes (the default)
    freeze        forward nothing, read nothing, close nothing: a half-open link
    cut           close every connection now (the broker's side too)
    stall         the connections open now go silent for good (nothing forwarded,
                  nothing closed: as when a Wi-Fi drop took the address away);
                  new ones pass
    refuse        close new connections at once (and "pass" accepts again)
    delay MS      forward each chunk MS milliseconds after it came
    fragment N    forward in pieces of N bytes
    trickle N MS  forward N bytes every MS milliseconds (paced in the queue: a
                  cut lands in the middle of what is under way, a WebSocket frame's say)
    count         answered with "ok <connections accepted so far>"
"""
import select
import socket
import threading
import time


class _Pair:
    def __init__(self, client, broker):
        self.c = client
        self.b = broker
        self.q = {client: [], broker: []}  # from this socket: [(due, bytes)] waiting to go to the other


class FaultProxy:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.srv = self._listen()
        self.ctl = self._listen()
        self.port = self.srv.getsockname()[1]
        self.control_port = self.ctl.getsockname()[1]
        self.url = "mqtt://127.0.0.1:%d" % self.port
        self.mode = "pass"
        self.delay = 0.0
        self.fragment = 0
        self.trickle = None  # (bytes, seconds): pieces paced in the queue
        self.accepted = 0
        self.pairs = []
        self.stalled = []  # pairs that "stall" took out of service (closed at stop())
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @staticmethod
    def _listen():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        s.setblocking(False)
        return s

    def env(self):
        return {"MQTT_URL": self.url, "FAULT_PORT": str(self.control_port)}

    def command(self, line):
        with self.lock:
            return self._do(line.split())

    def _do(self, words):
        cmd = words[0] if words else ""
        if cmd in ("pass", "freeze", "refuse"):
            self.mode = cmd
            if cmd == "pass":
                self.delay = 0.0
                self.fragment = 0
                self.trickle = None
        elif cmd == "cut":
            for p in self.pairs:
                self._close(p)
            self.pairs = []
        elif cmd == "stall":
            self.stalled += self.pairs
            self.pairs = []
        elif cmd == "delay":
            self.delay = int(words[1]) / 1000.0
        elif cmd == "fragment":
            self.fragment = int(words[1])
        elif cmd == "trickle":
            self.trickle = (int(words[1]), int(words[2]) / 1000.0)
        elif cmd == "count":
            return "ok %d" % self.accepted
        else:
            return "error unknown command %r" % cmd
        return "ok"

    def _close(self, p):
        for s in (p.c, p.b):
            try:
                s.close()
            except OSError:
                pass

    def _serve(self):
        ctl_conns = {}
        while self.running:
            with self.lock:
                rd = [self.srv, self.ctl] + list(ctl_conns)
                if self.mode != "freeze":
                    for p in self.pairs:
                        rd += [p.c, p.b]
                now = time.monotonic()
                timeout = 0.05
                for p in self.pairs:
                    for src, items in p.q.items():
                        if items and self.mode != "freeze":
                            timeout = min(timeout, max(0.0, items[0][0] - now))
            try:
                r, _, _ = select.select(rd, [], [], timeout)
            except (OSError, ValueError):
                r = []
            with self.lock:
                for s in r:
                    if s is self.srv:
                        self._accept()
                    elif s is self.ctl:
                        c, _ = self.ctl.accept()
                        c.setblocking(True)
                        ctl_conns[c] = b""
                    elif s in ctl_conns:
                        self._control(s, ctl_conns)
                    else:
                        self._read(s)
                if self.mode != "freeze":
                    self._flush()
        for c in ctl_conns:
            c.close()

    def _accept(self):
        try:
            c, _ = self.srv.accept()
        except OSError:
            return
        self.accepted += 1
        if self.mode == "refuse":
            c.close()
            return
        try:
            b = socket.create_connection(self.target, 2)
        except OSError:
            c.close()
            return
        for s in (c, b):
            s.setblocking(True)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pairs.append(_Pair(c, b))

    def _control(self, s, conns):
        try:
            data = s.recv(256)
        except OSError:
            data = b""
        if not data:
            conns.pop(s)
            s.close()
            return
        buf = conns[s] + data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            s.sendall((self._do(line.decode().split()) + "\n").encode())
        conns[s] = buf

    def _read(self, s):
        for p in self.pairs:
            if s is p.c or s is p.b:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:  # one side closed: close the other as well
                    self._close(p)
                    self.pairs.remove(p)
                    return
                due = time.monotonic() + self.delay
                q = p.q[s]
                if self.trickle:  # after what is queued already, a piece every trickle[1] s
                    n, dt = self.trickle
                    due = max(due, q[-1][0] + dt if q else due)
                    for i in range(0, len(data), n):
                        q.append((due + i // n * dt, data[i : i + n]))
                else:
                    q.append((due, data))
                return

    def _flush(self):
        now = time.monotonic()
        for p in list(self.pairs):
            for src, items in p.q.items():
                dst = p.b if src is p.c else p.c
                while items and items[0][0] <= now:
                    data = items.pop(0)[1]
                    try:
                        if self.fragment:
                            for i in range(0, len(data), self.fragment):
                                dst.sendall(data[i : i + self.fragment])
                                time.sleep(0.0005)
                        else:
                            dst.sendall(data)
                    except OSError:
                        self._close(p)
                        if p in self.pairs:
                            self.pairs.remove(p)
                        break

    def stop(self):
        self.running = False
        self.thread.join(5)
        with self.lock:
            for p in self.pairs + self.stalled:
                self._close(p)
            self.pairs = []
        self.srv.close()
        self.ctl.close()
