/* notices: what a student of online capture must be told (issue 12
 * point 6, docs/online-guide.md "Notices"), as a view over the merge at a
 * given now, like common/review_window.h: no entry of its own, so every
 * node holding the same entries (the coordinator, the online node) lists
 * the same notices with the same ids.
 *
 * For each capture of session kind online, of a roster student, not
 * voided:
 *   received   at the capture's time;
 *   approved   at its review's time;
 *   rejected   at its review's time, deadline = that + retake_hours;
 *   reminder   at deadline - remind_hours, when no capture of the student
 *              came between the rejection and then (remind_hours 0: none);
 *   overdue    at the deadline, when no capture came before it.
 * Only events at or before now are listed; an event never disappears
 * because of a later capture, so the list only grows (a changed review
 * decision is the exception: the latest review of a capture counts).
 * Pure functions: no I/O, no clock. */
#ifndef GC_COMMON_NOTICES_H
#define GC_COMMON_NOTICES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"
#include "common/mergecore.h"
#include "common/review_window.h"

enum gc_notice_kind {
	GC_NOTICE_RECEIVED = 0,
	GC_NOTICE_APPROVED,
	GC_NOTICE_REJECTED,
	GC_NOTICE_REMINDER,
	GC_NOTICE_OVERDUE,
	GC_NOTICE_END
};

/* "received", "approved", "rejected", "reminder", "overdue". */
const char *gc_notice_kind_name(enum gc_notice_kind k);
/* The kind as the school reads it: 已收到, 已通过, 需重拍, 提醒, 逾期. */
const char *gc_notice_kind_zh(enum gc_notice_kind k);

struct gc_notice {
	enum gc_notice_kind       kind;
	uint64_t                  time_ms;     /* when it is due (Unix ms) */
	uint64_t                  deadline_ms; /* received: the review's,
	                                        * rejected/reminder/overdue:
	                                        * the resubmission's; else 0 */
	const struct gc_mcap     *cap;         /* borrowed from the merge */
	const struct gc_mstudent *st;          /* cap's student */
	char                      id[17];      /* hex 16 of SHA-256 over
	                                        * "gradcap-notice", kind name,
	                                        * capture id: stable */
};

/* The notices due at or before now_ms, by (time, id). *out is gc_alloc'd
 * (gc_free; NULL when n is 0); GC_ENOMEM leaves *out NULL. */
gc_err gc_notices_make(const struct gc_merge *m,
    const struct gc_online_cfg *cfg, uint64_t now_ms,
    struct gc_notice **out, size_t *n);

/* Appends the message to the student, in Chinese, short enough for one
 * SMS where the reason allows (a reason longer than 16 characters is cut
 * with "…"); times in Beijing time ("12月9日18:00"). name is the
 * student's 姓名, reason the rejection's ("" when none). Example:
 * 【学历照片】张三同学，你提交的照片未通过审核（背景不合格），请于12月9日
 * 18:00前重新提交。 */
void gc_notice_text(struct gc_buf *b, const struct gc_notice *nt,
    const char *name, const char *reason);

/* The e-mail subject of a notice of kind k: "【学历照片】照片未通过审核，
 * 请重新提交", … */
const char *gc_notice_subject(enum gc_notice_kind k);

/* ms (Unix) in Beijing time (UTC+8) as "2026-12-09 18:00" (cap >= 17). */
void gc_notice_beijing(char *out, size_t cap, uint64_t ms);

#endif
