/* portal_parse: the student portal's pure parsers (node/portal.c), apart
 * so that tests/fuzz/fuzz_portal.c can run them on any bytes: the trusted
 * proxies of [online] trusted_proxy, the student's address from the TCP
 * peer and the proxy's X-Real-IP / X-Forwarded-For, the Origin check,
 * and the sign-in and confirm bodies. No state, no allocation beyond the
 * JSON parser's; thread-safe. */
#ifndef GC_NODE_PORTAL_PARSE_H
#define GC_NODE_PORTAL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"
#include "common/json.h"

#define GC_PORTAL_PROXIES 16 /* addresses in trusted_proxy */
/* what [online] trusted_proxy is when absent: the proxy on this computer */
#define GC_PORTAL_PROXIES_DEFAULT "127.0.0.1, ::1"
/* an address as client_addr writes it (IPv6 /64: "2001:db8:1:2::/64") */
#define GC_PORTAL_ADDR_MAX 64

struct gc_portal_proxies {
	int n;
	struct {
		bool    v6;
		uint8_t a[16]; /* v4: the first 4 bytes */
	} v[GC_PORTAL_PROXIES];
};

/* Parses list, addresses separated by commas or spaces (IPv4 or IPv6,
 * no networks), into *out; GC_EINVAL with d naming the entry that is not
 * an address, or when there are none or more than GC_PORTAL_PROXIES. */
gc_err gc_portal_proxies_parse(struct gc_portal_proxies *out,
    const char *list, struct gc_diag *d);

/* Whether peer (an address as text) is one of tp. */
bool gc_portal_proxy_trusted(const struct gc_portal_proxies *tp,
    const char *peer);

/*
 * The address a student is counted by, into out (cap at least
 * GC_PORTAL_ADDR_MAX): when the TCP peer is a trusted proxy, the address
 * it forwards (xreal, X-Real-IP; else the last hop of xff,
 * X-Forwarded-For: the one the proxy itself added), else the peer's own.
 * A forwarded value that is not an address is ignored (the peer's then).
 * IPv4-mapped IPv6 reads as IPv4; an IPv6 student is counted by their /64
 * (one phone line has a whole /64 to rotate through). xreal, xff may be
 * NULL; peer "" (unknown) gives "unknown". Returns whether the address is
 * a forwarded one.
 */
bool gc_portal_client_addr(const struct gc_portal_proxies *tp,
    const char *peer, const char *xreal, const char *xff, char *out,
    size_t cap);

/* Whether a request with this Origin ("" when none) was sent by a page of
 * host (its Host header): no Origin (not a browser's cross-site request),
 * or http(s)://HOST exactly, case-insensitive. */
bool gc_portal_same_origin(const char *origin, const char *host);

/* The sign-in body {"code": "...", "id_number"?: "..."}: code and the ID
 * number ("" when absent or empty) copied out, each cut to its cap - 1
 * bytes. GC_EINVAL when the body is not JSON or has no string code;
 * GC_ENOMEM when the parser runs out. */
gc_err gc_portal_signin_parse(const char *body, size_t len, char *code,
    size_t codecap, char *idn, size_t idcap);

/* The confirm body {"draft": N, ...}, N a whole number 1..2^32-1; false
 * otherwise. When doc is not NULL and the answer is true, *doc is the
 * parsed body, for its other members ("code"): free with gc_json_free. */
bool gc_portal_confirm_parse(const char *body, size_t len, uint32_t *id,
    struct gc_json **doc);

#endif
