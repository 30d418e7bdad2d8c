/* Changes to the stored roster (common/roster_change.h). */
#include "common/roster_change.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/ledger.h"

#define REASON_MAX 120

/* The field labels a user reads in a change list, by row key. */
static const char *const row_labels[GC_ROW_NKEYS] = {
	"学生", "学校代码", "证件类型", "证件号码", "层次代码", "姓名", "性别",
	"出生日期", "学号", "考生号", "层次", "院系", "专业", "班级", "校区",
	"升位候选", "序号", "免拍", "移出", "更正", "邮箱",
};

/* The stored live row of key holding number at (type, level)? */
static bool
row_holds(const struct gc_row *r, const char *type, const char *level)
{
	return (type == NULL || type[0] == '\0' ||
	           strcmp(r->v[GC_ROW_ID_TYPE], type) == 0) &&
	    strcmp(r->v[GC_ROW_LEVEL_CODE], level) == 0;
}

/* The live student holding 证件号码 number at (type, level), other than
 * not (NULL: any); true with its key and row. */
static bool
holder_of(struct gc_ledger *lg, const char *number, const char *type,
    const char *level, const char *not, char key[80], struct gc_row *row)
{
	char   keys[8][80];
	size_t n;

	if (number == NULL || number[0] == '\0') {
		return false;
	}
	n = gc_ledger_lookup(lg, "id", number, keys, 8);
	for (size_t i = 0; i < n && i < 8; i++) {
		if (not != NULL && strcmp(keys[i], not) == 0) {
			continue;
		}
		if (gc_row_of(lg, keys[i], row) == GC_OK &&
		    row_holds(row, type, level)) {
			memcpy(key, keys[i], 80);
			return true;
		}
	}
	return false;
}

/* The one student holding a 学号 ("xh") or 考生号 ("ksh"). */
static bool
holder_by(struct gc_ledger *lg, const char *kind, const char *v,
    char key[80], struct gc_row *row)
{
	char keys[2][80];

	if (v == NULL || v[0] == '\0' ||
	    gc_ledger_lookup(lg, kind, v, keys, 2) != 1) {
		return false;
	}
	memcpy(key, keys[0], 80);
	return gc_row_of(lg, key, row) == GC_OK;
}

/* The 15-digit form of an 18-digit resident number born in the 1900s
 * ("" when it has none): the inverse of 升位. */
static void
form15(const char *n18, char out[16])
{
	out[0] = '\0';
	if (strlen(n18) == 18 && n18[6] == '1' && n18[7] == '9' &&
	    strspn(n18, "0123456789") >= 17) {
		memcpy(out, n18, 6);
		memcpy(out + 6, n18 + 8, 9);
		out[15] = '\0';
	}
}

static uint32_t
diff(const struct gc_row *a, const struct gc_row *b)
{
	uint32_t m = 0;

	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		if (strcmp(a->v[k], b->v[k]) != 0) {
			m |= 1u << k;
		}
	}
	return m;
}

/* Which stored student a file row is, if any (key "" for none); a
 * removed one sets *removed. */
static void
plan_match(struct gc_ledger *lg, const struct gc_student *s,
    const struct gc_plan_opts *o, char key[80], struct gc_row *old,
    bool *removed)
{
	const char *type = s->f[GC_RF_ID_TYPE];
	const char *num  = s->f[GC_RF_ID_NUMBER];
	char        alt[20];
	uint8_t    *rb;
	size_t      rl;

	key[0]   = '\0';
	*removed = false;
	/* the number, its 升位 candidate first when that is to be stored */
	if (o->upgrade_15 && s->upgraded[0] != '\0' &&
	    holder_of(lg, s->upgraded, type, s->level_code, NULL, key, old)) {
		return;
	}
	if (holder_of(lg, num, type, s->level_code, NULL, key, old)) {
		return;
	}
	/* the other form of the number: 15 digits and their 升位 */
	if (s->upgraded[0] != '\0') {
		snprintf(alt, sizeof(alt), "%s", s->upgraded);
	} else {
		form15(num != NULL ? num : "", alt);
	}
	if (alt[0] != '\0' &&
	    holder_of(lg, alt, type, s->level_code, NULL, key, old)) {
		return;
	}
	/* another 证件号码, 证件类型 or 层次 for the same 学号 or 考生号 */
	if (holder_by(lg, "xh", s->f[GC_RF_STUDENT_NO], key, old) ||
	    holder_by(lg, "ksh", s->f[GC_RF_EXAM_NO], key, old)) {
		return;
	}
	/* the student of this very key, whatever number it holds now */
	if (gc_row_of(lg, s->key, old) == GC_OK) {
		snprintf(key, 80, "%s", s->key);
		return;
	}
	if (gc_ledger_removed_get(lg, s->key, &rb, &rl, NULL, NULL) == GC_OK) {
		if (gc_row_decode(rb, rl, old) == GC_OK) {
			snprintf(key, 80, "%s", s->key);
			*removed = true;
		}
		gc_free(rb);
	}
}

/* The row storing s would write, given the stored student it matched. */
static void
plan_row(const struct gc_student *s, const struct gc_plan_opts *o,
    uint64_t base, const char *key, const struct gc_row *old,
    struct gc_plan_row *pr)
{
	char f15[16];

	gc_row_from_student(&pr->row, s, o->school);
	if (key[0] != '\0') {
		snprintf(pr->row.v[GC_ROW_KEY], GC_ROW_VALUE_MAX, "%s", key);
		memcpy(pr->row.v[GC_ROW_EXEMPT], old->v[GC_ROW_EXEMPT],
		    GC_ROW_VALUE_MAX);
		memcpy(pr->row.v[GC_ROW_CORRECTED], old->v[GC_ROW_CORRECTED],
		    GC_ROW_VALUE_MAX);
	}
	/* roster order: a correction file does not reshuffle the queues */
	if (key[0] != '\0' && !o->reorder && old->v[GC_ROW_ORDER][0] != '\0') {
		memcpy(pr->row.v[GC_ROW_ORDER], old->v[GC_ROW_ORDER],
		    GC_ROW_VALUE_MAX);
	} else if (key[0] == '\0' || !o->reorder) {
		snprintf(pr->row.v[GC_ROW_ORDER], GC_ROW_VALUE_MAX, "%llu",
		    (unsigned long long)(base + s->line));
	}
	if (s->upgraded[0] == '\0') {
		return;
	}
	form15(old->v[GC_ROW_ID_NUMBER], f15);
	if (key[0] != '\0' && strcmp(f15, s->f[GC_RF_ID_NUMBER]) == 0) {
		/* stored already upgraded: an old file does not undo that */
		memcpy(pr->row.v[GC_ROW_ID_NUMBER], old->v[GC_ROW_ID_NUMBER],
		    GC_ROW_VALUE_MAX);
		memcpy(pr->row.v[GC_ROW_BIRTH], old->v[GC_ROW_BIRTH],
		    GC_ROW_VALUE_MAX);
		pr->row.v[GC_ROW_UPGRADED][0] = '\0';
	} else if (o->upgrade_15) {
		snprintf(pr->row.v[GC_ROW_ID_NUMBER], GC_ROW_VALUE_MAX, "%s",
		    s->upgraded);
		pr->row.v[GC_ROW_UPGRADED][0] = '\0';
		if (key[0] == '\0') {
			/* a new student is keyed by the number it stores */
			snprintf(pr->row.v[GC_ROW_KEY], GC_ROW_VALUE_MAX,
			    "%s:%s:%s:%s", o->school, s->f[GC_RF_ID_TYPE],
			    s->upgraded, s->level_code);
		}
	} else {
		snprintf(pr->warning, sizeof(pr->warning), "15-digit 证件号码 "
		    "%s needs 升位: its 18-digit candidate is %s (check the "
		    "student's card; --upgrade-15 stores the candidates)",
		    s->f[GC_RF_ID_NUMBER], s->upgraded);
	}
}

/* The fields `roster correct` sets. */
#define CORRECTED_FIELDS                                                   \
	((1u << GC_ROW_ID_TYPE) | (1u << GC_ROW_ID_NUMBER) |               \
	    (1u << GC_ROW_LEVEL_CODE) | (1u << GC_ROW_NAME))

struct keyidx {
	const char *key;
	size_t      i;
};

static int
keyidx_cmp(const void *a, const void *b)
{
	const struct keyidx *x = a, *y = b;
	int                  r = strcmp(x->key, y->key);

	return r != 0 ? r : (x->i > y->i) - (x->i < y->i);
}

/* bsearch by key alone: the array is sorted by (key, i) */
static int
keyonly_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyidx *)a)->key,
	    ((const struct keyidx *)b)->key);
}

static void reject(struct gc_plan_row *pr, const char *column,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
reject(struct gc_plan_row *pr, const char *column, const char *fmt, ...)
{
	va_list ap;

	pr->fate = GC_PLAN_REJECTED;
	snprintf(pr->column, sizeof(pr->column), "%s", column);
	va_start(ap, fmt);
	vsnprintf(pr->reason, sizeof(pr->reason), fmt, ap);
	va_end(ap);
}

/* A 学号 or 考生号 the row carries that a stored student other than its
 * own holds, unless this file gives that student another one (a swap). */
static void
plan_conflicts(struct gc_ledger *lg, struct gc_plan *p,
    const struct keyidx *by, size_t n)
{
	static const struct {
		int         f;
		const char *kind, *label;
	} ks[] = {
		{ GC_ROW_STUDENT_NO, "xh", "学号" },
		{ GC_ROW_EXAM_NO, "ksh", "考生号" },
	};

	for (size_t i = 0; i < p->n; i++) {
		struct gc_plan_row *pr = &p->rows[i];

		for (size_t k = 0; k < 2 && (pr->fate == GC_PLAN_NEW ||
		    pr->fate == GC_PLAN_CHANGED || pr->fate == GC_PLAN_READDED);
		     k++) {
			const char    *v = pr->row.v[ks[k].f];
			char           keys[4][80];
			size_t         m;
			struct keyidx  q, *hit;

			if (v[0] == '\0') {
				continue;
			}
			m = gc_ledger_lookup(lg, ks[k].kind, v, keys, 4);
			for (size_t j = 0; j < m && j < 4; j++) {
				if (strcmp(keys[j], pr->row.v[GC_ROW_KEY]) == 0) {
					continue;
				}
				q.key = keys[j];
				q.i   = 0;
				hit   = n > 0 ? bsearch(&q, by, n, sizeof(*by),
				    keyonly_cmp) : NULL;
				if (hit != NULL && strcmp(p->rows[hit->i].row.v[
				    ks[k].f], v) != 0) {
					continue; /* the file moves it off v */
				}
				reject(pr, ks[k].label, "%s %.64s already belongs "
				    "to student %.79s in the stored roster",
				    ks[k].label, v, keys[j]);
				break;
			}
		}
	}
}

gc_err
gc_roster_plan(struct gc_ledger *lg, const struct gc_roster *r,
    const struct gc_plan_opts *o, struct gc_plan **out)
{
	struct gc_plan         *p;
	struct keyidx          *by;
	size_t                  n = 0;
	struct gc_ledger_counts lc;
	uint64_t                base = 0;

	*out = NULL;
	/* new students queue after those stored (one file after another) */
	if (gc_ledger_counts(lg, &lc) == GC_OK) {
		base = lc.students;
	}
	p    = gc_alloc(sizeof(*p));
	if (p == NULL) {
		return GC_ENOMEM;
	}
	memset(p, 0, sizeof(*p));
	p->rows = gc_alloc((r->nrows + 1) * sizeof(*p->rows));
	by      = gc_alloc((r->nrows + 1) * sizeof(*by));
	if (p->rows == NULL || by == NULL) {
		gc_free(by);
		gc_plan_free(p);
		return GC_ENOMEM;
	}
	p->n = r->nrows;
	for (size_t i = 0; i < r->nrows; i++) {
		const struct gc_student *s  = &r->rows[i];
		struct gc_plan_row      *pr = &p->rows[i];
		char                     key[80];
		bool                     removed;

		memset(pr, 0, sizeof(*pr));
		pr->line = s->line;
		plan_match(lg, s, o, key, &pr->old, &removed);
		plan_row(s, o, base, key, &pr->old, pr);
		if (key[0] == '\0') {
			pr->fate = GC_PLAN_NEW;
		} else if (removed) {
			pr->fate    = GC_PLAN_READDED;
			pr->changed = diff(&pr->old, &pr->row);
		} else {
			const char *why = pr->old.v[GC_ROW_CORRECTED];

			pr->changed = diff(&pr->old, &pr->row);
			pr->fate = pr->changed ? GC_PLAN_CHANGED : GC_PLAN_SAME;
			/* a file never silently undoes a correction by hand */
			if ((pr->changed & CORRECTED_FIELDS) && why[0] != '\0') {
				struct gc_buf      b;
				struct gc_plan_row only = *pr;

				only.changed &= CORRECTED_FIELDS;
				gc_buf_init(&b);
				gc_plan_row_describe(&only, &b);
				gc_buf_putc(&b, '\0');
				reject(pr, "证件号码", "the stored row of this "
				    "student was set by 'roster correct' (%.100s); "
				    "this file would change it back (%.200s): fix "
				    "the file, or correct the student again",
				    why, gc_buf_status(&b) == GC_OK ?
				    (const char *)b.data : "");
				gc_buf_release(&b);
			}
		}
		by[n].key = pr->row.v[GC_ROW_KEY];
		by[n++].i = i;
	}
	/* two rows of the file for one student: the later is refused */
	if (n > 1) {
		qsort(by, n, sizeof(*by), keyidx_cmp);
	}
	for (size_t j = 1; j < n; j++) {
		if (strcmp(by[j].key, by[j - 1].key) == 0) {
			struct gc_plan_row *pr   = &p->rows[by[j].i];
			reject(pr, "证件号码", "the same student as row %u "
			    "(%.79s): one row per student",
			    (unsigned)p->rows[by[j - 1].i].line, by[j].key);
		}
	}
	plan_conflicts(lg, p, by, n);
	for (size_t i = 0; i < p->n; i++) {
		p->counts[p->rows[i].fate]++;
		p->nwarn += p->rows[i].fate != GC_PLAN_REJECTED &&
		    p->rows[i].warning[0] != '\0';
	}
	gc_free(by);
	*out = p;
	return GC_OK;
}

void
gc_plan_free(struct gc_plan *p)
{
	if (p != NULL) {
		gc_free(p->rows);
		gc_free(p);
	}
}

void
gc_plan_row_describe(const struct gc_plan_row *pr, struct gc_buf *b)
{
	bool first = true;

	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		if (!(pr->changed & (1u << k)) || k == GC_ROW_ORDER ||
		    k == GC_ROW_UPGRADED || k == GC_ROW_CORRECTED) {
			continue;
		}
		gc_buf_printf(b, "%s%s %s → %s", first ? "" : ", ",
		    row_labels[k], pr->old.v[k][0] ? pr->old.v[k] : "(空)",
		    pr->row.v[k][0] ? pr->row.v[k] : "(空)");
		first = false;
	}
	if (first && (pr->changed & (1u << GC_ROW_ORDER))) {
		gc_buf_printf(b, "序号 %s → %s", pr->old.v[GC_ROW_ORDER][0] ?
		    pr->old.v[GC_ROW_ORDER] : "(空)", pr->row.v[GC_ROW_ORDER]);
	}
}

/* ---- one student's change ---- */

enum gc_roster_op
gc_roster_edit_op(enum gc_edit_kind k)
{
	switch (k) {
	case GC_EDIT_CORRECT:
		return GC_ROSTER_CORRECT;
	case GC_EDIT_REMOVE:
		return GC_ROSTER_REMOVE;
	case GC_EDIT_EXEMPT:
	case GC_EDIT_UNEXEMPT:
		return GC_ROSTER_EXEMPT;
	case GC_EDIT_RESTORE:
	default:
		return GC_ROSTER_PATCH;
	}
}

/* Printable UTF-8 of 1..max bytes, no control characters. */
static bool
text_ok(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

static gc_err
edit_correct(struct gc_ledger *lg, const char *key, const struct gc_edit *e,
    struct gc_row *out, struct gc_diag *d)
{
	char type = out->v[GC_ROW_ID_TYPE][0];
	char other[80];
	struct gc_row orow;

	if (e->id_type != NULL) {
		type = gc_idnum_type_parse(e->id_type);
		if (type == 0) {
			gc_diag_set(d, "--type %s: not a 证件类型 (a code such as "
			    "1 or A, or a name such as 居民身份证)", e->id_type);
			return GC_EINVAL;
		}
		out->v[GC_ROW_ID_TYPE][0] = type;
		out->v[GC_ROW_ID_TYPE][1] = '\0';
	}
	if (e->id_number != NULL || e->id_type != NULL) {
		struct gc_idnum idn;
		const char     *num = e->id_number != NULL ? e->id_number :
		                                             out->v[GC_ROW_ID_NUMBER];

		if (gc_idnum_check(&idn, num, type, e->today) != GC_OK) {
			gc_diag_set(d, "证件号码 %.64s: %s", num, idn.reason);
			return GC_EINVAL;
		}
		snprintf(out->v[GC_ROW_ID_NUMBER], GC_ROW_VALUE_MAX, "%s",
		    idn.normalized);
		snprintf(out->v[GC_ROW_UPGRADED], GC_ROW_VALUE_MAX, "%s",
		    idn.upgraded);
		if (idn.birth[0] != '\0') {
			/* 出生日期一律以身份证为准 */
			snprintf(out->v[GC_ROW_BIRTH], GC_ROW_VALUE_MAX, "%s",
			    idn.birth);
		}
		if (idn.sex != 0) {
			out->v[GC_ROW_SEX][0] = idn.sex;
			out->v[GC_ROW_SEX][1] = '\0';
		}
	}
	if (e->level != NULL) {
		const char *lc = gc_level_code(e->level);

		if (lc == NULL) {
			gc_diag_set(d, "--level %s: unknown 层次 (博士研究生, "
			    "硕士研究生, 第二学士学位, 本科, 专科 or 01, 02, 04, "
			    "05, 06)", e->level);
			return GC_EINVAL;
		}
		snprintf(out->v[GC_ROW_LEVEL_CODE], GC_ROW_VALUE_MAX, "%s", lc);
		snprintf(out->v[GC_ROW_LEVEL], GC_ROW_VALUE_MAX, "%s",
		    e->level);
	}
	if (e->name != NULL) {
		if (!text_ok(e->name, GC_ROSTER_FIELD_MAX) ||
		    strchr(e->name, ' ') != NULL) {
			gc_diag_set(d, "--name: 1 to %d bytes without spaces or "
			    "control characters", GC_ROSTER_FIELD_MAX);
			return GC_EINVAL;
		}
		snprintf(out->v[GC_ROW_NAME], GC_ROW_VALUE_MAX, "%s", e->name);
	}
	if (holder_of(lg, out->v[GC_ROW_ID_NUMBER], out->v[GC_ROW_ID_TYPE],
	    out->v[GC_ROW_LEVEL_CODE], key, other, &orow)) {
		gc_diag_set(d, "证件号码 %s at 层次 %s already belongs to student "
		    "%s (%s): correct or remove that one first",
		    out->v[GC_ROW_ID_NUMBER], out->v[GC_ROW_LEVEL_CODE], other,
		    orow.v[GC_ROW_NAME]);
		return GC_EINVAL;
	}
	return GC_OK;
}

gc_err
gc_roster_edit(struct gc_ledger *lg, const char *key, const struct gc_edit *e,
    struct gc_row *out, struct gc_row *old, struct gc_diag *d)
{
	gc_err rv;

	memset(out, 0, sizeof(*out));
	if (!text_ok(e->reason, REASON_MAX)) {
		gc_diag_set(d, "--reason: say why, in 1 to %d bytes (about 40 "
		    "Chinese characters) without control characters",
		    REASON_MAX);
		return GC_EINVAL;
	}
	if (e->kind == GC_EDIT_RESTORE) {
		uint8_t *rb;
		size_t   rl;

		rv = gc_ledger_removed_get(lg, key, &rb, &rl, NULL, NULL);
		if (rv == GC_OK) {
			rv = gc_row_decode(rb, rl, old);
			gc_free(rb);
		}
		if (rv != GC_OK) {
			gc_diag_set(d, "student %s: not a student removed from "
			    "the roster", key);
			return GC_EINVAL;
		}
	} else if (gc_row_of(lg, key, old) != GC_OK) {
		gc_diag_set(d, "student %s: not on the roster", key);
		return GC_ENOTFOUND;
	}
	*out = *old;
	switch (e->kind) {
	case GC_EDIT_CORRECT:
		rv = edit_correct(lg, key, e, out, d);
		if (rv != GC_OK) {
			return rv;
		}
		if (diff(old, out) != 0) {
			snprintf(out->v[GC_ROW_CORRECTED], GC_ROW_VALUE_MAX, "%s",
			    e->reason);
		}
		break;
	case GC_EDIT_REMOVE:
		snprintf(out->v[GC_ROW_REMOVED], GC_ROW_VALUE_MAX, "%s",
		    e->reason);
		break;
	case GC_EDIT_RESTORE: {
		char          other[80];
		struct gc_row orow;

		out->v[GC_ROW_REMOVED][0] = '\0';
		if (holder_of(lg, out->v[GC_ROW_ID_NUMBER],
		    out->v[GC_ROW_ID_TYPE], out->v[GC_ROW_LEVEL_CODE], key, other,
		    &orow)) {
			gc_diag_set(d, "证件号码 %s is held by student %s now: "
			    "remove or correct that one first",
			    out->v[GC_ROW_ID_NUMBER], other);
			return GC_EINVAL;
		}
		break;
	}
	case GC_EDIT_EXEMPT:
		snprintf(out->v[GC_ROW_EXEMPT], GC_ROW_VALUE_MAX, "%s",
		    e->reason);
		break;
	case GC_EDIT_UNEXEMPT:
		if (old->v[GC_ROW_EXEMPT][0] == '\0') {
			gc_diag_set(d, "student %s is not exempt", key);
			return GC_EINVAL;
		}
		out->v[GC_ROW_EXEMPT][0] = '\0';
		break;
	}
	if (diff(old, out) == 0) {
		gc_diag_set(d, "student %s: nothing to change", key);
		return GC_EINVAL;
	}
	return GC_OK;
}

/* ---- removed students ---- */

struct gone_find {
	const char *ref;
	char        key[80];
	size_t      n;
};

static int
gone_find_cb(const struct gc_student_rec *rec, void *arg)
{
	struct gone_find *g = arg;
	struct gc_row     row;

	if (gc_row_decode(rec->row, rec->row_len, &row) != GC_OK) {
		return 0;
	}
	if (strcmp(row.v[GC_ROW_KEY], g->ref) == 0 ||
	    strcmp(row.v[GC_ROW_ID_NUMBER], g->ref) == 0 ||
	    strcmp(row.v[GC_ROW_STUDENT_NO], g->ref) == 0) {
		if (g->n++ == 0) {
			snprintf(g->key, sizeof(g->key), "%.79s",
			    row.v[GC_ROW_KEY]);
		}
	}
	return 0;
}

gc_err
gc_roster_removed_find(struct gc_ledger *lg, const char *ref, char key[80], struct gc_diag *d)
{
	char             up[80];
	struct gone_find g = { up, "", 0 };
	gc_err           rv;

	snprintf(up, sizeof(up), "%s", ref);
	for (char *p = up; *p != '\0'; p++) {
		*p = *p == 'x' ? 'X' : *p; /* as ID numbers are stored */
	}
	if (strchr(ref, ':') != NULL) {
		snprintf(up, sizeof(up), "%s", ref); /* a key as given */
	}
	rv = gc_ledger_removed_students(lg, gone_find_cb, &g);

	if (rv != GC_OK) {
		return rv;
	}
	if (g.n != 1) {
		gc_diag_set(d, g.n == 0 ? "'%s': no student removed from the "
		    "roster has that key, 证件号码 or 学号" : "'%s' names several "
		    "removed students: give the student key", ref);
		return g.n == 0 ? GC_ENOTFOUND : GC_EAMBIGUOUS;
	}
	memcpy(key, g.key, 80);
	return GC_OK;
}
