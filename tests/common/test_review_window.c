/* review_window: the [online] settings, the review queue's order and
 * deadlines, and the resubmission window, over a hand-made merge at
 * fixed times (no clock). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "common/records.h"
#include "common/review_window.h"
#include "tests/testutil.h"

#define H ((uint64_t)3600 * 1000)
/* 2026-06-01T00:00:00Z in ms: the time the captures are made from */
#define T0 ((uint64_t)1780272000 * 1000)

static uint64_t
hlc_at(uint64_t ms)
{
	return ms << 16;
}

/* A merge of nst students (keys "s0".."sN", NEEDS_RETAKE unless set)
 * and the captures given; cap[i].st says whose (captures must be in
 * student order, as the merge keeps them). */
struct fx {
	struct gc_mstudent st[4];
	struct gc_mcap     cap[8];
	struct gc_merge    m;
};

static void
fx_init(struct fx *f, size_t nst)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < nst; i++) {
		snprintf(f->st[i].key, sizeof(f->st[i].key), "s%zu", i);
		f->st[i].status = GC_MS_NEEDS_RETAKE;
		f->st[i].winner = -1;
	}
	f->m.st  = f->st;
	f->m.nst = nst;
	f->m.cap = f->cap;
}

/* Adds a capture of student st at ms, of session kind, not reviewed. */
static struct gc_mcap *
fx_cap(struct fx *f, int32_t st, uint64_t ms, enum gc_session_kind kind)
{
	struct gc_mcap *c = &f->cap[f->m.ncap];

	memset(c, 0, sizeof(*c));
	c->id[0]  = (uint8_t)(0x10 + f->m.ncap);
	c->hlc    = hlc_at(ms);
	c->st     = st;
	c->kind   = (uint8_t)kind;
	c->blob   = true;
	c->review = -1;
	if (st >= 0) {
		if (f->st[st].ncap == 0) {
			f->st[st].first = (uint32_t)f->m.ncap;
		}
		f->st[st].ncap++;
	}
	f->m.ncap++;
	return c;
}

static void
reject_at(struct gc_mcap *c, uint64_t ms)
{
	c->review = GC_REVIEW_REJECT;
	c->rv_hlc = hlc_at(ms);
}

static gc_config *
ini(const char *text)
{
	char      *dir = gc_test_tmpdir("review_window");
	char      *p = gc_test_write_file(dir, "gradcap.ini", text, strlen(text));
	gc_config *c;

	assert_int_equal(gc_config_load(&c, p, NULL), GC_OK);
	free(p);
	return c;
}

static void
test_online_cfg_defaults_when_absent(void **state)
{
	struct gc_online_cfg o;
	gc_config           *c = ini("[merge]\nprecedence = central,makeup,"
	              "individual,online\n");

	(void)state;
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.review_hours, 48);
	assert_int_equal(o.retake_hours, 48);
	assert_int_equal(o.nreasons, 6);
	assert_string_equal(o.reasons[0], "背景不合格");
	assert_string_equal(o.reasons[2], "头发遮挡眉毛/耳朵");
	assert_string_equal(o.reasons[5], "模糊");
	assert_int_equal(o.methods, GC_ONLINE_CAMERA | GC_ONLINE_UPLOAD);
	gc_config_free(c);
	assert_int_equal(gc_online_cfg_load(NULL, &o, NULL), GC_OK);
	assert_int_equal(o.nreasons, 6);
}

/* [online] methods: camera, upload or both, in any order and case. */
static void
test_online_cfg_methods(void **state)
{
	struct gc_online_cfg o;
	gc_config           *c;

	(void)state;
	c = ini("[online]\nmethods = upload\n");
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.methods, GC_ONLINE_UPLOAD);
	gc_config_free(c);
	c = ini("[online]\nmethods = Camera\n");
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.methods, GC_ONLINE_CAMERA);
	gc_config_free(c);
	c = ini("[online]\nmethods = upload ，camera\n");
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.methods, GC_ONLINE_CAMERA | GC_ONLINE_UPLOAD);
	gc_config_free(c);
}

static void
test_online_cfg_reads_the_section(void **state)
{
	struct gc_online_cfg o;
	gc_config           *c = ini("[online]\nreview_hours = 24\n"
	              "retake_hours = 720\n"
	              "reject_reasons = 背景不合格 ，  翻拍,衣服与背景同色 \n");

	(void)state;
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.review_hours, 24);
	assert_int_equal(o.retake_hours, 720);
	assert_int_equal(o.nreasons, 3);
	assert_string_equal(o.reasons[0], "背景不合格");
	assert_string_equal(o.reasons[1], "翻拍");
	assert_string_equal(o.reasons[2], "衣服与背景同色");
	gc_config_free(c);
}

/* Loads text, expects GC_EINVAL with want in the message. */
static void
refused(const char *text, const char *want)
{
	struct gc_online_cfg o;
	struct gc_diag       d;
	gc_config           *c = ini(text);

	gc_diag_clear(&d);
	assert_int_equal(gc_online_cfg_load(c, &o, &d), GC_EINVAL);
	if (strstr(d.msg, want) == NULL) {
		fail_msg("'%s' not in '%s'", want, d.msg);
	}
	assert_int_equal(o.review_hours, 48); /* the defaults stand */
	gc_config_free(c);
}

/* remind_hours: 12 by default, half of a retake_hours of 12 or less
 * (0: no reminder) unless given. */
static void
test_online_cfg_remind_hours(void **state)
{
	struct gc_online_cfg o;
	gc_config           *c;

	(void)state;
	gc_online_cfg_default(&o);
	assert_int_equal(o.remind_hours, 12);
	c = ini("[online]\nretake_hours = 12\n");
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.remind_hours, 6);
	gc_config_free(c);
	c = ini("[online]\nretake_hours = 1\n");
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.remind_hours, 0);
	gc_config_free(c);
	c = ini("[online]\nretake_hours = 72\nremind_hours = 24\n");
	assert_int_equal(gc_online_cfg_load(c, &o, NULL), GC_OK);
	assert_int_equal(o.remind_hours, 24);
	gc_config_free(c);
}

static void
test_online_cfg_refuses_bad_values_naming_them(void **state)
{
	char   big[2048] = "[online]\nreject_reasons = ";
	size_t n;

	(void)state;
	refused("[online]\nreview_hours = 0\n", "[online] review_hours = 0");
	refused("[online]\nreview_hours = 721\n", "from 1 to 720");
	refused("[online]\nretake_hours = 48h\n", "[online] retake_hours = 48h");
	refused("[online]\nretake_hours = -1\n", "retake_hours");
	refused("[online]\nretake_hours = 24\nremind_hours = 24\n",
	    "[online] remind_hours = 24: the reminder comes before the "
	    "deadline, so give fewer hours than retake_hours (24)");
	refused("[online]\nremind_hours = 0\n", "[online] remind_hours = 0");
	refused("[online]\nmethods = camera, scanner\n",
	    "[online] methods = camera, scanner: \"scanner\" is not a method "
	    "(give camera, upload or both, separated by commas)");
	refused("[online]\nmethods = upload, upload\n", "upload is given "
	    "twice");
	refused("[online]\nmethods = ,\n", "[online] methods is empty");
	refused("[online]\nreject_reasons = 翻拍,,模糊\n", "reason 2 is empty");
	refused("[online]\nreject_reasons = 翻拍,\n", "reason 2 is empty");
	refused("[online]\nreject_reasons = \xff\xfe\n", "reason 1 is not UTF-8");
	for (int i = 0; i < 17; i++) {
		n = strlen(big);
		snprintf(big + n, sizeof(big) - n, "%s理由%d", i ? "," : "", i);
	}
	strcat(big, "\n");
	refused(big, "more than 16 reasons");
	memset(big, 0, sizeof(big));
	strcpy(big, "[online]\nreject_reasons = 模糊,");
	n = strlen(big);
	memset(big + n, 'x', 121);
	strcat(big, "\n");
	refused(big, "reason 2 is longer than 120 bytes");
}

static void
test_review_queue_is_oldest_first_with_deadlines(void **state)
{
	struct fx             f;
	struct gc_online_cfg  o;
	struct gc_review_item *q;
	size_t                n;
	struct gc_mcap       *a, *b, *c, *d, *e;
	uint64_t              now = T0 + 50 * H;

	(void)state;
	gc_online_cfg_default(&o);
	fx_init(&f, 3);
	a = fx_cap(&f, 0, T0 + 10 * H, GC_SESSION_ONLINE);  /* 40 h old */
	b = fx_cap(&f, 1, T0 + 1 * H, GC_SESSION_ONLINE);   /* 49 h: overdue */
	c = fx_cap(&f, 1, T0 + 1 * H, GC_SESSION_CENTRAL);  /* same time */
	d = fx_cap(&f, 2, T0, GC_SESSION_ONLINE);           /* reviewed */
	d->review = GC_REVIEW_APPROVE;
	e = fx_cap(&f, -1, T0, GC_SESSION_ONLINE);          /* not on roster */
	(void)e;
	assert_int_equal(gc_review_queue_make(&f.m, &o, now, &q, &n), GC_OK);
	assert_int_equal(n, 3);
	/* same time: by entry id (b's id sorts first) */
	assert_ptr_equal(q[0].cap, b);
	assert_ptr_equal(q[1].cap, c);
	assert_ptr_equal(q[2].cap, a);
	assert_int_equal(q[0].age_ms, 49 * H);
	assert_int_equal(q[0].deadline_ms, T0 + 49 * H);
	assert_true(q[0].overdue);
	/* a station capture: no deadline, never overdue */
	assert_int_equal(q[1].deadline_ms, 0);
	assert_false(q[1].overdue);
	assert_int_equal(q[2].age_ms, 40 * H);
	assert_int_equal(q[2].deadline_ms, T0 + 58 * H);
	assert_false(q[2].overdue);
	gc_free(q);
	/* at the deadline exactly: not yet overdue; a capture from the
	 * future (another node's clock ahead) has age 0 */
	o.review_hours = 49;
	assert_int_equal(gc_review_queue_make(&f.m, &o, T0 + 50 * H, &q, &n),
	    GC_OK);
	assert_false(q[0].overdue);
	gc_free(q);
	assert_int_equal(gc_review_queue_make(&f.m, &o, T0, &q, &n), GC_OK);
	assert_int_equal(q[2].age_ms, 0);
	gc_free(q);
	/* voided or without its photo: not waiting */
	a->voided = true;
	b->blob   = false;
	assert_int_equal(gc_review_queue_make(&f.m, &o, now, &q, &n), GC_OK);
	assert_int_equal(n, 1);
	assert_ptr_equal(q[0].cap, c);
	gc_free(q);
	c->review = GC_REVIEW_REJECT;
	assert_int_equal(gc_review_queue_make(&f.m, &o, now, &q, &n), GC_OK);
	assert_int_equal(n, 0);
	assert_null(q);
}

static void
test_retake_window_runs_from_the_rejection(void **state)
{
	struct fx            f;
	struct gc_online_cfg o;
	struct gc_mcap      *a;
	uint64_t             due;
	size_t               rj;

	(void)state;
	gc_online_cfg_default(&o);
	fx_init(&f, 1);
	a = fx_cap(&f, 0, T0, GC_SESSION_ONLINE);
	reject_at(a, T0 + 5 * H);
	assert_true(gc_retake_window(&f.m, &f.st[0], &o, &due, &rj));
	assert_int_equal(due, T0 + 53 * H);
	assert_int_equal(rj, 0);
	assert_false(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 53 * H));
	assert_true(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 53 * H + 1));
	assert_int_equal(gc_review_window_status(&f.m, &f.st[0], &o,
	    T0 + 53 * H), GC_MS_NEEDS_RETAKE);
	assert_int_equal(gc_review_window_status(&f.m, &f.st[0], &o,
	    T0 + 60 * H), GC_MS_MISSING);
	/* the merge itself is untouched by the view */
	assert_int_equal(f.st[0].status, GC_MS_NEEDS_RETAKE);
	o.retake_hours = 1;
	assert_true(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 7 * H));
}

static void
test_retake_window_closes_on_a_newer_capture(void **state)
{
	struct fx            f;
	struct gc_online_cfg o;
	struct gc_mcap      *a, *b;
	uint64_t             due;
	size_t               rj;

	(void)state;
	gc_online_cfg_default(&o);
	fx_init(&f, 1);
	a = fx_cap(&f, 0, T0, GC_SESSION_ONLINE);
	reject_at(a, T0 + 5 * H);
	/* resubmitted after the rejection, its photo not here yet (the
	 * merge still says NEEDS_RETAKE): not overdue */
	b = fx_cap(&f, 0, T0 + 6 * H, GC_SESSION_ONLINE);
	b->blob = false;
	assert_false(gc_retake_window(&f.m, &f.st[0], &o, &due, &rj));
	assert_false(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 100 * H));
	/* the resubmission withdrawn: the window counts again */
	b->voided = true;
	assert_true(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 100 * H));
	/* the resubmission rejected too: a new window from that rejection */
	b->voided = false;
	b->blob   = true;
	reject_at(b, T0 + 80 * H);
	assert_true(gc_retake_window(&f.m, &f.st[0], &o, &due, &rj));
	assert_int_equal(due, T0 + 128 * H);
	assert_int_equal(rj, 1);
	assert_false(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 100 * H));
}

static void
test_retake_window_only_for_online_rejections(void **state)
{
	struct fx            f;
	struct gc_online_cfg o;
	struct gc_mcap      *a, *b;

	(void)state;
	gc_online_cfg_default(&o);
	fx_init(&f, 2);
	a = fx_cap(&f, 0, T0, GC_SESSION_CENTRAL);
	reject_at(a, T0 + H);
	assert_false(gc_retake_overdue(&f.m, &f.st[0], &o, T0 + 1000 * H));
	assert_int_equal(gc_review_window_status(&f.m, &f.st[0], &o,
	    T0 + 1000 * H), GC_MS_NEEDS_RETAKE);
	/* a student not NEEDS_RETAKE has no window, whatever its captures */
	b = fx_cap(&f, 1, T0, GC_SESSION_ONLINE);
	reject_at(b, T0 + H);
	f.st[1].status = GC_MS_APPROVED; /* say, resolved */
	assert_false(gc_retake_overdue(&f.m, &f.st[1], &o, T0 + 1000 * H));
	f.st[1].status = GC_MS_NEEDS_RETAKE;
	assert_true(gc_retake_overdue(&f.m, &f.st[1], &o, T0 + 1000 * H));
}

static void
test_review_window_now_reads_the_test_hook(void **state)
{
	(void)state;
	setenv("GRADCAP_NOW", "1780272000", 1);
	assert_int_equal(gc_review_window_now_ms(), T0);
	setenv("GRADCAP_NOW", "soon", 1);
	assert_true(gc_review_window_now_ms() > T0 - 1000 * H);
	unsetenv("GRADCAP_NOW");
	assert_true(gc_review_window_now_ms() > (uint64_t)1700000000 * 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_online_cfg_defaults_when_absent),
		cmocka_unit_test(test_online_cfg_reads_the_section),
		cmocka_unit_test(test_online_cfg_methods),
		cmocka_unit_test(test_online_cfg_remind_hours),
		cmocka_unit_test(test_online_cfg_refuses_bad_values_naming_them),
		cmocka_unit_test(test_review_queue_is_oldest_first_with_deadlines),
		cmocka_unit_test(test_retake_window_runs_from_the_rejection),
		cmocka_unit_test(test_retake_window_closes_on_a_newer_capture),
		cmocka_unit_test(test_retake_window_only_for_online_rejections),
		cmocka_unit_test(test_review_window_now_reads_the_test_hook),
	};
	return cmocka_run_group_tests_name("common.review_window", tests, NULL,
	    NULL);
}
