/* The student portal's request parsers on any bytes (what a student, or
 * whoever reaches the portal, may send): the sign-in and confirm bodies,
 * the proxy's forwarded addresses with the trusted-proxy list, the Origin
 * check, the query string, and the session cookie with its CSRF token.
 * The input is split at its first two NUL bytes into three strings, which
 * serve as the parts of one request. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "node/http_session.h"
#include "node/httpd.h"
#include "node/portal_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gc_http_sess *sess;
static char          live[64 + 32]; /* "gc_portal_1=<the live session>" */
static char          live_csrf[65];

static void
sess_once(void)
{
	struct gc_httpd_req r;
	char               *eq;

	sess = gc_http_sess_new(&(struct gc_http_sess_opts) {
	    .capacity = 4, .idle_s = 3600, .cookie = "gc_portal_1" });
	memset(&r, 0, sizeof(r));
	r.csrf = "";
	if (gc_http_sess_start_as(sess, &r, live_csrf, "2021000001") !=
	    GC_OK) {
		abort(); /* an empty table has room */
	}
	eq = strchr(r.set_cookie, ';');
	memcpy(live, r.set_cookie, (size_t)(eq - r.set_cookie));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_portal_proxies tp;
	struct gc_httpd_req      r;
	char                    *s, *a, *b, *c;
	char                     code[128], idn[40], addr[GC_PORTAL_ADDR_MAX];
	char                     v[64], sid[65], csrf[65];
	char                     who[GC_HTTP_SESS_WHO];
	uint32_t                 id;
	struct gc_json          *doc;

	if (sess == NULL) {
		sess_once();
	}
	/* the bodies, as httpd hands them over (NUL after the bytes) */
	s = malloc(size + 1);
	if (s == NULL) {
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	(void)gc_portal_signin_parse(s, size, code, sizeof(code), idn,
	    sizeof(idn));
	if (gc_portal_confirm_parse(s, size, &id, &doc)) {
		(void)gc_json_get(doc, "code");
		gc_json_free(doc);
	}

	/* three strings: peer / Origin / cookie, X-Real-IP / Host, XFF */
	a = s;
	b = a + strlen(a) + (a + strlen(a) < s + size ? 1 : 0);
	c = b + strlen(b) + (b + strlen(b) < s + size ? 1 : 0);
	if (gc_portal_proxies_parse(&tp, a, NULL) != GC_OK) {
		(void)gc_portal_proxies_parse(&tp, GC_PORTAL_PROXIES_DEFAULT,
		    NULL);
	}
	(void)gc_portal_client_addr(&tp, a, b, c, addr, sizeof(addr));
	(void)gc_portal_client_addr(&tp, "127.0.0.1", b, c, addr,
	    sizeof(addr));
	if (strlen(addr) >= GC_PORTAL_ADDR_MAX) {
		abort();
	}
	(void)gc_portal_same_origin(a, b);
	(void)gc_httpd_query(a, "id", v, sizeof(v));
	(void)gc_httpd_query(a, b, v, sizeof(v));

	/* the input as the Cookie header, its second part as X-CSRF-Token */
	memset(&r, 0, sizeof(r));
	r.cookie = a;
	r.csrf   = b;
	if (gc_http_sess_find_who(sess, &r, sid, csrf, who) &&
	    strcmp(who, "2021000001") != 0) {
		abort(); /* only the live session, and its student */
	}
	(void)gc_http_sess_csrf_ok(&r, live_csrf);
	free(s);
	return 0;
}
