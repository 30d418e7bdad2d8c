/* notices: the outbox of online capture as a view over a hand-made merge
 * at fixed times (no clock): which notices are due when, their order,
 * stable ids, and the messages in Beijing time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "common/notices.h"
#include "common/records.h"

#define H ((uint64_t)3600 * 1000)
/* 2026-12-07T10:00:00Z = 18:00 in Beijing */
#define T0 ((uint64_t)1796637600 * 1000)

struct fx {
	struct gc_mstudent   st[3];
	struct gc_mcap       cap[8];
	struct gc_merge      m;
	struct gc_online_cfg cfg;
};

static void
fx_init(struct fx *f, size_t nst)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < nst; i++) {
		snprintf(f->st[i].key, sizeof(f->st[i].key), "s%zu", i);
		f->st[i].winner = -1;
	}
	f->m.st  = f->st;
	f->m.nst = nst;
	f->m.cap = f->cap;
	gc_online_cfg_default(&f->cfg);
}

/* A capture of student st at ms; captures in student order. */
static struct gc_mcap *
fx_cap(struct fx *f, int32_t st, uint64_t ms, enum gc_session_kind kind)
{
	struct gc_mcap *c = &f->cap[f->m.ncap];

	memset(c, 0, sizeof(*c));
	c->id[0]  = (uint8_t)(0x10 + f->m.ncap);
	c->hlc    = ms << 16;
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
review_at(struct gc_mcap *c, enum gc_review_decision d, uint64_t ms)
{
	c->review = (int8_t)d;
	c->rv_hlc = ms << 16;
}

/* The kinds due at now, in order, as "received,rejected,...". */
static void
kinds_at(struct fx *f, uint64_t now, char *out, size_t cap)
{
	struct gc_notice *nt;
	size_t            n, k = 0;

	assert_int_equal(gc_notices_make(&f->m, &f->cfg, now, &nt, &n),
	    GC_OK);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? "," : "",
		    gc_notice_kind_name(nt[i].kind));
	}
	gc_free(nt);
}

static void
test_notices_follow_a_rejection_to_overdue(void **state)
{
	struct fx       f;
	struct gc_mcap *c;
	char            k[256];

	(void)state;
	fx_init(&f, 1);
	c = fx_cap(&f, 0, T0, GC_SESSION_ONLINE);
	review_at(c, GC_REVIEW_REJECT, T0 + 2 * H);
	kinds_at(&f, T0 - 1, k, sizeof(k));
	assert_string_equal(k, "");
	kinds_at(&f, T0, k, sizeof(k));
	assert_string_equal(k, "received");
	kinds_at(&f, T0 + 2 * H, k, sizeof(k));
	assert_string_equal(k, "received,rejected");
	/* deadline T0 + 50 h; the reminder 12 h before it */
	kinds_at(&f, T0 + 38 * H - 1, k, sizeof(k));
	assert_string_equal(k, "received,rejected");
	kinds_at(&f, T0 + 38 * H, k, sizeof(k));
	assert_string_equal(k, "received,rejected,reminder");
	kinds_at(&f, T0 + 50 * H, k, sizeof(k));
	assert_string_equal(k, "received,rejected,reminder,overdue");
	/* remind_hours 0: no reminder */
	f.cfg.remind_hours = 0;
	kinds_at(&f, T0 + 50 * H, k, sizeof(k));
	assert_string_equal(k, "received,rejected,overdue");
}

static void
test_notices_stop_when_the_student_resubmits(void **state)
{
	struct fx       f;
	struct gc_mcap *c;
	char            k[256];

	(void)state;
	fx_init(&f, 1);
	c = fx_cap(&f, 0, T0, GC_SESSION_ONLINE);
	review_at(c, GC_REVIEW_REJECT, T0 + 2 * H);
	c = fx_cap(&f, 0, T0 + 40 * H, GC_SESSION_ONLINE); /* after reminder */
	review_at(c, GC_REVIEW_APPROVE, T0 + 41 * H);
	kinds_at(&f, T0 + 100 * H, k, sizeof(k));
	assert_string_equal(k,
	    "received,rejected,reminder,received,approved");
	/* resubmitted before the reminder: neither reminder nor overdue */
	f.cap[1].hlc = (T0 + 10 * H) << 16;
	f.cap[1].review = -1;
	kinds_at(&f, T0 + 100 * H, k, sizeof(k));
	assert_string_equal(k, "received,rejected,received");
	/* a voided resubmission does not count, and has no notices */
	f.cap[1].voided = true;
	kinds_at(&f, T0 + 100 * H, k, sizeof(k));
	assert_string_equal(k, "received,rejected,reminder,overdue");
}

static void
test_notices_only_for_online_roster_captures(void **state)
{
	struct fx       f;
	struct gc_mcap *c;
	char            k[256];

	(void)state;
	fx_init(&f, 2);
	c = fx_cap(&f, 0, T0, GC_SESSION_CENTRAL);
	review_at(c, GC_REVIEW_REJECT, T0 + H);
	c = fx_cap(&f, -1, T0, GC_SESSION_ONLINE); /* not on the roster */
	c = fx_cap(&f, 1, T0 + H, GC_SESSION_ONLINE);
	c->voided = true;
	kinds_at(&f, T0 + 100 * H, k, sizeof(k));
	assert_string_equal(k, "");
}

static void
test_notices_ordered_with_stable_ids(void **state)
{
	struct fx         f;
	struct gc_mcap   *a, *b;
	struct gc_notice *nt, *again;
	size_t            n, n2;

	(void)state;
	fx_init(&f, 2);
	a = fx_cap(&f, 0, T0 + 5 * H, GC_SESSION_ONLINE);
	b = fx_cap(&f, 1, T0, GC_SESSION_ONLINE);
	review_at(a, GC_REVIEW_APPROVE, T0 + 6 * H);
	review_at(b, GC_REVIEW_REJECT, T0 + 7 * H);
	assert_int_equal(gc_notices_make(&f.m, &f.cfg, T0 + 8 * H, &nt, &n),
	    GC_OK);
	assert_int_equal(n, 4);
	assert_int_equal(nt[0].kind, GC_NOTICE_RECEIVED);
	assert_ptr_equal(nt[0].cap, b);
	assert_ptr_equal(nt[0].st, &f.st[1]);
	assert_int_equal(nt[0].deadline_ms, T0 + 48 * H);
	assert_int_equal(nt[1].kind, GC_NOTICE_RECEIVED);
	assert_ptr_equal(nt[1].cap, a);
	assert_int_equal(nt[2].kind, GC_NOTICE_APPROVED);
	assert_int_equal(nt[2].time_ms, T0 + 6 * H);
	assert_int_equal(nt[3].kind, GC_NOTICE_REJECTED);
	assert_int_equal(nt[3].deadline_ms, T0 + 55 * H);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strlen(nt[i].id), 16);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(nt[i].id, nt[j].id);
		}
	}
	/* the same ids later, and whatever the order of the captures */
	assert_int_equal(gc_notices_make(&f.m, &f.cfg, T0 + 9 * H, &again,
	    &n2), GC_OK);
	assert_int_equal(n2, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(again[i].id, nt[i].id);
	}
	gc_free(again);
	gc_free(nt);
}

static void
test_notices_text_in_beijing_time(void **state)
{
	struct gc_notice nt;
	struct gc_buf    b;
	char             t[32];

	(void)state;
	memset(&nt, 0, sizeof(nt));
	gc_buf_init(&b);
	nt.kind        = GC_NOTICE_REJECTED;
	nt.deadline_ms = T0 + 48 * H; /* 12月9日18:00 in Beijing */
	gc_notice_text(&b, &nt, "张三", "背景不合格");
	gc_buf_putc(&b, '\0');
	assert_string_equal((char *)b.data, "【学历照片】张三同学，你提交的照片"
	    "未通过审核（背景不合格），请于12月9日18:00前重新提交。");
	gc_buf_reset(&b);
	nt.deadline_ms = T0 + 6 * H; /* 16:00Z: 00:00 the next day */
	gc_notice_text(&b, &nt, "李四",
	    "戴有色眼镜：深色镜片，请摘下眼镜后在白墙前重新拍摄");
	gc_buf_putc(&b, '\0');
	assert_string_equal((char *)b.data, "【学历照片】李四同学，你提交的照片"
	    "未通过审核（戴有色眼镜：深色镜片，请摘下眼镜…），请于12月8日"
	    "00:00前重新提交。");
	gc_buf_reset(&b);
	nt.kind = GC_NOTICE_OVERDUE;
	gc_notice_text(&b, &nt, "李四", "");
	gc_buf_putc(&b, '\0');
	assert_non_null(strstr((char *)b.data, "你未在12月8日00:00前重新提交"));
	gc_buf_reset(&b);
	nt.kind = GC_NOTICE_APPROVED;
	gc_notice_text(&b, &nt, "王五", "");
	gc_buf_putc(&b, '\0');
	assert_string_equal((char *)b.data,
	    "【学历照片】王五同学，你提交的照片已通过审核，无需再次提交。");
	gc_buf_release(&b);
	gc_notice_beijing(t, sizeof(t), T0);
	assert_string_equal(t, "2026-12-07 18:00");
	assert_string_equal(gc_notice_kind_zh(GC_NOTICE_REJECTED), "需重拍");
	assert_string_equal(gc_notice_kind_name(GC_NOTICE_END), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notices_follow_a_rejection_to_overdue),
		cmocka_unit_test(test_notices_stop_when_the_student_resubmits),
		cmocka_unit_test(test_notices_only_for_online_roster_captures),
		cmocka_unit_test(test_notices_ordered_with_stable_ids),
		cmocka_unit_test(test_notices_text_in_beijing_time),
	};
	return cmocka_run_group_tests_name("common.notices", tests, NULL,
	    NULL);
}
