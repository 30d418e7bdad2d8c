/* Cookie sessions and CSRF tokens (node/http_session.h). */
#include "node/http_session.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/gc_alloc.h"

struct sess {
	char     sid[65], csrf[65];
	char     who[GC_HTTP_SESS_WHO]; /* whom it belongs to (the app's) */
	time_t   used;
	uint64_t tick; /* s->tick when last used: orders ties in used */
};

struct gc_http_sess {
	pthread_mutex_t mtx; /* guards tab and tick */
	struct sess    *tab;
	size_t          cap;
	size_t          per_who;
	uint64_t        tick;
	long            idle_s;
	char            cookie[32];
	bool            secure;
};

gc_http_sess *
gc_http_sess_new(const struct gc_http_sess_opts *o)
{
	gc_http_sess *s = gc_xzalloc(sizeof(*s));

	s->cap    = o->capacity;
	s->tab    = gc_xzalloc(o->capacity * sizeof(*s->tab));
	s->idle_s = o->idle_s;
	s->secure = o->secure;
	s->per_who = o->per_who;
	snprintf(s->cookie, sizeof(s->cookie), "%s", o->cookie);
	pthread_mutex_init(&s->mtx, NULL);
	return s;
}

void
gc_http_sess_free(gc_http_sess *s)
{
	if (s == NULL) {
		return;
	}
	sodium_memzero(s->tab, s->cap * sizeof(*s->tab));
	gc_free(s->tab);
	pthread_mutex_destroy(&s->mtx);
	gc_free(s);
}

static void
rand_hex(char out[65])
{
	uint8_t b[32];

	randombytes_buf(b, sizeof(b));
	gc_hex_encode(out, b, 32);
}

/* The session of sid, refreshed; NULL when none (s->mtx held). Idle
 * sessions before it are forgotten on the way. */
static struct sess *
sess_lookup(gc_http_sess *s, const char *sid)
{
	time_t now = time(NULL);

	if (sid[0] == '\0') {
		return NULL;
	}
	for (size_t i = 0; i < s->cap; i++) {
		struct sess *e = &s->tab[i];

		if (e->sid[0] && now - e->used > s->idle_s) {
			sodium_memzero(e, sizeof(*e));
		}
		if (e->sid[0] && sodium_memcmp(e->sid, sid, 64) == 0) {
			e->used = now;
			e->tick = ++s->tick;
			return e;
		}
	}
	return NULL;
}

/* Whether v names a live session: its id and CSRF token copied out. */
static bool
sess_live(gc_http_sess *s, const char *v, char sid[65], char csrf[65],
    char who[GC_HTTP_SESS_WHO])
{
	struct sess *e;

	pthread_mutex_lock(&s->mtx);
	e = sess_lookup(s, v);
	if (e != NULL) {
		memcpy(sid, v, 65);
		memcpy(csrf, e->csrf, 65);
		if (who != NULL) {
			memcpy(who, e->who, GC_HTTP_SESS_WHO);
		}
	}
	pthread_mutex_unlock(&s->mtx);
	return e != NULL;
}

/* Every value of the cookie in turn, until one is a live session; the
 * cookie is named by the app (the UI: per port, so the UIs of several
 * nodes on one computer keep their own sessions). */
bool
gc_http_sess_find(gc_http_sess *s, const struct gc_httpd_req *r,
    char sid[65], char csrf[65])
{
	return gc_http_sess_find_who(s, r, sid, csrf, NULL);
}

bool
gc_http_sess_find_who(gc_http_sess *s, const struct gc_httpd_req *r,
    char sid[65], char csrf[65], char who[GC_HTTP_SESS_WHO])
{
	const char *p  = r->cookie;
	size_t      nl = strlen(s->cookie);

	sid[0] = '\0';
	while (p != NULL && *p) {
		while (*p == ' ' || *p == ';') {
			p++;
		}
		if (strncmp(p, s->cookie, nl) == 0 && p[nl] == '=' &&
		    strcspn(p + nl + 1, "; ") == 64) {
			char v[65];

			memcpy(v, p + nl + 1, 64);
			v[64] = '\0';
			if (sess_live(s, v, sid, csrf, who)) {
				return true;
			}
		}
		p = strchr(p, ';');
	}
	return false;
}

void
gc_http_sess_start(gc_http_sess *s, struct gc_httpd_req *r, char csrf[65])
{
	/* owner "": a full table of the UI's sessions takes its least
	 * recently used (the header), so this cannot be GC_EAGAIN while
	 * only "" starts sessions (the UI's case) */
	if (gc_http_sess_start_as(s, r, csrf, "") != GC_OK) {
		csrf[0] = '\0'; /* no session: the next request signs in */
	}
}

/* The slot for a new session of who (s->mtx held), NULL when none: who's
 * least recently used once who has per_who live sessions, else a free or
 * idle slot (idle ones forgotten on the way), else who's least recently
 * used; never another owner's live session. */
static struct sess *
sess_slot(gc_http_sess *s, const char *who, time_t now)
{
	struct sess *free_slot = NULL, *mine = NULL;
	size_t       nmine     = 0;

	for (size_t i = 0; i < s->cap; i++) {
		struct sess *e = &s->tab[i];

		if (e->sid[0] && now - e->used > s->idle_s) {
			sodium_memzero(e, sizeof(*e));
		}
		if (e->sid[0] == '\0') {
			if (free_slot == NULL) {
				free_slot = e;
			}
			continue;
		}
		if (strcmp(e->who, who) == 0) {
			nmine++;
			if (mine == NULL || e->tick < mine->tick) {
				mine = e;
			}
		}
	}
	if (mine != NULL && (free_slot == NULL ||
	    (s->per_who > 0 && nmine >= s->per_who))) {
		return mine;
	}
	return free_slot;
}

gc_err
gc_http_sess_start_as(gc_http_sess *s, struct gc_httpd_req *r, char csrf[65],
    const char *who)
{
	char         w[GC_HTTP_SESS_WHO];
	time_t       now = time(NULL);
	struct sess *e;

	snprintf(w, sizeof(w), "%s", who);
	csrf[0] = '\0';
	pthread_mutex_lock(&s->mtx);
	e = sess_slot(s, w, now);
	if (e == NULL) {
		pthread_mutex_unlock(&s->mtx);
		return GC_EAGAIN;
	}
	sodium_memzero(e, sizeof(*e));
	rand_hex(e->sid);
	rand_hex(e->csrf);
	memcpy(e->who, w, sizeof(e->who));
	e->used = now;
	e->tick = ++s->tick;
	memcpy(csrf, e->csrf, 65);
	snprintf(r->set_cookie, sizeof(r->set_cookie), "%s=%s; Path=/; "
	    "HttpOnly; SameSite=Strict%s", s->cookie, e->sid,
	    s->secure ? "; Secure" : "");
	pthread_mutex_unlock(&s->mtx);
	return GC_OK;
}

void
gc_http_sess_end(gc_http_sess *s, struct gc_httpd_req *r, const char *sid)
{
	struct sess *e;

	pthread_mutex_lock(&s->mtx);
	e = sess_lookup(s, sid);
	if (e != NULL) {
		sodium_memzero(e, sizeof(*e));
	}
	pthread_mutex_unlock(&s->mtx);
	snprintf(r->set_cookie, sizeof(r->set_cookie), "%s=; Path=/; "
	    "HttpOnly; SameSite=Strict; Max-Age=0", s->cookie);
}

bool
gc_http_sess_csrf_ok(const struct gc_httpd_req *r, const char *csrf)
{
	return r->csrf[0] != '\0' && strlen(r->csrf) == 64 &&
	    sodium_memcmp(r->csrf, csrf, 64) == 0;
}
