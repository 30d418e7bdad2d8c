/* roster: from a table of cells to checked student rows (domain.md §2–4,
 * rules 22–30): find the header row, map the columns by their names, check
 * every row and reject the bad ones with the row, the column and a reason
 * that names the value. */
#include "common/roster.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/gc_alloc.h"
#include "common/idnum.h"

#define HDR_SEARCH_ROWS 20
#define NAME_MAX_CHARS  40
#define SHOW_BYTES      48 /* of a value quoted in a reason */

static const char *const field_names[GC_RF_COUNT] = {
	"name", "id_number", "id_type", "sex", "birth", "student_no",
	"exam_no", "level", "dept", "major", "class", "campus", "email",
};

static const char *const field_labels[GC_RF_COUNT] = {
	"姓名", "证件号码", "证件类型", "性别", "出生日期", "学号", "考生号",
	"层次", "院系", "专业", "班级", "校区", "邮箱",
};

/* Built-in header names; ASCII ones (CHSI codes) match case-insensitively. */
static const char *const hdr_names[GC_RF_COUNT][8] = {
	[GC_RF_NAME]       = { "姓名", "XM", "学生姓名" },
	[GC_RF_ID_NUMBER]  = { "身份证号", "证件号码", "身份证号码", "SFZH",
		"ZJHM" },
	[GC_RF_ID_TYPE]    = { "证件类型", "ZJLX", "ZJLXM" },
	[GC_RF_SEX]        = { "性别", "XB", "XBM" },
	[GC_RF_BIRTH]      = { "出生日期", "CSRQ" },
	[GC_RF_STUDENT_NO] = { "学号", "XH" },
	[GC_RF_EXAM_NO]    = { "考生号", "KSH" },
	[GC_RF_LEVEL]      = { "层次", "CC", "学历层次", "培养层次" },
	[GC_RF_DEPT]       = { "院系", "学院", "分院", "FY" },
	[GC_RF_MAJOR]      = { "专业", "专业名称", "ZYMC" },
	[GC_RF_CLASS]      = { "班级", "班号", "BH" },
	[GC_RF_CAMPUS]     = { "校区" },
	[GC_RF_EMAIL]      = { "邮箱", "电子邮箱", "电子邮件", "EMAIL",
		"E-MAIL", "DZYX" },
};

static const struct {
	const char *text;
	const char *code;
} level_names[] = {
	{ "博士", "01" },
	{ "博士研究生", "01" },
	{ "硕士", "02" },
	{ "硕士研究生", "02" },
	{ "第二学士学位", "04" },
	{ "本科", "05" },
	{ "专升本", "05" },
	{ "专科起点本科", "05" },
	{ "高中起点本科", "05" },
	{ "高起本", "05" },
	{ "专科", "06" },
	{ "高职", "06" },
	{ "高中起点专科", "06" },
	{ "高起专", "06" },
	{ "专科(高职)", "06" },
	{ "专科（高职）", "06" },
	{ "高职(专科)", "06" },
	{ "高职（专科）", "06" },
	{ "01", "01" },
	{ "02", "02" },
	{ "04", "04" },
	{ "05", "05" },
	{ "06", "06" },
};

/* A byte range inside a cell. */
struct span {
	const char *p;
	size_t      n;
};

/* ---- text helpers ---- */

/* Length of the white space at p (ASCII, U+3000, U+00A0, U+FEFF), or 0. */
static size_t
ws_len(const char *p, size_t n)
{
	if (n >= 1 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
	    *p == '\f' || *p == '\v')) {
		return 1;
	}
	if (n >= 3 && (memcmp(p, "\xE3\x80\x80", 3) == 0 ||
	    memcmp(p, "\xEF\xBB\xBF", 3) == 0)) {
		return 3;
	}
	if (n >= 2 && memcmp(p, "\xC2\xA0", 2) == 0) {
		return 2;
	}
	return 0;
}

/* Length of the white space ending at p + n, or 0. */
static size_t
ws_len_back(const char *p, size_t n)
{
	if (n >= 1 && ws_len(p + n - 1, 1) == 1) {
		return 1;
	}
	if (n >= 2 && ws_len(p + n - 2, 2) == 2) {
		return 2;
	}
	if (n >= 3 && ws_len(p + n - 3, 3) == 3) {
		return 3;
	}
	return 0;
}

static struct span
trim_n(const char *p, size_t n)
{
	struct span s;
	size_t      k;

	for (;;) {
		k = ws_len(p, n);
		if (k == 0) {
			break;
		}
		p += k;
		n -= k;
	}
	for (;;) {
		k = ws_len_back(p, n);
		if (k == 0) {
			break;
		}
		n -= k;
	}
	s.p = p;
	s.n = n;
	return s;
}

static struct span
trim(const char *s)
{
	return trim_n(s, strlen(s));
}

static bool
span_eq(struct span a, const char *b)
{
	return a.n == strlen(b) && memcmp(a.p, b, a.n) == 0;
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80) {
			return false;
		}
	}
	return true;
}

/* Decodes one UTF-8 character (the table holds valid UTF-8; anything
 * else counts as one byte). */
static size_t
utf8_next(const char *p, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t               len, i;
	uint32_t             c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		len = 2;
		c   = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3;
		c   = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4;
		c   = u[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	*cp = c;
	return len;
}

/* A value for a message: at most SHOW_BYTES bytes, cut on a character
 * boundary, control characters as spaces. */
static const char *
show(char *buf, size_t cap, struct span v)
{
	size_t n = v.n, i;

	if (n > SHOW_BYTES) {
		n = SHOW_BYTES;
		while (n > 0 && ((unsigned char)v.p[n] & 0xC0) == 0x80) {
			n--;
		}
	}
	if (n + 4 > cap) {
		n = 0;
	}
	for (i = 0; i < n; i++) {
		buf[i] = (unsigned char)v.p[i] < 0x20 ? ' ' : v.p[i];
	}
	if (n < v.n) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* ---- public lookups ---- */

const char *
gc_roster_field_name(enum gc_roster_field f)
{
	if ((int)f < 0 || f >= GC_RF_COUNT) {
		return "unknown";
	}
	return field_names[f];
}

const char *
gc_roster_field_label(enum gc_roster_field f)
{
	if ((int)f < 0 || f >= GC_RF_COUNT) {
		return "?";
	}
	return field_labels[f];
}

int
gc_roster_field_parse(const char *name)
{
	if (name == NULL) {
		return -1;
	}
	for (int f = 0; f < GC_RF_COUNT; f++) {
		if (strcmp(name, field_names[f]) == 0) {
			return f;
		}
	}
	return -1;
}

const char *
gc_level_code(const char *text)
{
	struct span t;

	if (text == NULL) {
		return NULL;
	}
	t = trim(text);
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++) {
		if (span_eq(t, level_names[i].text)) {
			return level_names[i].code;
		}
	}
	return NULL;
}

/* ---- header ---- */

/* The field a header cell names, or -1. */
static int
hdr_field(struct span h, const struct gc_roster_opts *o)
{
	struct span m;
	int         f, i;

	for (f = 0; f < GC_RF_COUNT; f++) {
		if (o->map[f] != NULL) {
			m = trim(o->map[f]);
			if (m.n == h.n && memcmp(m.p, h.p, h.n) == 0) {
				return f;
			}
		}
	}
	/* templates mark required columns with '*' */
	while (h.n > 0 && h.p[0] == '*') {
		h = trim_n(h.p + 1, h.n - 1);
	}
	while (h.n > 0 && h.p[h.n - 1] == '*') {
		h = trim_n(h.p, h.n - 1);
	}
	for (f = 0; f < GC_RF_COUNT; f++) {
		if (o->map[f] != NULL) {
			continue;
		}
		for (i = 0; hdr_names[f][i] != NULL; i++) {
			const char *n = hdr_names[f][i];

			if (strlen(n) != h.n) {
				continue;
			}
			if (is_ascii(n) ? strncasecmp(n, h.p, h.n) == 0
			                : memcmp(n, h.p, h.n) == 0) {
				return f;
			}
		}
	}
	return -1;
}

/* "身份证号, 证件号码, ... or ZJHM" (or the configured name). */
static void
hdr_wanted(char *buf, size_t cap, enum gc_roster_field f,
    const struct gc_roster_opts *o)
{
	size_t n = 0;
	int    i;

	buf[0] = '\0';
	if (o->map[f] != NULL) {
		snprintf(buf, cap, "\"%s\" (configured)", o->map[f]);
		return;
	}
	for (i = 0; hdr_names[f][i] != NULL && n < cap; i++) {
		n += (size_t)snprintf(buf + n, cap - n, "%s%s",
		    i == 0 ? "" : hdr_names[f][i + 1] == NULL ? " or " : ", ",
		    hdr_names[f][i]);
	}
}

/* Maps row r's cells; returns how many fields were recognised. */
static int
hdr_map(const struct gc_table_row *row, const struct gc_roster_opts *o,
    int col[GC_RF_COUNT], size_t *nunknown)
{
	struct span h;
	int         f, found = 0;

	for (f = 0; f < GC_RF_COUNT; f++) {
		col[f] = -1;
	}
	*nunknown = 0;
	for (uint32_t c = 0; c < row->ncells; c++) {
		h = trim(row->cells[c]);
		if (h.n == 0) {
			continue;
		}
		f = hdr_field(h, o);
		if (f < 0) {
			(*nunknown)++;
		} else if (col[f] < 0) {
			col[f] = (int)c;
			found++;
		}
	}
	return found;
}

static gc_err
hdr_find(struct gc_roster *r, const struct gc_table *t,
    const struct gc_roster_opts *o, size_t *first, struct gc_diag *d)
{
	int    col[GC_RF_COUNT];
	size_t nunk, i, lim = t->nrows < HDR_SEARCH_ROWS ? t->nrows
	                                                  : HDR_SEARCH_ROWS;
	long   half = -1;
	bool   half_name = false;
	char   want[160];

	for (i = 0; i < lim; i++) {
		hdr_map(&t->rows[i], o, col, &nunk);
		if (col[GC_RF_NAME] >= 0 && col[GC_RF_ID_NUMBER] >= 0) {
			memcpy(r->col, col, sizeof(col));
			r->nunknown    = nunk;
			r->header_line = t->rows[i].line;
			*first         = i + 1;
			return GC_OK;
		}
		if (half < 0 && (col[GC_RF_NAME] >= 0 ||
		    col[GC_RF_ID_NUMBER] >= 0)) {
			half      = (long)i;
			half_name = col[GC_RF_NAME] >= 0;
		}
	}
	if (half >= 0) {
		enum gc_roster_field miss = half_name ? GC_RF_ID_NUMBER
		                                      : GC_RF_NAME;

		hdr_wanted(want, sizeof(want), miss, o);
		gc_diag_set(d, "row %" PRIu32 " looks like the header (it has "
		    "a %s column) but has no %s column; looked for %s",
		    t->rows[half].line, field_labels[half_name ? GC_RF_NAME
		    : GC_RF_ID_NUMBER], field_labels[miss], want);
	} else {
		gc_diag_set(d, "no header row with 姓名 and 证件号码 columns "
		    "found in the first %d rows", HDR_SEARCH_ROWS);
	}
	return GC_EINVAL;
}

/* ---- duplicate detection: open addressing over row indices ---- */

enum { DUP_KEY, DUP_STUDENT_NO, DUP_EXAM_NO, DUP_COUNT };

struct dupmap {
	uint32_t *slot; /* row index + 1; 0 = empty */
	size_t    cap;  /* power of two */
	size_t    n;
};

static const char *
dup_key(const struct gc_roster *r, int kind, uint32_t i)
{
	switch (kind) {
	case DUP_KEY:
		return r->rows[i].key;
	case DUP_STUDENT_NO:
		return r->rows[i].f[GC_RF_STUDENT_NO];
	default:
		return r->rows[i].f[GC_RF_EXAM_NO];
	}
}

static uint64_t
dup_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	}
	return h;
}

/* The row index holding key v, or -1. */
static long
dup_find(const struct dupmap *m, const struct gc_roster *r, int kind,
    struct span v)
{
	size_t      i;
	const char *k;

	if (m->cap == 0) {
		return -1;
	}
	i = (size_t)dup_hash(v.p, v.n) & (m->cap - 1);
	while (m->slot[i] != 0) {
		k = dup_key(r, kind, m->slot[i] - 1);
		if (k != NULL && span_eq(v, k)) {
			return (long)(m->slot[i] - 1);
		}
		i = (i + 1) & (m->cap - 1);
	}
	return -1;
}

static void
dup_put(struct dupmap *m, const struct gc_roster *r, int kind, uint32_t row)
{
	const char *k = dup_key(r, kind, row);
	size_t      i = (size_t)dup_hash(k, strlen(k)) & (m->cap - 1);

	while (m->slot[i] != 0) {
		i = (i + 1) & (m->cap - 1);
	}
	m->slot[i] = row + 1;
	m->n++;
}

/* Room for one more entry at a load factor of at most 1/2. */
static gc_err
dup_reserve(struct dupmap *m, const struct gc_roster *r, int kind)
{
	struct dupmap nm;

	if ((m->n + 1) * 2 <= m->cap) {
		return GC_OK;
	}
	nm.cap  = m->cap ? m->cap * 2 : 64;
	nm.n    = 0;
	nm.slot = gc_calloc(nm.cap, sizeof(*nm.slot));
	if (nm.slot == NULL) {
		return GC_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slot[i] != 0) {
			dup_put(&nm, r, kind, m->slot[i] - 1);
		}
	}
	gc_free(m->slot);
	*m = nm;
	return GC_OK;
}

/* ---- row checks ---- */

struct rctx {
	struct gc_roster            *r;
	const struct gc_table       *t;
	const struct gc_roster_opts *o;
	const struct gc_table_row   *hdr;
	size_t                       rows_cap, rej_cap;
	struct dupmap                dup[DUP_COUNT];
};

/* The trimmed cell of field f in row, empty when absent. */
static struct span
cell(const struct rctx *cx, const struct gc_table_row *row,
    enum gc_roster_field f)
{
	int         c = cx->r->col[f];
	struct span none = { "", 0 };

	if (c < 0 || (uint32_t)c >= row->ncells) {
		return none;
	}
	return trim(row->cells[c]);
}

static const char *
raw_cell(const struct rctx *cx, const struct gc_table_row *row,
    enum gc_roster_field f)
{
	int c = cx->r->col[f];

	if (c < 0 || (uint32_t)c >= row->ncells) {
		return "";
	}
	return row->cells[c];
}

static gc_err reject(struct rctx *cx, uint32_t line, enum gc_roster_field f,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records a rejected row: the column as its header is written (or the
 * field's label when absent) and the reason. */
static gc_err
reject(struct rctx *cx, uint32_t line, enum gc_roster_field f,
    const char *fmt, ...)
{
	struct gc_roster        *r = cx->r;
	struct gc_roster_reject *rj, *p;
	struct span              h = { "", 0 };
	size_t                   ncap, n;
	va_list                  ap;

	if (r->nrejects == cx->rej_cap) {
		ncap = cx->rej_cap ? cx->rej_cap * 2 : 16;
		p    = gc_realloc(r->rejects, ncap * sizeof(*p));
		if (p == NULL) {
			return GC_ENOMEM;
		}
		r->rejects  = p;
		cx->rej_cap = ncap;
	}
	rj = &r->rejects[r->nrejects++];
	memset(rj, 0, sizeof(*rj));
	rj->line = line;
	if (r->col[f] >= 0 && (uint32_t)r->col[f] < cx->hdr->ncells) {
		h = trim(cx->hdr->cells[r->col[f]]);
	}
	if (h.n == 0) {
		h.p = field_labels[f];
		h.n = strlen(h.p);
	}
	n = h.n < sizeof(rj->column) ? h.n : sizeof(rj->column) - 1;
	while (n > 0 && n < h.n && ((unsigned char)h.p[n] & 0xC0) == 0x80) {
		n--;
	}
	memcpy(rj->column, h.p, n);
	rj->column[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(rj->reason, sizeof(rj->reason), fmt, ap);
	va_end(ap);
	return GC_OK;
}

/* 姓名 hygiene: length, control characters, spaces inside Chinese names. */
static bool
name_ok(struct span n, char *why, size_t cap)
{
	size_t   i = 0, chars = 0, k;
	uint32_t cp;
	bool     cjk = false, space = false;
	char     v[SHOW_BYTES + 8];

	while (i < n.n) {
		k = utf8_next(n.p + i, n.n - i, &cp);
		if (cp < 0x20 || cp == 0x7F) {
			snprintf(why, cap, "姓名 \"%s\" contains a control "
			    "character or line break", show(v, sizeof(v), n));
			return false;
		}
		if ((cp >= 0x3400 && cp <= 0x9FFF) ||
		    (cp >= 0xF900 && cp <= 0xFAFF) ||
		    (cp >= 0x20000 && cp <= 0x3FFFF)) {
			cjk = true;
		}
		if (cp == ' ' || cp == 0x3000 || cp == 0xA0) {
			space = true;
		}
		chars++;
		i += k;
	}
	if (chars > NAME_MAX_CHARS) {
		snprintf(why, cap, "姓名 \"%s\" is %zu characters long, at most "
		    "%d", show(v, sizeof(v), n), chars, NAME_MAX_CHARS);
		return false;
	}
	if (cjk && space) {
		snprintf(why, cap, "姓名 \"%s\" has a space inside; Chinese "
		    "names are written without spaces", show(v, sizeof(v), n));
		return false;
	}
	return true;
}

/* "1.10105E+17", "1.1010519491231e+17": a number in scientific notation. */
static bool
looks_sci(struct span s)
{
	size_t i = 0, d = 0;

	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
		i++;
		d++;
	}
	if (i < s.n && s.p[i] == '.') {
		i++;
		while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
			i++;
			d++;
		}
	}
	if (d == 0 || i >= s.n || (s.p[i] != 'e' && s.p[i] != 'E')) {
		return false;
	}
	i++;
	if (i < s.n && s.p[i] == '+') {
		i++;
	}
	if (i >= s.n) {
		return false;
	}
	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
		i++;
	}
	return i == s.n;
}

/* "340524800101001.0": digits then ".0…". */
static bool
looks_point_zero(struct span s)
{
	size_t i = 0;

	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
		i++;
	}
	if (i == 0 || i + 1 >= s.n || s.p[i] != '.') {
		return false;
	}
	for (i++; i < s.n; i++) {
		if (s.p[i] != '0') {
			return false;
		}
	}
	return true;
}

static bool
all_digits(struct span s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (s.p[i] < '0' || s.p[i] > '9') {
			return false;
		}
	}
	return true;
}

/* 18 or 15 digits (the 18th may be X): a resident ID by shape. */
static bool
resident_shape(struct span s)
{
	if (s.n == 15) {
		return all_digits(s, 0, 15);
	}
	return s.n == 18 && all_digits(s, 0, 17) &&
	    ((s.p[17] >= '0' && s.p[17] <= '9') || s.p[17] == 'X' ||
	    s.p[17] == 'x');
}

/* 'M', 'F', or 0 when not a sex. */
static char
sex_parse(struct span s)
{
	static const char *const m[] = { "男", "男性", "M", "m", "1" };
	static const char *const f[] = { "女", "女性", "F", "f", "2" };

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (span_eq(s, m[i])) {
			return 'M';
		}
		if (span_eq(s, f[i])) {
			return 'F';
		}
	}
	return 0;
}

static const char *
sex_label(char s)
{
	return s == 'M' ? "男" : "女";
}

const char *
gc_roster_sex_zh(const char *v)
{
	return strcmp(v, "M") == 0 || strcmp(v, "F") == 0 ? sex_label(v[0]) :
	    v;
}

/* Reads 1..max digits at s.p[*i]. */
static bool
num_at(struct span s, size_t *i, size_t min, size_t max, int *out)
{
	size_t n = 0;
	int    v = 0;

	while (*i < s.n && n < max && s.p[*i] >= '0' && s.p[*i] <= '9') {
		v = v * 10 + (s.p[*i] - '0');
		(*i)++;
		n++;
	}
	*out = v;
	return n >= min && (*i >= s.n || s.p[*i] < '0' || s.p[*i] > '9');
}

static bool
lit_at(struct span s, size_t *i, const char *lit)
{
	size_t n = strlen(lit);

	if (s.n - *i < n || memcmp(s.p + *i, lit, n) != 0) {
		return false;
	}
	*i += n;
	return true;
}

static bool
calendar_ok(int y, int m, int d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool             leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1) {
		return false;
	}
	return d <= days[m - 1] + (m == 2 && leap);
}

/* 出生日期 in YYYYMMDD, YYYY-M-D, YYYY/M/D, YYYY.M.D or YYYY年M月D日 (a
 * trailing " 00:00:00" from a spreadsheet is ignored) → "YYYY-MM-DD". */
static bool
date_parse(struct span s, char out[11])
{
	static const char *const seps[] = { "-", "/", "." };
	size_t                   i = 0;
	int                      y, m, d;
	bool                     ok = false;
	char                     tmp[40];

	if (s.n == 8 && all_digits(s, 0, 8)) {
		y  = (s.p[0] - '0') * 1000 + (s.p[1] - '0') * 100 +
		    (s.p[2] - '0') * 10 + (s.p[3] - '0');
		m  = (s.p[4] - '0') * 10 + (s.p[5] - '0');
		d  = (s.p[6] - '0') * 10 + (s.p[7] - '0');
		ok = true;
		i  = 8;
	} else if (num_at(s, &i, 4, 4, &y)) {
		size_t at = i;

		if (lit_at(s, &i, "年") && num_at(s, &i, 1, 2, &m) &&
		    lit_at(s, &i, "月") && num_at(s, &i, 1, 2, &d)) {
			ok = true;
			lit_at(s, &i, "日");
		}
		for (size_t k = 0; !ok && k < 3; k++) {
			i = at;
			ok = lit_at(s, &i, seps[k]) && num_at(s, &i, 1, 2, &m) &&
			    lit_at(s, &i, seps[k]) && num_at(s, &i, 1, 2, &d);
		}
	}
	if (!ok) {
		return false;
	}
	if (i < s.n) {
		/* a time of day after the date */
		if (s.p[i] != ' ' && s.p[i] != 'T') {
			return false;
		}
		for (i++; i < s.n; i++) {
			if ((s.p[i] < '0' || s.p[i] > '9') && s.p[i] != ':') {
				return false;
			}
		}
	}
	if (!calendar_ok(y, m, d)) {
		return false;
	}
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 11);
	return true;
}

/* An e-mail address as SMTP takes it: one '@' with text on both sides,
 * a dot in the domain, printable ASCII without spaces, quotes, commas or
 * angle brackets (the value goes into RCPT TO and a To: header). */
bool
gc_roster_email_ok(const char *p, size_t n)
{
	struct span e = { p, n };
	size_t at = 0, nat = 0;
	bool   dot = false;

	for (size_t i = 0; i < e.n; i++) {
		unsigned char ch = (unsigned char)e.p[i];

		if (ch <= ' ' || ch >= 0x7f || strchr("\"(),:;<>[]\\", ch)) {
			return false;
		}
		if (ch == '@') {
			at = i;
			nat++;
		} else if (ch == '.' && nat == 1 && i > at + 1) {
			dot = true;
		}
	}
	return nat == 1 && at > 0 && at + 1 < e.n && dot &&
	    e.p[e.n - 1] != '.';
}

static void
student_release(struct gc_student *st)
{
	for (int f = 0; f < GC_RF_COUNT; f++) {
		gc_free(st->f[f]);
		st->f[f] = NULL;
	}
}

static char *
span_dup(struct span s)
{
	return gc_strndup(s.p, s.n);
}

/* Copies the accepted row's strings; GC_ENOMEM leaves nothing behind. */
static gc_err
student_fill(struct rctx *cx, const struct gc_table_row *row,
    struct gc_student *st, struct span name, const struct gc_idnum *idn,
    char sex, const char *birth, struct span level)
{
	static const enum gc_roster_field plain[] = { GC_RF_STUDENT_NO,
		GC_RF_EXAM_NO, GC_RF_DEPT, GC_RF_MAJOR, GC_RF_CLASS,
		GC_RF_CAMPUS, GC_RF_EMAIL };
	char  tc[2] = { idn->type_code, '\0' };
	bool  ok;

	st->f[GC_RF_NAME]      = span_dup(name);
	st->f[GC_RF_ID_NUMBER] = gc_strdup(idn->normalized);
	st->f[GC_RF_ID_TYPE]   = gc_strdup(tc);
	st->f[GC_RF_LEVEL]     = span_dup(level);
	ok = st->f[GC_RF_NAME] != NULL && st->f[GC_RF_ID_NUMBER] != NULL &&
	    st->f[GC_RF_ID_TYPE] != NULL && st->f[GC_RF_LEVEL] != NULL;
	if (ok && sex != 0) {
		st->f[GC_RF_SEX] = gc_strdup(sex == 'M' ? "M" : "F");
		ok               = st->f[GC_RF_SEX] != NULL;
	}
	if (ok && birth != NULL && birth[0] != '\0') {
		st->f[GC_RF_BIRTH] = gc_strdup(birth);
		ok                 = st->f[GC_RF_BIRTH] != NULL;
	}
	for (size_t i = 0; ok && i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct span v = cell(cx, row, plain[i]);

		if (v.n > 0) {
			st->f[plain[i]] = span_dup(v);
			ok              = st->f[plain[i]] != NULL;
		}
	}
	if (!ok) {
		student_release(st);
		return GC_ENOMEM;
	}
	return GC_OK;
}

/* Checks one data row: accepted into r->rows or recorded in r->rejects.
 * Only GC_ENOMEM fails. */
static gc_err
row_check(struct rctx *cx, const struct gc_table_row *row)
{
	const struct gc_roster_opts *o = cx->o;
	struct gc_roster            *r = cx->r;
	uint32_t                     line = row->line;
	struct gc_idnum              idn;
	struct gc_student           *st;
	struct span                  name, id, ty, sx, bd, lv, sn, en, em;
	char                         why[256], v[SHOW_BYTES + 8];
	char                         birth[11] = "", key[sizeof(st->key)];
	const char                  *lc, *hint;
	char                         code = 0, sex = 0;
	long                         dup;
	size_t                       ncap;
	gc_err                       rv;

	/* Every stored field fits the ledger's row format and its lookup
	 * index; a longer cell is named here rather than failing the whole
	 * import later. */
	for (int f = 0; f < GC_RF_COUNT; f++) {
		struct span c = cell(cx, row, (enum gc_roster_field)f);

		if (c.n > GC_ROSTER_FIELD_MAX) {
			return reject(cx, line, (enum gc_roster_field)f, "%s is "
			    "%zu bytes long; at most %d", field_labels[f], c.n,
			    GC_ROSTER_FIELD_MAX);
		}
	}
	name = cell(cx, row, GC_RF_NAME);
	if (name.n == 0) {
		return reject(cx, line, GC_RF_NAME, "姓名 is empty");
	}
	if (!name_ok(name, why, sizeof(why))) {
		return reject(cx, line, GC_RF_NAME, "%s", why);
	}
	ty = cell(cx, row, GC_RF_ID_TYPE);
	if (ty.n > 0) {
		code = gc_idnum_type_parse(raw_cell(cx, row, GC_RF_ID_TYPE));
		if (code == 0) {
			return reject(cx, line, GC_RF_ID_TYPE, "unknown 证件类型 "
			    "\"%s\"", show(v, sizeof(v), ty));
		}
	}
	id = cell(cx, row, GC_RF_ID_NUMBER);
	if (id.n == 0) {
		return reject(cx, line, GC_RF_ID_NUMBER, "证件号码 is empty");
	}
	if (looks_sci(id)) {
		return reject(cx, line, GC_RF_ID_NUMBER, "\"%s\": ID number was "
		    "stored as a number by Excel and lost its last digits; "
		    "format the column as text and re-enter the numbers",
		    show(v, sizeof(v), id));
	}
	if (looks_point_zero(id)) {
		return reject(cx, line, GC_RF_ID_NUMBER, "\"%s\": ID number was "
		    "stored as a number (it ends in \".0\"); format the column "
		    "as text", show(v, sizeof(v), id));
	}
	if (code == 0 && resident_shape(id)) {
		code = '1';
	}
	if (gc_idnum_check(&idn, raw_cell(cx, row, GC_RF_ID_NUMBER), code,
	    o->today) != GC_OK) {
		hint = id.n == 18 && all_digits(id, 15, 18) &&
		    memcmp(id.p + 15, "000", 3) == 0 ? "; if Excel stored it as "
		    "a number, its last digits were lost (format the column as "
		    "text)" : "";
		return reject(cx, line, GC_RF_ID_NUMBER, "\"%s\": %s%s",
		    show(v, sizeof(v), id), idn.reason, hint);
	}
	sx = cell(cx, row, GC_RF_SEX);
	if (sx.n > 0) {
		sex = sex_parse(sx);
		if (sex == 0) {
			return reject(cx, line, GC_RF_SEX, "性别 \"%s\" is not "
			    "男 or 女 (or M/F, 1/2)", show(v, sizeof(v), sx));
		}
		if (idn.sex != 0 && idn.sex != sex) {
			return reject(cx, line, GC_RF_SEX, "性别 is %s but ID "
			    "digit %d says %s", sex_label(sex),
			    idn.kind == GC_ID_RESIDENT15 ? 15 : 17,
			    sex_label(idn.sex));
		}
	} else {
		sex = idn.sex;
	}
	bd = cell(cx, row, GC_RF_BIRTH);
	if (bd.n > 0) {
		if (!date_parse(bd, birth)) {
			return reject(cx, line, GC_RF_BIRTH, "出生日期 \"%s\" is "
			    "not a date (expected YYYYMMDD, YYYY-MM-DD, "
			    "YYYY/M/D or YYYY年M月D日)%s", show(v, sizeof(v), bd),
			    bd.n == 5 && all_digits(bd, 0, 5) ? "; it looks "
			    "like an Excel day number: format the column as "
			    "text or as a date" : "");
		}
		if (idn.birth[0] != '\0' && strcmp(birth, idn.birth) != 0) {
			return reject(cx, line, GC_RF_BIRTH, "出生日期 is %s but "
			    "the ID number says %s", birth, idn.birth);
		}
	}
	if (idn.birth[0] != '\0') {
		memcpy(birth, idn.birth, sizeof(birth));
	}
	lv = cell(cx, row, GC_RF_LEVEL);
	if (lv.n > 0) {
		lc = gc_level_code(raw_cell(cx, row, GC_RF_LEVEL));
		if (lc == NULL) {
			return reject(cx, line, GC_RF_LEVEL, "unknown 层次 \"%s\" "
			    "(expected 博士研究生, 硕士研究生, 第二学士学位, 本科, "
			    "专科 or a code 01, 02, 04, 05, 06)",
			    show(v, sizeof(v), lv));
		}
	} else if (o->default_level != NULL) {
		lc = gc_level_code(o->default_level);
		lv = trim(o->default_level);
	} else {
		return reject(cx, line, GC_RF_LEVEL, "层次 is empty and no "
		    "default level is configured");
	}
	snprintf(key, sizeof(key), "%s:%c:%s:%s", o->school_code,
	    idn.type_code != 0 ? idn.type_code : 'Z', idn.normalized, lc);
	dup = dup_find(&cx->dup[DUP_KEY], r, DUP_KEY,
	    (struct span){ key, strlen(key) });
	if (dup >= 0) {
		return reject(cx, line, GC_RF_ID_NUMBER, "duplicate of row "
		    "%" PRIu32 " (same 证件号码 %s and 层次 %s)",
		    r->rows[dup].line, idn.normalized, lc);
	}
	sn = cell(cx, row, GC_RF_STUDENT_NO);
	dup = sn.n > 0 ? dup_find(&cx->dup[DUP_STUDENT_NO], r,
	    DUP_STUDENT_NO, sn) : -1;
	if (dup >= 0) {
		return reject(cx, line, GC_RF_STUDENT_NO, "duplicate of row "
		    "%" PRIu32 " (same 学号 \"%s\")", r->rows[dup].line,
		    show(v, sizeof(v), sn));
	}
	en = cell(cx, row, GC_RF_EXAM_NO);
	dup = en.n > 0 ? dup_find(&cx->dup[DUP_EXAM_NO], r, DUP_EXAM_NO, en)
	               : -1;
	if (dup >= 0) {
		return reject(cx, line, GC_RF_EXAM_NO, "duplicate of row "
		    "%" PRIu32 " (same 考生号 \"%s\")", r->rows[dup].line,
		    show(v, sizeof(v), en));
	}
	em = cell(cx, row, GC_RF_EMAIL);
	if (em.n > 0 && !gc_roster_email_ok(em.p, em.n)) {
		return reject(cx, line, GC_RF_EMAIL, "邮箱 \"%s\" is not an "
		    "e-mail address (one NAME@DOMAIN, no spaces)",
		    show(v, sizeof(v), em));
	}

	/* accepted */
	for (int k = 0; k < DUP_COUNT; k++) {
		if (dup_reserve(&cx->dup[k], r, k) != GC_OK) {
			return GC_ENOMEM;
		}
	}
	if (r->nrows == cx->rows_cap) {
		ncap = cx->rows_cap ? cx->rows_cap * 2 : 64;
		st   = gc_realloc(r->rows, ncap * sizeof(*st));
		if (st == NULL) {
			return GC_ENOMEM;
		}
		r->rows      = st;
		cx->rows_cap = ncap;
	}
	st = &r->rows[r->nrows];
	memset(st, 0, sizeof(*st));
	st->line = line;
	memcpy(st->level_code, lc, 3);
	memcpy(st->upgraded, idn.upgraded, sizeof(st->upgraded));
	memcpy(st->key, key, sizeof(st->key));
	rv = student_fill(cx, row, st, name, &idn, sex, birth, lv);
	if (rv != GC_OK) {
		return rv;
	}
	r->nrows++;
	dup_put(&cx->dup[DUP_KEY], r, DUP_KEY, (uint32_t)(r->nrows - 1));
	if (st->f[GC_RF_STUDENT_NO] != NULL) {
		dup_put(&cx->dup[DUP_STUDENT_NO], r, DUP_STUDENT_NO,
		    (uint32_t)(r->nrows - 1));
	}
	if (st->f[GC_RF_EXAM_NO] != NULL) {
		dup_put(&cx->dup[DUP_EXAM_NO], r, DUP_EXAM_NO,
		    (uint32_t)(r->nrows - 1));
	}
	return GC_OK;
}

static bool
row_blank(const struct gc_table_row *row)
{
	for (uint32_t c = 0; c < row->ncells; c++) {
		if (trim(row->cells[c]).n > 0) {
			return false;
		}
	}
	return true;
}

static gc_err
opts_check(const struct gc_roster_opts *o, struct gc_diag *d)
{
	const char *s;

	if (o == NULL || o->school_code == NULL) {
		gc_diag_set(d, "no school code configured");
		return GC_EINVAL;
	}
	s = o->school_code;
	if (strlen(s) != 5 || strspn(s, "0123456789") != 5) {
		gc_diag_set(d, "school code \"%.16s\" is not 5 digits", s);
		return GC_EINVAL;
	}
	if (o->default_level != NULL &&
	    gc_level_code(o->default_level) == NULL) {
		gc_diag_set(d, "default level \"%.40s\" is not a known 层次 "
		    "(博士研究生, 硕士研究生, 第二学士学位, 本科, 专科 or "
		    "01, 02, 04, 05, 06)", o->default_level);
		return GC_EINVAL;
	}
	return GC_OK;
}

gc_err
gc_roster_from_table(struct gc_roster **out, const struct gc_table *t,
    const struct gc_roster_opts *o, struct gc_diag *d)
{
	struct rctx cx;
	size_t      first = 0;
	gc_err      rv;

	*out = NULL;
	if (t == NULL) {
		return GC_EINVAL;
	}
	rv = opts_check(o, d);
	if (rv != GC_OK) {
		return rv;
	}
	memset(&cx, 0, sizeof(cx));
	cx.t = t;
	cx.o = o;
	cx.r = gc_calloc(1, sizeof(*cx.r));
	if (cx.r == NULL) {
		return GC_ENOMEM;
	}
	rv = hdr_find(cx.r, t, o, &first, d);
	if (rv == GC_OK && cx.r->col[GC_RF_LEVEL] < 0 &&
	    o->default_level == NULL) {
		char want[160];

		hdr_wanted(want, sizeof(want), GC_RF_LEVEL, o);
		gc_diag_set(d, "no 层次 column and no default level configured "
		    "(looked for %s)", want);
		rv = GC_EINVAL;
	}
	if (rv == GC_OK) {
		cx.hdr = &t->rows[first - 1];
	}
	for (size_t i = first; rv == GC_OK && i < t->nrows; i++) {
		if (!row_blank(&t->rows[i])) {
			rv = row_check(&cx, &t->rows[i]);
		}
	}
	for (int k = 0; k < DUP_COUNT; k++) {
		gc_free(cx.dup[k].slot);
	}
	if (rv != GC_OK) {
		gc_roster_free(cx.r);
		return rv;
	}
	*out = cx.r;
	return GC_OK;
}

void
gc_roster_free(struct gc_roster *r)
{
	if (r == NULL) {
		return;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		student_release(&r->rows[i]);
	}
	gc_free(r->rows);
	gc_free(r->rejects);
	gc_free(r);
}
