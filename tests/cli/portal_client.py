"""HTTP helpers for tests/cli/portal.sh: requests to the student portal as
a phone's browser sends them (through the proxy, which sets X-Real-IP),
and a check counter."""
import http.client
import json
import ssl
import sys
import urllib.parse

checks = 0


def ok(cond, what, extra=""):
    global checks
    if not cond:
        print("FAIL:", what, extra)
        sys.exit(1)
    checks += 1


def req(base, method, path, body=None, cookie=None, csrf=None, ip=None,
        origin=None, ctype="application/json", src=None, xff=None):
    """(status, headers, body bytes); body: bytes as they are, else JSON.
    src: the local address to connect from (127.0.0.2: a peer that is not
    the trusted proxy); xff: an X-Forwarded-For header; base may be https
    (a self-signed certificate: not verified)."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    h = {"Content-Type": ctype}
    if cookie:
        h["Cookie"] = cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    if ip:
        h["X-Real-IP"] = ip
    if origin:
        h["Origin"] = origin
    if xff:
        h["X-Forwarded-For"] = xff
    u = urllib.parse.urlsplit(base)
    sa = (src, 0) if src else None
    if u.scheme == "https":
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=60,
                                        source_address=sa,
                                        context=ssl._create_unverified_context())
    else:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60,
                                       source_address=sa)
    try:
        c.request(method, path, body=data, headers=h)
        res = c.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        c.close()


def signin(base, body, ip, src=None):
    """(status, session cookie or "", answer)"""
    st, hd, b = req(base, "POST", "/api/signin", body, ip=ip, src=src)
    return st, hd.get("Set-Cookie", "").split(";")[0], json.loads(b) if b else {}


class Slowloris:
    """n connections to 127.0.0.1:port (from src; tls: over TLS) that send
    a sign-in's headers one byte per connection every 0.2 s and never end
    them. close() stops the dripping; still_open() counts the connections
    the server has not closed (an answer, such as 408, counts as open)."""

    HEAD = (b"POST /api/signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nX-Padding: " + b"a" * 4000)

    def __init__(self, port, n, src="127.0.0.1", tls=False):
        import socket
        import threading
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                         source_address=(src, 0))
            if tls:
                s = ssl._create_unverified_context().wrap_socket(s)
            self.socks.append(s)
        self.sent = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._drip)
        self._t.start()

    def _drip(self):
        import time
        k = 0
        while not self._stop.is_set() and k < len(self.HEAD):
            for s in self.socks:
                try:
                    s.send(self.HEAD[k:k + 1])
                    self.sent += 1
                except OSError:
                    pass
            k += 1
            time.sleep(0.2)

    def still_open(self):
        import socket
        n = 0
        for s in self.socks:
            s.settimeout(0.01)
            try:
                n += s.recv(1) != b""
            except (socket.timeout, ssl.SSLWantReadError):
                n += 1
            except OSError:
                pass
        return n

    def close(self):
        self._stop.set()
        self._t.join()
        for s in self.socks:
            s.close()


def student_rounds(base, code, seconds, pause=0.5, each=None):
    """A student signing in and reading their status again and again for
    seconds: the time of each round, sorted. Every answer must be 200.
    A round signs in afresh every fourth time (the first included): the
    portal lets a student sign in 20 times an hour."""
    import time
    lat = []
    end = time.monotonic() + seconds
    k = 0
    cookie = None
    while time.monotonic() < end:
        t0 = time.monotonic()
        st = 200
        if k % 4 == 0:
            st, cookie, j = signin(base, {"code": code}, None)
        k += 1
        st2, hd, me = req(base, "GET", "/api/me", cookie=cookie)
        lat.append(time.monotonic() - t0)
        ok(st == 200 and st2 == 200 and json.loads(me)["status"],
           "a student served beside the slow connections", (st, st2))
        if each:
            each()
        time.sleep(pause)
    return sorted(lat)
