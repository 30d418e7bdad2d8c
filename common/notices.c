#include "common/notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/gc_alloc.h"
#include "common/hlc.h"
#include "common/records.h"

#define HOUR_MS         ((uint64_t)3600 * 1000)
#define BEIJING_S       (8 * 3600)
#define REASON_CHARS    16 /* of a reason in the message */
#define NOTICE_SIGN     "【学历照片】"

static const char *const nt_names[GC_NOTICE_END] = {
	"received", "approved", "rejected", "reminder", "overdue",
};

static const char *const nt_zh[GC_NOTICE_END] = {
	"已收到", "已通过", "需重拍", "提醒", "逾期",
};

static const char *const nt_subjects[GC_NOTICE_END] = {
	NOTICE_SIGN "照片已收到，等待审核",
	NOTICE_SIGN "照片已通过审核",
	NOTICE_SIGN "照片未通过审核，请重新提交",
	NOTICE_SIGN "重新提交照片即将截止",
	NOTICE_SIGN "重新提交照片已逾期",
};

const char *
gc_notice_subject(enum gc_notice_kind k)
{
	return (unsigned)k < GC_NOTICE_END ? nt_subjects[k] : NOTICE_SIGN;
}

const char *
gc_notice_kind_name(enum gc_notice_kind k)
{
	return (unsigned)k < GC_NOTICE_END ? nt_names[k] : "?";
}

const char *
gc_notice_kind_zh(enum gc_notice_kind k)
{
	return (unsigned)k < GC_NOTICE_END ? nt_zh[k] : "?";
}

void
gc_notice_beijing(char *out, size_t cap, uint64_t ms)
{
	time_t    t = (time_t)(ms / 1000) + BEIJING_S;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M", &tm);
}

/* "12月9日18:00" */
static void
nt_when(struct gc_buf *b, uint64_t ms)
{
	time_t    t = (time_t)(ms / 1000) + BEIJING_S;
	struct tm tm;

	gmtime_r(&t, &tm);
	gc_buf_printf(b, "%d月%d日%02d:%02d", tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min);
}

/* The first REASON_CHARS characters of reason, "…" after when cut. */
static void
nt_reason(struct gc_buf *b, const char *reason)
{
	const unsigned char *p = (const unsigned char *)reason;
	size_t               i = 0, chars = 0;

	while (p[i] != '\0' && chars < REASON_CHARS) {
		i++;
		while ((p[i] & 0xC0) == 0x80) {
			i++;
		}
		chars++;
	}
	gc_buf_put(b, reason, i);
	if (p[i] != '\0') {
		gc_buf_puts(b, "…");
	}
}

void
gc_notice_text(struct gc_buf *b, const struct gc_notice *nt,
    const char *name, const char *reason)
{
	gc_buf_printf(b, NOTICE_SIGN "%s同学，", name);
	switch (nt->kind) {
	case GC_NOTICE_RECEIVED:
		gc_buf_puts(b, "你提交的照片已收到，学校将于");
		nt_when(b, nt->deadline_ms);
		gc_buf_puts(b, "前完成审核。");
		break;
	case GC_NOTICE_APPROVED:
		gc_buf_puts(b, "你提交的照片已通过审核，无需再次提交。");
		break;
	case GC_NOTICE_REJECTED:
		gc_buf_puts(b, "你提交的照片未通过审核");
		if (reason[0] != '\0') {
			gc_buf_puts(b, "（");
			nt_reason(b, reason);
			gc_buf_puts(b, "）");
		}
		gc_buf_puts(b, "，请于");
		nt_when(b, nt->deadline_ms);
		gc_buf_puts(b, "前重新提交。");
		break;
	case GC_NOTICE_REMINDER:
		gc_buf_puts(b, "你的照片需重新提交，截止时间");
		nt_when(b, nt->deadline_ms);
		gc_buf_puts(b, "，逾期计为未拍摄，请尽快提交。");
		break;
	case GC_NOTICE_OVERDUE:
	default:
		gc_buf_puts(b, "你未在");
		nt_when(b, nt->deadline_ms);
		gc_buf_puts(b, "前重新提交照片，已计为未拍摄，请联系学校安排补拍。");
		break;
	}
}

/* ---- the view ---- */

static void
nt_set(struct gc_notice *nt, enum gc_notice_kind k, uint64_t t,
    uint64_t due, const struct gc_merge *m, const struct gc_mcap *c)
{
	static const char        tag[] = "gradcap-notice";
	crypto_hash_sha256_state hs;
	uint8_t                  h[32];
	const char              *kn = nt_names[k];

	nt->kind        = k;
	nt->time_ms     = t;
	nt->deadline_ms = due;
	nt->cap         = c;
	nt->st          = &m->st[c->st];
	crypto_hash_sha256_init(&hs);
	crypto_hash_sha256_update(&hs, (const uint8_t *)tag, sizeof(tag));
	crypto_hash_sha256_update(&hs, (const uint8_t *)kn, strlen(kn) + 1);
	crypto_hash_sha256_update(&hs, c->id, 32);
	crypto_hash_sha256_final(&hs, h);
	sodium_bin2hex(nt->id, sizeof(nt->id), h, 8);
}

/* A capture of c's student, not voided, made after after_hlc and at or
 * before until_ms? */
static bool
nt_capture_between(const struct gc_merge *m, const struct gc_mcap *c,
    uint64_t after_hlc, uint64_t until_ms)
{
	const struct gc_mstudent *s = &m->st[c->st];

	for (uint32_t i = s->first; i < s->first + s->ncap; i++) {
		const struct gc_mcap *o = &m->cap[i];

		if (!o->voided && o->hlc > after_hlc &&
		    gc_hlc_ms(o->hlc) <= until_ms) {
			return true;
		}
	}
	return false;
}

/* The notices of capture c at now into nt (up to 4); their number. */
static size_t
nt_of_capture(const struct gc_merge *m, const struct gc_online_cfg *cfg,
    uint64_t now_ms, const struct gc_mcap *c, struct gc_notice *nt)
{
	uint64_t t = gc_hlc_ms(c->hlc), rt, due, rem;
	size_t   k = 0;

	if (c->voided || c->st < 0 || (size_t)c->st >= m->nst ||
	    c->kind != GC_SESSION_ONLINE || t > now_ms) {
		return 0;
	}
	nt_set(&nt[k++], GC_NOTICE_RECEIVED, t, t + cfg->review_hours *
	    HOUR_MS, m, c);
	rt = gc_hlc_ms(c->rv_hlc);
	if (c->review < 0 || rt > now_ms) {
		return k;
	}
	if (c->review == GC_REVIEW_APPROVE) {
		nt_set(&nt[k++], GC_NOTICE_APPROVED, rt, 0, m, c);
		return k;
	}
	due = rt + cfg->retake_hours * HOUR_MS;
	nt_set(&nt[k++], GC_NOTICE_REJECTED, rt, due, m, c);
	rem = due - cfg->remind_hours * HOUR_MS;
	if (cfg->remind_hours != 0 && rem > rt && rem <= now_ms &&
	    !nt_capture_between(m, c, c->rv_hlc, rem)) {
		nt_set(&nt[k++], GC_NOTICE_REMINDER, rem, due, m, c);
	}
	if (due <= now_ms && !nt_capture_between(m, c, c->rv_hlc, due)) {
		nt_set(&nt[k++], GC_NOTICE_OVERDUE, due, due, m, c);
	}
	return k;
}

static int
nt_cmp(const void *a, const void *b)
{
	const struct gc_notice *x = a, *y = b;

	if (x->time_ms != y->time_ms) {
		return x->time_ms < y->time_ms ? -1 : 1;
	}
	return strcmp(x->id, y->id);
}

gc_err
gc_notices_make(const struct gc_merge *m, const struct gc_online_cfg *cfg,
    uint64_t now_ms, struct gc_notice **out, size_t *n)
{
	struct gc_notice  tmp[4];
	struct gc_notice *nt;
	size_t            k = 0;

	*out = NULL;
	*n   = 0;
	for (size_t i = 0; i < m->ncap; i++) {
		k += nt_of_capture(m, cfg, now_ms, &m->cap[i], tmp);
	}
	if (k == 0) {
		return GC_OK;
	}
	nt = gc_alloc(k * sizeof(*nt));
	if (nt == NULL) {
		return GC_ENOMEM;
	}
	k = 0;
	for (size_t i = 0; i < m->ncap; i++) {
		k += nt_of_capture(m, cfg, now_ms, &m->cap[i], nt + k);
	}
	qsort(nt, k, sizeof(*nt), nt_cmp);
	*out = nt;
	*n   = k;
	return GC_OK;
}
