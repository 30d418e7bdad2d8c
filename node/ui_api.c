/* The UI's JSON API (docs/api.md): each route on a pool thread, the
 * ledger under the serve's ledger mutex. Actions go through the same
 * checks as the CLI; a refused request stores nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "capture/cam.h"
#include "capture/image.h"
#include "capture/jpeg.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "common/idnum.h"
#include "common/json.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "node/capture_core.h"
#include "node/cli.h"
#include "node/export.h"
#include "node/httpd.h"
#include "node/merge_view.h"
#include "node/review_queue.h"
#include "node/signin.h"
#include "node/syncnode.h"
#include "node/ui.h"

#define NSHOTS     8
#define SHOT_TTL_S (15 * 60)

/* ---- pending shots ---- */

struct shot {
	char                  id[17];
	char                  student[80];
	char                  bind[16];
	char                  code[GC_CAPTURE_CODE_MAX + 1];
	bool                  has_code;
	uint8_t              *orig;
	size_t                orig_len;
	struct gc_capture_out o;
	time_t                made;
	bool                  used;
};

/* The live preview: the camera streams while the UI is served, its
 * latest frame kept (copied on the camera's thread, nothing else done
 * there: STYLE §9); the guidance is the pipeline run on a frame, at most
 * one at a time, cached per frame. */
struct preview {
	pthread_mutex_t mtx; /* guards all below */
	gc_cam         *cam;
	bool            tried;
	char            err[600];
	enum gc_frame_kind kind;
	uint8_t        *data;
	size_t          len, cap;
	uint32_t        w, h, stride;
	uint64_t        seq;
	uint64_t        guide_seq;
	uint64_t        shot_seq; /* the frame the last shot took */
	struct gc_buf   guide;
};

/* The export running or last run from the UI. */
struct exporting {
	pthread_mutex_t           mtx; /* guards all but pg */
	bool                      running, ran;
	int                       ex;
	char                      dir[4200];
	struct gc_buf             msgs;
	struct gc_export_progress pg;
};

struct shots {
	pthread_mutex_t   mtx; /* guards s[] */
	struct shot       s[NSHOTS];
	struct preview    pv;
	struct exporting  xp;
	pthread_mutex_t   plmtx; /* guards the pipeline */
	gc_pipeline      *pl;
	struct gc_profile prof;
	bool              pl_tried;
	char              pl_err[600];
};

static void
shot_clear(struct shot *s)
{
	if (s->used) {
		gc_free(s->orig);
		gc_pipeline_result_release(&s->o.res);
	}
	memset(s, 0, sizeof(*s));
}

void *
gc_ui_shots_new(void)
{
	struct shots *sh = gc_xzalloc(sizeof(*sh));

	pthread_mutex_init(&sh->mtx, NULL);
	pthread_mutex_init(&sh->plmtx, NULL);
	pthread_mutex_init(&sh->pv.mtx, NULL);
	gc_buf_init(&sh->pv.guide);
	pthread_mutex_init(&sh->xp.mtx, NULL);
	gc_buf_init(&sh->xp.msgs);
	return sh;
}

void
gc_ui_shots_free(void *p)
{
	struct shots *sh = p;

	if (sh == NULL) {
		return;
	}
	gc_cam_close(sh->pv.cam); /* waits for its callbacks */
	gc_free(sh->pv.data);
	gc_buf_release(&sh->pv.guide);
	pthread_mutex_destroy(&sh->pv.mtx);
	gc_buf_release(&sh->xp.msgs);
	pthread_mutex_destroy(&sh->xp.mtx);
	for (int i = 0; i < NSHOTS; i++) {
		shot_clear(&sh->s[i]);
	}
	gc_pipeline_close(sh->pl);
	pthread_mutex_destroy(&sh->mtx);
	pthread_mutex_destroy(&sh->plmtx);
	gc_free(sh);
}

/* ---- small helpers ---- */

static void
lock(struct gc_ui_req *r)
{
	pthread_mutex_lock(r->lgmtx);
}

static void
unlock(struct gc_ui_req *r)
{
	pthread_mutex_unlock(r->lgmtx);
}

static void
ok_json(struct gc_ui_req *r)
{
	r->status = 200;
	r->ctype  = "application/json";
}

/* The request body as a JSON object, or NULL with the error answered. */
static struct gc_json *
body_object(struct gc_ui_req *r)
{
	struct gc_json *doc = NULL;
	char            why[160], en[220], zh[260];

	gc_err rv = gc_json_parse(&doc, r->body, r->body_len, why,
	    sizeof(why));

	if (rv == GC_ENOMEM) {
		gc_ui_error(r, 503, "unavailable", "out of memory: try again",
		    "内存不足：请重试");
		return NULL;
	}
	if (rv != GC_OK) {
		snprintf(en, sizeof(en), "the request is not JSON: %s", why);
		snprintf(zh, sizeof(zh), "请求不是有效的 JSON：%s", why);
		gc_ui_error(r, 400, "bad_json", en, zh);
		return NULL;
	}
	if (doc->type != GC_JSON_OBJECT) {
		gc_json_free(doc);
		gc_ui_error(r, 400, "bad_json", "the request must be a JSON "
		    "object", "请求必须是 JSON 对象");
		return NULL;
	}
	return doc;
}

/* A required string member of at most cap - 1 bytes; false with the
 * error answered. */
static bool
want_str(struct gc_ui_req *r, const struct gc_json *o, const char *key,
    char *out, size_t cap, bool nonempty)
{
	const char *v = gc_json_str_of(o, key);
	char        en[160], zh[160];

	if (v == NULL || strlen(v) >= cap || (nonempty && v[0] == '\0')) {
		snprintf(en, sizeof(en), "'%s' is missing, empty or too long",
		    key);
		snprintf(zh, sizeof(zh), "缺少“%s”，或为空、过长", key);
		gc_ui_error(r, 400, "bad_request", en, zh);
		return false;
	}
	snprintf(out, cap, "%s", v);
	return true;
}

static void
iso_time(char *out, size_t cap, uint64_t hlc)
{
	time_t    t = (time_t)((hlc >> 16) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The student's JSON object (key, name, class, level, 学号, masked ID,
 * status, and reject_reason when given). status < 0: read from the kept
 * merge (a caller holding the merge passes it). Ledger locked. */
static void
student_json(struct gc_ui_req *r, const char *key, int status,
    const char *reason, struct gc_buf *b)
{
	struct gc_row   row;
	size_t          nc;
	char            masked[80];
	enum gc_mstatus st = GC_MS_MISSING;
	struct gc_mcap *caps = NULL;

	gc_row_of(r->n->lg, key, &row);
	if (status >= 0) {
		st = (enum gc_mstatus)status;
	} else if (gc_ledger_merge_student(r->n->lg, key, &st, &caps, &nc) ==
	    GC_OK) {
		gc_free(caps);
	}
	gc_idnum_mask(masked, sizeof(masked), row.v[GC_ROW_ID_NUMBER]);
	gc_buf_puts(b, "{\"key\":");
	gc_json_str(b, key);
	gc_buf_puts(b, ",\"name\":");
	gc_json_str(b, row.v[GC_ROW_NAME]);
	gc_buf_puts(b, ",\"class\":");
	gc_json_str(b, row.v[GC_ROW_CLASS]);
	gc_buf_puts(b, ",\"level\":");
	gc_json_str(b, row.v[GC_ROW_LEVEL]);
	gc_buf_puts(b, ",\"student_no\":");
	gc_json_str(b, row.v[GC_ROW_STUDENT_NO]);
	gc_buf_puts(b, ",\"id_masked\":");
	gc_json_str(b, masked);
	gc_buf_printf(b, ",\"status\":\"%s\"", gc_mstatus_name(st));
	if (reason != NULL) {
		gc_buf_puts(b, ",\"reject_reason\":");
		gc_json_str(b, reason[0] ? reason : NULL);
	}
	gc_buf_puts(b, "}");
}

/* The checks of a report. */
static void
report_json(const struct gc_report *rep, struct gc_buf *b)
{
	gc_buf_puts(b, "[");
	for (int i = 0; i < rep->n; i++) {
		const struct gc_check *c = &rep->c[i];

		gc_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		gc_json_str(b, c->id);
		gc_buf_printf(b, ",\"verdict\":\"%s\",\"value\":",
		    gc_verdict_name(c->verdict));
		gc_json_str(b, c->value);
		gc_buf_puts(b, ",\"message\":");
		gc_json_str(b, c->msg_en);
		gc_buf_puts(b, ",\"message_zh\":");
		gc_json_str(b, c->msg_zh);
		gc_buf_puts(b, "}");
	}
	gc_buf_puts(b, "]");
}

/* A capture's JSON object, its checks from its entry; with it (may be
 * NULL), its place in the review queue: age_hours, deadline, overdue.
 * Ledger locked. */
static void
capture_json(struct gc_ui_req *r, const struct gc_mcap *c,
    const struct gc_names *nm, const struct gc_review_item *it,
    struct gc_buf *b)
{
	char                   hex[65], t[32];
	uint8_t               *bytes;
	size_t                 len;
	struct gc_entry        e;
	struct gc_capture_rec *rec = gc_alloc(sizeof(*rec));
	bool                   have = false;

	gc_hex_encode(hex, c->id, 32);
	iso_time(t, sizeof(t), c->hlc);
	if (rec != NULL && gc_ledger_get(r->n->lg, hex, &bytes, &len, NULL) ==
	    GC_OK) {
		have = gc_entry_parse(&e, bytes, len, NULL) == GC_OK &&
		    gc_capture_decode(e.body, e.body_len, rec) == GC_OK;
		gc_free(bytes);
	}
	gc_buf_printf(b, "{\"id\":\"%s\",\"student\":", hex);
	gc_json_str(b, c->student);
	gc_buf_puts(b, ",\"site\":");
	gc_json_str(b, gc_name_of(nm, c->feed));
	gc_buf_printf(b, ",\"kind\":\"%s\",\"time\":\"%s\",\"review\":%s,"
	    "\"voided\":%s,\"held\":%s,\"checks\":[",
	    gc_session_kind_name((enum gc_session_kind)c->kind), t,
	    c->review < 0 ? "null" : c->review == GC_REVIEW_APPROVE ?
	    "\"approve\"" : "\"reject\"", c->voided ? "true" : "false",
	    c->blob ? "true" : "false");
	for (int i = 0; have && i < rec->nchecks; i++) {
		gc_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		gc_json_str(b, rec->checks[i].id);
		gc_buf_printf(b, ",\"verdict\":\"%s\",\"value\":",
		    gc_verdict_name((enum gc_verdict)rec->checks[i].verdict));
		gc_json_str(b, rec->checks[i].value);
		gc_buf_puts(b, "}");
	}
	gc_buf_puts(b, "],\"overrides\":[");
	for (int i = 0; have && i < rec->nov; i++) {
		gc_buf_puts(b, i ? ",{\"check\":" : "{\"check\":");
		gc_json_str(b, rec->ov[i].check);
		gc_buf_puts(b, ",\"reason\":");
		gc_json_str(b, rec->ov[i].reason);
		gc_buf_puts(b, "}");
	}
	gc_buf_printf(b, "],\"photo\":\"/api/photo?capture=%s\"", hex);
	if (it != NULL) {
		gc_buf_putc(b, ',');
		gc_review_item_json(b, it);
	}
	gc_buf_puts(b, "}");
	gc_free(rec);
}

/* The warning shown before a new shot: APPROVED, EXEMPT, or captured
 * already with a photo that may still count (a rejected or voided one
 * does not: the makeup list names the student, no warning). */
static void
warning_json(enum gc_mstatus st, size_t ncap, struct gc_buf *b)
{
	if (st == GC_MS_EXEMPT) {
		gc_buf_puts(b, "{\"code\":\"exempt\",\"message\":\"This "
		    "student is exempt (roster exempt): no photo is needed.\","
		    "\"message_zh\":\"该学生已免拍（名单标注），无需拍照。\"}");
	} else if (st == GC_MS_APPROVED) {
		gc_buf_puts(b, "{\"code\":\"approved\",\"message\":\"This "
		    "student already has an APPROVED photo: one photo per "
		    "level. Take another only on the coordinator's word.\","
		    "\"message_zh\":\"该学生已有审核通过的照片：每个学历层次只"
		    "能有一张。只有在协调人同意时才能重拍。\"}");
	} else if (ncap > 0 && st != GC_MS_MISSING &&
	    st != GC_MS_NEEDS_RETAKE) {
		gc_buf_printf(b, "{\"code\":\"captured\",\"message\":\"This "
		    "student already has %zu capture(s) this season: a new one "
		    "makes a conflict for the coordinator.\",\"message_zh\":"
		    "\"该学生本季已拍摄 %zu 次：再拍会形成冲突，由协调人裁定。\"}",
		    ncap, ncap);
	} else {
		gc_buf_puts(b, "null");
	}
}

/* ---- reading ---- */

static void
api_status(struct gc_ui_req *r)
{
	char           klass[80] = "", site[80] = "";
	struct gc_diag d;
	gc_err         rv;

	gc_httpd_query(r->query, "class", klass, sizeof(klass));
	gc_httpd_query(r->query, "site", site, sizeof(site));
	gc_diag_clear(&d);
	gc_buf_puts(&r->out, "{\"node\":{\"name\":");
	gc_json_str(&r->out, r->n->info.name);
	gc_buf_printf(&r->out, ",\"role\":\"%s\"},\"merge\":",
	    gc_role_name(r->n->info.role));
	lock(r);
	rv = gc_merge_report(r->n, klass[0] ? klass : NULL,
	    site[0] ? site : NULL, true, &r->out, &d);
	unlock(r);
	if (rv != GC_OK) {
		gc_ui_error(r, 500, "internal", d.msg, d.msg);
		return;
	}
	gc_buf_puts(&r->out, "}");
	ok_json(r);
}

struct search_arg {
	const char *q;
	size_t      ql;
	const char *idq; /* q normalised as an ID number (full-width digits,
	                  * spaces), or q */
	size_t      idql;
	char        (*keys)[80];
	size_t      n;
};

static bool
prefix(const char *s, const char *q, size_t ql)
{
	return strncasecmp(s, q, ql) == 0;
}

/* An ID number starts with q; a military number (南字第0123456号) is also
 * found by its serial, the part after its leading Chinese characters. */
static bool
id_prefix(const char *id, const char *q, size_t ql)
{
	const char *p = id;

	if (prefix(id, q, ql)) {
		return true;
	}
	while ((unsigned char)*p >= 0x80) {
		p++;
	}
	return p != id && *p != '\0' && prefix(p, q, ql);
}

static int
search_cb(const struct gc_student_rec *rec, void *arg)
{
	struct search_arg *a = arg;
	struct gc_row      row;

	if (rec->key_len >= 80 || gc_row_decode(rec->row, rec->row_len, &row) !=
	    GC_OK) {
		return 0;
	}
	if (id_prefix(row.v[GC_ROW_ID_NUMBER], a->idq, a->idql) ||
	    prefix(row.v[GC_ROW_STUDENT_NO], a->q, a->ql) ||
	    prefix(row.v[GC_ROW_EXAM_NO], a->q, a->ql) ||
	    strstr(row.v[GC_ROW_NAME], a->q) != NULL) {
		memcpy(a->keys[a->n], rec->key, rec->key_len);
		a->keys[a->n][rec->key_len] = '\0';
		a->n++;
	}
	return a->n == 20;
}

static void
api_students(struct gc_ui_req *r)
{
	char              q[200];
	char              keys[20][80];
	struct gc_idnum   idn;
	struct search_arg a = { q, 0, q, 0, keys, 0 };

	if (!gc_httpd_query(r->query, "q", q, sizeof(q)) || q[0] == '\0') {
		gc_ui_error(r, 400, "bad_request", "give q: an ID number, 学号, "
		    "考生号 or a part of the name", "请输入身份证号、学号、考生号"
		    "或姓名的一部分");
		return;
	}
	/* a scanned capture-code payload may carry the ID after a separator:
	 * the whole text is tried first, as typed */
	a.ql   = strlen(q);
	a.idql = a.ql;
	/* 证件类型 Z accepts what every ID type may hold, normalised */
	if (gc_idnum_check(&idn, q, 'Z', 0) == GC_OK) {
		a.idq  = idn.normalized;
		a.idql = strlen(idn.normalized);
	}
	lock(r);
	gc_ledger_students(r->n->lg, search_cb, &a);
	gc_buf_puts(&r->out, "{\"students\":[");
	for (size_t i = 0; i < a.n; i++) {
		gc_buf_puts(&r->out, i ? "," : "");
		student_json(r, keys[i], -1, NULL, &r->out);
	}
	unlock(r);
	gc_buf_puts(&r->out, "]}");
	ok_json(r);
}

static void
api_student(struct gc_ui_req *r)
{
	char            key[80];
	struct gc_mcap *caps;
	size_t          nc;
	enum gc_mstatus st;
	struct gc_names nm = { NULL, NULL, 0 };
	gc_err          rv;

	if (!gc_httpd_query(r->query, "key", key, sizeof(key))) {
		gc_ui_error(r, 400, "bad_request", "give key", "缺少 key");
		return;
	}
	lock(r);
	rv = gc_ledger_merge_student(r->n->lg, key, &st, &caps, &nc);
	if (rv != GC_OK) {
		unlock(r);
		gc_ui_error(r, 404, "not_found", "no such student on the roster",
		    "名单中没有这个学生");
		return;
	}
	gc_ledger_enrollments(r->n->lg, gc_names_cb, &nm);
	gc_buf_puts(&r->out, "{\"student\":");
	student_json(r, key, -1, NULL, &r->out);
	gc_buf_puts(&r->out, ",\"captures\":[");
	for (size_t i = 0; i < nc; i++) {
		gc_buf_puts(&r->out, i ? "," : "");
		capture_json(r, &caps[i], &nm, NULL, &r->out);
	}
	unlock(r);
	gc_buf_puts(&r->out, "],\"warning\":");
	{
		size_t live = 0;

		for (size_t i = 0; i < nc; i++) {
			live += !caps[i].voided;
		}
		warning_json(st, live, &r->out);
	}
	gc_buf_puts(&r->out, "}");
	gc_free(caps);
	gc_names_free(&nm);
	ok_json(r);
}

/* The order of a list: the roster's (the school file's rows), or by
 * student key with ?sort=id (NULL: key order as the merge holds it). */
static size_t *
list_order(struct gc_ui_req *r, const struct gc_merge *m)
{
	char sort[16] = "";

	gc_httpd_query(r->query, "sort", sort, sizeof(sort));
	return strcmp(sort, "id") == 0 ? NULL : gc_merge_roster_order(m);
}

static void
api_missing(struct gc_ui_req *r)
{
	char             klass[80] = "";
	size_t          *ix = NULL;
	struct gc_merge *m;
	struct gc_diag   d;
	size_t           k = 0;
	struct gc_online_cfg cfg;
	uint64_t             now = gc_review_window_now_ms();

	gc_httpd_query(r->query, "class", klass, sizeof(klass));
	gc_diag_clear(&d);
	lock(r);
	if (gc_online_cfg_load(r->n->cfg, &cfg, &d) != GC_OK ||
	    gc_merge_node(r->n, &m, &d) != GC_OK) {
		unlock(r);
		gc_ui_error(r, 500, "internal", d.msg, d.msg);
		return;
	}
	ix = list_order(r, m);
	gc_buf_puts(&r->out, "{\"students\":[");
	for (size_t j = 0; j < m->nst; j++) {
		const struct gc_mstudent *s = &m->st[ix != NULL ? ix[j] : j];
		char                      why[320];
		enum gc_mstatus           vs;

		if ((s->status != GC_MS_MISSING &&
		    s->status != GC_MS_NEEDS_RETAKE) ||
		    (klass[0] && strcmp(s->klass, klass) != 0)) {
			continue;
		}
		/* past the resubmission window: MISSING, 逾期未重新提交 */
		vs = gc_missing_view(r->n, m, s, &cfg, now, why, sizeof(why));
		gc_buf_puts(&r->out, k++ ? "," : "");
		student_json(r, s->key, (int)vs, s->status ==
		    GC_MS_NEEDS_RETAKE ? why : NULL, &r->out);
	}
	unlock(r);
	gc_buf_puts(&r->out, "]}");
	gc_free(ix);
	gc_merge_free(m);
	ok_json(r);
}

/* A class's queue: every student of it with its status, in roster order
 * (who is done, who waits for review, who is still to be photographed). */
static void
api_class(struct gc_ui_req *r)
{
	char             klass[80];
	size_t          *ix = NULL;
	struct gc_merge *m;
	struct gc_diag   d;
	size_t           k = 0;

	if (!gc_httpd_query(r->query, "name", klass, sizeof(klass)) ||
	    klass[0] == '\0') {
		gc_ui_error(r, 400, "bad_request", "give name: a class",
		    "缺少班级名称");
		return;
	}
	gc_diag_clear(&d);
	lock(r);
	if (gc_merge_node(r->n, &m, &d) != GC_OK) {
		unlock(r);
		gc_ui_error(r, 500, "internal", d.msg, d.msg);
		return;
	}
	ix = list_order(r, m);
	gc_buf_puts(&r->out, "{\"students\":[");
	for (size_t j = 0; j < m->nst; j++) {
		size_t i = ix != NULL ? ix[j] : j;

		if (strcmp(m->st[i].klass, klass) != 0) {
			continue;
		}
		gc_buf_puts(&r->out, k++ ? "," : "");
		student_json(r, m->st[i].key, (int)m->st[i].status, NULL,
		    &r->out);
	}
	unlock(r);
	gc_buf_puts(&r->out, "]}");
	gc_free(ix);
	gc_merge_free(m);
	ok_json(r);
}

/* GET /api/signin?class=C[&missing=1]: the sign-in sheet (签到表) of a
 * class (or every class; the makeup list with missing=1) in roster order,
 * numbered, ID numbers masked, with the 拍摄序号 of those shot in the open
 * session (node/signin.h). */
static void
api_signin(struct gc_ui_req *r)
{
	char             klass[80] = "", missing[8] = "";
	struct gc_signin s;
	struct gc_diag   d;
	gc_err           rv;

	gc_httpd_query(r->query, "class", klass, sizeof(klass));
	gc_httpd_query(r->query, "missing", missing, sizeof(missing));
	gc_diag_clear(&d);
	lock(r);
	rv = gc_signin_make(r->n, klass[0] ? klass : NULL,
	    strcmp(missing, "1") == 0, &s, &d);
	unlock(r);
	if (rv != GC_OK) {
		gc_ui_error(r, 500, "internal", d.msg, d.msg);
		return;
	}
	gc_signin_json(&s, &r->out);
	gc_signin_free(&s);
	ok_json(r);
}

static void
api_conflicts(struct gc_ui_req *r)
{
	struct gc_diag d;
	gc_err         rv;

	gc_diag_clear(&d);
	lock(r);
	rv = gc_conflicts_report(r->n, true, &r->out, &d);
	unlock(r);
	if (rv != GC_OK) {
		gc_ui_error(r, 500, "internal", d.msg, d.msg);
		return;
	}
	ok_json(r);
}

/* GET /api/review: the captures waiting for review, oldest first (at
 * most 200), each with its age and deadline; the counts; the [online]
 * windows and the preset rejection reasons. */
static void
api_review_list(struct gc_ui_req *r)
{
	struct gc_review_queue q;
	struct gc_names        nm = { NULL, NULL, 0 };
	struct gc_diag         d;
	gc_err                 rv;

	gc_diag_clear(&d);
	lock(r);
	rv = gc_review_queue_load(r->n, &q, &d);
	if (rv != GC_OK) {
		unlock(r);
		gc_review_queue_release(&q);
		gc_ui_error(r, 500, "internal", gc_diag_msg(&d, rv),
		    gc_diag_msg(&d, rv));
		return;
	}
	gc_ledger_enrollments(r->n->lg, gc_names_cb, &nm);
	gc_buf_printf(&r->out, "{\"waiting\":%zu,\"overdue\":%zu,"
	    "\"review_hours\":%u,\"retake_hours\":%u,\"reject_reasons\":[",
	    q.n, q.overdue, q.cfg.review_hours, q.cfg.retake_hours);
	for (size_t i = 0; i < q.cfg.nreasons; i++) {
		gc_buf_puts(&r->out, i ? "," : "");
		gc_json_str(&r->out, q.cfg.reasons[i]);
	}
	gc_buf_puts(&r->out, "],\"captures\":[");
	for (size_t i = 0; i < q.n && i < 200; i++) {
		gc_buf_puts(&r->out, i ? "," : "");
		capture_json(r, q.item[i].cap, &nm, &q.item[i], &r->out);
	}
	unlock(r);
	gc_buf_puts(&r->out, "]}");
	gc_names_free(&nm);
	gc_review_queue_release(&q);
	ok_json(r);
}

/* The held CAPTURE entry REF names, or (unlocking the ledger) a 404
 * answered. Ledger locked. */
static bool
capture_held(struct gc_ui_req *r, const char *ref, struct gc_capture_ref *cr)
{
	if (gc_capture_lookup(r->n, ref, cr, NULL) == GC_OK) {
		return true;
	}
	unlock(r);
	gc_ui_error(r, 404, "not_found", "no such capture", "没有这条拍摄记录");
	return false;
}

static void
blob_answer(struct gc_ui_req *r, const uint8_t hash[32])
{
	uint64_t len;
	size_t   got;

	if (gc_ledger_blob_size(r->n->lg, hash, &len) != GC_OK ||
	    len > ((uint64_t)64 << 20) ||
	    !gc_buf_reserve(&r->out, (size_t)len)) {
		gc_ui_error(r, 404, "not_found", "the photo is not held on this "
		    "node (yet)", "本节点还没有这张照片");
		return;
	}
	if (gc_ledger_blob_read(r->n->lg, hash, 0, r->out.data, (size_t)len,
	    &got, &len) != GC_OK || got != len) {
		gc_ui_error(r, 500, "internal", "the photo could not be read",
		    "无法读取照片");
		return;
	}
	r->out.len = got;
	r->status  = 200;
	r->ctype   = "image/jpeg";
}

static void
api_photo(struct gc_ui_req *r)
{
	char                  ref[80];
	struct gc_capture_ref cr;

	if (!gc_httpd_query(r->query, "capture", ref, sizeof(ref))) {
		gc_ui_error(r, 400, "bad_request", "give capture", "缺少 capture");
		return;
	}
	lock(r);
	if (!capture_held(r, ref, &cr)) {
		return;
	}
	blob_answer(r, cr.photo);
	unlock(r);
}

static void
api_peers(struct gc_ui_req *r)
{
	gc_buf_puts(&r->out, "{\"peers\":");
	lock(r);
	gc_peers_json(r->n->lg, &r->out);
	unlock(r);
	gc_buf_puts(&r->out, "}");
	ok_json(r);
}

static void
session_obj(const struct gc_session_rec *s, struct gc_buf *b)
{
	char   t[32];
	time_t o = (time_t)s->opened;
	struct tm tm;

	gmtime_r(&o, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gc_buf_puts(b, "{\"id\":");
	gc_json_str(b, s->id);
	gc_buf_printf(b, ",\"kind\":\"%s\",\"location\":",
	    gc_session_kind_name(s->kind));
	gc_json_str(b, s->location);
	gc_buf_puts(b, ",\"operator\":");
	gc_json_str(b, s->operator_);
	gc_buf_printf(b, ",\"opened\":\"%s\"}", t);
}

static void
api_session_current(struct gc_ui_req *r)
{
	struct gc_session_rec s;
	gc_err                rv;

	lock(r);
	rv = gc_ledger_session_current(r->n->lg, r->n->info.self, &s);
	unlock(r);
	gc_buf_puts(&r->out, "{\"session\":");
	if (rv == GC_OK) {
		session_obj(&s, &r->out);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_puts(&r->out, "}");
	ok_json(r);
}

/* ---- acting ---- */

/* Appends a decision entry with BODY (released), unlocks the ledger and
 * answers {"entry": id}. Ledger locked. */
static void
append_answer(struct gc_ui_req *r, unsigned kind, struct gc_buf *body)
{
	struct gc_diag d;
	uint8_t        id[32];
	char           hex[65];
	gc_err         rv;

	gc_diag_clear(&d);
	rv = gc_ledger_append_body(r->n->lg, kind, body, id, &d);
	unlock(r);
	gc_buf_release(body);
	if (rv != GC_OK) {
		gc_ui_error(r, rv == GC_EPERM ? 403 : 500, rv == GC_EPERM ?
		    "forbidden" : "internal", gc_diag_msg(&d, rv),
		    gc_diag_msg(&d, rv));
		return;
	}
	gc_hex_encode(hex, id, 32);
	gc_buf_printf(&r->out, "{\"entry\":\"%s\"}", hex);
	ok_json(r);
}

static void
api_session_open(struct gc_ui_req *r)
{
	struct gc_json       *o = body_object(r);
	struct gc_session_rec s, cur;
	struct gc_buf         b;
	char                  kind[16];
	uint8_t               rnd[8];
	int                   k;

	if (o == NULL) {
		return;
	}
	memset(&s, 0, sizeof(s));
	if (!want_str(r, o, "kind", kind, sizeof(kind), true) ||
	    !want_str(r, o, "location", s.location, sizeof(s.location),
	        true)) {
		gc_json_free(o);
		return;
	}
	if (gc_json_str_of(o, "operator") != NULL &&
	    !want_str(r, o, "operator", s.operator_, sizeof(s.operator_),
	        false)) {
		gc_json_free(o);
		return;
	}
	gc_json_free(o);
	if ((k = gc_session_kind_parse(kind)) < 0) {
		gc_ui_error(r, 400, "bad_request", "kind: central, makeup, "
		    "individual or online", "场次类型：central、makeup、"
		    "individual 或 online");
		return;
	}
	lock(r);
	if (gc_ledger_session_current(r->n->lg, r->n->info.self, &cur) ==
	    GC_OK) {
		unlock(r);
		gc_ui_error(r, 409, "conflict", "a session is still open: close "
		    "it first", "还有场次未关闭：请先关闭");
		return;
	}
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(s.id, "s-", 2);
	gc_hex_encode(s.id + 2, rnd, 8);
	s.kind   = (enum gc_session_kind)k;
	s.opened = (uint64_t)time(NULL);
	gc_buf_init(&b);
	gc_session_open_encode(&b, &s);
	append_answer(r, GC_KIND_SESSION_OPEN, &b);
}

static void
api_session_close(struct gc_ui_req *r)
{
	struct gc_session_rec cur;
	struct gc_buf         b;

	lock(r);
	if (gc_ledger_session_current(r->n->lg, r->n->info.self, &cur) !=
	    GC_OK) {
		unlock(r);
		gc_ui_error(r, 409, "conflict", "no session is open",
		    "没有打开的场次");
		return;
	}
	gc_buf_init(&b);
	gc_session_close_encode(&b, cur.id, (uint64_t)time(NULL), 0);
	append_answer(r, GC_KIND_SESSION_CLOSE, &b);
}

static bool
pipeline_ready(struct gc_ui_req *r, struct shots *sh)
{
	struct gc_diag d;

	if (!sh->pl_tried) {
		gc_diag_clear(&d);
		sh->pl_tried = true;
		if (gc_profile_load(&sh->prof, r->n->cfg, gc_config_get(r->n->cfg,
		    "capture", "profile", NULL), &d) != GC_OK ||
		    gc_pipeline_open(&sh->pl, &sh->prof, &d) != GC_OK) {
			snprintf(sh->pl_err, sizeof(sh->pl_err), "%s", d.msg);
			sh->pl = NULL;
		}
	}
	return sh->pl != NULL;
}

static uint64_t preview_jpeg(struct preview *pv, struct gc_buf *out,
    int quality);

static void
api_shoot(struct gc_ui_req *r)
{
	struct shots          *sh = r->shots;
	struct gc_json        *o  = body_object(r);
	struct gc_capture_req  cq;
	struct shot            s;
	struct gc_diag         d;
	const char            *cam, *bind, *code;
	char                   ref[80];
	enum gc_mstatus        st = GC_MS_MISSING;
	struct gc_mcap        *caps = NULL;
	size_t                 nc = 0, live = 0;
	uint8_t                rnd[8];
	gc_err                 rv;

	if (o == NULL) {
		return;
	}
	memset(&s, 0, sizeof(s));
	bind = gc_json_str_of(o, "bind");
	code = gc_json_str_of(o, "code");
	if (!want_str(r, o, "student", ref, sizeof(ref), true)) {
		gc_json_free(o);
		return;
	}
	if (bind != NULL && strcmp(bind, GC_BIND_QR) && strcmp(bind,
	    GC_BIND_ID_CARD) && strcmp(bind, GC_BIND_STUDENT_NO) &&
	    strcmp(bind, GC_BIND_SEARCH)) {
		gc_json_free(o);
		gc_ui_error(r, 400, "bad_request", "bind: qr, id-card, "
		    "student-no or search", "bind 须为 qr、id-card、student-no "
		    "或 search");
		return;
	}
	if (code != NULL && strlen(code) >= sizeof(s.code)) {
		gc_json_free(o);
		gc_ui_error(r, 400, "bad_request", "the capture code is longer "
		    "than 1024 bytes", "采集码超过 1024 字节");
		return;
	}
	snprintf(s.bind, sizeof(s.bind), "%s", bind ? bind : code != NULL &&
	    code[0] ? GC_BIND_QR : GC_BIND_SEARCH);
	if (code != NULL && code[0] != '\0') {
		snprintf(s.code, sizeof(s.code), "%s", code);
		s.has_code = true;
	}
	gc_json_free(o);
	cam = gc_config_get(r->n->cfg, "capture", "camera", NULL);
	if (cam == NULL) {
		gc_ui_error(r, 503, "unavailable", "no camera is configured "
		    "([capture] camera in gradcap.ini)", "未配置相机"
		    "（gradcap.ini 的 [capture] camera）");
		return;
	}
	gc_diag_clear(&d);
	/* the preview holds the camera: its latest frame is the shot */
	pthread_mutex_lock(&sh->pv.mtx);
	rv = sh->pv.cam != NULL && sh->pv.seq > 0 ? GC_OK : GC_ENOTFOUND;
	if (rv == GC_OK && sh->pv.seq == sh->pv.shot_seq) {
		/* the frame of the previous shot: never one photo for two
		 * students (a hot folder sends a frame per new file) */
		pthread_mutex_unlock(&sh->pv.mtx);
		gc_free(s.orig);
		gc_ui_error(r, 503, "unavailable", "no new frame from the camera "
		    "since the last shot: wait for it (a tethered camera: take "
		    "the picture first)", "相机自上次拍摄后还没有新画面：请稍候"
		    "（联机相机请先按快门）");
		return;
	}
	if (rv == GC_OK) {
		sh->pv.shot_seq = sh->pv.seq;
	}
	pthread_mutex_unlock(&sh->pv.mtx);
	if (rv == GC_OK) {
		struct gc_buf fb;

		gc_buf_init(&fb);
		if (preview_jpeg(&sh->pv, &fb, 95) == 0 ||
		    gc_buf_status(&fb) != GC_OK ||
		    (s.orig = gc_alloc(fb.len)) == NULL) {
			rv = GC_EIO;
			gc_diag_set(&d, "camera %s: no frame", cam);
		} else {
			memcpy(s.orig, fb.data, fb.len);
			s.orig_len = fb.len;
		}
		gc_buf_release(&fb);
	} else {
		rv = gc_cam_grab(cam, 10000, &s.orig, &s.orig_len, &d);
	}
	if (rv != GC_OK) {
		gc_ui_error(r, 503, "unavailable", gc_diag_msg(&d, rv),
		    gc_diag_msg(&d, rv));
		return;
	}
	memset(&cq, 0, sizeof(cq));
	cq.student_ref = ref;
	cq.again       = true; /* the warning is the page's; accept decides */
	cq.photo       = s.orig;
	cq.photo_len   = s.orig_len;
	cq.camera      = cam;
	cq.frame       = cam != NULL; /* the station camera's own frame */
	cq.bind        = s.bind;
	cq.code        = s.has_code ? s.code : NULL;
	gc_pipeline_result_init(&s.o.res);
	pthread_mutex_lock(&sh->plmtx);
	if (!pipeline_ready(r, sh)) {
		pthread_mutex_unlock(&sh->plmtx);
		gc_free(s.orig);
		gc_ui_error(r, 503, "unavailable", sh->pl_err, sh->pl_err);
		return;
	}
	lock(r);
	rv = gc_capture_prepare(r->n, sh->pl, &cq, &s.o, &d);
	if (rv == GC_OK && s.o.why[0] == '\0') {
		gc_ledger_merge_student(r->n->lg, s.o.key, &st, &caps, &nc);
	}
	unlock(r);
	pthread_mutex_unlock(&sh->plmtx);
	if (rv != GC_OK || s.o.why[0] != '\0') {
		const char *why = rv != GC_OK ? gc_diag_msg(&d, rv) : s.o.why;

		gc_ui_error(r, rv != GC_OK ? 500 : 409, rv != GC_OK ?
		    "internal" : "conflict", why, rv == GC_OK &&
		    s.o.why_zh[0] ? s.o.why_zh : why);
		gc_free(s.orig);
		gc_pipeline_result_release(&s.o.res);
		return;
	}
	for (size_t i = 0; i < nc; i++) {
		live += !caps[i].voided;
	}
	gc_free(caps);
	randombytes_buf(rnd, sizeof(rnd));
	gc_hex_encode(s.id, rnd, 8);
	snprintf(s.student, sizeof(s.student), "%s", s.o.key);
	s.made = time(NULL);
	s.used = true;
	gc_buf_printf(&r->out, "{\"shot\":\"%s\",\"student\":", s.id);
	lock(r);
	student_json(r, s.o.key, -1, NULL, &r->out);
	unlock(r);
	gc_buf_printf(&r->out, ",\"verdict\":\"%s\",\"checks\":",
	    gc_verdict_name(s.o.res.report.verdict));
	report_json(&s.o.res.report, &r->out);
	gc_buf_printf(&r->out, ",\"photo\":\"/api/shot?id=%s\",\"warning\":",
	    s.id);
	warning_json(st, live, &r->out);
	gc_buf_puts(&r->out, "}");
	/* keep it: the oldest (or an expired) one gives way */
	pthread_mutex_lock(&sh->mtx);
	{
		struct shot *slot = &sh->s[0];

		for (int i = 0; i < NSHOTS; i++) {
			if (!sh->s[i].used ||
			    time(NULL) - sh->s[i].made > SHOT_TTL_S) {
				slot = &sh->s[i];
				break;
			}
			if (sh->s[i].made < slot->made) {
				slot = &sh->s[i];
			}
		}
		shot_clear(slot);
		*slot = s;
	}
	pthread_mutex_unlock(&sh->mtx);
	ok_json(r);
}

/* The shot id, taken out of the table (the caller owns it), or NULL. */
static struct shot *
shot_take(struct shots *sh, const char *id)
{
	struct shot *s = NULL;

	pthread_mutex_lock(&sh->mtx);
	for (int i = 0; i < NSHOTS; i++) {
		if (sh->s[i].used && strcmp(sh->s[i].id, id) == 0 &&
		    time(NULL) - sh->s[i].made <= SHOT_TTL_S) {
			s  = gc_alloc(sizeof(*s));
			if (s != NULL) {
				*s = sh->s[i];
				memset(&sh->s[i], 0, sizeof(sh->s[i]));
			}
			break;
		}
	}
	pthread_mutex_unlock(&sh->mtx);
	return s;
}

/* Puts a shot back (an accept refused: the page may fix and retry). */
static void
shot_put(struct shots *sh, struct shot *s)
{
	pthread_mutex_lock(&sh->mtx);
	for (int i = 0; i < NSHOTS; i++) {
		if (!sh->s[i].used) {
			sh->s[i] = *s;
			s->used  = false;
			break;
		}
	}
	pthread_mutex_unlock(&sh->mtx);
	shot_clear(s);
	gc_free(s);
}

static void
api_shot(struct gc_ui_req *r)
{
	struct shots *sh = r->shots;
	char          id[32];
	bool          found = false;

	if (!gc_httpd_query(r->query, "id", id, sizeof(id))) {
		gc_ui_error(r, 400, "bad_request", "give id", "缺少 id");
		return;
	}
	pthread_mutex_lock(&sh->mtx);
	for (int i = 0; i < NSHOTS; i++) {
		if (sh->s[i].used && strcmp(sh->s[i].id, id) == 0 &&
		    time(NULL) - sh->s[i].made <= SHOT_TTL_S) {
			gc_buf_put(&r->out, sh->s[i].o.res.jpeg.data,
			    sh->s[i].o.res.jpeg.len);
			found = true;
		}
	}
	pthread_mutex_unlock(&sh->mtx);
	if (!found) {
		gc_ui_error(r, 404, "not_found", "no such shot (taken more than "
		    "15 minutes ago, or already stored)", "没有这张照片（超过"
		    " 15 分钟或已保存）");
		return;
	}
	r->status = 200;
	r->ctype  = "image/jpeg";
}

static void
api_accept(struct gc_ui_req *r)
{
	struct shots          *sh = r->shots;
	struct gc_json        *o  = body_object(r);
	const struct gc_json  *ov, *it;
	struct gc_capture_req  cq;
	struct gc_session_rec  sess;
	struct shot           *s;
	struct gc_diag         d;
	char                   id[32], key[80], seen_warning[16];
	char                   ovs[GC_CAPTURE_MAX_OVERRIDES][300];
	enum gc_mstatus        st = GC_MS_MISSING;
	struct gc_mcap        *caps = NULL;
	size_t                 nc = 0, live = 0;
	gc_err                 rv;

	if (o == NULL) {
		return;
	}
	memset(&cq, 0, sizeof(cq));
	if (!want_str(r, o, "shot", id, sizeof(id), true) ||
	    !want_str(r, o, "student", key, sizeof(key), true)) {
		gc_json_free(o);
		return;
	}
	cq.again = gc_json_bool_of(o, "again", false);
	{
		const char *w = gc_json_str_of(o, "warning");

		snprintf(seen_warning, sizeof(seen_warning), "%s", w ? w : "");
	}
	ov       = gc_json_get(o, "overrides");
	for (it = ov != NULL && ov->type == GC_JSON_ARRAY ? ov->kid : NULL;
	     it != NULL; it = it->next) {
		const char *ck = gc_json_str_of(it, "check");
		const char *rs = gc_json_str_of(it, "reason");

		if (ck == NULL || rs == NULL || ck[0] == '\0' || rs[0] == '\0' ||
		    cq.nov == GC_CAPTURE_MAX_OVERRIDES ||
		    strlen(ck) + strlen(rs) + 2 > sizeof(ovs[0]) ||
		    strchr(ck, ':') != NULL) {
			gc_json_free(o);
			gc_ui_error(r, 400, "bad_request", "overrides: a list of "
			    "{check, reason}, each with a reason in words",
			    "overrides 须为 {check, reason} 列表，每项都要写明理由");
			return;
		}
		memcpy(ovs[cq.nov], ck, strlen(ck));
		ovs[cq.nov][strlen(ck)] = ':';
		memcpy(ovs[cq.nov] + strlen(ck) + 1, rs, strlen(rs) + 1);
		cq.overrides[cq.nov] = ovs[cq.nov];
		cq.nov++;
	}
	gc_json_free(o);
	s = shot_take(sh, id);
	if (s == NULL) {
		gc_ui_error(r, 404, "not_found", "no such shot (taken more than "
		    "15 minutes ago, or already stored): shoot again",
		    "没有这张照片（超过 15 分钟或已保存）：请重拍");
		return;
	}
	/* the binding: the shot is of the student the page confirmed */
	if (strcmp(s->student, key) != 0) {
		shot_put(sh, s);
		gc_ui_error(r, 409, "conflict", "this shot was taken for another "
		    "student: shoot again for this one", "这张照片是为另一位学生"
		    "拍的：请为当前学生重拍");
		return;
	}
	cq.student_ref = s->student;
	cq.bind        = s->bind;
	cq.code        = s->has_code ? s->code : NULL;
	cq.photo       = s->orig;
	cq.photo_len   = s->orig_len;
	cq.camera      = gc_config_get(r->n->cfg, "capture", "camera", NULL);
	cq.frame       = cq.camera != NULL;
	gc_diag_clear(&d);
	lock(r);
	if (gc_ledger_session_current(r->n->lg, r->n->info.self, &sess) !=
	    GC_OK) {
		unlock(r);
		shot_put(sh, s);
		gc_ui_error(r, 409, "conflict", "no session is open: open one "
		    "first", "没有打开的场次：请先打开场次");
		return;
	}
	/* one photo per level: a second needs intent, checked now */
	if (gc_ledger_merge_student(r->n->lg, s->student, &st, &caps, &nc) ==
	    GC_OK) {
		for (size_t i = 0; i < nc; i++) {
			live += !caps[i].voided;
		}
		gc_free(caps);
	}
	if (live > 0 && !cq.again) {
		unlock(r);
		shot_put(sh, s);
		gc_ui_error(r, 409, "conflict", "the student already has a "
		    "capture this season: confirm a second one (again)",
		    "该学生本季已有拍摄记录：如确需再拍，请确认（again）");
		return;
	}
	/* a page that confirmed "captured" must not store over an APPROVED
	 * photo that arrived since (another site, the coordinator's review):
	 * the operator confirms what is true now */
	if (cq.again && seen_warning[0] != '\0' && st == GC_MS_APPROVED &&
	    strcmp(seen_warning, "approved") != 0) {
		unlock(r);
		shot_put(sh, s);
		gc_ui_error(r, 409, "conflict", "the student's photo was approved "
		    "since the page warned: look again before taking another",
		    "页面提示后该学生的照片已审核通过：请重新确认后再拍");
		return;
	}
	rv = gc_capture_store(r->n, &sh->prof, &sess, &cq, &s->o, &d);
	unlock(r);
	if (rv != GC_OK || !s->o.stored) {
		const char *why = rv != GC_OK ? gc_diag_msg(&d, rv) : s->o.why;

		gc_ui_error(r, rv != GC_OK ? 500 : 409, rv != GC_OK ?
		    "internal" : "conflict", why, rv == GC_OK &&
		    s->o.why_zh[0] ? s->o.why_zh : why);
		shot_put(sh, s);
		return;
	}
	{
		char hex[65];

		gc_hex_encode(hex, s->o.entry, 32);
		gc_buf_printf(&r->out, "{\"entry\":\"%s\",\"seq\":%u,"
		    "\"student\":", hex, s->o.seq);
		lock(r);
		student_json(r, s->student, -1, NULL, &r->out);
		unlock(r);
		gc_buf_puts(&r->out, "}");
		/* the entry names the student: the log keeps ID numbers out */
		GC_LOG(GC_LOG_NOTICE, "UI-CAPTURE", "stored capture %.16s, no. %u "
		    "of the session", hex, s->o.seq);
	}
	shot_clear(s);
	gc_free(s);
	ok_json(r);
}

static void
api_discard(struct gc_ui_req *r)
{
	struct gc_json *o = body_object(r);
	struct shot    *s;
	char            id[32];

	if (o == NULL) {
		return;
	}
	if (!want_str(r, o, "shot", id, sizeof(id), true)) {
		gc_json_free(o);
		return;
	}
	gc_json_free(o);
	s = shot_take(r->shots, id);
	if (s != NULL) {
		shot_clear(s);
		gc_free(s);
	}
	gc_buf_puts(&r->out, "{}");
	ok_json(r);
}

static void
api_review(struct gc_ui_req *r)
{
	struct gc_json      *o = body_object(r);
	struct gc_review_rec rv;
	struct gc_buf        b;
	char                 ref[80], dec[16];
	const char          *reason;
	struct gc_capture_ref cr;

	if (o == NULL) {
		return;
	}
	memset(&rv, 0, sizeof(rv));
	reason = gc_json_str_of(o, "reason");
	if (!want_str(r, o, "capture", ref, sizeof(ref), true) ||
	    !want_str(r, o, "decision", dec, sizeof(dec), true)) {
		gc_json_free(o);
		return;
	}
	snprintf(rv.reason, sizeof(rv.reason), "%s", reason ? reason : "");
	gc_json_free(o);
	if (strcmp(dec, "approve") == 0) {
		rv.decision = GC_REVIEW_APPROVE;
	} else if (strcmp(dec, "reject") == 0) {
		rv.decision = GC_REVIEW_REJECT;
		if (rv.reason[0] == '\0') {
			gc_ui_error(r, 400, "bad_request", "a rejection needs a "
			    "reason (the student is told why)", "驳回必须写明理由"
			    "（会告知学生）");
			return;
		}
	} else {
		gc_ui_error(r, 400, "bad_request", "decision: approve or reject",
		    "decision 须为 approve 或 reject");
		return;
	}
	lock(r);
	if (!capture_held(r, ref, &cr)) {
		return;
	}
	memcpy(rv.capture, cr.id, 32);
	gc_buf_init(&b);
	gc_review_encode(&b, &rv);
	append_answer(r, GC_KIND_REVIEW, &b);
}

static void
api_void(struct gc_ui_req *r)
{
	struct gc_json    *o = body_object(r);
	struct gc_void_rec v;
	struct gc_buf      b;
	char               ref[80];
	struct gc_capture_ref cr;

	if (o == NULL) {
		return;
	}
	memset(&v, 0, sizeof(v));
	if (!want_str(r, o, "capture", ref, sizeof(ref), true) ||
	    !want_str(r, o, "reason", v.reason, sizeof(v.reason), true)) {
		gc_json_free(o);
		return;
	}
	gc_json_free(o);
	lock(r);
	if (!capture_held(r, ref, &cr)) {
		return;
	}
	memcpy(v.capture, cr.id, 32);
	if (!r->coordinator && memcmp(cr.feed, r->n->info.self, 32) != 0) {
		unlock(r);
		gc_ui_error(r, 403, "forbidden", "a site voids only its own "
		    "captures; this one was taken elsewhere (ask the "
		    "coordinator)", "采集点只能作废本点的拍摄记录；这条来自别处"
		    "（请联系协调人）");
		return;
	}
	gc_buf_init(&b);
	gc_void_encode(&b, &v);
	append_answer(r, GC_KIND_VOID, &b);
}

static void
api_resolve(struct gc_ui_req *r)
{
	struct gc_json        *o = body_object(r);
	const struct gc_json  *seen, *it;
	struct gc_resolve_rec  rs;
	struct gc_buf          b;
	char                   ref[80], key[80];
	struct gc_capture_ref  cr;
	struct gc_mcap        *caps = NULL;
	enum gc_mstatus        st;
	size_t                 nc = 0, nseen = 0, nlive = 0;
	bool                   same = true;

	if (o == NULL) {
		return;
	}
	if (!r->coordinator) {
		gc_json_free(o);
		gc_ui_error(r, 403, "forbidden", "only the coordinator resolves "
		    "conflicts", "只有协调人可以裁定冲突");
		return;
	}
	memset(&rs, 0, sizeof(rs));
	if (!want_str(r, o, "student", key, sizeof(key), true) ||
	    !want_str(r, o, "capture", ref, sizeof(ref), true) ||
	    !want_str(r, o, "reason", rs.reason, sizeof(rs.reason), true)) {
		gc_json_free(o);
		return;
	}
	seen = gc_json_get(o, "seen");
	if (seen == NULL || seen->type != GC_JSON_ARRAY) {
		gc_json_free(o);
		gc_ui_error(r, 400, "bad_request", "seen: the list of candidate "
		    "capture ids the page showed", "seen：页面显示的候选拍摄"
		    "记录列表");
		return;
	}
	lock(r);
	if (gc_capture_lookup(r->n, ref, &cr, NULL) != GC_OK ||
	    strcmp(cr.student, key) != 0) {
		unlock(r);
		gc_json_free(o);
		gc_ui_error(r, 404, "not_found", "no such capture of this "
		    "student", "该学生没有这条拍摄记录");
		return;
	}
	/* a stale page: the candidates it showed are not the current ones */
	memcpy(rs.capture, cr.id, 32);
	if (gc_ledger_merge_student(r->n->lg, key, &st, &caps, &nc) == GC_OK) {
		for (size_t i = 0; i < nc; i++) {
			char hex[65];
			bool shown = false;

			if (caps[i].voided || !caps[i].blob ||
			    caps[i].review == GC_REVIEW_REJECT) {
				continue;
			}
			nlive++;
			gc_hex_encode(hex, caps[i].id, 32);
			for (it = seen->kid; it != NULL; it = it->next) {
				shown |= it->type == GC_JSON_STRING &&
				    strcmp(it->str, hex) == 0;
			}
			same &= shown;
		}
		nseen = seen->len;
		same &= nseen == nlive;
	}
	gc_free(caps);
	gc_json_free(o);
	if (!same) {
		unlock(r);
		gc_ui_error(r, 409, "conflict", "this student's photos changed "
		    "since the page was loaded: look again", "页面加载后该学生的"
		    "照片有变化：请重新查看");
		return;
	}
	snprintf(rs.student, sizeof(rs.student), "%s", key);
	gc_buf_init(&b);
	gc_resolve_encode(&b, &rs);
	append_answer(r, GC_KIND_RESOLVE, &b);
}

static void
api_checkpoint(struct gc_ui_req *r)
{
	struct gc_merge *m = NULL;
	struct gc_buf    note;
	struct gc_diag   d;
	uint8_t          id[32];
	char             root[65];
	gc_err           rv;

	if (!r->coordinator) {
		gc_ui_error(r, 403, "forbidden", "only the coordinator signs "
		    "checkpoints", "只有协调人可以签署检查点");
		return;
	}
	gc_buf_init(&note);
	gc_diag_clear(&d);
	lock(r);
	rv = gc_checkpoint_make(r->n, &m, &note, id, NULL, NULL, &d);
	unlock(r);
	if (rv != GC_OK) {
		gc_buf_release(&note);
		gc_ui_error(r, 500, "internal", gc_diag_msg(&d, rv),
		    gc_diag_msg(&d, rv));
		return;
	}
	gc_hex_encode(root, m->root, 32);
	gc_buf_printf(&r->out, "{\"size\":%zu,\"root\":\"%s\",\"note\":",
	    m->nst, root);
	gc_json_strn(&r->out, (const char *)note.data, note.len);
	gc_buf_puts(&r->out, "}");
	gc_buf_release(&note);
	gc_merge_free(m);
	ok_json(r);
}

/* ---- importing photo files (散拍, online) ---- */

/* One studio or online photo file, its name the student's ID number or
 * 学号 (as `gradcap import-shoots`), into the open session, which must be
 * of an import kind; checked, and stored when it passes. */
static void
api_import(struct gc_ui_req *r)
{
	struct shots         *sh = r->shots;
	struct gc_capture_req cq;
	struct gc_capture_out o;
	struct gc_session_rec sess;
	struct gc_diag        d;
	char                  name[200], again[8] = "", *dot;
	gc_err                rv;

	if (!gc_httpd_query(r->query, "name", name, sizeof(name)) ||
	    (dot = strrchr(name, '.')) == NULL || dot == name ||
	    (strcasecmp(dot, ".jpg") != 0 && strcasecmp(dot, ".jpeg") != 0)) {
		gc_ui_error(r, 400, "bad_request", "name: the file's name, <ID "
		    "number>.jpg or <学号>.jpg", "name：文件名，应为 <身份证号>.jpg"
		    " 或 <学号>.jpg");
		return;
	}
	*dot = '\0';
	gc_httpd_query(r->query, "again", again, sizeof(again));
	if (r->body_len == 0) {
		gc_ui_error(r, 400, "bad_request", "no photo in the request",
		    "请求中没有照片");
		return;
	}
	memset(&cq, 0, sizeof(cq));
	memset(&o, 0, sizeof(o));
	cq.student_ref = name;
	cq.bind        = GC_BIND_FILENAME;
	cq.camera      = "import";
	cq.again       = strcmp(again, "1") == 0;
	cq.photo       = (const uint8_t *)r->body;
	cq.photo_len   = r->body_len;
	gc_pipeline_result_init(&o.res);
	gc_diag_clear(&d);
	pthread_mutex_lock(&sh->plmtx);
	if (!pipeline_ready(r, sh)) {
		pthread_mutex_unlock(&sh->plmtx);
		gc_ui_error(r, 503, "unavailable", sh->pl_err, sh->pl_err);
		return;
	}
	lock(r);
	if (gc_ledger_session_current(r->n->lg, r->n->info.self, &sess) !=
	    GC_OK || (sess.kind != GC_SESSION_INDIVIDUAL &&
	    sess.kind != GC_SESSION_ONLINE && sess.kind != GC_SESSION_MAKEUP)) {
		unlock(r);
		pthread_mutex_unlock(&sh->plmtx);
		gc_pipeline_result_release(&o.res);
		gc_ui_error(r, 409, "conflict", "open an individual (散拍), online "
		    "or makeup session to import photo files", "导入照片文件前请"
		    "先打开散拍、线上或补拍场次");
		return;
	}
	rv = gc_capture_prepare(r->n, sh->pl, &cq, &o, &d);
	if (rv == GC_OK && o.why[0] == '\0') {
		rv = gc_capture_store(r->n, &sh->prof, &sess, &cq, &o, &d);
	}
	unlock(r);
	pthread_mutex_unlock(&sh->plmtx);
	if (rv != GC_OK || !o.stored) {
		const char *why = rv != GC_OK ? gc_diag_msg(&d, rv) : o.why;

		gc_ui_error(r, rv != GC_OK ? 500 : 409, rv != GC_OK ?
		    "internal" : "conflict", why, rv == GC_OK && o.why_zh[0] ?
		    o.why_zh : why);
		gc_pipeline_result_release(&o.res);
		return;
	}
	{
		char hex[65];

		gc_hex_encode(hex, o.entry, 32);
		gc_buf_printf(&r->out, "{\"entry\":\"%s\",\"verdict\":\"%s\","
		    "\"seq\":%u,\"student\":", hex,
		    gc_verdict_name(o.res.report.verdict), o.seq);
		lock(r);
		student_json(r, o.key, -1, NULL, &r->out);
		unlock(r);
		gc_buf_puts(&r->out, "}");
	}
	gc_pipeline_result_release(&o.res);
	ok_json(r);
}

/* ---- the export ---- */

static void
export_state(struct exporting *xp, struct gc_buf *b)
{
	gc_buf_printf(b, "{\"running\":%s,\"done\":%zu,\"total\":%zu,"
	    "\"photos\":%zu,\"dir\":", xp->running ? "true" : "false",
	    atomic_load(&xp->pg.done), atomic_load(&xp->pg.total),
	    atomic_load(&xp->pg.photos));
	gc_json_str(b, xp->dir[0] ? xp->dir : NULL);
	gc_buf_printf(b, ",\"ok\":%s,\"messages\":", !xp->ran ||
	    xp->running ? "null" : xp->ex == GC_EXIT_OK ? "true" : "false");
	gc_json_strn(b, (const char *)xp->msgs.data, xp->msgs.len);
	gc_buf_puts(b, "}");
}

/* The CHSI package ("for": "chsi", the default) into
 * <home>/exports/<time>, or the school's ("for": "school") into
 * <home>/exports/<time>-school, with the progress readable meanwhile (GET
 * /api/export/progress). The ledger is held throughout: syncing waits for
 * it. */
static void
api_export(struct gc_ui_req *r)
{
	struct shots         *sh = r->shots;
	struct exporting     *xp = &sh->xp;
	struct gc_json       *o  = body_object(r);
	struct gc_export_opts eo;
	struct gc_buf         msgs;
	char                  level[64] = "", season[64] = "", stamp[32];
	char                  target[16] = "chsi";
	time_t                now = time(NULL);
	struct tm             tm;
	int                   ex;

	if (o == NULL) {
		return;
	}
	if (!r->coordinator) {
		gc_json_free(o);
		gc_ui_error(r, 403, "forbidden", "only the coordinator exports",
		    "只有协调人可以导出");
		return;
	}
	if ((gc_json_str_of(o, "level") != NULL &&
	    !want_str(r, o, "level", level, sizeof(level), false)) ||
	    (gc_json_str_of(o, "season") != NULL &&
	    !want_str(r, o, "season", season, sizeof(season), false)) ||
	    (gc_json_str_of(o, "for") != NULL &&
	    !want_str(r, o, "for", target, sizeof(target), true))) {
		gc_json_free(o);
		return;
	}
	memset(&eo, 0, sizeof(eo));
	if (!gc_export_target_parse(target, &eo.target)) {
		gc_json_free(o);
		gc_ui_error(r, 400, "bad_request", "'for' is chsi or school",
		    "“for”应为 chsi 或 school");
		return;
	}
	eo.allow = gc_json_bool_of(o, "allow_conflicts", false);
	gc_json_free(o);
	pthread_mutex_lock(&xp->mtx);
	if (xp->running) {
		pthread_mutex_unlock(&xp->mtx);
		gc_ui_error(r, 409, "conflict", "an export is running",
		    "正在导出");
		return;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(xp->dir, sizeof(xp->dir), "%s/exports", r->n->home);
	mkdir(xp->dir, 0755);
	snprintf(xp->dir, sizeof(xp->dir), "%s/exports/%s%s", r->n->home, stamp,
	    eo.target == GC_EXPORT_SCHOOL ? "-school" : "");
	xp->running = true;
	xp->ran     = true;
	gc_buf_reset(&xp->msgs);
	atomic_store(&xp->pg.done, 0);
	atomic_store(&xp->pg.total, 0);
	atomic_store(&xp->pg.photos, 0);
	pthread_mutex_unlock(&xp->mtx);
	eo.out    = xp->dir;
	eo.level  = level[0] ? level : NULL;
	eo.season = season[0] ? season : NULL;
	eo.quiet  = true;
	gc_buf_init(&msgs);
	gc_cli_err_capture(&msgs);
	lock(r);
	ex = gc_export_run(r->n, &eo, &xp->pg);
	unlock(r);
	gc_cli_err_capture(NULL);
	pthread_mutex_lock(&xp->mtx);
	xp->running = false;
	xp->ex      = ex;
	gc_buf_put(&xp->msgs, msgs.data, msgs.len);
	export_state(xp, &r->out);
	pthread_mutex_unlock(&xp->mtx);
	if (ex != GC_EXIT_OK) {
		GC_LOG(GC_LOG_WARN, "UI-EXPORT", "export refused or failed: "
		    "%.200s", gc_buf_cstr(&msgs));
		r->status = 409;
		r->ctype  = "application/json";
	} else {
		GC_LOG(GC_LOG_NOTICE, "UI-EXPORT", "exported to %s", eo.out);
		ok_json(r);
	}
	gc_buf_release(&msgs);
}

static void
api_export_progress(struct gc_ui_req *r)
{
	struct exporting *xp = &((struct shots *)r->shots)->xp;

	pthread_mutex_lock(&xp->mtx);
	export_state(xp, &r->out);
	pthread_mutex_unlock(&xp->mtx);
	ok_json(r);
}

/* ---- the live preview ---- */

static void
frame_cb(const struct gc_cam_frame *f, void *arg) /* camera thread */
{
	struct shots   *sh = arg;
	struct preview *pv = &sh->pv;
	size_t          n  = f->kind == GC_FRAME_JPEG ? f->len :
	    (size_t)f->stride * f->height;

	pthread_mutex_lock(&pv->mtx);
	if (n > pv->cap) {
		void *nv = gc_realloc(pv->data, n);

		if (nv != NULL) {
			pv->data = nv;
			pv->cap  = n;
		}
	}
	if (n <= pv->cap) {
		memcpy(pv->data, f->data, n);
		pv->len    = n;
		pv->kind   = f->kind;
		pv->w      = f->width;
		pv->h      = f->height;
		pv->stride = f->stride;
		pv->seq++;
	}
	pthread_mutex_unlock(&pv->mtx);
	gc_cam_frame_release(pv->cam, f);
}

/* Starts the stream once; false with the reason answered (503). */
static bool
preview_on(struct gc_ui_req *r, struct shots *sh)
{
	struct preview   *pv  = &sh->pv;
	const char       *cam = gc_config_get(r->n->cfg, "capture", "camera",
	    NULL);
	struct gc_cam_cfg cfg;
	struct gc_diag    d;
	gc_cam           *c = NULL;
	bool              ok;

	pthread_mutex_lock(&pv->mtx);
	if (!pv->tried) {
		char e[600] = "";

		pv->tried = true;
		pthread_mutex_unlock(&pv->mtx);
		memset(&cfg, 0, sizeof(cfg));
		gc_diag_clear(&d);
		if (cam == NULL) {
			snprintf(e, sizeof(e), "no camera is configured "
			    "([capture] camera in gradcap.ini)");
		} else if (gc_cam_open(&c, cam, &cfg, &d) != GC_OK) {
			snprintf(e, sizeof(e), "%s", d.msg);
		} else {
			pthread_mutex_lock(&pv->mtx);
			pv->cam = c; /* before the first frame_cb */
			pthread_mutex_unlock(&pv->mtx);
			if (gc_cam_start(c, frame_cb, sh) != GC_OK) {
				snprintf(e, sizeof(e), "camera %s does not start",
				    cam);
			}
		}
		pthread_mutex_lock(&pv->mtx);
		memcpy(pv->err, e, sizeof(e));
	}
	ok = pv->err[0] == '\0';
	pthread_mutex_unlock(&pv->mtx);
	if (!ok) {
		gc_ui_error(r, 503, "unavailable", pv->err, pv->err);
	}
	return ok;
}

/* The latest frame as a JPEG into out; its sequence number, 0: none. */
static uint64_t
preview_jpeg(struct preview *pv, struct gc_buf *out, int quality)
{
	struct gc_image im;
	uint64_t        seq;

	pthread_mutex_lock(&pv->mtx);
	seq = pv->seq;
	if (seq == 0) {
		pthread_mutex_unlock(&pv->mtx);
		return 0;
	}
	if (pv->kind == GC_FRAME_JPEG) {
		gc_buf_put(out, pv->data, pv->len);
	} else if (gc_image_alloc(&im, (int)pv->w, (int)pv->h, 3) == GC_OK) {
		for (uint32_t y = 0; y < pv->h; y++) {
			memcpy(im.px + (size_t)y * im.stride, pv->data +
			    (size_t)y * pv->stride, (size_t)pv->w * 3);
		}
		if (gc_jpeg_encode(&im, quality, 72, out) != GC_OK) {
			seq = 0;
		}
		gc_image_release(&im);
	} else {
		seq = 0;
	}
	pthread_mutex_unlock(&pv->mtx);
	return seq;
}

static void
api_preview(struct gc_ui_req *r)
{
	struct shots *sh = r->shots;

	if (!preview_on(r, sh)) {
		return;
	}
	if (preview_jpeg(&sh->pv, &r->out, 70) == 0) {
		gc_ui_error(r, 503, "unavailable", "no frame from the camera yet",
		    "相机还没有画面");
		return;
	}
	r->status = 200;
	r->ctype  = "image/jpeg";
}

/* What the operator should do now: the pipeline on the latest frame, the
 * crop it would take, its guidance and the checks that fail. */
static void
api_guide(struct gc_ui_req *r)
{
	struct shots             *sh = r->shots;
	struct preview           *pv = &sh->pv;
	struct gc_pipeline_result res;
	struct gc_buf             jpg;
	uint64_t                  seq;
	int                       k = 0;

	if (!preview_on(r, sh)) {
		return;
	}
	gc_buf_init(&jpg);
	seq = preview_jpeg(pv, &jpg, 90);
	pthread_mutex_lock(&pv->mtx);
	if (seq != 0 && seq == pv->guide_seq) { /* this frame's, cached */
		gc_buf_put(&r->out, pv->guide.data, pv->guide.len);
		pthread_mutex_unlock(&pv->mtx);
		gc_buf_release(&jpg);
		ok_json(r);
		return;
	}
	pthread_mutex_unlock(&pv->mtx);
	if (seq == 0) {
		gc_buf_release(&jpg);
		gc_ui_error(r, 503, "unavailable", "no frame from the camera yet",
		    "相机还没有画面");
		return;
	}
	gc_pipeline_result_init(&res);
	pthread_mutex_lock(&sh->plmtx);
	if (!pipeline_ready(r, sh) || gc_pipeline_run(sh->pl, jpg.data,
	    jpg.len, GC_PIPE_NORMALIZE, &res) != GC_OK) {
		pthread_mutex_unlock(&sh->plmtx);
		gc_pipeline_result_release(&res);
		gc_buf_release(&jpg);
		gc_ui_error(r, 503, "unavailable", sh->pl_err[0] ? sh->pl_err :
		    "the checks could not run", sh->pl_err[0] ? sh->pl_err :
		    "无法检查");
		return;
	}
	pthread_mutex_unlock(&sh->plmtx);
	gc_buf_printf(&r->out, "{\"seq\":%" PRIu64 ",\"frame_w\":%d,"
	    "\"frame_h\":%d,\"crop\":", seq, res.src_w, res.src_h);
	if (res.plan.ok) {
		gc_buf_printf(&r->out, "{\"x\":%.0f,\"y\":%.0f,\"w\":%.0f,"
		    "\"h\":%.0f}", res.plan.x, res.plan.y, res.plan.w,
		    res.plan.h);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_puts(&r->out, ",\"face\":");
	if (res.has_face) {
		gc_buf_printf(&r->out, "{\"x\":%.0f,\"y\":%.0f,\"w\":%.0f,"
		    "\"h\":%.0f}", res.face_x, res.face_y, res.face_w,
		    res.face_h);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_printf(&r->out, ",\"verdict\":\"%s\",\"guide\":",
	    gc_verdict_name(res.report.verdict));
	gc_json_str(&r->out, res.report.guide_en[0] ? res.report.guide_en :
	    res.plan.guide_en);
	gc_buf_puts(&r->out, ",\"guide_zh\":");
	gc_json_str(&r->out, res.report.guide_zh[0] ? res.report.guide_zh :
	    res.plan.guide_zh);
	gc_buf_puts(&r->out, ",\"failed\":[");
	for (int i = 0; i < res.report.n; i++) {
		const struct gc_check *c = &res.report.c[i];

		if (c->verdict != GC_VERDICT_FAIL) {
			continue;
		}
		gc_buf_puts(&r->out, k++ ? ",{\"id\":" : "{\"id\":");
		gc_json_str(&r->out, c->id);
		gc_buf_puts(&r->out, ",\"message\":");
		gc_json_str(&r->out, c->msg_en);
		gc_buf_puts(&r->out, ",\"message_zh\":");
		gc_json_str(&r->out, c->msg_zh);
		gc_buf_puts(&r->out, "}");
	}
	gc_buf_puts(&r->out, "]}");
	gc_pipeline_result_release(&res);
	gc_buf_release(&jpg);
	pthread_mutex_lock(&pv->mtx);
	gc_buf_reset(&pv->guide);
	gc_buf_put(&pv->guide, r->out.data, r->out.len);
	pv->guide_seq = seq;
	pthread_mutex_unlock(&pv->mtx);
	ok_json(r);
}

/* ---- routing ---- */

bool
gc_ui_api(struct gc_ui_req *r)
{
	static const struct {
		const char *method, *path;
		void (*fn)(struct gc_ui_req *);
	} routes[] = {
		{ "GET", "/api/status", api_status },
		{ "GET", "/api/students", api_students },
		{ "GET", "/api/student", api_student },
		{ "GET", "/api/missing", api_missing },
		{ "GET", "/api/class", api_class },
		{ "GET", "/api/signin", api_signin },
		{ "GET", "/api/conflicts", api_conflicts },
		{ "GET", "/api/review", api_review_list },
		{ "GET", "/api/photo", api_photo },
		{ "GET", "/api/shot", api_shot },
		{ "GET", "/api/peers", api_peers },
		{ "GET", "/api/sessions/current", api_session_current },
		{ "GET", "/api/camera/preview", api_preview },
		{ "GET", "/api/camera/guide", api_guide },
		{ "POST", "/api/session/open", api_session_open },
		{ "POST", "/api/session/close", api_session_close },
		{ "POST", "/api/capture/shoot", api_shoot },
		{ "POST", "/api/capture/accept", api_accept },
		{ "POST", "/api/capture/discard", api_discard },
		{ "POST", "/api/import", api_import },
		{ "POST", "/api/review", api_review },
		{ "POST", "/api/void", api_void },
		{ "POST", "/api/resolve", api_resolve },
		{ "POST", "/api/checkpoint", api_checkpoint },
		{ "POST", "/api/export", api_export },
		{ "GET", "/api/export/progress", api_export_progress },
	};
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, r->path) != 0) {
			continue;
		}
		path_known = true;
		if (strcmp(routes[i].method, r->method) == 0) {
			routes[i].fn(r);
			return true;
		}
	}
	if (path_known) {
		gc_ui_error(r, 405, "bad_request", "wrong method for this route",
		    "此接口不接受该请求方法");
		return true;
	}
	return false;
}
