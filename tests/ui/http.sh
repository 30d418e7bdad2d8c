#!/usr/bin/env bash
# The UI's HTTP server against bad requests (issue 6): path traversal,
# query strings, unknown routes, content types, malformed and oversized
# bodies, CSRF, foreign Origin and Host, wrong passwords; a refused request
# changes nothing stored, and the server keeps serving after all of it.
# The client is python3's http.client and raw sockets (paths sent as they
# are, never normalised).
. "$(dirname "$0")/../cli/lib.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$T"
pid=
cleanup() {
	[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

"$G" init --home c --role coordinator --school 10335 --name 教务处 >/dev/null
"$G" sample roster --count 5 --out r.csv
"$G" roster import --home c r.csv >/dev/null
# ui-password: the passphrase on stdin, an Argon2id string out
expect 0 sh -c "printf 'open sesame\n' | '$G' ui-password"
grep -q '^\$argon2id\$' "$T/out" || fail "ui-password printed no Argon2id hash: $(cat "$T/out")"
checks=$((checks + 1))
printf '\n[ui]\npassword_hash = %s\n' "$(cat "$T/out")" >>c/gradcap.ini
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$G" serve --home c --ui http://127.0.0.1:$PORT >serve.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	python3 -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1',$PORT)))" && break
	sleep 0.1
done
entries() { "$G" status --home c --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])'; }
before=$(entries)

n=$(PORT=$PORT PYTHONPATH="$HERE" python3 - <<'PY'
import json, socket

import uiclient
from uiclient import HOST, PORT, check, err_code, fail, req

def raw(line):
    """Sends one raw request line; returns the status line."""
    s = socket.create_connection(('127.0.0.1', PORT), timeout=20)
    s.sendall(line + f'\r\nHost: {HOST}\r\nConnection: close\r\n\r\n'.encode())
    out = b''
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out

# --- the assets, by exact path, with their content types
for path, ct in [('/', 'text/html'), ('/index.html', 'text/html'), ('/app.js', 'text/javascript'),
                 ('/api.js', 'text/javascript'), ('/i18n.js', 'text/javascript'), ('/style.css', 'text/css'),
                 ('/views/capture.js', 'text/javascript'), ('/views/dashboard.js', 'text/javascript')]:
    st, h, data = req('GET', path)
    check(st == 200, f'{path}: {st}')
    check(h.get('content-type', '').startswith(ct), f'{path}: content type {h.get("content-type")}')
st, h, data = req('GET', '/')
check(b'<html lang="zh-CN">' in data, 'index.html is the UI')
# query strings are stripped
st, h, data = req('GET', '/app.js?v=1')
check(st == 200 and h['content-type'].startswith('text/javascript'), f'/app.js?v=1: {st}')
st, h, data = req('GET', '/style.css?x=../../etc/passwd')
check(st == 200, f'/style.css?x=...: {st}')

# --- traversal: never a file from the disk
for path in ['/../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
             '/ui/../../etc/passwd', '//etc/passwd', '/views/../../../../etc/passwd', '/views/..%2f..%2fetc%2fpasswd',
             '/./app.js/../../etc/passwd', '/etc/passwd', '/views/', '/views', '/.git/config', '/app.js%00.css',
             '/%2fetc%2fpasswd', '/\\..\\..\\etc\\passwd', '/views/%2e%2e/app.js', '/api/../app.js']:
    st, h, data = req('GET', path)
    check(st in (400, 401, 404), f'{path}: {st}')
    check(b'root:' not in data and b'[core]' not in data, f'{path}: leaked a file')
for line in [b'GET ../../etc/passwd HTTP/1.1', b'GET /../../../../etc/passwd HTTP/1.0',
             b'GET http://127.0.0.1/../../etc/passwd HTTP/1.1', b'GET * HTTP/1.1']:
    out = raw(line)
    check(b'root:' not in out, f'{line}: leaked /etc/passwd')
    check(not out.startswith(b'HTTP/1.1 200') and not out.startswith(b'HTTP/1.0 200'), f'{line}: {out[:40]}')

# --- unknown routes
st, h, data = req('GET', '/nope.html')
check(st == 404, f'/nope.html: {st}')
st, h, data = req('GET', '/api/nope')
check(st == 401, f'/api/nope before login: {st} {data[:100]}')
st, h, data = req('GET', '/api/session')
check(st == 200 and h['content-type'].startswith('application/json'), f'/api/session: {st}')

# --- the password: nothing without it
s = json.loads(data)
check(s['auth'] == 'password' and s['logged_in'] is False and s['csrf'] is None, f'session before login: {s}')
st, h, data = req('GET', '/api/status')
check(st == 401 and err_code(data) == 'unauthorized', f'/api/status without login: {st}')
st, h, data = req('POST', '/api/login', json.dumps({'password': 'open sesam'}), {'Content-Type': 'application/json'})
check(st == 401 and err_code(data) == 'unauthorized', f'wrong password: {st} {data[:100]}')
e = json.loads(data)['error']
check(e['message'] and e['message_zh'], 'the error has both languages')
check('set-cookie' not in h, 'no cookie for a wrong password')
st, h, data = req('POST', '/api/login', '{"password": 17}', {'Content-Type': 'application/json'})
check(st in (400, 401), f'a password that is no string: {st}')
st, h, data = req('POST', '/api/login', json.dumps({'password': 'open sesame'}), {'Content-Type': 'application/json'})
check(st == 200, f'right password: {st} {data[:200]}')
cookie = h['set-cookie'].split(';')[0]
check(cookie.startswith(f'gc_sid_{PORT}=') and 'HttpOnly' in h['set-cookie'] and 'SameSite=Strict' in h['set-cookie'], h['set-cookie'])
csrf = json.loads(data)['csrf']
check(csrf and len(csrf) >= 32, 'a CSRF token after login')
auth = {'Cookie': cookie}
st, h, data = req('GET', '/api/status', headers=auth)
check(st == 200 and 'merge' in json.loads(data), f'/api/status after login: {st} {data[:200]}')
st, h, data = req('GET', '/api/status', headers={'Cookie': f'gc_sid_{PORT}=' + '0' * 64})
check(st == 401, f'a made-up session id: {st}')

st, h, data = req('GET', '/api/nope', headers=auth)
check(st == 404 and err_code(data) == 'not_found', f'/api/nope: {st} {data[:100]}')
st, h, data = req('DELETE', '/api/status', headers=auth)
check(st in (404, 405), f'DELETE /api/status: {st}')

post_h = dict(auth, **{'Content-Type': 'application/json', 'X-CSRF-Token': csrf})
good = json.dumps({'kind': 'central', 'location': 'hall', 'operator': 'x'})

# --- CSRF: none, wrong, or without the cookie
st, h, data = req('POST', '/api/session/open', good, dict(auth, **{'Content-Type': 'application/json'}))
check(st == 403 and err_code(data) == 'csrf', f'POST without a CSRF token: {st} {data[:100]}')
st, h, data = req('POST', '/api/session/open', good, dict(post_h, **{'X-CSRF-Token': 'f' * 64}))
check(st == 403 and err_code(data) == 'csrf', f'POST with a wrong CSRF token: {st}')
st, h, data = req('POST', '/api/session/open', good, {'Content-Type': 'application/json', 'X-CSRF-Token': csrf})
check(st in (401, 403), f'POST with the token but no cookie: {st}')
# --- foreign Origin and Host
st, h, data = req('POST', '/api/session/open', good, dict(post_h, Origin='http://evil.example'))
check(st == 403, f'a foreign Origin: {st}')
st, h, data = req('GET', '/api/status', headers=dict(auth, Origin='http://evil.example'))
check(st == 403, f'a foreign Origin on GET: {st}')
st, h, data = req('GET', '/api/session', host='evil.example')
check(st == 403, f'a foreign Host (DNS rebinding): {st}')
st, h, data = req('GET', '/api/students?q=1', headers=auth, host=f'evil.example:{PORT}')
check(st == 403, f'a foreign Host with the session cookie: {st}')
st, h, data = req('GET', '/api/session', host=f'localhost:{PORT + 1}')
check(st == 403, f'another port in Host: {st}')
st, h, data = req('GET', '/api/status', headers=dict(auth, Origin=f'http://{HOST}'))
check(st == 200, f'the UI\'s own Origin: {st}')

# --- malformed and oversized bodies
for body in ['{', '{"kind": "central",}', 'null', '[]', '"x"', '{"kind": "central"} trailing', '\xff\xfe', '{"kind": "\ud800"}', '']:
    st, h, data = req('POST', '/api/session/open', body.encode('utf-8', 'surrogatepass'), post_h)
    check(st == 400 and err_code(data) in ('bad_json', 'bad_request'), f'body {body!r}: {st} {data[:120]}')
st, h, data = req('POST', '/api/session/open', '{"kind": ', post_h)
check(err_code(data) == 'bad_json', f'truncated JSON: {err_code(data)}')
st, h, data = req('POST', '/api/session/open', json.dumps({'kind': 'party', 'location': 'x'}), post_h)
check(st == 400 and err_code(data) == 'bad_request', f'an unknown session kind: {st}')
st, h, data = req('POST', '/api/session/open', '{"a":' * 5000 + '1' + '}' * 5000, post_h)
check(st in (400, 413), f'deeply nested JSON: {st}')
big = json.dumps({'kind': 'central', 'location': 'x' * (2 * 1024 * 1024)})
st, h, data = req('POST', '/api/session/open', big, post_h)
check(st == 413 and err_code(data) == 'too_large', f'a 2 MiB body: {st} {data[:100]}')
st, h, data = req('POST', '/api/review', json.dumps({'capture': '00' * 32, 'decision': 'approve'}), post_h)
check(st in (404, 409) and err_code(data) in ('not_found', 'conflict'), f'review of an unknown capture: {st} {data[:120]}')
st, h, data = req('POST', '/api/review', json.dumps({'capture': '00' * 32, 'decision': 'reject'}), post_h)
check(st == 400, f'a rejection without a reason: {st} {data[:120]}')
st, h, data = req('GET', '/api/photo?capture=../../../etc/passwd', headers=auth)
check(st in (400, 404) and b'root:' not in data, f'photo with a path: {st}')
st, h, data = req('GET', '/api/students?q=' + 'x' * 5000, headers=auth)
check(st in (200, 400), f'a long query: {st}')
st, h, data = req('GET', '/api/student?key=%00%ff', headers=auth)
check(st in (400, 404), f'a bad student key: {st}')

# --- logout ends the session
st, h, data = req('POST', '/api/logout', '{}', post_h)
check(st == 200, f'logout: {st}')
st, h, data = req('GET', '/api/status', headers=auth)
check(st == 401, f'after logout: {st}')

# --- still serving
st, h, data = req('GET', '/api/session')
check(st == 200, f'the server still answers: {st}')
st, h, data = req('GET', '/app.js')
check(st == 200, f'and serves the UI: {st}')
print(uiclient.checks)
PY
) || fail "HTTP checks failed (serve log: $(tail -5 serve.log))"
checks=$((checks + n))
[ "$(entries)" = "$before" ] || fail "refused requests changed the ledger: $before → $(entries) entries"
expect 0 "$G" session status --home c --json
json "not j['open']"
kill -0 "$pid" || fail "the server died"
echo "http: $checks checks passed"
