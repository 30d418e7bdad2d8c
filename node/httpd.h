/* httpd: the HTTP front `gradcap serve` puts before its web apps, over
 * nng's HTTP server (STYLE §9).
 *
 * Layering (docs/api.md):
 *   httpd       transport: the listen URL (http, or https with the node's
 *               own certificate), one nng tree handler on "/", the request
 *               copied into a job (method, path, query, a few headers, the
 *               body under the app's per-path limit), the queue to the
 *               serve loop and the loop's thread pool, the answer with its
 *               security headers, and the stop protocol.
 *   ui_http.c   the operator UI's policy: Host and Origin checks, the
 *               password login, sessions and CSRF (node/http_session.h),
 *               the UI's CSP, body limits and assets.
 *   ui_api.c    the operator UI's /api/ routes.
 * A later app (the student portal) plugs into httpd the same way, with
 * its own port, routes, assets and sessions.
 *
 * Threads: a request is taken on an nng thread (copied, nothing blocks),
 * queued to the loop (uv_async), handed to the pool (uv_queue_work) where
 * the app's dispatch runs, and answered on the loop thread. */
#ifndef GC_NODE_HTTPD_H
#define GC_NODE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "common/buf.h"
#include "common/gc_err.h"

/* The extra request headers an app may ask for (gc_httpd_opts.headers). */
#define GC_HTTPD_XHDRS 4

struct gc_httpd;

/* An embedded file, served by exact path with its content type. */
struct gc_httpd_asset {
	const char          *path; /* "/app.js" */
	const char          *ctype;
	const unsigned char *data;
	size_t               len;
};

/* A listen address: http://HOST:PORT or https://HOST:PORT (a path of at
 * most "/"). */
struct gc_httpd_url {
	bool https;
	bool loopback; /* HOST is 127.0.0.1, localhost or ::1 */
	char host[256]; /* as in the URL, without brackets: "::1" */
	char port[8];
};

/* Parses url into *out; GC_EINVAL when it is not such an address (the
 * caller says so in its own words). */
gc_err gc_httpd_url_parse(struct gc_httpd_url *out, const char *url);

/* One request as the app sees it: the request part is borrowed until
 * dispatch returns; dispatch fills the answer part. */
struct gc_httpd_req {
	const char *method;
	const char *path;  /* without query string: match it, never open it */
	const char *query; /* after '?', or "" */
	const char *cookie; /* the Cookie header; NULL: none, or 16 KiB+ */
	const char *host, *origin; /* "" when absent; cut at 255 bytes */
	const char *csrf;  /* X-CSRF-Token; "" when absent; cut at 127 */
	/* the TCP peer's address ("127.0.0.1", "::1"), "" when unknown:
	 * the proxy, for an app behind one */
	const char *peer;
	/* "" when none or too large; else a NUL-terminated copy, the only
	 * one (nng's goes as soon as it is made), which the app may take
	 * (gc_httpd_req_take_body) */
	const char *body;
	size_t      body_len;
	bool        chunked;   /* Transfer-Encoding: chunked */
	bool        too_large; /* over the app's body_max for this path */
	/* the answer */
	int                          status; /* preset 200 */
	const char                  *ctype;  /* static; NULL: JSON */
	struct gc_buf                out;
	const struct gc_httpd_asset *asset; /* set: the answer is this file */
	char                         set_cookie[256]; /* "" for none */
};

/* The app (all borrowed until release is called, or gc_httpd_start
 * fails). */
struct gc_httpd_opts {
	const char *name; /* for messages: "UI" */
	const char *url;
	const char *home; /* the node's home: its TLS identity, for https */
	/* nng reads bodies up to this (more: its own 400) */
	size_t      body_collect;
	/* the body limit of a path (more: too_large, no body); nng thread:
	 * must not block */
	size_t    (*body_max)(const char *path, void *app);
	/* pool thread: answers r (any status; the app's routes and policy) */
	void      (*dispatch)(struct gc_httpd_req *r, void *app);
	/* once the server is gone and no dispatch runs any more (loop or
	 * nng thread): the app may free what dispatch used */
	void      (*release)(void *app);
	const char *csp; /* Content-Security-Policy of every answer */
	const struct gc_httpd_asset *assets;
	size_t                       nassets;
	const char                  *index; /* the asset for "/", or NULL */
	/* more request headers to copy (NULL-terminated, at most
	 * GC_HTTPD_XHDRS): e.g. "X-Forwarded-For" */
	const char *const *headers;
};

/* Starts serving opts->url on loop (loop thread). On GC_OK *out serves
 * until gc_httpd_stop and release(app) will be called once; otherwise
 * *out is NULL, d says why, and release is never called. */
gc_err gc_httpd_start(struct gc_httpd **out, uv_loop_t *loop,
    const struct gc_httpd_opts *opts, void *app, struct gc_diag *d);

/* Stops accepting, answers what is queued with 503 at once, lets the
 * answers in the pool go out, then stops the server and frees (loop
 * thread; returns at once). NULL-safe. */
void gc_httpd_stop(struct gc_httpd *h);

/* ---- for dispatch (pool thread) ---- */

/* The value of one of opts->headers in r; NULL when absent, longer than
 * 255 bytes, or not asked for. */
const char *gc_httpd_req_header(const struct gc_httpd_req *r,
    const char *name);

/* Moves the body out of r, uncopied: the caller owns it (gc_free; NUL-
 * terminated, *len bytes before the NUL), and r->body is "" from then
 * on. NULL (*len 0) when there is none. */
char *gc_httpd_req_take_body(struct gc_httpd_req *r, size_t *len);

/* Adds a header to the answer (copied; at most GC_HTTPD_XHDRS, each
 * name and value under 256 bytes); false when it does not fit. */
bool gc_httpd_req_set_header(struct gc_httpd_req *r, const char *name,
    const char *value);

/* Answers r with the asset of its path ("/": opts->index): 200 when it
 * does, 404 when no asset has the path, 405 when the method is not GET
 * or HEAD; on 404 and 405 r is untouched for the app to answer. */
int gc_httpd_req_asset(struct gc_httpd_req *r);

/* The project's JSON error, {"error":{"code","message","message_zh"}},
 * into out (reset first). */
void gc_httpd_error_json(struct gc_buf *out, const char *code,
    const char *en, const char *zh);

/* The value of name in an application/x-www-form-urlencoded query
 * (percent-decoded into out); false when absent or too long. */
bool gc_httpd_query(const char *query, const char *name, char *out,
    size_t cap);

#endif
