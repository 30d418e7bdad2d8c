/* What a signed-in student may ask of the portal (node/portal_int.h): only
 * about themselves, the student of their session; ID numbers masked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/ledger.h"
#include "common/mergecore.h"
#include "common/rosterdb.h"
#include "common/config.h"
#include "common/entry.h"
#include "common/hlc.h"
#include "common/records.h"
#include "common/review_window.h"
#include "common/json.h"
#include "node/capture_core.h"
#include "node/merge_view.h"
#include "node/portal_int.h"
#include "node/session_core.h"

/* The reason of the student's latest rejection ("" when none held). */
static void
reject_reason(struct gc_portal_req *p, const struct gc_mcap *c, char *out,
    size_t cap)
{
	gc_merge_review_reason(p->n, c, out, cap);
}

/* GET /api/me: {"csrf", "school", "student": {name, student_no,
 * id_masked, level, major, class}, "status", "reason", "due", "review_by"}:
 * a rejected student's reason and the time to send a new photo by (its
 * window past: MISSING with 逾期未重新提交), a waiting one's review time. */
static void
api_me(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;
	struct gc_row        row;
	struct gc_mstudent   ms;
	struct gc_merge      one;
	struct gc_online_cfg oc;
	enum gc_mstatus      st   = GC_MS_MISSING, shown;
	struct gc_mcap      *caps = NULL;
	size_t               ncap = 0, rej = 0;
	uint64_t             due = 0, now = gc_review_window_now_ms();
	uint64_t             review_by = 0;
	char                 masked[128], reason[300] = "", iso[32];
	gc_err               rv;

	gc_online_cfg_load(p->n->cfg, &oc, NULL);
	pthread_mutex_lock(p->lgmtx);
	rv = gc_row_of(p->n->lg, p->student, &row);
	if (rv == GC_OK && gc_ledger_merge_student(p->n->lg, p->student, &st,
	    &caps, &ncap) != GC_OK) {
		st = GC_MS_MISSING;
	}
	/* the student's part of the merge, for the window views */
	memset(&ms, 0, sizeof(ms));
	memset(&one, 0, sizeof(one));
	ms.status = st;
	ms.ncap   = (uint32_t)ncap;
	one.st    = &ms;
	one.nst   = 1;
	one.cap   = caps;
	one.ncap  = ncap;
	shown     = gc_review_window_status(&one, &ms, &oc, now);
	if (rv == GC_OK && gc_retake_window(&one, &ms, &oc, &due, &rej)) {
		reject_reason(p, &caps[rej], reason, sizeof(reason));
	} else if (rv == GC_OK && st == GC_MS_NEEDS_RETAKE) {
		for (size_t i = 0; i < ncap; i++) {
			if (caps[i].review == GC_REVIEW_REJECT && !caps[i].voided) {
				reject_reason(p, &caps[i], reason, sizeof(reason));
			}
		}
	}
	for (size_t i = 0; st == GC_MS_PENDING_REVIEW && i < ncap; i++) {
		if (!caps[i].voided && caps[i].review < 0 &&
		    caps[i].kind == GC_SESSION_ONLINE) {
			review_by = gc_hlc_ms(caps[i].hlc) +
			    (uint64_t)oc.review_hours * 3600000u;
		}
	}
	pthread_mutex_unlock(p->lgmtx);
	gc_free(caps);
	if (rv != GC_OK) {
		/* removed from the roster since signing in */
		gc_portal_error(r, 401, "unauthorized", "sign in again",
		    "请重新登录");
		return;
	}
	gc_idnum_mask(masked, sizeof(masked), row.v[GC_ROW_ID_NUMBER]);
	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_puts(&r->out, "{\"csrf\":");
	gc_json_str(&r->out, p->csrf);
	gc_buf_puts(&r->out, ",\"school\":");
	gc_json_str(&r->out, p->school);
	gc_buf_puts(&r->out, ",\"student\":{\"name\":");
	gc_json_str(&r->out, row.v[GC_ROW_NAME]);
	gc_buf_puts(&r->out, ",\"student_no\":");
	gc_json_str(&r->out, row.v[GC_ROW_STUDENT_NO]);
	gc_buf_puts(&r->out, ",\"id_masked\":");
	gc_json_str(&r->out, masked);
	gc_buf_puts(&r->out, ",\"level\":");
	gc_json_str(&r->out, row.v[GC_ROW_LEVEL]);
	gc_buf_puts(&r->out, ",\"major\":");
	gc_json_str(&r->out, row.v[GC_ROW_MAJOR]);
	gc_buf_puts(&r->out, ",\"class\":");
	gc_json_str(&r->out, row.v[GC_ROW_CLASS]);
	gc_buf_printf(&r->out, "},\"status\":\"%s\",\"overdue\":%s,"
	    "\"reason\":", gc_mstatus_name(shown),
	    shown != st ? "true" : "false");
	gc_json_str(&r->out, reason[0] ? reason : NULL);
	gc_buf_puts(&r->out, ",\"due\":");
	if (due != 0) {
		gc_review_window_iso(iso, sizeof(iso), due);
		gc_json_str(&r->out, iso);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_puts(&r->out, ",\"review_by\":");
	if (review_by != 0) {
		gc_review_window_iso(iso, sizeof(iso), review_by);
		gc_json_str(&r->out, iso);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_putc(&r->out, '}');
}

/* Whether the student may send a photo now: not while one is waiting for
 * review or approved (409 with the reason, in Chinese for the page). */
static bool
may_submit(struct gc_portal_req *p)
{
	enum gc_mstatus st   = GC_MS_MISSING;
	struct gc_mcap *caps = NULL;
	size_t          n    = 0;

	pthread_mutex_lock(p->lgmtx);
	if (gc_ledger_merge_student(p->n->lg, p->student, &st, &caps, &n) !=
	    GC_OK) {
		st = GC_MS_MISSING;
	}
	pthread_mutex_unlock(p->lgmtx);
	gc_free(caps);
	switch (st) {
	case GC_MS_MISSING:
	case GC_MS_NEEDS_RETAKE:
		return true;
	case GC_MS_APPROVED:
		gc_portal_error(p->r, 409, "conflict", "your photo is approved "
		    "already", "你的照片已审核通过，无需再次提交");
		return false;
	case GC_MS_EXEMPT:
		gc_portal_error(p->r, 409, "conflict", "you need no photo",
		    "你无需拍摄学历照片");
		return false;
	default:
		gc_portal_error(p->r, 409, "conflict", "your photo is waiting "
		    "for review", "你的照片已提交，正在审核，请耐心等待结果");
		return false;
	}
}

static void
draft_answer(struct gc_portal_req *p, uint32_t id)
{
	struct gc_httpd_req *r = p->r;

	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_printf(&r->out, "{\"draft\":%u,\"drafts\":", id);
	gc_drafts_json(p->cap->drafts, p->student, &r->out);
	gc_buf_putc(&r->out, '}');
}

/* POST /api/photo, the body the student's JPEG: checked and framed as a
 * station does, kept as a draft. */
static void
api_photo(struct gc_portal_req *p)
{
	struct gc_httpd_req     *r = p->r;
	struct gc_capture_req    cq;
	struct gc_draft          dr;
	struct gc_diag           d;
	gc_err                   rv;

	if (r->body_len == 0) {
		gc_portal_error(r, 400, "bad_request", "no photo in the request",
		    "没有收到照片");
		return;
	}
	if (!may_submit(p)) {
		return;
	}
	/* each photo costs the pipeline a second or so: a student gets a
	 * fair share of it */
	if (gc_ratelimit_over(p->cap->photos, p->student, strlen(p->student),
	    (uint64_t)time(NULL))) {
		gc_portal_error(r, 429, "too_many", "too many photos this hour",
		    "本小时上传的照片过多，请稍后再试");
		return;
	}
	gc_ratelimit_fail(p->cap->photos, p->student, strlen(p->student),
	    (uint64_t)time(NULL));
	memset(&cq, 0, sizeof(cq));
	memset(&dr, 0, sizeof(dr));
	cq.student_ref = p->student;
	cq.bind        = GC_BIND_INVITE;
	cq.camera      = "portal:upload";
	cq.photo       = (const uint8_t *)r->body;
	cq.photo_len   = r->body_len;
	gc_pipeline_result_init(&dr.o.res);
	gc_diag_clear(&d);
	/* the ledger is held for the lookups only, never while the
	 * pipeline runs: other students' requests go on meanwhile */
	pthread_mutex_lock(p->lgmtx);
	rv = gc_capture_admit(p->n, &cq, &dr.o, &d);
	pthread_mutex_unlock(p->lgmtx);
	if (rv == GC_OK && dr.o.why[0] == '\0') {
		gc_pipeline *pl = gc_portal_pipeline_take(p->cap, p->n->cfg);

		if (pl == NULL) {
			gc_pipeline_result_release(&dr.o.res);
			gc_portal_error(r, 503, "unavailable", p->cap->err,
			    "照片检测暂不可用，请稍后再试");
			return;
		}
		rv = gc_capture_frame(pl, &cq, &dr.o);
		gc_portal_pipeline_give(p->cap, pl);
	}
	if (rv == GC_OK && dr.o.why[0] == '\0') {
		pthread_mutex_lock(p->lgmtx);
		(void)gc_capture_bound(p->n, &cq, &dr.o);
		pthread_mutex_unlock(p->lgmtx);
	}
	if (rv != GC_OK || dr.o.why[0] != '\0' || dr.o.res.jpeg.len == 0) {
		const struct gc_report *rp = &dr.o.res.report;

		r->status = rv != GC_OK ? 500 : 422;
		r->ctype  = "application/json";
		gc_buf_reset(&r->out);
		gc_buf_puts(&r->out, "{\"error\":{\"code\":\"photo\",\"message\":");
		gc_json_str(&r->out, rv != GC_OK ? gc_diag_msg(&d, rv) :
		    dr.o.why);
		gc_buf_puts(&r->out, ",\"message_zh\":");
		gc_json_str(&r->out, rv != GC_OK ? "出错了，请稍后再试" :
		    dr.o.why_zh[0] ? dr.o.why_zh : rp->guide_zh[0] ?
		    rp->guide_zh : "这张照片无法使用，请换一张");
		gc_buf_puts(&r->out, "}}");
		gc_pipeline_result_release(&dr.o.res);
		return;
	}
	/* the student's file becomes the draft's original, uncopied (cq
	 * pointed into it: not used from here on) */
	dr.orig = (uint8_t *)gc_httpd_req_take_body(r, &dr.orig_len);
	snprintf(dr.student, sizeof(dr.student), "%s", p->student);
	draft_answer(p, gc_drafts_put(p->cap->drafts, &dr));
}

static bool
draft_id(struct gc_portal_req *p, uint32_t *id)
{
	char           v[16];
	unsigned long  x;
	char          *end;

	if (!gc_httpd_query(p->r->query, "id", v, sizeof(v)) || v[0] == '\0') {
		return false;
	}
	x = strtoul(v, &end, 10);
	if (*end != '\0' || x == 0 || x > UINT32_MAX) {
		return false;
	}
	*id = (uint32_t)x;
	return true;
}

/* GET /api/draft?id=N: the framed photo of one of the student's drafts. */
static void
api_draft(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;
	uint32_t             id;

	char                 before[4] = "";

	gc_buf_reset(&r->out);
	gc_httpd_query(r->query, "before", before, sizeof(before));
	if (!draft_id(p, &id) || !gc_drafts_photo(p->cap->drafts, p->student,
	    id, strcmp(before, "1") == 0, &r->out)) {
		gc_buf_reset(&r->out);
		gc_portal_error(r, 404, "not_found", "no such draft",
		    "草稿不存在或已过期，请重新上传");
		return;
	}
	r->ctype = "image/jpeg";
}

/* The node's open online session, opened when there is none. */
static gc_err
online_session(struct gc_portal_req *p, struct gc_session_rec *s,
    struct gc_diag *d)
{
	if (gc_ledger_session_current(p->n->lg, p->n->info.self, s) == GC_OK) {
		if (s->kind != GC_SESSION_ONLINE) {
			gc_diag_set(d, "session %s (%s) is open on the portal's "
			    "node: close it, the portal keeps an online session "
			    "of its own", s->id, gc_session_kind_name(s->kind));
			return GC_EEXIST;
		}
		return GC_OK;
	}
	return gc_session_begin(p->n, GC_SESSION_ONLINE, "线上采集 (portal)",
	    NULL, s, d);
}

/* POST /api/confirm {"draft": N}: the draft becomes the student's signed
 * CAPTURE (online session), with the student's file as its original. */
static void
api_confirm(struct gc_portal_req *p)
{
	struct gc_httpd_req  *r = p->r;
	struct gc_json       *doc = NULL;
	struct gc_capture_req cq;
	struct gc_draft       dr;
	struct gc_session_rec sess;
	struct gc_diag        d;
	const struct gc_json *jv;
	double                num = 0;
	uint32_t              id;
	gc_err                rv;
	char                  hex[65];

	if (gc_json_parse(&doc, r->body, r->body_len, NULL, 0) == GC_OK &&
	    (jv = gc_json_get(doc, "draft")) != NULL &&
	    jv->type == GC_JSON_NUMBER) {
		num = jv->num;
	}
	if (num < 1 || num > UINT32_MAX || num != (double)(uint32_t)num) {
		gc_json_free(doc);
		gc_portal_error(r, 400, "bad_request", "send {\"draft\": N}",
		    "请求格式不对");
		return;
	}
	gc_json_free(doc);
	id = (uint32_t)num;
	if (!may_submit(p)) {
		return;
	}
	if (!gc_drafts_take(p->cap->drafts, p->student, id, &dr)) {
		gc_portal_error(r, 404, "not_found", "no such draft",
		    "草稿不存在或已过期，请重新上传");
		return;
	}
	if (dr.o.res.report.verdict == GC_VERDICT_FAIL) {
		gc_draft_release(&dr);
		gc_portal_error(r, 409, "conflict", "this photo did not pass the "
		    "checks", "这张照片没有通过检测，不能提交，请按提示重新拍摄");
		return;
	}
	memset(&cq, 0, sizeof(cq));
	cq.student_ref = p->student;
	cq.bind        = GC_BIND_INVITE;
	cq.camera      = "portal:upload";
	cq.photo       = dr.orig;
	cq.photo_len   = dr.orig_len;
	gc_diag_clear(&d);
	pthread_mutex_lock(p->lgmtx);
	rv = online_session(p, &sess, &d);
	if (rv == GC_OK) {
		rv = gc_capture_store(p->n, &p->cap->prof, &sess, &cq, &dr.o, &d);
	}
	pthread_mutex_unlock(p->lgmtx);
	if (rv != GC_OK || !dr.o.stored) {
		gc_portal_error(r, rv != GC_OK ? 500 : 409, rv != GC_OK ?
		    "internal" : "conflict", rv != GC_OK ? gc_diag_msg(&d, rv) :
		    dr.o.why, rv == GC_OK && dr.o.why_zh[0] ? dr.o.why_zh :
		    "提交失败，请稍后再试");
		gc_draft_release(&dr);
		return;
	}
	gc_hex_encode(hex, dr.o.entry, 32);
	gc_draft_release(&dr);
	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_printf(&r->out, "{\"submitted\":\"%.16s\"}", hex);
}

/* GET /api/drafts: the student's drafts. */
static void
api_drafts(struct gc_portal_req *p)
{
	draft_answer(p, 0);
}

bool
gc_portal_api(struct gc_portal_req *p)
{
	static const struct {
		const char *method, *path;
		void      (*fn)(struct gc_portal_req *);
	} routes[] = {
		{ "GET", "/api/me", api_me },
		{ "GET", "/api/drafts", api_drafts },
		{ "GET", "/api/draft", api_draft },
		{ "POST", "/api/photo", api_photo },
		{ "POST", "/api/confirm", api_confirm },
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(p->r->path, routes[i].path) == 0 &&
		    strcmp(p->r->method, routes[i].method) == 0) {
			routes[i].fn(p);
			return true;
		}
	}
	return false;
}
