/* Cookie sessions and CSRF tokens (node/http_session.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "node/http_session.h"

static const struct gc_http_sess_opts opts = {
	.capacity = 2, .idle_s = 3600, .cookie = "gc_sid_8080",
};

/* A request carrying cookie and csrf, as httpd would hand it over. */
static void
req_init(struct gc_httpd_req *r, const char *cookie, const char *csrf)
{
	memset(r, 0, sizeof(*r));
	r->cookie = cookie;
	r->csrf   = csrf;
}

/* Starts a session: its id (from the cookie) and CSRF token out. */
static void
start(gc_http_sess *s, char sid[65], char csrf[65])
{
	struct gc_httpd_req r;
	const char         *p;

	req_init(&r, NULL, "");
	gc_http_sess_start(s, &r, csrf);
	p = strchr(r.set_cookie, '=');
	assert_non_null(p);
	memcpy(sid, p + 1, 64);
	sid[64] = '\0';
}

/* Starts a session of who: GC_OK with its id out, or what start said. */
static gc_err
start_as(gc_http_sess *s, const char *who, char sid[65])
{
	struct gc_httpd_req r;
	char                csrf[65];
	const char         *p;
	gc_err              rv;

	req_init(&r, NULL, "");
	rv = gc_http_sess_start_as(s, &r, csrf, who);
	if (rv != GC_OK) {
		assert_string_equal(r.set_cookie, "");
		assert_string_equal(csrf, "");
		return rv;
	}
	p = strchr(r.set_cookie, '=');
	assert_non_null(p);
	memcpy(sid, p + 1, 64);
	sid[64] = '\0';
	return GC_OK;
}

/* Whether sid is live, belonging to who. */
static bool
live_as(gc_http_sess *s, const char *sid, const char *who)
{
	struct gc_httpd_req r;
	char                cookie[128], got_sid[65], csrf[65];
	char                got_who[GC_HTTP_SESS_WHO];

	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%s", sid);
	req_init(&r, cookie, "");
	if (!gc_http_sess_find_who(s, &r, got_sid, csrf, got_who)) {
		return false;
	}
	assert_string_equal(got_who, who);
	return true;
}

static bool
find(gc_http_sess *s, const char *cookie, char csrf[65])
{
	struct gc_httpd_req r;
	char                sid[65];

	req_init(&r, cookie, "");
	return gc_http_sess_find(s, &r, sid, csrf);
}

static void
test_http_sess_start_sets_a_strict_cookie(void **state)
{
	struct gc_http_sess_opts o = opts;
	struct gc_httpd_req      r;
	gc_http_sess            *s;
	char                     csrf[65], want[256];

	(void)state;
	for (int secure = 0; secure < 2; secure++) {
		o.secure = secure;
		s        = gc_http_sess_new(&o);
		req_init(&r, NULL, "");
		gc_http_sess_start(s, &r, csrf);
		assert_int_equal(strlen(csrf), 64);
		assert_int_equal(strncmp(r.set_cookie, "gc_sid_8080=", 12), 0);
		snprintf(want, sizeof(want), "gc_sid_8080=%.64s; Path=/; "
		    "HttpOnly; SameSite=Strict%s", r.set_cookie + 12,
		    secure ? "; Secure" : "");
		assert_string_equal(r.set_cookie, want);
		gc_http_sess_free(s);
	}
}

static void
test_http_sess_find_takes_the_live_cookie(void **state)
{
	gc_http_sess *s = gc_http_sess_new(&opts);
	char          sid[65], csrf[65], got[65], cookie[512];

	(void)state;
	start(s, sid, csrf);
	/* a made-up session first, another app's cookie, then ours */
	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%064d; other=1; "
	    "gc_sid_8081=%s;gc_sid_8080=%s", 0, sid, sid);
	assert_true(find(s, cookie, got));
	assert_string_equal(got, csrf);
	snprintf(cookie, sizeof(cookie), "gc_sid_8081=%s", sid);
	assert_false(find(s, cookie, got));
	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%sx", sid);
	assert_false(find(s, cookie, got));
	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%.63s", sid);
	assert_false(find(s, cookie, got));
	assert_false(find(s, NULL, got));
	assert_false(find(s, "", got));
	gc_http_sess_free(s);
}

static void
test_http_sess_new_session_evicts_the_oldest(void **state)
{
	gc_http_sess *s = gc_http_sess_new(&opts); /* capacity 2 */
	char          sid[3][65], csrf[3][65], got[65], cookie[128];

	(void)state;
	for (int i = 0; i < 3; i++) {
		start(s, sid[i], csrf[i]);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(cookie, sizeof(cookie), "gc_sid_8080=%s", sid[i]);
		assert_int_equal(find(s, cookie, got), i > 0);
	}
	gc_http_sess_free(s);
}

/* One student signing in again and again ends only their own sessions,
 * the least recently used first, past per_who. */
static void
test_http_sess_owner_keeps_at_most_per_who(void **state)
{
	struct gc_http_sess_opts o = opts;
	gc_http_sess            *s;
	char                     a[40][65], b[65];

	(void)state;
	o.capacity = 8;
	o.per_who  = 3;
	s          = gc_http_sess_new(&o);
	assert_int_equal(start_as(s, "10335:1:B", b), GC_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(start_as(s, "10335:1:A", a[i]), GC_OK);
	}
	assert_true(live_as(s, a[0], "10335:1:A")); /* a[0] used: a[1] LRU */
	assert_int_equal(start_as(s, "10335:1:A", a[3]), GC_OK);
	assert_false(live_as(s, a[1], "10335:1:A"));
	assert_true(live_as(s, a[0], "10335:1:A"));
	assert_true(live_as(s, a[2], "10335:1:A"));
	assert_true(live_as(s, a[3], "10335:1:A"));
	/* far more sign-ins than the table holds: B stays */
	for (int i = 4; i < 40; i++) {
		assert_int_equal(start_as(s, "10335:1:A", a[i]), GC_OK);
	}
	assert_true(live_as(s, b, "10335:1:B"));
	for (int i = 0; i < 37; i++) {
		assert_false(live_as(s, a[i], "10335:1:A"));
	}
	for (int i = 37; i < 40; i++) {
		assert_true(live_as(s, a[i], "10335:1:A"));
	}
	gc_http_sess_free(s);
}

/* A table full of other owners' live sessions refuses a new one rather
 * than end one of theirs; an owner with one there takes their own. */
static void
test_http_sess_full_table_never_evicts_another_owner(void **state)
{
	struct gc_http_sess_opts o = opts; /* capacity 2 */
	gc_http_sess            *s;
	char                     a[2][65], b[65], c[65];

	(void)state;
	o.per_who = 5;
	s         = gc_http_sess_new(&o);
	assert_int_equal(start_as(s, "A", a[0]), GC_OK);
	assert_int_equal(start_as(s, "B", b), GC_OK);
	assert_int_equal(start_as(s, "C", c), GC_EAGAIN);
	assert_true(live_as(s, a[0], "A"));
	assert_true(live_as(s, b, "B"));
	assert_int_equal(start_as(s, "A", a[1]), GC_OK);
	assert_false(live_as(s, a[0], "A"));
	assert_true(live_as(s, a[1], "A"));
	assert_true(live_as(s, b, "B"));
	gc_http_sess_free(s);
}

static void
test_http_sess_end_forgets_and_clears_the_cookie(void **state)
{
	gc_http_sess       *s = gc_http_sess_new(&opts);
	struct gc_httpd_req r;
	char                sid[65], csrf[65], got[65], cookie[128];

	(void)state;
	start(s, sid, csrf);
	req_init(&r, NULL, "");
	gc_http_sess_end(s, &r, sid);
	assert_string_equal(r.set_cookie, "gc_sid_8080=; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=0");
	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%s", sid);
	assert_false(find(s, cookie, got));
	gc_http_sess_free(s);
}

static void
test_http_sess_idle_session_is_forgotten(void **state)
{
	struct gc_http_sess_opts o = opts;
	gc_http_sess            *s;
	char                     sid[65], csrf[65], got[65], cookie[128];
	char                     other[65], late[65];

	(void)state;
	o.idle_s  = 1;
	o.per_who = 5;
	s         = gc_http_sess_new(&o);
	start(s, sid, csrf);
	assert_int_equal(start_as(s, "B", other), GC_OK); /* table full */
	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%s", sid);
	assert_true(find(s, cookie, got));
	assert_int_equal(start_as(s, "C", late), GC_EAGAIN);
	sleep(3);
	/* idle sessions of others are no one's any more: their slots serve */
	assert_int_equal(start_as(s, "C", late), GC_OK);
	assert_int_equal(start_as(s, "D", late), GC_OK);
	assert_false(find(s, cookie, got));
	assert_false(live_as(s, other, "B"));
	gc_http_sess_free(s);
}

static void
test_http_sess_csrf_needs_the_exact_token(void **state)
{
	gc_http_sess       *s = gc_http_sess_new(&opts);
	struct gc_httpd_req r;
	char                sid[65], csrf[65], other[65], longer[80];

	(void)state;
	start(s, sid, csrf);
	req_init(&r, NULL, csrf);
	assert_true(gc_http_sess_csrf_ok(&r, csrf));
	memcpy(other, csrf, 65);
	other[10] = other[10] == 'a' ? 'b' : 'a';
	req_init(&r, NULL, other);
	assert_false(gc_http_sess_csrf_ok(&r, csrf));
	req_init(&r, NULL, "");
	assert_false(gc_http_sess_csrf_ok(&r, csrf));
	snprintf(longer, sizeof(longer), "%s0", csrf);
	req_init(&r, NULL, longer);
	assert_false(gc_http_sess_csrf_ok(&r, csrf));
	gc_http_sess_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_sess_start_sets_a_strict_cookie),
		cmocka_unit_test(test_http_sess_find_takes_the_live_cookie),
		cmocka_unit_test(test_http_sess_new_session_evicts_the_oldest),
		cmocka_unit_test(test_http_sess_owner_keeps_at_most_per_who),
		cmocka_unit_test(
		    test_http_sess_full_table_never_evicts_another_owner),
		cmocka_unit_test(test_http_sess_end_forgets_and_clears_the_cookie),
		cmocka_unit_test(test_http_sess_idle_session_is_forgotten),
		cmocka_unit_test(test_http_sess_csrf_needs_the_exact_token),
	};
	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("node.http_session", tests, NULL,
	    NULL);
}
