/* The student's check of the finished photo (图像校对, docs/online-guide.md)
 * on the portal (node/portal_int.h): once the photo is approved the
 * student downloads it (成片下载), sees the registration data it goes out
 * with and answers 信息无误 or reports what is wrong, with a mailing
 * address where the school asks for one ([online] ask_address). Each
 * answer is a STUDENT_CHECK entry (common/student_check.h) signed by this
 * node. Only ever about the session's own student. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "common/hlc.h"
#include "common/idnum.h"
#include "common/json.h"
#include "common/ledger.h"
#include "common/mergecore.h"
#include "common/review_window.h"
#include "common/rosterdb.h"
#include "common/student_check.h"
#include "node/portal_int.h"

/* The student's photo that goes out: the winning capture once APPROVED.
 * false, answered (409), before. */
static bool
approved_photo(struct gc_portal_req *p, struct gc_mcap *win)
{
	enum gc_mstatus st;
	gc_err          rv;

	pthread_mutex_lock(p->lgmtx);
	rv = gc_ledger_merge_winner(p->n->lg, p->student, &st, win);
	pthread_mutex_unlock(p->lgmtx);
	if (rv != GC_OK || st != GC_MS_APPROVED) {
		gc_portal_error(p->r, 409, "conflict", "your photo is not "
		    "approved yet: the finished photo and the check come once it "
		    "is", "你的照片尚未审核通过，通过后才能下载成片并核对信息");
		return false;
	}
	return true;
}

/* Whether the school asks for a mailing address ([online] ask_address,
 * read at the portal's start). */
static bool
ask_address(const struct gc_portal_req *p)
{
	return p->cap->ask_address;
}

/* GET /api/final: the finished photo (480 × 640 JPEG) as a download. */
static void
api_final(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;
	struct gc_mcap       win;
	struct gc_row        row;
	uint64_t             size = 0, total;
	size_t               got = 0;
	uint8_t             *photo = NULL;
	char                 disp[160];
	const char          *no;
	gc_err               rv;

	if (!approved_photo(p, &win)) {
		return;
	}
	pthread_mutex_lock(p->lgmtx);
	rv = gc_ledger_blob_size(p->n->lg, win.photo, &size);
	if (rv == GC_OK && size > 0 && size <= GC_PORTAL_PHOTO_MAX) {
		photo = gc_alloc((size_t)size);
		rv    = photo == NULL ? GC_ENOMEM : gc_ledger_blob_read(p->n->lg,
		    win.photo, 0, photo, (size_t)size, &got, &total);
	} else if (rv == GC_OK) {
		rv = GC_ECORRUPT;
	}
	if (rv == GC_OK) {
		rv = gc_row_of(p->n->lg, p->student, &row);
	}
	pthread_mutex_unlock(p->lgmtx);
	if (rv == GC_ENOTFOUND && photo == NULL) {
		/* a station photo whose bytes this node does not keep
		 * ([sync] blobs = own) or has not received yet */
		gc_portal_error(r, 503, "unavailable", "your photo was taken at "
		    "a station and is not held on this server: ask the school "
		    "for it, or try again later", "你的照片在现场采集，本服务器"
		    "暂未保存成片，请稍后再试或联系学校");
		return;
	}
	if (rv != GC_OK || got != size) {
		gc_free(photo);
		gc_portal_error(r, 500, "internal", "the photo cannot be read",
		    "成片读取失败，请稍后再试");
		return;
	}
	no = row.v[GC_ROW_STUDENT_NO];
	for (const char *c = no; *c != '\0'; c++) {
		if (!((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= 'a' && *c <= 'z') || *c == '-' || *c == '_')) {
			no = ""; /* a plain ASCII name, or none */
			break;
		}
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%.100s.jpg\"",
	    no[0] ? no : "photo");
	gc_buf_reset(&r->out);
	gc_buf_put(&r->out, photo, got);
	gc_free(photo);
	if (gc_buf_status(&r->out) != GC_OK) {
		gc_buf_reset(&r->out);
		gc_portal_error(r, 503, "unavailable", "out of memory",
		    "服务器繁忙，请稍后再试");
		return;
	}
	r->ctype = "image/jpeg";
	gc_httpd_req_set_header(r, "Content-Disposition", disp);
}


/* The check as JSON: {"verdict", "text", "time", "address"}. */
static void
check_json(struct gc_buf *b, const struct gc_student_check *c, uint64_t hlc)
{
	char iso[32];

	gc_review_window_iso(iso, sizeof(iso), gc_hlc_ms(hlc));
	gc_buf_printf(b, "{\"verdict\":\"%s\",\"text\":",
	    gc_check_verdict_name(c->verdict));
	gc_json_str(b, c->text);
	gc_buf_printf(b, ",\"time\":\"%s\",\"address\":", iso);
	if (!c->has_addr) {
		gc_buf_puts(b, "null}");
		return;
	}
	gc_buf_puts(b, "{\"name\":");
	gc_json_str(b, c->name);
	gc_buf_puts(b, ",\"phone\":");
	gc_json_str(b, c->phone);
	gc_buf_puts(b, ",\"address\":");
	gc_json_str(b, c->addr);
	gc_buf_puts(b, "}}");
}

/* The answer of GET and POST /api/check: {"capture", "ask_address",
 * "student": {name, sex, birth, id_masked, level, major}, "check": null |
 * the student's latest check of this very photo}. */
static void
check_answer(struct gc_portal_req *p, const struct gc_mcap *win)
{
	struct gc_httpd_req    *r = p->r;
	struct gc_row           row;
	struct gc_student_check c;
	struct gc_entry         e;
	uint8_t                *bytes = NULL;
	size_t                  len   = 0;
	bool                    have  = false;
	char                    masked[128], hex[65];
	gc_err                  rv;

	pthread_mutex_lock(p->lgmtx);
	rv = gc_row_of(p->n->lg, p->student, &row);
	if (rv == GC_OK &&
	    gc_ledger_check_latest(p->n->lg, p->student, &bytes, &len) ==
	    GC_OK) {
		have = gc_entry_parse(&e, bytes, len, NULL) == GC_OK &&
		    gc_student_check_decode(e.body, e.body_len, &c, NULL) ==
		    GC_OK && memcmp(c.capture, win->id, 32) == 0;
	}
	pthread_mutex_unlock(p->lgmtx);
	if (rv != GC_OK) {
		gc_free(bytes);
		gc_portal_error(r, 401, "unauthorized", "sign in again",
		    "请重新登录");
		return;
	}
	gc_idnum_mask(masked, sizeof(masked), row.v[GC_ROW_ID_NUMBER]);
	gc_hex_encode(hex, win->id, 32);
	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_printf(&r->out, "{\"capture\":\"%.16s\",\"ask_address\":%s,"
	    "\"student\":", hex, ask_address(p) ? "true" : "false");
	{
		static const char *const names[] = { "name", "sex", "birth",
			"id_masked", "level", "major" };
		const char *v[] = { row.v[GC_ROW_NAME], gc_roster_sex_zh(row.v[GC_ROW_SEX]),
			row.v[GC_ROW_BIRTH], masked, row.v[GC_ROW_LEVEL],
			row.v[GC_ROW_MAJOR] };

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			gc_buf_printf(&r->out, "%c\"%s\":", i ? ',' : '{',
			    names[i]);
			gc_json_str(&r->out, v[i]);
		}
	}
	gc_buf_puts(&r->out, "},\"check\":");
	if (have) {
		check_json(&r->out, &c, e.hlc);
	} else {
		gc_buf_puts(&r->out, "null");
	}
	gc_buf_putc(&r->out, '}');
	gc_free(bytes);
}

/* GET /api/check: the data the photo goes out with, and the check. */
static void
api_check_get(struct gc_portal_req *p)
{
	struct gc_mcap win;

	if (approved_photo(p, &win)) {
		check_answer(p, &win);
	}
}

static void
bad_body(struct gc_portal_req *p, const char *en, const char *zh)
{
	gc_portal_error(p->r, 400, "bad_request", en, zh);
}

/* A typed field into out (cap bytes): longer text fills out without a
 * NUL, which gc_student_check_valid then names as too long. false when
 * present but not a string, or holding a NUL character. */
static bool
field(const struct gc_json *o, const char *key, char *out, size_t cap)
{
	const struct gc_json *v = gc_json_get(o, key);

	out[0] = '\0';
	if (v == NULL || v->type == GC_JSON_NULL) {
		return true;
	}
	if (v->type != GC_JSON_STRING || strlen(v->str) != v->len) {
		return false;
	}
	if (v->len >= cap) {
		memcpy(out, v->str, cap);
	} else {
		memcpy(out, v->str, v->len + 1);
	}
	return true;
}

/* Reads {"verdict", "text"?, "address"?: {"name", "phone", "address"}}
 * into c; false, answered (400), when the body is not that. */
static bool
check_body(struct gc_portal_req *p, const struct gc_json *doc,
    struct gc_student_check *c)
{
	const struct gc_json *a;
	const char           *v;

	if (doc == NULL || doc->type != GC_JSON_OBJECT) {
		bad_body(p, "send JSON: {\"verdict\": \"ok\" | \"report\", "
		    "\"text\": ..., \"address\": {...}}", "请求格式不对");
		return false;
	}
	v = gc_json_str_of(doc, "verdict");
	if (v == NULL || !gc_check_verdict_parse(v, &c->verdict)) {
		bad_body(p, "verdict: give \"ok\" or \"report\"",
		    "请选择“信息无误”或“报告错误”");
		return false;
	}
	if (!field(doc, "text", c->text, sizeof(c->text))) {
		bad_body(p, "text: give the report as a string",
		    "错误说明格式不对");
		return false;
	}
	a = gc_json_get(doc, "address");
	if (a != NULL && a->type != GC_JSON_NULL) {
		if (!ask_address(p)) {
			bad_body(p, "address: the school does not ask for a "
			    "mailing address", "学校未要求填写邮寄地址");
			return false;
		}
		if (a->type != GC_JSON_OBJECT ||
		    !field(a, "name", c->name, sizeof(c->name)) ||
		    !field(a, "phone", c->phone, sizeof(c->phone)) ||
		    !field(a, "address", c->addr, sizeof(c->addr))) {
			bad_body(p, "address: give {\"name\", \"phone\", "
			    "\"address\"} as strings", "邮寄信息格式不对");
			return false;
		}
		c->has_addr = true;
	} else if (ask_address(p) && c->verdict == GC_CHECK_OK) {
		bad_body(p, "address: the school mails the printed photos: give "
		    "the mailing address with the confirmation",
		    "学校将邮寄纸质照片：确认时请填写邮寄地址");
		return false;
	}
	return true;
}

/* POST /api/check: the student's answer, signed as a STUDENT_CHECK. */
static void
api_check_post(struct gc_portal_req *p)
{
	struct gc_httpd_req    *r   = p->r;
	struct gc_json         *doc = NULL;
	struct gc_student_check c;
	struct gc_check_problem why;
	struct gc_mcap          win;
	struct gc_buf           b;
	struct gc_diag          d;
	uint8_t                 id[32];
	char                    hex[65];
	uint64_t                now = (uint64_t)time(NULL);
	gc_err                  rv;

	if (gc_ratelimit_take(p->cap->checks, p->student, strlen(p->student),
	    now)) {
		gc_portal_error(r, 429, "too_many", "too many answers this hour",
		    "提交次数过多，请一小时后再试");
		return;
	}
	memset(&c, 0, sizeof(c));
	if (gc_json_parse(&doc, r->body, r->body_len, NULL, 0) != GC_OK) {
		gc_portal_error(r, 400, "bad_json", "the body is not JSON",
		    "请求格式不对");
		return;
	}
	if (!check_body(p, doc, &c)) {
		gc_json_free(doc);
		return;
	}
	gc_json_free(doc);
	snprintf(c.student, sizeof(c.student), "%s", p->student);
	if (!gc_student_check_valid(&c, &why)) {
		gc_portal_error(r, 400, "bad_request", why.en, why.zh);
		return;
	}
	if (!approved_photo(p, &win)) {
		return;
	}
	memcpy(c.capture, win.id, 32);
	gc_buf_init(&b);
	gc_diag_clear(&d);
	rv = gc_student_check_encode(&b, &c, &d);
	if (rv == GC_OK) {
		pthread_mutex_lock(p->lgmtx);
		rv = gc_ledger_append_body(p->n->lg, GC_KIND_STUDENT_CHECK, &b,
		    id, &d);
		pthread_mutex_unlock(p->lgmtx);
	}
	gc_buf_release(&b);
	if (rv != GC_OK) {
		GC_LOG(GC_LOG_ERR, "PORTAL-CHECK-FAIL", "a student's check was "
		    "not stored: %s", gc_diag_msg(&d, rv));
		gc_portal_error(r, 500, "internal", gc_diag_msg(&d, rv),
		    "提交失败，请稍后再试");
		return;
	}
	gc_hex_encode(hex, id, 32);
	GC_LOG(GC_LOG_INFO, "PORTAL-CHECK", "a student's check stored (entry "
	    "%.16s, %s%s)", hex, gc_check_verdict_name(c.verdict),
	    c.has_addr ? ", with an address" : "");
	check_answer(p, &win);
}

bool
gc__portal_check_route(struct gc_portal_req *p)
{
	const char *m = p->r->method, *path = p->r->path;

	if (strcmp(path, "/api/final") == 0 && strcmp(m, "GET") == 0) {
		api_final(p);
	} else if (strcmp(path, "/api/check") == 0 && strcmp(m, "GET") == 0) {
		api_check_get(p);
	} else if (strcmp(path, "/api/check") == 0 && strcmp(m, "POST") == 0) {
		api_check_post(p);
	} else {
		return false;
	}
	return true;
}
