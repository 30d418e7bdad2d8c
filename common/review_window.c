#include "common/review_window.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/hlc.h"
#include "common/records.h"

#define HOUR_MS ((uint64_t)3600 * 1000)

static const char *const rw_default_reasons[] = {
	"背景不合格", "戴有色眼镜", "头发遮挡眉毛/耳朵", "翻拍", "美颜/PS",
	"模糊",
};

void
gc_online_cfg_default(struct gc_online_cfg *out)
{
	memset(out, 0, sizeof(*out));
	out->review_hours = 48;
	out->retake_hours = 48;
	out->remind_hours = 12;
	for (size_t i = 0; i < sizeof(rw_default_reasons) /
	    sizeof(rw_default_reasons[0]); i++) {
		snprintf(out->reasons[i], sizeof(out->reasons[i]), "%s",
		    rw_default_reasons[i]);
	}
	out->nreasons = sizeof(rw_default_reasons) /
	    sizeof(rw_default_reasons[0]);
	out->methods = GC_ONLINE_CAMERA | GC_ONLINE_UPLOAD;
}

/* A whole number of hours 1..GC_ONLINE_HOURS_MAX, or the default. */
static gc_err
rw_hours(const gc_config *c, const char *key, uint32_t *out,
    struct gc_diag *d)
{
	const char *v = gc_config_get(c, "online", key, NULL);
	char       *end;
	long        h;

	if (v == NULL) {
		return GC_OK;
	}
	errno = 0;
	h     = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || h < 1 ||
	    h > GC_ONLINE_HOURS_MAX) {
		gc_diag_set(d, "gradcap.ini [online] %s = %s: give a whole "
		    "number of hours from 1 to %d", key, v,
		    GC_ONLINE_HOURS_MAX);
		return GC_EINVAL;
	}
	*out = (uint32_t)h;
	return GC_OK;
}

static bool
rw_space(const char *p)
{
	return *p == ' ' || *p == '\t';
}

/* The separator at p: ',' or the full-width '，'; its length, 0 if none. */
static size_t
rw_sep(const char *p)
{
	if (*p == ',') {
		return 1;
	}
	return strncmp(p, "，", 3) == 0 ? 3 : 0;
}

static gc_err
rw_reasons(const char *v, struct gc_online_cfg *out, struct gc_diag *d)
{
	const char *p = v;
	size_t      n = 0;

	for (;;) {
		const char *s, *e;
		size_t      len;

		while (rw_space(p)) {
			p++;
		}
		s = p;
		while (*p != '\0' && rw_sep(p) == 0) {
			p++;
		}
		e = p;
		while (e > s && rw_space(e - 1)) {
			e--;
		}
		len = (size_t)(e - s);
		if (len == 0) {
			gc_diag_set(d, "gradcap.ini [online] reject_reasons = "
			    "%s: reason %zu is empty (separate the reasons "
			    "with commas)", v, n + 1);
			return GC_EINVAL;
		}
		if (n == GC_ONLINE_REASONS_MAX) {
			gc_diag_set(d, "gradcap.ini [online] reject_reasons: "
			    "more than %d reasons", GC_ONLINE_REASONS_MAX);
			return GC_EINVAL;
		}
		if (len > GC_ONLINE_REASON_MAX) {
			gc_diag_set(d, "gradcap.ini [online] reject_reasons: "
			    "reason %zu is longer than %d bytes", n + 1,
			    GC_ONLINE_REASON_MAX);
			return GC_EINVAL;
		}
		if (!gc_utf8_valid((const uint8_t *)s, len)) {
			gc_diag_set(d, "gradcap.ini [online] reject_reasons: "
			    "reason %zu is not UTF-8 (save the file as UTF-8)",
			    n + 1);
			return GC_EINVAL;
		}
		memcpy(out->reasons[n], s, len);
		out->reasons[n][len] = '\0';
		n++;
		if (*p == '\0') {
			break;
		}
		p += rw_sep(p);
	}
	out->nreasons = n;
	return GC_OK;
}

/* [online] methods: camera, upload (either or both, each once). */
static gc_err
rw_methods(const char *v, unsigned *out, struct gc_diag *d)
{
	static const struct {
		const char *word;
		unsigned    bit;
	} words[] = {
		{ "camera", GC_ONLINE_CAMERA },
		{ "upload", GC_ONLINE_UPLOAD },
	};
	const char *p = v;
	unsigned    m = 0;

	for (;;) {
		const char *s;
		size_t      len, i;

		while (rw_space(p) || rw_sep(p) != 0) {
			p += rw_sep(p) != 0 ? rw_sep(p) : 1;
		}
		if (*p == '\0') {
			break;
		}
		s = p;
		while (*p != '\0' && !rw_space(p) && rw_sep(p) == 0) {
			p++;
		}
		len = (size_t)(p - s);
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strlen(words[i].word) == len &&
			    strncasecmp(s, words[i].word, len) == 0) {
				break;
			}
		}
		if (i == sizeof(words) / sizeof(words[0])) {
			gc_diag_set(d, "gradcap.ini [online] methods = %s: "
			    "\"%.*s\" is not a method (give camera, upload or "
			    "both, separated by commas)", v, (int)(len > 40 ? 40 :
			    len), s);
			return GC_EINVAL;
		}
		if (m & words[i].bit) {
			gc_diag_set(d, "gradcap.ini [online] methods = %s: %s "
			    "is given twice", v, words[i].word);
			return GC_EINVAL;
		}
		m |= words[i].bit;
	}
	if (m == 0) {
		gc_diag_set(d, "gradcap.ini [online] methods is empty: give "
		    "camera, upload or both (camera, upload)");
		return GC_EINVAL;
	}
	*out = m;
	return GC_OK;
}

gc_err
gc_online_cfg_load(const gc_config *c, struct gc_online_cfg *out,
    struct gc_diag *d)
{
	const char *v;
	gc_err      rv;

	gc_online_cfg_default(out);
	if (c == NULL) {
		return GC_OK;
	}
	rv = rw_hours(c, "review_hours", &out->review_hours, d);
	if (rv == GC_OK) {
		rv = rw_hours(c, "retake_hours", &out->retake_hours, d);
	}
	if (rv == GC_OK && out->retake_hours <= out->remind_hours) {
		out->remind_hours = out->retake_hours / 2; /* 0: no reminder */
	}
	if (rv == GC_OK && gc_config_get(c, "online", "remind_hours",
	    NULL) != NULL) {
		rv = rw_hours(c, "remind_hours", &out->remind_hours, d);
	}
	if (rv == GC_OK && out->remind_hours >= out->retake_hours &&
	    out->remind_hours != 0) {
		gc_diag_set(d, "gradcap.ini [online] remind_hours = %u: the "
		    "reminder comes before the deadline, so give fewer hours "
		    "than retake_hours (%u)", out->remind_hours,
		    out->retake_hours);
		rv = GC_EINVAL;
	}
	v = gc_config_get(c, "online", "reject_reasons", NULL);
	if (rv == GC_OK && v != NULL) {
		rv = rw_reasons(v, out, d);
	}
	v = gc_config_get(c, "online", "methods", NULL);
	if (rv == GC_OK && v != NULL) {
		rv = rw_methods(v, &out->methods, d);
	}
	if (rv != GC_OK) {
		gc_online_cfg_default(out);
	}
	return rv;
}

uint64_t
gc_review_window_now_ms(void)
{
	const char     *v = getenv("GRADCAP_NOW");
	char           *end;
	long long       s;
	struct timespec ts;

	if (v != NULL && v[0] != '\0') {
		errno = 0;
		s     = strtoll(v, &end, 10);
		if (*end == '\0' && errno == 0 && s >= 0) {
			return (uint64_t)s * 1000;
		}
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
gc_review_window_iso(char *out, size_t cap, uint64_t ms)
{
	time_t    t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the review queue ---- */

static int
rw_item_cmp(const void *a, const void *b)
{
	const struct gc_mcap *x = ((const struct gc_review_item *)a)->cap;
	const struct gc_mcap *y = ((const struct gc_review_item *)b)->cap;

	if (x->hlc != y->hlc) {
		return x->hlc < y->hlc ? -1 : 1;
	}
	return memcmp(x->id, y->id, 32);
}

gc_err
gc_review_queue_make(const struct gc_merge *m,
    const struct gc_online_cfg *cfg, uint64_t now_ms,
    struct gc_review_item **out, size_t *n)
{
	struct gc_review_item *it;
	size_t                 k = 0;

	*out = NULL;
	*n   = 0;
	for (size_t i = 0; i < m->ncap; i++) {
		const struct gc_mcap *c = &m->cap[i];

		k += c->review < 0 && !c->voided && c->st >= 0 && c->blob;
	}
	if (k == 0) {
		return GC_OK;
	}
	it = gc_alloc(k * sizeof(*it));
	if (it == NULL) {
		return GC_ENOMEM;
	}
	k = 0;
	for (size_t i = 0; i < m->ncap; i++) {
		const struct gc_mcap *c = &m->cap[i];
		uint64_t              t = gc_hlc_ms(c->hlc);

		if (c->review >= 0 || c->voided || c->st < 0 || !c->blob) {
			continue;
		}
		it[k].cap         = c;
		it[k].age_ms      = now_ms > t ? now_ms - t : 0;
		it[k].deadline_ms = c->kind == GC_SESSION_ONLINE ?
		    t + cfg->review_hours * HOUR_MS : 0;
		it[k].overdue = it[k].deadline_ms != 0 &&
		    now_ms > it[k].deadline_ms;
		k++;
	}
	qsort(it, k, sizeof(*it), rw_item_cmp);
	*out = it;
	*n   = k;
	return GC_OK;
}

/* ---- the resubmission window ---- */

bool
gc_retake_window(const struct gc_merge *m, const struct gc_mstudent *s,
    const struct gc_online_cfg *cfg, uint64_t *due_ms, size_t *rejected)
{
	const struct gc_mcap *last = NULL;
	size_t                li   = 0;

	if (s->status != GC_MS_NEEDS_RETAKE) {
		return false;
	}
	for (uint32_t c = s->first; c < s->first + s->ncap; c++) {
		const struct gc_mcap *cp = &m->cap[c];

		if (cp->review == GC_REVIEW_REJECT && !cp->voided &&
		    (last == NULL || cp->rv_hlc > last->rv_hlc)) {
			last = cp;
			li   = c;
		}
	}
	if (last == NULL || last->kind != GC_SESSION_ONLINE) {
		return false;
	}
	for (uint32_t c = s->first; c < s->first + s->ncap; c++) {
		if (!m->cap[c].voided && m->cap[c].hlc > last->rv_hlc) {
			return false; /* resubmitted: its photo may be coming */
		}
	}
	*due_ms   = gc_hlc_ms(last->rv_hlc) + cfg->retake_hours * HOUR_MS;
	*rejected = li;
	return true;
}

bool
gc_retake_overdue(const struct gc_merge *m, const struct gc_mstudent *s,
    const struct gc_online_cfg *cfg, uint64_t now_ms)
{
	uint64_t due;
	size_t   c;

	return gc_retake_window(m, s, cfg, &due, &c) && now_ms > due;
}

enum gc_mstatus
gc_review_window_status(const struct gc_merge *m,
    const struct gc_mstudent *s, const struct gc_online_cfg *cfg,
    uint64_t now_ms)
{
	return gc_retake_overdue(m, s, cfg, now_ms) ? GC_MS_MISSING :
	                                              s->status;
}
