/* portal_pipes: the portal's pool of pipelines under threads: never more
 * out at once than its size, each pipeline with one thread at a time and
 * all of them giving the same report on the same photo (one shared face
 * model); a profile that does not load answers every taker NULL with the
 * reason, none left waiting. (node/portal_int.h) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/jpeg.h"
#include "common/config.h"
#include "node/portal_int.h"
#include "tests/testutil.h"

#define NTHREADS 6
#define ROUNDS   3

struct shared {
	struct gc_portal_capture cap;
	const gc_config         *cfg;
	const uint8_t           *photo;
	size_t                   len;
	atomic_int               out, most;
	gc_pipeline             *seen[NTHREADS * ROUNDS];
	atomic_int               nseen;
	pthread_mutex_t          tally; /* guards below */
	int                      verdict, nfaces, nnull;
	bool                     differ;
};

/* The photo: grace_hopper when tests/data/fetch.sh has it (a face, so the
 * landmark model is used by several threads at once), else a plain grey
 * JPEG made now (no face). */
static uint8_t *
photo(size_t *len)
{
	const char     *path = gc_test_data("grace_hopper");
	struct gc_image im;
	struct gc_buf   b;

	if (path != NULL) {
		return gc_test_read_file(path, len);
	}
	assert_int_equal(gc_image_alloc(&im, 320, 240, 3), GC_OK);
	memset(im.px, 128, im.stride * (size_t)im.h);
	gc_buf_init(&b);
	assert_int_equal(gc_jpeg_encode(&im, 90, 72, &b), GC_OK);
	gc_image_release(&im);
	{
		uint8_t *p = malloc(b.len);

		assert_non_null(p);
		memcpy(p, b.data, b.len);
		*len = b.len;
		gc_buf_release(&b);
		return p;
	}
}

static void *
taker(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < ROUNDS; i++) {
		gc_pipeline              *pl = gc_portal_pipeline_take(&s->cap,
		    s->cfg);
		struct gc_pipeline_result r;
		int                       now, most;

		if (pl == NULL) {
			pthread_mutex_lock(&s->tally);
			s->nnull++;
			pthread_mutex_unlock(&s->tally);
			continue;
		}
		now  = atomic_fetch_add(&s->out, 1) + 1;
		most = atomic_load(&s->most);
		while (now > most &&
		    !atomic_compare_exchange_weak(&s->most, &most, now)) {
		}
		s->seen[atomic_fetch_add(&s->nseen, 1)] = pl;
		gc_pipeline_result_init(&r);
		if (gc_pipeline_run(pl, s->photo, s->len, GC_PIPE_NORMALIZE,
		    &r) == GC_OK) {
			pthread_mutex_lock(&s->tally);
			if (s->verdict < 0) {
				s->verdict = (int)r.report.verdict;
				s->nfaces  = r.has_face;
			}
			s->differ |= s->verdict != (int)r.report.verdict ||
			    s->nfaces != (int)r.has_face;
			pthread_mutex_unlock(&s->tally);
		}
		gc_pipeline_result_release(&r);
		atomic_fetch_sub(&s->out, 1);
		gc_portal_pipeline_give(&s->cap, pl);
	}
	return NULL;
}

static void
run_takers(struct shared *s)
{
	pthread_t th[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_create(&th[i], NULL, taker, s), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
	}
}

static void
shared_init(struct shared *s, int max, const gc_config *cfg)
{
	memset(s, 0, sizeof(*s));
	gc_portal_pipes_init(&s->cap, max);
	pthread_mutex_init(&s->tally, NULL);
	s->cfg     = cfg;
	s->verdict = -1;
}

static void
shared_release(struct shared *s)
{
	gc_portal_pipes_release(&s->cap);
	pthread_mutex_destroy(&s->tally);
}

/* Distinct pipelines among those handed out. */
static int
distinct(const struct shared *s)
{
	int n = 0, k = atomic_load(&s->nseen);

	for (int i = 0; i < k; i++) {
		bool again = false;

		for (int j = 0; j < i; j++) {
			again |= s->seen[j] == s->seen[i];
		}
		n += !again;
	}
	return n;
}

static void
test_pipes_never_more_out_than_the_pool(void **state)
{
	struct shared s;
	size_t        len;
	uint8_t      *p = photo(&len);

	(void)state;
	for (int max = 1; max <= 2; max++) {
		shared_init(&s, max, NULL);
		s.photo = p;
		s.len   = len;
		run_takers(&s);
		assert_int_equal(s.nnull, 0);
		assert_int_equal(atomic_load(&s.nseen), NTHREADS * ROUNDS);
		assert_true(atomic_load(&s.most) >= 1);
		assert_true(atomic_load(&s.most) <= max);
		assert_true(distinct(&s) <= max);
		assert_true(s.cap.nopen <= max);
		/* every one came back */
		assert_int_equal(s.cap.nidle, s.cap.nopen);
		assert_int_equal(atomic_load(&s.out), 0);
		/* the same report from every pipeline and thread */
		assert_true(s.verdict >= 0);
		assert_false(s.differ);
		shared_release(&s);
	}
	free(p);
}

static void
test_pipes_size_follows_the_cpus(void **state)
{
	struct gc_portal_capture c;

	(void)state;
	memset(&c, 0, sizeof(c));
	gc_portal_pipes_init(&c, 0);
	assert_true(c.max >= 1 && c.max <= GC_PORTAL_PIPES_MAX);
	gc_portal_pipes_release(&c);
	gc_portal_pipes_init(&c, 1000);
	assert_int_equal(c.max, GC_PORTAL_PIPES_MAX);
	gc_portal_pipes_release(&c);
}

static void
test_pipes_bad_profile_answers_every_taker(void **state)
{
	static const char ini[] = "[capture]\nprofile = nosuch\n";
	struct shared     s;
	struct gc_diag    d;
	gc_config        *cfg;
	char             *path;

	(void)state;
	path = gc_test_write_file(gc_test_tmpdir("portal_pipes"),
	    "gradcap.ini", ini, sizeof(ini) - 1);
	gc_diag_clear(&d);
	assert_int_equal(gc_config_load(&cfg, path, &d), GC_OK);
	shared_init(&s, 2, cfg);
	run_takers(&s);
	assert_int_equal(s.nnull, NTHREADS * ROUNDS);
	assert_int_equal(atomic_load(&s.nseen), 0);
	assert_true(s.cap.broken);
	assert_non_null(strstr(s.cap.err, "nosuch"));
	assert_null(gc_portal_pipeline_take(&s.cap, cfg));
	shared_release(&s);
	gc_config_free(cfg);
	free(path);
}

/* One photo at a time per student, and a bounded table. */
static void
test_inflight_one_photo_a_student(void **state)
{
	struct gc_portal_capture c;
	char                     key[32];

	(void)state;
	memset(&c, 0, sizeof(c));
	gc_portal_pipes_init(&c, 1);
	assert_true(gc_portal_inflight_enter(&c, "10335:1:A:05"));
	assert_false(gc_portal_inflight_enter(&c, "10335:1:A:05"));
	assert_true(gc_portal_inflight_enter(&c, "10335:1:B:05"));
	gc_portal_inflight_leave(&c, "10335:1:A:05");
	assert_true(gc_portal_inflight_enter(&c, "10335:1:A:05"));
	gc_portal_inflight_leave(&c, "10335:1:A:05");
	gc_portal_inflight_leave(&c, "10335:1:C:05"); /* not in: nothing */
	assert_false(gc_portal_inflight_enter(&c, "10335:1:B:05")); /* kept */
	gc_portal_inflight_leave(&c, "10335:1:B:05");
	for (int i = 0; i < GC_PORTAL_INFLIGHT; i++) {
		snprintf(key, sizeof(key), "10335:1:%d:05", i);
		assert_true(gc_portal_inflight_enter(&c, key));
	}
	assert_false(gc_portal_inflight_enter(&c, "10335:1:late:05"));
	gc_portal_inflight_leave(&c, "10335:1:7:05");
	assert_true(gc_portal_inflight_enter(&c, "10335:1:late:05"));
	gc_portal_pipes_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflight_one_photo_a_student),
		cmocka_unit_test(test_pipes_never_more_out_than_the_pool),
		cmocka_unit_test(test_pipes_size_follows_the_cpus),
		cmocka_unit_test(test_pipes_bad_profile_answers_every_taker),
	};

	return cmocka_run_group_tests_name("node.portal_pipes", tests, NULL,
	    NULL);
}
