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
