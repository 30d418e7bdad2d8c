/* signin: the sign-in sheet (签到表) of a capture session (node/signin.h). */
#include "node/signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/json.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "node/merge_view.h"

const char *
gc_signin_status_zh(enum gc_mstatus s)
{
	static const char *zh[GC_MS_END] = { "未拍摄", "需重拍", "待审核",
		"已通过", "冲突", "免拍" };

	return s < GC_MS_END ? zh[s] : "?";
}

/* 拍摄序号 of the open session's captures, by student key. */
struct shots {
	const char           *session;
	struct gc_signin_row *rows;
	size_t                n;
};

static int
row_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gc_signin_row *)a)->key,
	    ((const struct gc_signin_row *)b)->key);
}

static int
shot_cb(const struct gc_entry *e, void *arg)
{
	struct shots          *s = arg;
	struct gc_capture_rec  c;
	struct gc_signin_row   q, *hit;

	if (e->kind != GC_KIND_CAPTURE ||
	    gc_capture_decode(e->body, e->body_len, &c) != GC_OK ||
	    strcmp(c.session, s->session) != 0 || c.seq == 0) {
		return 0;
	}
	snprintf(q.key, sizeof(q.key), "%s", c.student);
	hit = s->n > 0 ? bsearch(&q, s->rows, s->n, sizeof(*s->rows),
	    row_key_cmp) : NULL;
	if (hit != NULL && hit->shot == 0) {
		hit->shot = c.seq;
	}
	return 0;
}

static int
row_no_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct gc_signin_row *)a)->no;
	uint32_t y = ((const struct gc_signin_row *)b)->no;

	return x < y ? -1 : x > y;
}

gc_err
gc_signin_make(struct gc_node *n, const char *klass, bool missing_only,
    struct gc_signin *out, struct gc_diag *d)
{
	struct gc_merge      *m;
	struct gc_session_rec sess;
	size_t               *ix;
	gc_err                rv;

	memset(out, 0, sizeof(*out));
	rv = gc_merge_node(n, &m, d);
	if (rv != GC_OK) {
		return rv;
	}
	ix = gc_merge_roster_order(m);
	out->rows = gc_alloc(m->nst > 0 ? m->nst * sizeof(*out->rows) : 1);
	if (ix == NULL || out->rows == NULL) {
		gc_free(ix);
		gc_merge_free(m);
		gc_free(out->rows);
		out->rows = NULL;
		gc_diag_set(d, "the sign-in sheet: out of memory");
		return GC_ENOMEM;
	}
	for (size_t k = 0; k < m->nst; k++) {
		const struct gc_mstudent *s = &m->st[ix[k]];
		struct gc_signin_row     *r = &out->rows[out->n];
		struct gc_row             row;

		if ((klass != NULL && strcmp(s->klass, klass) != 0) ||
		    (missing_only && s->status != GC_MS_MISSING &&
		    s->status != GC_MS_NEEDS_RETAKE)) {
			continue;
		}
		if (gc_row_of(n->lg, s->key, &row) != GC_OK) {
			continue;
		}
		memset(r, 0, sizeof(*r));
		r->no     = (uint32_t)++out->n;
		r->status = s->status;
		snprintf(r->key, sizeof(r->key), "%s", s->key);
		snprintf(r->student_no, sizeof(r->student_no), "%s",
		    row.v[GC_ROW_STUDENT_NO]);
		snprintf(r->name, sizeof(r->name), "%s", row.v[GC_ROW_NAME]);
		snprintf(r->klass, sizeof(r->klass), "%s", row.v[GC_ROW_CLASS]);
		gc_idnum_mask(r->id_masked, sizeof(r->id_masked),
		    row.v[GC_ROW_ID_NUMBER]);
	}
	gc_free(ix);
	gc_merge_free(m);
	if (gc_ledger_session_current(n->lg, n->info.self, &sess) == GC_OK) {
		struct shots sh = { sess.id, out->rows, out->n };

		out->has_session = true;
		out->kind        = (int)sess.kind;
		snprintf(out->session, sizeof(out->session), "%s", sess.id);
		snprintf(out->location, sizeof(out->location), "%s",
		    sess.location);
		/* by key for the lookups, then back to the sheet's order */
		if (out->n > 1) {
			qsort(out->rows, out->n, sizeof(*out->rows), row_key_cmp);
		}
		rv = gc_ledger_range(n->lg, n->info.self, sess.open_seq + 1,
		    shot_cb, &sh);
		if (out->n > 1) {
			qsort(out->rows, out->n, sizeof(*out->rows), row_no_cmp);
		}
		if (rv != GC_OK) {
			gc_diag_set(d, "the open session's captures: %s",
			    gc_strerror(rv));
			gc_signin_free(out);
			return rv;
		}
	}
	return GC_OK;
}

void
gc_signin_free(struct gc_signin *s)
{
	gc_free(s->rows);
	s->rows = NULL;
	s->n    = 0;
}

void
gc_signin_text(const struct gc_signin *s, struct gc_buf *b)
{
	gc_buf_printf(b, "%-5s %-14s %-12s %-16s %-20s %-8s %s\n", "序号",
	    "学号", "姓名", "班级", "证件号码", "状态", "拍摄序号");
	for (size_t i = 0; i < s->n; i++) {
		const struct gc_signin_row *r = &s->rows[i];
		char                        shot[16] = "-";

		if (r->shot != 0) {
			snprintf(shot, sizeof(shot), "%u", r->shot);
		}
		gc_buf_printf(b, "%-5u %-14s %-12s %-16s %-20s %-8s %s\n", r->no,
		    r->student_no, r->name, r->klass, r->id_masked,
		    gc_signin_status_zh(r->status), shot);
	}
}

void
gc_signin_csv(const struct gc_signin *s, struct gc_buf *b)
{
	static const char *head[] = { "序号", "学号", "姓名", "班级", "证件号码",
		"状态", "拍摄序号", "签名" };

	gc_buf_put(b, "\xef\xbb\xbf", 3);
	for (size_t k = 0; k < 8; k++) {
		gc_csv_cell(b, head[k], k == 7);
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct gc_signin_row *r = &s->rows[i];
		char                        no[16], shot[16] = "";

		snprintf(no, sizeof(no), "%u", r->no);
		if (r->shot != 0) {
			snprintf(shot, sizeof(shot), "%u", r->shot);
		}
		gc_csv_cell(b, no, false);
		gc_csv_cell(b, r->student_no, false);
		gc_csv_cell(b, r->name, false);
		gc_csv_cell(b, r->klass, false);
		gc_csv_cell(b, r->id_masked, false);
		gc_csv_cell(b, gc_signin_status_zh(r->status), false);
		gc_csv_cell(b, shot, false);
		gc_csv_cell(b, "", true);
	}
}

void
gc_signin_html(const struct gc_signin *s, const char *title, struct gc_buf *b)
{
	gc_buf_puts(b, "<!doctype html>\n<html lang=\"zh-CN\"><head>"
	    "<meta charset=\"utf-8\"><title>签到表 ");
	gc_html_text(b, title);
	gc_buf_puts(b, "</title><style>"
	    "@page{size:A4;margin:14mm}"
	    "body{font-family:sans-serif;font-size:11pt}"
	    "h1{font-size:15pt;margin:0 0 4mm}"
	    "p{margin:0 0 4mm}"
	    "table{border-collapse:collapse;width:100%}"
	    "th,td{border:1px solid #000;padding:1.5mm 2mm;text-align:left}"
	    "td{height:8mm}"
	    "td.sign{width:32mm}"
	    "thead{display:table-header-group}"
	    "tr{page-break-inside:avoid}"
	    "</style></head><body>\n<h1>学历照片采集签到表 · ");
	gc_html_text(b, title);
	gc_buf_printf(b, "</h1>\n<p>%zu 人", s->n);
	if (s->has_session) {
		gc_buf_puts(b, " · 采集点 ");
		gc_html_text(b, s->location);
		gc_buf_puts(b, " · 场次 ");
		gc_html_text(b, s->session);
	}
	gc_buf_puts(b, " · 请按序号排队，签名后拍摄</p>\n<table><thead><tr>"
	    "<th>序号</th><th>学号</th><th>姓名</th><th>班级</th>"
	    "<th>证件号码</th><th>状态</th><th>拍摄序号</th><th>签名</th>"
	    "</tr></thead><tbody>\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct gc_signin_row *r = &s->rows[i];

		gc_buf_printf(b, "<tr><td>%u</td><td>", r->no);
		gc_html_text(b, r->student_no);
		gc_buf_puts(b, "</td><td>");
		gc_html_text(b, r->name);
		gc_buf_puts(b, "</td><td>");
		gc_html_text(b, r->klass);
		gc_buf_puts(b, "</td><td>");
		gc_html_text(b, r->id_masked);
		gc_buf_printf(b, "</td><td>%s</td><td>",
		    gc_signin_status_zh(r->status));
		if (r->shot != 0) {
			gc_buf_printf(b, "%u", r->shot);
		}
		gc_buf_puts(b, "</td><td class=\"sign\"></td></tr>\n");
	}
	gc_buf_puts(b, "</tbody></table>\n</body></html>\n");
}

void
gc_signin_json(const struct gc_signin *s, struct gc_buf *b)
{
	gc_buf_puts(b, "{\"session\":");
	if (s->has_session) {
		gc_buf_puts(b, "{\"id\":");
		gc_json_str(b, s->session);
		gc_buf_printf(b, ",\"kind\":\"%s\",\"location\":",
		    gc_session_kind_name((enum gc_session_kind)s->kind));
		gc_json_str(b, s->location);
		gc_buf_putc(b, '}');
	} else {
		gc_buf_puts(b, "null");
	}
	gc_buf_puts(b, ",\"students\":[");
	for (size_t i = 0; i < s->n; i++) {
		const struct gc_signin_row *r = &s->rows[i];

		gc_buf_printf(b, "%s{\"no\":%u,\"key\":", i ? "," : "", r->no);
		gc_json_str(b, r->key);
		gc_buf_puts(b, ",\"student_no\":");
		gc_json_str(b, r->student_no);
		gc_buf_puts(b, ",\"name\":");
		gc_json_str(b, r->name);
		gc_buf_puts(b, ",\"class\":");
		gc_json_str(b, r->klass);
		gc_buf_puts(b, ",\"id_masked\":");
		gc_json_str(b, r->id_masked);
		gc_buf_printf(b, ",\"status\":\"%s\",\"shot\":",
		    gc_mstatus_name(r->status));
		if (r->shot != 0) {
			gc_buf_printf(b, "%u}", r->shot);
		} else {
			gc_buf_puts(b, "null}");
		}
	}
	gc_buf_puts(b, "]}");
}
