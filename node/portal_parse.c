/* The student portal's pure parsers (node/portal_parse.h). */
#include "node/portal_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/json.h"

/* One address of text s[0..n) (spaces around it dropped) into a[16];
 * false when it is not one. IPv4-mapped IPv6 reads as IPv4. */
static bool
addr_parse(const char *s, size_t n, bool *v6, uint8_t a[16])
{
	char t[INET6_ADDRSTRLEN + 1];

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
		n--;
	}
	if (n == 0 || n >= sizeof(t)) {
		return false;
	}
	memcpy(t, s, n);
	t[n] = '\0';
	memset(a, 0, 16);
	if (inet_pton(AF_INET, t, a) == 1) {
		*v6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, t, a) != 1) {
		return false;
	}
	*v6 = true;
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);
		memset(a + 4, 0, 12);
		*v6 = false;
	}
	return true;
}

gc_err
gc_portal_proxies_parse(struct gc_portal_proxies *out, const char *list,
    struct gc_diag *d)
{
	const char *p = list;

	memset(out, 0, sizeof(*out));
	while (*p) {
		size_t l;

		p += strspn(p, ", \t");
		l = strcspn(p, ", \t");
		if (l == 0) {
			break;
		}
		if (out->n == GC_PORTAL_PROXIES) {
			gc_diag_set(d, "more than %d addresses",
			    GC_PORTAL_PROXIES);
			return GC_EINVAL;
		}
		if (!addr_parse(p, l, &out->v[out->n].v6, out->v[out->n].a)) {
			gc_diag_set(d, "\"%.*s\" is not an IP address (give "
			    "the proxy's own addresses, such as 127.0.0.1)",
			    (int)(l > 64 ? 64 : l), p);
			return GC_EINVAL;
		}
		out->n++;
		p += l;
	}
	if (out->n == 0) {
		gc_diag_set(d, "no address (the default is %s)",
		    GC_PORTAL_PROXIES_DEFAULT);
		return GC_EINVAL;
	}
	return GC_OK;
}

bool
gc_portal_proxy_trusted(const struct gc_portal_proxies *tp, const char *peer)
{
	bool    v6;
	uint8_t a[16];

	if (!addr_parse(peer, strlen(peer), &v6, a)) {
		return false;
	}
	for (int i = 0; i < tp->n; i++) {
		if (tp->v[i].v6 == v6 && memcmp(tp->v[i].a, a, 16) == 0) {
			return true;
		}
	}
	return false;
}

/* The address as counted into out: IPv4 as it is, IPv6 as its /64. */
static void
addr_key(bool v6, const uint8_t a[16], char *out, size_t cap)
{
	char    t[INET6_ADDRSTRLEN];
	uint8_t net[16];

	if (!v6) {
		inet_ntop(AF_INET, a, t, sizeof(t));
		snprintf(out, cap, "%s", t);
		return;
	}
	memcpy(net, a, 8);
	memset(net + 8, 0, 8);
	inet_ntop(AF_INET6, net, t, sizeof(t));
	snprintf(out, cap, "%s/64", t);
}

bool
gc_portal_client_addr(const struct gc_portal_proxies *tp, const char *peer,
    const char *xreal, const char *xff, char *out, size_t cap)
{
	bool    v6;
	uint8_t a[16];

	if (gc_portal_proxy_trusted(tp, peer)) {
		if (xreal != NULL &&
		    addr_parse(xreal, strlen(xreal), &v6, a)) {
			addr_key(v6, a, out, cap);
			return true;
		}
		if (xff != NULL) {
			const char *last = strrchr(xff, ',');

			last = last != NULL ? last + 1 : xff;
			if (addr_parse(last, strlen(last), &v6, a)) {
				addr_key(v6, a, out, cap);
				return true;
			}
		}
	}
	if (addr_parse(peer, strlen(peer), &v6, a)) {
		addr_key(v6, a, out, cap);
	} else {
		snprintf(out, cap, "unknown");
	}
	return false;
}

bool
gc_portal_same_origin(const char *origin, const char *host)
{
	const char *o = origin;

	if (o[0] == '\0') {
		return true; /* not a browser's cross-site request */
	}
	if (strncmp(o, "https://", 8) == 0) {
		o += 8;
	} else if (strncmp(o, "http://", 7) == 0) {
		o += 7;
	} else {
		return false;
	}
	return host[0] != '\0' && strcasecmp(o, host) == 0;
}

gc_err
gc_portal_signin_parse(const char *body, size_t len, char *code,
    size_t codecap, char *idn, size_t idcap)
{
	struct gc_json *doc = NULL;
	const char     *c, *i;
	gc_err          rv;

	code[0] = '\0';
	idn[0]  = '\0';
	rv = gc_json_parse(&doc, body, len, NULL, 0);
	if (rv != GC_OK) {
		return rv;
	}
	c = gc_json_str_of(doc, "code");
	if (c == NULL) {
		gc_json_free(doc);
		return GC_EINVAL;
	}
	/* a code longer than any typed one stays "": a failed sign-in */
	if (strlen(c) < codecap) {
		memcpy(code, c, strlen(c) + 1);
	}
	i = gc_json_str_of(doc, "id_number");
	if (i != NULL) {
		snprintf(idn, idcap, "%s", i);
	}
	gc_json_free(doc);
	return GC_OK;
}

bool
gc_portal_confirm_parse(const char *body, size_t len, uint32_t *id,
    struct gc_json **out)
{
	struct gc_json       *doc = NULL;
	const struct gc_json *jv;
	double                num = 0;

	*id = 0;
	if (out != NULL) {
		*out = NULL;
	}
	if (gc_json_parse(&doc, body, len, NULL, 0) == GC_OK &&
	    (jv = gc_json_get(doc, "draft")) != NULL &&
	    jv->type == GC_JSON_NUMBER) {
		num = jv->num;
	}
	if (!(num >= 1 && num <= UINT32_MAX) ||
	    num != (double)(uint32_t)num) {
		gc_json_free(doc);
		return false;
	}
	*id = (uint32_t)num;
	if (out != NULL) {
		*out = doc;
	} else {
		gc_json_free(doc);
	}
	return true;
}
