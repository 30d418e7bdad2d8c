/* review_window: the online review and resubmission windows (issue 12
 * point 5, docs/merge.md "Windows"): the [online] settings of gradcap.ini,
 * the review queue oldest first with each capture's deadline, and the
 * makeup view of a student whose resubmission window has run out.
 *
 * These are views over a merge at a given now, never part of it: the
 * merge (common/mergecore.c), its leaves and its digest do not read the
 * clock, so two nodes with the same entries sign the same set at any
 * time. A student past the window stays NEEDS_RETAKE in the leaf; the
 * views show MISSING (overdue). Pure functions: no I/O, no clock, except
 * gc_review_window_now_ms. */
#ifndef GC_COMMON_REVIEW_WINDOW_H
#define GC_COMMON_REVIEW_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/gc_err.h"
#include "common/mergecore.h"

#define GC_ONLINE_HOURS_MAX   720 /* 30 days */
#define GC_ONLINE_REASONS_MAX 16
#define GC_ONLINE_REASON_MAX  120 /* bytes of one preset, NUL excluded */

/* The reason the makeup views give a student past its window. */
#define GC_RETAKE_OVERDUE_REASON "逾期未重新提交"

/* How students may send a photo on the portal ([online] methods). */
enum gc_online_methods {
	GC_ONLINE_CAMERA = 1 << 0, /* the phone's camera, with the live guide */
	GC_ONLINE_UPLOAD = 1 << 1, /* a file (a studio photo) */
};

/* [online] review_hours, retake_hours, remind_hours, reject_reasons,
 * methods. */
struct gc_online_cfg {
	uint32_t review_hours; /* a submission is reviewed within this */
	uint32_t retake_hours; /* a rejected student resubmits within this */
	uint32_t remind_hours; /* the reminder notice: this long before the
	                        * resubmission deadline (common/notices.h) */
	size_t   nreasons;
	char     reasons[GC_ONLINE_REASONS_MAX][GC_ONLINE_REASON_MAX + 1];
	unsigned methods; /* enum gc_online_methods, at least one */
};

/* The defaults: 48 h, 48 h, 12 h, 背景不合格, 戴有色眼镜, 头发遮挡眉毛/耳朵,
 * 翻拍, 美颜/PS, 模糊; methods camera and upload. */
void gc_online_cfg_default(struct gc_online_cfg *out);

/* The [online] section of c (NULL: the defaults). Hours are whole numbers
 * 1..720 (remind_hours below retake_hours; when absent 12, or half of a
 * shorter retake_hours, 0 meaning no reminder); reject_reasons a
 * comma-separated list (',' or '，') of 1..16
 * non-empty UTF-8 reasons of at most 120 bytes each; methods one or both
 * of the words camera and upload (separated by commas, '，' or spaces,
 * each once). GC_EINVAL with d
 * naming the setting, its value and why; *out then holds the defaults. */
gc_err gc_online_cfg_load(const gc_config *c, struct gc_online_cfg *out,
    struct gc_diag *d);

/* The time the views use, in Unix ms: the wall clock, or, when the
 * environment sets GRADCAP_NOW (Unix seconds; a test hook, docs/merge.md),
 * that time. */
uint64_t gc_review_window_now_ms(void);

/* ms (Unix) as ISO 8601 UTC, "2026-06-01T00:00:00Z", into out (cap >=
 * 21). */
void gc_review_window_iso(char *out, size_t cap, uint64_t ms);

/* One capture waiting for review. */
struct gc_review_item {
	const struct gc_mcap *cap; /* borrowed from the merge */
	uint64_t              age_ms; /* now - capture time (0: future) */
	uint64_t              deadline_ms; /* capture time + review_hours;
	                                    * 0: none (not online) */
	bool                  overdue; /* deadline_ms and now > it */
};

/* The review queue: captures of roster students, not voided, photo held
 * and not reviewed yet (what the UI's review page lists), oldest first
 * by (capture time, entry id). Only online captures have a deadline.
 * *out is gc_alloc'd (gc_free; NULL when n is 0); GC_ENOMEM leaves *out
 * NULL. */
gc_err gc_review_queue_make(const struct gc_merge *m,
    const struct gc_online_cfg *cfg, uint64_t now_ms,
    struct gc_review_item **out, size_t *n);

/* The resubmission window of student s: true when s is NEEDS_RETAKE, its
 * latest rejection (by review time) is of an online capture, and no
 * capture of it (held or not, not voided) is newer than that rejection.
 * Then *due_ms is the rejection's time + retake_hours and *rejected the
 * index of the rejected capture. */
bool gc_retake_window(const struct gc_merge *m, const struct gc_mstudent *s,
    const struct gc_online_cfg *cfg, uint64_t *due_ms, size_t *rejected);

/* The student's window ran out at now (gc_retake_window and now > due). */
bool gc_retake_overdue(const struct gc_merge *m, const struct gc_mstudent *s,
    const struct gc_online_cfg *cfg, uint64_t now_ms);

/* The status the views show: MISSING for a student past its window,
 * else the merge's. */
enum gc_mstatus gc_review_window_status(const struct gc_merge *m,
    const struct gc_mstudent *s, const struct gc_online_cfg *cfg,
    uint64_t now_ms);

#endif
