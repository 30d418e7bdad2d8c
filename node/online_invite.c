/* online_invite: invitations to online capture (node/online_invite.h). */
#include "node/online_invite.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <qrencode.h>
#include <sodium.h>
#include <xlsxwriter.h>

#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/ledger.h"
#include "common/rosterdb.h"
#include "node/signin.h"

/* Whether key is one of the students the refs name. */
static bool
named(const char (*keys)[80], size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i], key) == 0) {
			return true;
		}
	}
	return false;
}

gc_err
gc_invite_make(struct gc_node *n, const struct gc_invite_opts *o,
    struct gc_invites *out, struct gc_diag *d)
{
	struct gc_signin      s;
	char                (*keys)[80] = NULL;
	gc_err                rv;

	memset(out, 0, sizeof(*out));
	if (o->nrefs > 0) {
		keys = gc_xrealloc(NULL, o->nrefs * sizeof(*keys));
		for (size_t i = 0; i < o->nrefs; i++) {
			rv = gc_ledger_student_find(n->lg, o->refs[i], keys[i], d);
			if (rv != GC_OK) {
				gc_free(keys);
				return rv == GC_ENOTFOUND ? GC_EINVAL : rv;
			}
		}
	}
	rv = gc_signin_make(n, o->klass, o->missing, &s, d);
	if (rv != GC_OK) {
		gc_free(keys);
		return rv;
	}
	out->v = gc_xrealloc(NULL, (s.n > 0 ? s.n : 1) * sizeof(*out->v));
	for (size_t i = 0; i < s.n; i++) {
		const struct gc_signin_row *r = &s.rows[i];
		struct gc_invitee          *v = &out->v[out->n];
		struct gc_row               row;

		if (keys != NULL && !named((const char (*)[80])keys, o->nrefs,
		    r->key)) {
			continue;
		}
		memset(v, 0, sizeof(*v));
		snprintf(v->key, sizeof(v->key), "%s", r->key);
		snprintf(v->student_no, sizeof(v->student_no), "%s",
		    r->student_no);
		snprintf(v->name, sizeof(v->name), "%s", r->name);
		snprintf(v->klass, sizeof(v->klass), "%s", r->klass);
		snprintf(v->id_masked, sizeof(v->id_masked), "%s", r->id_masked);
		if (gc_row_of(n->lg, r->key, &row) == GC_OK) {
			snprintf(v->level, sizeof(v->level), "%s",
			    row.v[GC_ROW_LEVEL]);
		}
		gc_invite_code_new(v->code);
		if (o->portal != NULL) {
			size_t pl = strlen(o->portal);

			while (pl > 0 && o->portal[pl - 1] == '/') {
				pl--;
			}
			/* the code rides in the fragment: browsers never send
			 * it, so no server or proxy log holds it */
			snprintf(v->link, sizeof(v->link), "%.*s/#/i/%s",
			    (int)(pl < 400 ? pl : 400), o->portal, v->code);
		}
		out->n++;
	}
	gc_signin_free(&s);
	gc_free(keys);
	if (out->n == 0) {
		gc_diag_set(d, "nobody to invite%s%s%s", o->klass != NULL ?
		    " in class " : "", o->klass != NULL ? o->klass : "",
		    o->missing ? " who still needs a photo" : "");
		gc_invites_free(out);
		return GC_EINVAL;
	}
	if (out->n > GC_INVITE_MAX_ROWS) {
		gc_diag_set(d, "%zu students at once: invite at most %d per run "
		    "(by class)", out->n, GC_INVITE_MAX_ROWS);
		gc_invites_free(out);
		return GC_EINVAL;
	}
	return GC_OK;
}

gc_err
gc_invite_store(struct gc_node *n, const struct gc_invite_opts *o,
    const struct gc_invites *iv, struct gc_diag *d)
{
	struct gc_invite_row *rows;
	struct gc_buf         b;
	char                  source[200];
	gc_err                rv;

	rows = gc_xrealloc(NULL, iv->n * sizeof(*rows));
	for (size_t i = 0; i < iv->n; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		snprintf(rows[i].student, sizeof(rows[i].student), "%s",
		    iv->v[i].key);
		gc_invite_code_hash(iv->v[i].code, strlen(iv->v[i].code),
		    rows[i].hash);
	}
	snprintf(source, sizeof(source), "%s%s%s%s",
	    o->nrefs > 0 ? "named students" : o->klass != NULL ? "class " :
	    "every class", o->nrefs == 0 && o->klass != NULL ? o->klass : "",
	    o->missing ? ", " : "", o->missing ? "still to photograph" : "");
	gc_buf_init(&b);
	gc_invite_encode(&b, source, rows, iv->n);
	rv = gc_buf_status(&b);
	if (rv == GC_OK) {
		rv = gc_ledger_append_body(n->lg, GC_KIND_INVITE, &b, NULL, d);
	}
	gc_buf_release(&b);
	sodium_memzero(rows, iv->n * sizeof(*rows));
	gc_free(rows);
	return rv;
}

void
gc_invites_free(struct gc_invites *iv)
{
	if (iv->v != NULL) {
		sodium_memzero(iv->v, iv->n * sizeof(*iv->v));
	}
	gc_free(iv->v);
	iv->v = NULL;
	iv->n = 0;
}

static const char *cols[] = { "学号", "姓名", "班级", "层次", "证件号码",
	"邀请码", "链接" };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static void
cells(const struct gc_invitee *v, const char *c[NCOLS])
{
	c[0] = v->student_no;
	c[1] = v->name;
	c[2] = v->klass;
	c[3] = v->level;
	c[4] = v->id_masked;
	c[5] = v->code;
	c[6] = v->link;
}

void
gc_invites_csv(const struct gc_invites *iv, struct gc_buf *b)
{
	gc_buf_put(b, "\xef\xbb\xbf", 3);
	for (size_t k = 0; k < NCOLS; k++) {
		gc_csv_cell(b, cols[k], k + 1 == NCOLS);
	}
	for (size_t i = 0; i < iv->n; i++) {
		const char *c[NCOLS];

		cells(&iv->v[i], c);
		for (size_t k = 0; k < NCOLS; k++) {
			gc_csv_cell(b, c[k], k + 1 == NCOLS);
		}
	}
}

gc_err
gc_invites_xlsx(const struct gc_invites *iv, const char *path,
    struct gc_diag *d)
{
	lxw_workbook  *wb = workbook_new(path);
	lxw_worksheet *ws = wb != NULL ? workbook_add_worksheet(wb, "邀请")
	    : NULL;

	if (ws == NULL) {
		if (wb != NULL) {
			workbook_close(wb);
		}
		gc_diag_set(d, "%s: cannot start the workbook", path);
		return GC_EIO;
	}
	for (size_t k = 0; k < NCOLS; k++) {
		worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k], NULL);
	}
	for (size_t i = 0; i < iv->n; i++) {
		const char *c[NCOLS];

		cells(&iv->v[i], c);
		for (size_t k = 0; k < NCOLS; k++) {
			/* text cells: a 学号 never turns into a number */
			worksheet_write_string(ws, (lxw_row_t)(i + 1),
			    (lxw_col_t)k, c[k], NULL);
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		gc_diag_set(d, "%s: cannot write the workbook", path);
		return GC_EIO;
	}
	return GC_OK;
}

/* text as a QR code (libqrencode), an SVG of 1-unit modules with the
 * 4-module quiet zone the standard asks for. */
static gc_err
qr_svg(struct gc_buf *b, const char *text)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	int     w;

	if (q == NULL) {
		return errno == ENOMEM ? GC_ENOMEM : GC_EINVAL;
	}
	w = q->width;
	gc_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path d=\"",
	    w + 8, w + 8, w + 8, w + 8);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w; x++) {
			if (q->data[y * w + x] & 1) {
				gc_buf_printf(b, "M%d %dh1v1h-1z", x + 4, y + 4);
			}
		}
	}
	gc_buf_puts(b, "\"/></svg>");
	QRcode_free(q);
	return GC_OK;
}

gc_err
gc_invites_sheet(const struct gc_invites *iv, const char *title,
    struct gc_buf *b, struct gc_diag *d)
{
	gc_buf_puts(b, "<!doctype html>\n<html lang=\"zh-CN\"><head>"
	    "<meta charset=\"utf-8\"><title>线上采集邀请 ");
	gc_html_text(b, title);
	gc_buf_puts(b, "</title><style>"
	    "@page{size:A4;margin:10mm}"
	    "body{font-family:sans-serif;font-size:10pt;margin:0}"
	    ".grid{display:grid;grid-template-columns:repeat(3,1fr);gap:4mm}"
	    ".card{border:1px dashed #888;padding:3mm;page-break-inside:avoid;"
	    "text-align:center}"
	    ".card svg{width:38mm;height:38mm}"
	    ".name{font-size:12pt;font-weight:bold}"
	    ".code{font-family:monospace;font-size:10pt;letter-spacing:.5pt}"
	    "</style></head><body>\n<div class=\"grid\">\n");
	for (size_t i = 0; i < iv->n; i++) {
		const struct gc_invitee *v = &iv->v[i];

		gc_buf_puts(b, "<div class=\"card\"><div class=\"name\">");
		gc_html_text(b, v->name);
		gc_buf_puts(b, "</div><div>");
		gc_html_text(b, v->klass);
		gc_buf_puts(b, " · ");
		gc_html_text(b, v->student_no);
		gc_buf_puts(b, "</div>");
		if (v->link[0] != '\0') {
			if (qr_svg(b, v->link) != GC_OK) {
				gc_diag_set(d, "the QR code of %s's link could not "
				    "be made", v->student_no);
				return GC_EINVAL;
			}
		}
		gc_buf_puts(b, "<div>扫码或登录后输入邀请码</div><div class=\"code\">");
		gc_html_text(b, v->code);
		gc_buf_puts(b, "</div></div>\n");
	}
	gc_buf_puts(b, "</div>\n</body></html>\n");
	return gc_buf_status(b);
}
