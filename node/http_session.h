/* http_session: cookie sessions, each with its CSRF token, for an app on
 * node/httpd.h (the operator UI, the student portal). A fixed table of
 * capacity sessions, each belonging to an owner ("who": the portal's
 * student key; "" for the UI's): a new one takes a free slot or an idle
 * one's, else its own owner's least recently used session, never another
 * owner's live one (with the table full of those, none is started); an
 * owner has at most per_who live sessions, a new one ending its own least
 * recently used. A session idle longer than idle_s is forgotten when a
 * look-up or a new session passes it. Ids and tokens are 64 hex digits
 * (256 random bits), compared in constant time. Thread-safe: its own
 * mutex, never held across a call out of this file. */
#ifndef GC_NODE_HTTP_SESSION_H
#define GC_NODE_HTTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "common/gc_err.h"
#include "node/httpd.h"

typedef struct gc_http_sess gc_http_sess;

/* What a session may carry about whom it belongs to (the portal: the
 * student key), NUL included. */
#define GC_HTTP_SESS_WHO 96

struct gc_http_sess_opts {
	size_t      capacity; /* the UI: 64 */
	long        idle_s;   /* the UI: 12 h */
	const char *cookie;   /* the cookie's name (cut at 31 bytes) */
	bool        secure;   /* https: the cookie is Secure */
	size_t      per_who;  /* live sessions per owner; 0: no cap (the UI) */
};

/* A store with no session (aborts on OOM: small and fixed). */
gc_http_sess *gc_http_sess_new(const struct gc_http_sess_opts *o);
/* Forgets every session and frees. NULL-safe. */
void gc_http_sess_free(gc_http_sess *s);

/* The first of r's session cookies that names a live session: its id and
 * CSRF token copied out, and it counts as used now; false when none. */
bool gc_http_sess_find(gc_http_sess *s, const struct gc_httpd_req *r,
    char sid[65], char csrf[65]);

/* The same, with whom the session belongs to copied into who. */
bool gc_http_sess_find_who(gc_http_sess *s, const struct gc_httpd_req *r,
    char sid[65], char csrf[65], char who[GC_HTTP_SESS_WHO]);

/* A new session: its CSRF token copied out, its cookie (HttpOnly,
 * SameSite=Strict, Path=/, Secure on https) set on r; _as: belonging to
 * who (cut at GC_HTTP_SESS_WHO - 1 bytes). GC_EAGAIN (csrf "", no cookie
 * set, nobody's session ended) when every slot holds a live session of
 * another owner. _start: owner "", whose sessions take each other's
 * slots, so a table of only those always has room. */
void gc_http_sess_start(gc_http_sess *s, struct gc_httpd_req *r,
    char csrf[65]);
GC_NODISCARD gc_err gc_http_sess_start_as(gc_http_sess *s,
    struct gc_httpd_req *r, char csrf[65], const char *who);

/* Ends session sid (if live) and has r clear the cookie. */
void gc_http_sess_end(gc_http_sess *s, struct gc_httpd_req *r,
    const char *sid);

/* Whether r carries csrf, the token of its session, in X-CSRF-Token. */
bool gc_http_sess_csrf_ok(const struct gc_httpd_req *r, const char *csrf);

#endif
