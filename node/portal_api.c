/* What a signed-in student may ask of the portal (node/portal_int.h): only
 * about themselves, the student of their session; ID numbers masked. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/jpeg.h"
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
#include "node/portal_bind.h"
#include "node/portal_int.h"
#include "node/portal_parse.h"
#include "node/session_core.h"

/* The reason of the student's latest rejection ("" when none held). */
static void
reject_reason(struct gc_portal_req *p, const struct gc_mcap *c, char *out,
    size_t cap)
{
	gc_merge_review_reason(p->n, c, out, cap);
}

void
gc__portal_rules_json(const gc_config *cfg, struct gc_buf *b)
{
	struct gc_profile *pf = gc_alloc(sizeof(*pf));
	struct gc_diag     d;
	const char        *bans[8];
	size_t             nban;

	gc_diag_clear(&d);
	if (pf == NULL || gc_profile_load(pf, cfg, gc_config_get(cfg,
	    "capture", "profile", NULL), &d) != GC_OK) {
		gc_free(pf);
		gc_buf_puts(b, "null");
		return;
	}
	gc_buf_printf(b, "{\"width\":%d,\"height\":%d,\"backgrounds\":[",
	    pf->out_w, pf->out_h);
	for (int i = 0; i < pf->nbg; i++) {
		gc_buf_printf(b, "%s\"#%02X%02X%02X\"", i ? "," : "",
		    pf->bg[i].r, pf->bg[i].g, pf->bg[i].b);
	}
	gc_buf_printf(b, "],\"glasses_allowed\":%s,\"clothing_banned\":[",
	    pf->glasses_allowed ? "true" : "false");
	nban = gc_profile_banned(pf, bans, sizeof(bans) / sizeof(bans[0]));
	for (size_t i = 0; i < nban && i < sizeof(bans) / sizeof(bans[0]);
	    i++) {
		gc_buf_printf(b, "%s\"%s\"", i ? "," : "", bans[i]);
	}
	gc_buf_printf(b, "],\"background_replaced\":%s,\"file_max\":%zu}",
	    pf->replace_background ? "true" : "false", GC_PORTAL_PHOTO_MAX);
	gc_free(pf);
}

/* GET /api/me: {"csrf", "school", "student": {name, student_no,
 * id_masked, level, major, class}, "status", "reason", "due", "review_by"}:
 * a rejected student's reason and the time to send a new photo by (its
 * window past: MISSING with 逾期未重新提交), a waiting one's review time;
 * and for the first page "methods" (["camera", "upload"], what [online]
 * methods allows), "notice" (the school's, or null) and "rules". */
static void
api_me(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;
	struct gc_row        row;
	struct gc_mstudent   ms;
	struct gc_merge      one;
	const struct gc_online_cfg *oc = &p->cap->online;
	enum gc_mstatus      st   = GC_MS_MISSING, shown;
	struct gc_mcap      *caps = NULL;
	size_t               ncap = 0, rej = 0;
	uint64_t             due = 0, now = gc_review_window_now_ms();
	uint64_t             review_by = 0;
	char                 masked[128], reason[300] = "", iso[32];
	gc_err               rv;
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
	shown     = gc_review_window_status(&one, &ms, oc, now);
	if (rv == GC_OK && gc_retake_window(&one, &ms, oc, &due, &rej)) {
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
			    (uint64_t)oc->review_hours * 3600000u;
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
	gc_buf_printf(&r->out, ",\"capture_code\":\"%s\"",
	    gc_portal_code_mode_name(p->cap->code_mode));
	gc_buf_puts(&r->out, ",\"review_by\":");
	if (review_by != 0) {
		gc_review_window_iso(iso, sizeof(iso), review_by);
		gc_json_str(&r->out, iso);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_puts(&r->out, ",\"methods\":[");
	gc_buf_printf(&r->out, "%s%s%s", (oc->methods & GC_ONLINE_CAMERA) ?
	    "\"camera\"" : "", (oc->methods & GC_ONLINE_CAMERA) &&
	    (oc->methods & GC_ONLINE_UPLOAD) ? "," : "",
	    (oc->methods & GC_ONLINE_UPLOAD) ? "\"upload\"" : "");
	gc_buf_puts(&r->out, "],\"notice\":");
	gc_json_str(&r->out, p->notice[0] ? p->notice : NULL);
	gc_buf_puts(&r->out, ",\"rules\":");
	gc_buf_puts(&r->out, p->cap->rules);
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

static void photo_checked(struct gc_portal_req *p, bool camera);

/* POST /api/photo, the body the student's JPEG: checked and framed as a
 * station does, kept as a draft. */
static void
api_photo(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;
	struct gc_jpeg_info  info;
	struct gc_diag       pd;
	char                 method[16] = "";
	bool                 camera;

	/* the page says how the photo was made: method=camera (its live
	 * guide) or upload (a file; the default, as older pages send) */
	gc_httpd_query(r->query, "method", method, sizeof(method));
	camera = strcmp(method, "camera") == 0;
	if (!camera && method[0] != '\0' && strcmp(method, "upload") != 0) {
		gc_portal_error(r, 400, "bad_request", "method is camera or "
		    "upload", "请求格式不对：拍照方式应为 camera 或 upload");
		return;
	}
	if (!(p->cap->online.methods & (camera ? GC_ONLINE_CAMERA :
	    GC_ONLINE_UPLOAD))) {
		if (camera) {
			gc_portal_error(r, 403, "method_off", "the school takes "
			    "no photos from the phone's camera here: upload a "
			    "studio photo", "本校不接受在线拍照，请上传照相馆拍摄"
			    "的照片");
		} else {
			gc_portal_error(r, 403, "method_off", "the school takes "
			    "no uploaded files: take the photo with the phone's "
			    "camera on this page", "本校不接受上传照片文件，请在本"
			    "页面用手机摄像头现场拍摄");
		}
		return;
	}
	if (r->body_len == 0) {
		gc_portal_error(r, 400, "bad_request", "no photo in the request",
		    "没有收到照片");
		return;
	}
	if (!may_submit(p)) {
		return;
	}
	/* a picture larger than any phone's own is refused from its header,
	 * before the decoder spends seconds and hundreds of MB on it */
	gc_diag_clear(&pd);
	if (gc_jpeg_probe((const uint8_t *)r->body, r->body_len, &info,
	    &pd) == GC_OK && (uint64_t)info.width * info.height >
	    GC_PORTAL_PIXELS_MAX) {
		gc_portal_error(r, 422, "too_many_pixels", "the picture has more "
		    "than 50 million pixels: send a smaller one",
		    "照片像素过高（超过 5000 万像素），请用手机相机的普通模式拍摄，"
		    "或换一张较小的照片");
		return;
	}
	/* each photo costs the pipeline a second or so: a student gets a
	 * fair share of it, one at a time (a double tap costs none of the
	 * hour's) */
	if (!gc_portal_inflight_enter(p->cap, p->student)) {
		gc_portal_error(r, 429, "busy", "your last photo is still being "
		    "checked: wait for its answer", "上一张照片还在检测中，请等"
		    "待结果后再上传");
		return;
	}
	if (gc_ratelimit_take(p->cap->photos, p->student, strlen(p->student),
	    (uint64_t)time(NULL))) {
		gc_portal_inflight_leave(p->cap, p->student);
		gc_portal_error(r, 429, "too_many", "too many photos this hour",
		    "本小时上传的照片过多，请稍后再试");
		return;
	}
	photo_checked(p, camera);
	gc_portal_inflight_leave(p->cap, p->student);
}

/* api_photo's work, one at a time per student (gc_portal_inflight). */
static void
photo_checked(struct gc_portal_req *p, bool camera)
{
	struct gc_httpd_req  *r = p->r;
	struct gc_capture_req cq;
	struct gc_draft       dr;
	struct gc_diag        d;
	gc_err                rv;

	memset(&cq, 0, sizeof(cq));
	memset(&dr, 0, sizeof(dr));
	cq.student_ref = p->student;
	cq.bind        = GC_BIND_INVITE;
	cq.camera      = camera ? "portal:camera" : "portal:upload";
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
	dr.camera = camera;
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

/* The one answer to a 采集码 bound to another student: that student is
 * never named (the stations name them for the operator). */
static void
code_taken(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;

	gc_ratelimit_fail(p->cap->codes, p->student, strlen(p->student),
	    (uint64_t)time(NULL));
	gc_portal_error(r, 409, "code_taken", "this capture code is bound to "
	    "another student's photo: check that it is the code 学信网 shows "
	    "you, or ask the school", "这个采集码已用于其他学生的照片：请核对"
	    "是否为学信网上你本人的采集码，如有疑问请联系学校");
}

/* The confirm's "code" (v, may be NULL) under [online] capture_code, into
 * code ("" when none); false when answered with a refusal. */
static bool
confirm_code(struct gc_portal_req *p, const struct gc_json *v,
    char code[GC_CAPTURE_CODE_MAX + 1])
{
	enum gc_portal_code_mode mode = p->cap->code_mode;
	const char              *en, *zh;

	code[0] = '\0';
	if (v != NULL && v->type == GC_JSON_STRING && v->len == 0) {
		v = NULL; /* an empty field: no code */
	}
	if (v != NULL && v->type != GC_JSON_STRING) {
		gc_portal_error(p->r, 400, "bad_request", "\"code\" is text",
		    "请求格式不对");
		return false;
	}
	if (v != NULL && mode == GC_PORTAL_CODE_OFF) {
		gc_portal_error(p->r, 400, "bad_request", "this school does not "
		    "take the capture code on the portal", "本校线上采集不需要"
		    "填写采集码");
		return false;
	}
	if (v == NULL && mode == GC_PORTAL_CODE_REQUIRED) {
		gc_portal_error(p->r, 400, "code_required", "give the capture "
		    "code 学信网 shows you", "请填写学信网上你的采集码（学信档案 → "
		    "高等教育信息 → 获取图像采集码）");
		return false;
	}
	if (v != NULL && gc_ratelimit_over(p->cap->codes, p->student,
	    strlen(p->student), (uint64_t)time(NULL))) {
		gc_portal_error(p->r, 429, "too_many", "too many capture codes "
		    "refused this hour", "本小时采集码错误次数过多，请 1 小时后再"
		    "试，或联系学校");
		return false;
	}
	if (v != NULL && !gc_portal_code_clean(v->str, v->len, code,
	    GC_CAPTURE_CODE_MAX + 1, &en, &zh)) {
		gc_ratelimit_fail(p->cap->codes, p->student, strlen(p->student),
		    (uint64_t)time(NULL));
		gc_portal_error(p->r, 400, "bad_code", en, zh);
		return false;
	}
	return true;
}

/* POST /api/confirm {"draft": N, "code"?}: the draft becomes the student's signed
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
	uint32_t              id;
	gc_err                rv;
	char                  hex[65], code[GC_CAPTURE_CODE_MAX + 1] = "";

	if (!gc_portal_confirm_parse(r->body, r->body_len, &id, &doc)) {
		gc_portal_error(r, 400, "bad_request", "send {\"draft\": N}",
		    "请求格式不对");
		return;
	}
	if (!confirm_code(p, gc_json_get(doc, "code"), code)) {
		gc_json_free(doc);
		return;
	}
	gc_json_free(doc);
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
	cq.camera      = dr.camera ? "portal:camera" : "portal:upload";
	cq.photo       = dr.orig;
	cq.photo_len   = dr.orig_len;
	cq.code        = code[0] != '\0' ? code : NULL;
	/* cq.frame stays false: a file, or a frame the page says is one;
	 * either way one photo, one student */
	gc_diag_clear(&d);
	pthread_mutex_lock(p->lgmtx);
	rv = online_session(p, &sess, &d);
	if (rv == GC_OK) {
		rv = gc_capture_store(p->n, &p->cap->prof, &sess, &cq, &dr.o, &d);
	}
	pthread_mutex_unlock(p->lgmtx);
	if (rv == GC_OK && dr.o.bound != GC_BOUND_NONE) {
		/* the store's refusal names the other student: the portal's
		 * own words instead; the draft stays for a corrected code */
		if (dr.o.bound == GC_BOUND_CODE) {
			code_taken(p);
			(void)gc_drafts_put(p->cap->drafts, &dr);
		} else {
			gc_portal_error(r, 409, "photo_taken", "this very photo "
			    "was sent for another student: send a photo of "
			    "your own", "这张照片已用于其他学生，请上传你本人的照片");
			gc_draft_release(&dr);
		}
		return;
	}
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
		{ "POST", "/api/guide", gc_portal_guide },
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(p->r->path, routes[i].path) == 0 &&
		    strcmp(p->r->method, routes[i].method) == 0) {
			routes[i].fn(p);
			return true;
		}
	}
	return gc__portal_check_route(p);
}
