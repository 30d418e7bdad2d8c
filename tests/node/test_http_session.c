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

	(void)state;
	o.idle_s = 1;
	s        = gc_http_sess_new(&o);
	start(s, sid, csrf);
	snprintf(cookie, sizeof(cookie), "gc_sid_8080=%s", sid);
	assert_true(find(s, cookie, got));
	sleep(3);
	assert_false(find(s, cookie, got));
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
