/* student_checks: the coordinator's side of the students' checks
 * (node/student_checks.h). */
#include "node/student_checks.h"

#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "common/hlc.h"
#include "common/idnum.h"
#include "common/notices.h"
#include "common/rosterdb.h"

struct load_arg {
	struct gc_checks *cs;
	size_t            cap;
	bool              nomem;
};

static int
load_cb(const struct gc_entry *e, void *arg)
{
	struct load_arg        *a = arg;
	struct gc_student_check c;
	struct gc_check_item   *it;

	if (gc_student_check_decode(e->body, e->body_len, &c, NULL) != GC_OK) {
		return 0;
	}
	if (a->cs->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 64;
		void  *nv = gc_realloc(a->cs->v, nc * sizeof(*a->cs->v));

		if (nv == NULL) {
			a->nomem = true;
			return 1;
		}
		a->cs->v = nv;
		a->cap   = nc;
	}
	it = &a->cs->v[a->cs->n++];
	memset(it, 0, sizeof(*it));
	memcpy(it->student, c.student, sizeof(it->student));
	memcpy(it->capture, c.capture, 32);
	memcpy(it->entry, e->id, 32);
	it->hlc      = e->hlc;
	it->verdict  = (uint8_t)c.verdict;
	it->has_addr = c.has_addr;
	return 0;
}

gc_err
gc_checks_load(gc_ledger *lg, struct gc_checks *cs)
{
	struct load_arg a = { cs, 0, false };
	gc_err          rv;

	cs->v = NULL;
	cs->n = 0;
	rv    = gc_ledger_checks(lg, load_cb, &a);
	return rv == GC_OK && a.nomem ? GC_ENOMEM : rv;
}

void
gc_checks_release(struct gc_checks *cs)
{
	if (cs != NULL) {
		gc_free(cs->v);
		cs->v = NULL;
		cs->n = 0;
	}
}

static int
item_key_cmp(const void *k, const void *it)
{
	return strcmp(k, ((const struct gc_check_item *)it)->student);
}

const struct gc_check_item *
gc_checks_find(const struct gc_checks *cs, const char *student)
{
	/* the index gives them in key order: LMDB's, bytewise, as strcmp */
	if (cs->n == 0) {
		return NULL;
	}
	return bsearch(student, cs->v, cs->n, sizeof(*cs->v), item_key_cmp);
}

const char *
gc_checks_cell(const struct gc_checks *cs, const char *student,
    const struct gc_mcap *win)
{
	const struct gc_check_item *it = gc_checks_find(cs, student);

	if (it == NULL || win == NULL || memcmp(it->capture, win->id, 32) != 0) {
		return "";
	}
	return gc_check_verdict_zh(it->verdict);
}

gc_err
gc_checks_get(gc_ledger *lg, const struct gc_check_item *it,
    struct gc_student_check *out)
{
	struct gc_entry e;
	uint8_t        *bytes;
	size_t          len;
	gc_err          rv;

	rv = gc_ledger_check_latest(lg, it->student, &bytes, &len);
	if (rv != GC_OK) {
		return rv;
	}
	rv = gc_entry_parse(&e, bytes, len, NULL);
	if (rv == GC_OK && memcmp(e.id, it->entry, 32) != 0) {
		rv = GC_ENOTFOUND;
	}
	if (rv == GC_OK) {
		rv = gc_student_check_decode(e.body, e.body_len, out, NULL);
	}
	gc_free(bytes);
	return rv == GC_OK ? GC_OK : GC_ENOTFOUND;
}

static int
item_time_cmp(const void *a, const void *b)
{
	const struct gc_check_item *x = *(const struct gc_check_item *const *)a;
	const struct gc_check_item *y = *(const struct gc_check_item *const *)b;

	if (x->hlc != y->hlc) {
		return x->hlc < y->hlc ? -1 : 1;
	}
	return strcmp(x->student, y->student);
}

/* A report on one screen line: line breaks as " / ". */
static void
text_line(struct gc_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			gc_buf_puts(b, " / ");
		} else {
			gc_buf_putc(b, (uint8_t)*s);
		}
	}
}

static const char *list_cols[] = { "时间", "学号", "姓名", "证件号码", "层次",
	"专业", "学生确认", "错误说明", "照片", "收件人", "联系电话", "邮寄地址",
	"学生键" };
#define NLIST (sizeof(list_cols) / sizeof(list_cols[0]))

gc_err
gc_checks_list(struct gc_node *n, bool csv, struct gc_buf *out,
    size_t *nreport, size_t *nok)
{
	struct gc_checks             cs;
	const struct gc_check_item **ord;
	gc_err                       rv;

	*nreport = *nok = 0;
	rv = gc_checks_load(n->lg, &cs);
	ord = rv == GC_OK ? gc_alloc((cs.n + 1) * sizeof(*ord)) : NULL;
	if (ord == NULL) {
		gc_checks_release(&cs);
		return rv == GC_OK ? GC_ENOMEM : rv;
	}
	for (size_t i = 0; i < cs.n; i++) {
		ord[i] = &cs.v[i];
	}
	qsort(ord, cs.n, sizeof(*ord), item_time_cmp);
	if (csv) {
		gc_buf_puts(out, "\xef\xbb\xbf"); /* Excel reads UTF-8 with BOM */
		for (size_t k = 0; k < NLIST; k++) {
			gc_csv_cell(out, list_cols[k], k + 1 == NLIST);
		}
	}
	for (size_t i = 0; i < cs.n; i++) {
		const struct gc_check_item *it = ord[i];
		struct gc_student_check     c;
		struct gc_row               row;
		struct gc_mcap              win;
		enum gc_mstatus             st;
		char                        when[32], masked[128];
		bool                        current;

		if (gc_checks_get(n->lg, it, &c) != GC_OK) {
			continue; /* a later one came in meanwhile */
		}
		gc_row_of(n->lg, it->student, &row);
		current = gc_ledger_merge_winner(n->lg, it->student, &st, &win) ==
		    GC_OK && st == GC_MS_APPROVED &&
		    memcmp(win.id, it->capture, 32) == 0;
		if (current) {
			*(it->verdict == GC_CHECK_REPORT ? nreport : nok) += 1;
		}
		gc_notice_beijing(when, sizeof(when), gc_hlc_ms(it->hlc));
		if (csv) {
			const char *v[NLIST] = { when, row.v[GC_ROW_STUDENT_NO],
				row.v[GC_ROW_NAME], row.v[GC_ROW_ID_NUMBER],
				row.v[GC_ROW_LEVEL], row.v[GC_ROW_MAJOR],
				gc_check_verdict_zh(c.verdict), c.text,
				current ? "当前照片" : "照片已更换", c.name, c.phone,
				c.addr, it->student };

			for (size_t k = 0; k < NLIST; k++) {
				gc_csv_cell(out, v[k], k + 1 == NLIST);
			}
			continue;
		}
		gc_idnum_mask(masked, sizeof(masked), row.v[GC_ROW_ID_NUMBER]);
		gc_buf_printf(out, "%s  %s  %s %s %s %s %s", when,
		    gc_check_verdict_zh(c.verdict), row.v[GC_ROW_STUDENT_NO],
		    row.v[GC_ROW_NAME], masked, row.v[GC_ROW_LEVEL],
		    row.v[GC_ROW_MAJOR]);
		if (!current) {
			gc_buf_puts(out, "  [照片已更换: about an earlier photo]");
		}
		if (c.has_addr) {
			gc_buf_puts(out, "  [有邮寄地址]");
		}
		if (c.text[0] != '\0') {
			gc_buf_puts(out, "\n    ");
			text_line(out, c.text);
		}
		gc_buf_putc(out, '\n');
	}
	gc_free(ord);
	gc_checks_release(&cs);
	return gc_buf_status(out);
}
