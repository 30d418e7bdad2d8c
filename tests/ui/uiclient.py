"""HTTP helpers for the UI tests (tests/ui/http.sh, tests/cli/id_military.sh):
requests to `gradcap serve --ui` on 127.0.0.1:$PORT, sent as given (paths
never normalised), and a check counter. Import with PYTHONPATH=tests/ui."""
import http.client
import json
import os
import sys

PORT = int(os.environ['PORT'])
HOST = f'127.0.0.1:{PORT}'
checks = 0


def fail(msg):
    print(f'FAIL: {msg}', file=sys.stderr)
    sys.exit(1)


def req(method, path, body=None, headers=None, host=HOST):
    """One request on a new connection: (status, lowercase headers, body)."""
    c = http.client.HTTPConnection('127.0.0.1', PORT, timeout=20)
    h = {'Host': host}
    h.update(headers or {})
    c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in h.items():
        c.putheader(k, v)
    if body is not None:
        if isinstance(body, str):
            body = body.encode()
        c.putheader('Content-Length', str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def check(cond, what):
    global checks
    if not cond:
        fail(what)
    checks += 1


def err_code(data):
    try:
        return json.loads(data)['error']['code']
    except Exception:
        return None


def login(password):
    """Logs in; returns the headers that carry the session cookie."""
    st, h, data = req('POST', '/api/login', json.dumps({'password': password}),
                      {'Content-Type': 'application/json'})
    check(st == 200, f'login: {st} {data[:200]}')
    return {'Cookie': h['set-cookie'].split(';')[0]}
