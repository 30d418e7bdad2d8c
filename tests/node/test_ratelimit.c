/* ratelimit: failures per key in fixed windows; keys apart; a full table
 * keeps working; and the portal sessions' owner (http_session's who). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "node/http_session.h"
#include "node/ratelimit.h"

static void
test_window(void **state)
{
	gc_ratelimit *rl = gc_ratelimit_new(64, 3, 900);

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_false(gc_ratelimit_over(rl, "1.2.3.4", 7, 1000 + i));
		gc_ratelimit_fail(rl, "1.2.3.4", 7, 1000 + i);
	}
	assert_true(gc_ratelimit_over(rl, "1.2.3.4", 7, 1010));
	/* another key is apart */
	assert_false(gc_ratelimit_over(rl, "1.2.3.5", 7, 1010));
	/* the window ends 900 s after its first failure */
	assert_true(gc_ratelimit_over(rl, "1.2.3.4", 7, 1899));
	assert_false(gc_ratelimit_over(rl, "1.2.3.4", 7, 1900));
	gc_ratelimit_free(rl);
	gc_ratelimit_free(NULL);
}

struct taker {
	gc_ratelimit *rl;
	int           got;
};

static void *
taker(void *arg)
{
	struct taker *t = arg;

	for (int i = 0; i < 200; i++) {
		t->got += !gc_ratelimit_take(t->rl, "student", 7, 5000);
	}
	return NULL;
}

/* Take counts as it checks: two at once never both get the last one. */
static void
test_take(void **state)
{
	gc_ratelimit *rl = gc_ratelimit_new(64, 2, 3600);
	struct taker  t[8];
	pthread_t     th[8];
	int           sum = 0;

	(void)state;
	assert_false(gc_ratelimit_take(rl, "a", 1, 1000));
	assert_false(gc_ratelimit_take(rl, "a", 1, 1001));
	assert_true(gc_ratelimit_take(rl, "a", 1, 1002));
	assert_true(gc_ratelimit_over(rl, "a", 1, 1003));
	assert_false(gc_ratelimit_take(rl, "b", 1, 1003));
	gc_ratelimit_free(rl);
	rl = gc_ratelimit_new(64, 50, 3600);
	for (int i = 0; i < 8; i++) {
		t[i].rl  = rl;
		t[i].got = 0;
		assert_int_equal(pthread_create(&th[i], NULL, taker, &t[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		sum += t[i].got;
	}
	assert_int_equal(sum, 50);
	gc_ratelimit_free(rl);
}

static void
test_full_table(void **state)
{
	gc_ratelimit *rl = gc_ratelimit_new(16, 2, 900);
	char          k[32];

	(void)state;
	/* many more keys than slots: each new key takes a slot, and the key
	 * just failed twice is held back */
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(k, sizeof(k), "10.0.%d.%d", i / 256, i % 256);

		gc_ratelimit_fail(rl, k, (size_t)n, 5000);
		gc_ratelimit_fail(rl, k, (size_t)n, 5000);
		assert_true(gc_ratelimit_over(rl, k, (size_t)n, 5000));
	}
	gc_ratelimit_free(rl);
}

static void
test_session_owner(void **state)
{
	gc_http_sess       *s = gc_http_sess_new(&(struct gc_http_sess_opts) {
		.capacity = 4, .idle_s = 60, .cookie = "gc_portal_1",
		.secure = true });
	struct gc_httpd_req r;
	char                csrf[65], sid[65], csrf2[65], who[GC_HTTP_SESS_WHO];
	char                cookie[128];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(gc_http_sess_start_as(s, &r, csrf,
	    "10335:1:11010519491231002X:05"), GC_OK);
	assert_non_null(strstr(r.set_cookie, "; Secure"));
	snprintf(cookie, sizeof(cookie), "%.*s", (int)strcspn(r.set_cookie,
	    ";"), r.set_cookie);
	r.cookie = cookie;
	assert_true(gc_http_sess_find_who(s, &r, sid, csrf2, who));
	assert_string_equal(who, "10335:1:11010519491231002X:05");
	assert_string_equal(csrf, csrf2);
	gc_http_sess_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_session_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
