"""HTTP helpers for tests/cli/portal.sh: requests to the student portal as
a phone's browser sends them (through the proxy, which sets X-Real-IP),
and a check counter."""
import json
import sys
import urllib.error
import urllib.request

checks = 0


def ok(cond, what, extra=""):
    global checks
    if not cond:
        print("FAIL:", what, extra)
        sys.exit(1)
    checks += 1


def req(base, method, path, body=None, cookie=None, csrf=None, ip=None,
        origin=None, ctype="application/json"):
    """(status, headers, body bytes); body: bytes as they are, else JSON."""
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
    r = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(r) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def signin(base, body, ip):
    """(status, session cookie or "", answer)"""
    st, hd, b = req(base, "POST", "/api/signin", body, ip=ip)
    return st, hd.get("Set-Cookie", "").split(";")[0], json.loads(b) if b else {}
