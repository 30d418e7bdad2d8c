/* table_xlsx: the first worksheet of an .xlsx (Office Open XML) through
 * libzip and expat. Parts are streamed through the parser in chunks and
 * capped, so a zip bomb stops at the cap instead of filling memory. expat
 * allocates through gc_alloc, so allocation-failure tests reach it. */
#include "common/table_int.h"

#include <expat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "common/buf.h"
#include "common/gc_alloc.h"

#define XLSX_MAX_PART    ((uint64_t)512 << 20) /* uncompressed bytes */
#define XLSX_MAX_STRINGS (1u << 22)            /* shared strings */
#define XLSX_MAX_XF      65536                 /* cell styles */
#define XLSX_MAX_NUMFMT  1024                  /* custom number formats */
#define XLSX_CHUNK       65536
#define XLSX_PATH        512

/* Excel's serial 2958465 is 9999-12-31. */
#define XLSX_MAX_SERIAL 2958466.0

enum xlsx_part { XP_ROOTRELS, XP_WORKBOOK, XP_RELS, XP_SST, XP_STYLES,
	XP_SHEET };

struct xlsx {
	zip_t          *z;
	const char     *name;
	struct gc_diag *d;
	char            wb_part[XLSX_PATH];  /* "xl/workbook.xml" */
	char            wb_dir[XLSX_PATH];   /* "xl/" */
	char            rid[128];            /* r:id of the first sheet */
	bool            have_rid;
	bool            date1904;
	char            sheet_part[XLSX_PATH];
	char            sst_part[XLSX_PATH];
	char            styles_part[XLSX_PATH];
	struct gc_buf   sst;                 /* strings, NUL-terminated */
	uint32_t       *sst_off;
	size_t          nsst, sst_cap;
	uint16_t       *datefmt;             /* custom numFmtIds of dates */
	size_t          ndatefmt;
	uint8_t        *xf_date;             /* per cellXfs index: a date? */
	size_t          nxf, xf_cap;
};

/* The state of one part's parse. */
struct xp {
	XML_Parser     p;
	struct xlsx   *x;
	enum xlsx_part kind;
	const char    *part;
	gc_err         err;       /* set by a handler that stopped the parse */
	struct gc_buf  text;      /* character data being collected */
	int            in_si, in_t, in_rph, in_v, in_is, in_c, in_row, in_sd;
	int            in_cellxfs;
	/* sheet */
	struct gc__tb *b;
	uint32_t       row, prev_row, col, next_col;
	char           ctype[16];
	long           style;
};

static const XML_Memory_Handling_Suite xlsx_mm = {
	.malloc_fcn  = gc_alloc,
	.realloc_fcn = gc_realloc,
	.free_fcn    = gc_free,
};

/* ---- helpers ---- */

static const char *
xl_local(const char *n)
{
	const char *c = strrchr(n, ':');

	return c != NULL ? c + 1 : n;
}

/* The value of attribute `name` (no prefix), or NULL. */
static const char *
xl_attr(const XML_Char **a, const char *name)
{
	for (size_t i = 0; a[i] != NULL; i += 2) {
		if (strcmp(a[i], name) == 0) {
			return a[i + 1];
		}
	}
	return NULL;
}

/* The value of a prefixed attribute with this local name ("r:id"). */
static const char *
xl_attr_ns(const XML_Char **a, const char *local)
{
	for (size_t i = 0; a[i] != NULL; i += 2) {
		if (strchr(a[i], ':') != NULL &&
		    strcmp(xl_local(a[i]), local) == 0) {
			return a[i + 1];
		}
	}
	return NULL;
}

/* Stops the parse with rv; d already says why (or is set here). */
static void
xp_stop(struct xp *s, gc_err rv)
{
	if (s->err == GC_OK) {
		s->err = rv;
	}
	XML_StopParser(s->p, XML_FALSE);
}

static void
xp_collect(struct xp *s, const char *p, size_t n)
{
	/* keep one byte past the limit so a long cell is reported */
	if (s->text.len > GC_TABLE_MAX_CELL) {
		return;
	}
	if (n > GC_TABLE_MAX_CELL + 1 - s->text.len) {
		n = GC_TABLE_MAX_CELL + 1 - s->text.len;
	}
	gc_buf_put(&s->text, p, n);
}

/* Resolves a relationship target against dir into out; false if it
 * cannot be represented (too long, or climbing with ".."). */
static bool
xl_resolve(char *out, size_t cap, const char *dir, const char *target)
{
	int n;

	if (target == NULL || target[0] == '\0' ||
	    strstr(target, "..") != NULL) {
		return false;
	}
	while (target[0] == '.' && target[1] == '/') {
		target += 2;
	}
	if (target[0] == '/') {
		n = snprintf(out, cap, "%s", target + 1);
	} else {
		n = snprintf(out, cap, "%s%s", dir, target);
	}
	return n > 0 && (size_t)n < cap;
}

/* "foo/bar.xml" → "foo/" ; "bar.xml" → "". */
static void
xl_dirname(char *out, size_t cap, const char *part)
{
	const char *s = strrchr(part, '/');
	size_t      n = s != NULL ? (size_t)(s - part) + 1 : 0;

	if (n >= cap) {
		n = 0;
	}
	memcpy(out, part, n);
	out[n] = '\0';
}

static bool
xl_has(struct xlsx *x, const char *part)
{
	return part[0] != '\0' && zip_name_locate(x->z, part, 0) >= 0;
}

/* Built-in date formats: 14–17 and 22 (m/d/yy h:mm), and the East Asian
 * date formats 27–36 and 50–58 that Chinese Excel writes. 18–21 and 45–47
 * are times of day and stay numbers. */
static bool
xl_builtin_date(unsigned long id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	    (id >= 50 && id <= 58);
}

/* A custom format code shows a date if it has y or d outside quoted text,
 * [brackets] and escapes ("yyyy\"年\"m\"月\"d\"日\"", "yyyy/m/d"). */
static bool
xl_code_is_date(const char *c)
{
	for (; *c != '\0'; c++) {
		if (*c == '"') {
			c = strchr(c + 1, '"');
			if (c == NULL) {
				return false;
			}
		} else if (*c == '[') {
			c = strchr(c + 1, ']');
			if (c == NULL) {
				return false;
			}
		} else if (*c == '\\' || *c == '_' || *c == '*') {
			if (c[1] == '\0') {
				return false;
			}
			c++;
		} else if (*c == 'y' || *c == 'Y' || *c == 'd' || *c == 'D') {
			return true;
		}
	}
	return false;
}

static bool
xl_style_is_date(const struct xlsx *x, long style)
{
	return style >= 0 && (size_t)style < x->nxf && x->xf_date[style];
}

/* Excel serial day → YYYY-MM-DD (1900 system with its phantom
 * 1900-02-29, or the 1904 system). */
static void
xl_serial_date(char *buf, size_t cap, double v, bool d1904)
{
	long days = (long)v; /* v >= 0: truncation is floor */
	long z, era, doe, yoe, y, doy, mp, dd, mm;

	if (d1904) {
		days += 1462;
	} else if (days < 61) {
		days += 1; /* before the phantom leap day */
	}
	/* days since 1899-12-30 → days since 1970-01-01, then H. Hinnant's
	 * civil_from_days */
	z   = days - 25569 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y   = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp  = (5 * doy + 2) / 153;
	dd  = doy - (153 * mp + 2) / 5 + 1;
	mm  = mp < 10 ? mp + 3 : mp - 9;
	if (mm <= 2) {
		y++;
	}
	/* v < XLSX_MAX_SERIAL keeps y in 1900..9999; the moduli tell the
	 * compiler the width */
	snprintf(buf, cap, "%04u-%02u-%02u", (unsigned)(y % 10000),
	    (unsigned)(mm % 100), (unsigned)(dd % 100));
}

/* ---- per-part handlers ---- */

static void
rootrels_start(struct xp *s, const char *el, const XML_Char **a)
{
	const char *type, *target;

	if (strcmp(el, "Relationship") != 0 || s->x->wb_part[0] != '\0') {
		return;
	}
	type   = xl_attr(a, "Type");
	target = xl_attr(a, "Target");
	if (type == NULL || strlen(type) < 15 ||
	    strcmp(type + strlen(type) - 15, "/officeDocument") != 0) {
		return;
	}
	if (!xl_resolve(s->x->wb_part, sizeof(s->x->wb_part), "", target)) {
		s->x->wb_part[0] = '\0';
	}
}

static void
workbook_start(struct xp *s, const char *el, const XML_Char **a)
{
	const char *v;

	if (strcmp(el, "sheet") == 0 && !s->x->have_rid) {
		v = xl_attr_ns(a, "id");
		if (v != NULL && strlen(v) < sizeof(s->x->rid)) {
			strcpy(s->x->rid, v);
			s->x->have_rid = true;
		}
	} else if (strcmp(el, "workbookPr") == 0) {
		v = xl_attr(a, "date1904");
		s->x->date1904 = v != NULL &&
		    (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	}
}

static bool
xl_type_is(const char *type, const char *what)
{
	const char *s;

	if (type == NULL) {
		return false;
	}
	s = strrchr(type, '/');
	return s != NULL && strcmp(s + 1, what) == 0;
}

static void
rels_start(struct xp *s, const char *el, const XML_Char **a)
{
	struct xlsx *x = s->x;
	const char  *id, *type, *target, *mode;

	if (strcmp(el, "Relationship") != 0) {
		return;
	}
	id     = xl_attr(a, "Id");
	type   = xl_attr(a, "Type");
	target = xl_attr(a, "Target");
	mode   = xl_attr(a, "TargetMode");
	if (mode != NULL && strcmp(mode, "External") == 0) {
		return;
	}
	if (x->have_rid && id != NULL && strcmp(id, x->rid) == 0 &&
	    xl_type_is(type, "worksheet")) {
		if (!xl_resolve(x->sheet_part, sizeof(x->sheet_part),
		    x->wb_dir, target)) {
			x->sheet_part[0] = '\0';
		}
	} else if (xl_type_is(type, "sharedStrings")) {
		if (!xl_resolve(x->sst_part, sizeof(x->sst_part), x->wb_dir,
		    target)) {
			x->sst_part[0] = '\0';
		}
	} else if (xl_type_is(type, "styles")) {
		if (!xl_resolve(x->styles_part, sizeof(x->styles_part),
		    x->wb_dir, target)) {
			x->styles_part[0] = '\0';
		}
	}
}

static void
sst_end_si(struct xp *s)
{
	struct xlsx *x = s->x;
	uint32_t    *p;
	size_t       ncap;

	if (gc_buf_status(&s->text) != GC_OK) {
		xp_stop(s, GC_ENOMEM);
		return;
	}
	if (x->nsst >= XLSX_MAX_STRINGS) {
		gc_diag_set(x->d, "%s: %s: more than %u shared strings",
		    x->name, s->part, XLSX_MAX_STRINGS);
		xp_stop(s, GC_ETOOBIG);
		return;
	}
	if (x->nsst == x->sst_cap) {
		ncap = x->sst_cap ? x->sst_cap * 2 : 256;
		p    = gc_realloc(x->sst_off, ncap * sizeof(*p));
		if (p == NULL) {
			xp_stop(s, GC_ENOMEM);
			return;
		}
		x->sst_off = p;
		x->sst_cap = ncap;
	}
	if (x->sst.len + s->text.len + 1 > XLSX_MAX_PART) {
		gc_diag_set(x->d, "%s: %s: more than %" PRIu64 " MiB of shared "
		    "strings", x->name, s->part, XLSX_MAX_PART >> 20);
		xp_stop(s, GC_ETOOBIG);
		return;
	}
	x->sst_off[x->nsst] = (uint32_t)x->sst.len;
	gc_buf_put(&x->sst, s->text.data, s->text.len);
	gc_buf_putc(&x->sst, '\0');
	if (gc_buf_status(&x->sst) != GC_OK) {
		xp_stop(s, GC_ENOMEM);
		return;
	}
	x->nsst++;
}

static void
styles_numfmt(struct xp *s, const XML_Char **a)
{
	struct xlsx *x    = s->x;
	const char  *id   = xl_attr(a, "numFmtId");
	const char  *code = xl_attr(a, "formatCode");
	uint16_t    *p;
	unsigned long v;
	char        *end;

	if (id == NULL || code == NULL || !xl_code_is_date(code) ||
	    x->ndatefmt >= XLSX_MAX_NUMFMT) {
		return;
	}
	v = strtoul(id, &end, 10);
	if (end == id || *end != '\0' || v > 0xFFFF) {
		return;
	}
	p = gc_realloc(x->datefmt, (x->ndatefmt + 1) * sizeof(*p));
	if (p == NULL) {
		xp_stop(s, GC_ENOMEM);
		return;
	}
	x->datefmt              = p;
	x->datefmt[x->ndatefmt++] = (uint16_t)v;
}

static void
styles_xf(struct xp *s, const XML_Char **a)
{
	struct xlsx  *x  = s->x;
	const char   *id = xl_attr(a, "numFmtId");
	unsigned long v  = 0;
	bool          date;
	uint8_t      *p;
	size_t        ncap;
	char         *end;

	if (x->nxf >= XLSX_MAX_XF) {
		return; /* later styles read as plain numbers */
	}
	if (id != NULL) {
		v = strtoul(id, &end, 10);
		if (end == id || *end != '\0') {
			v = 0;
		}
	}
	date = xl_builtin_date(v);
	for (size_t i = 0; i < x->ndatefmt && !date; i++) {
		date = x->datefmt[i] == v;
	}
	if (x->nxf == x->xf_cap) {
		ncap = x->xf_cap ? x->xf_cap * 2 : 64;
		p    = gc_realloc(x->xf_date, ncap);
		if (p == NULL) {
			xp_stop(s, GC_ENOMEM);
			return;
		}
		x->xf_date = p;
		x->xf_cap  = ncap;
	}
	x->xf_date[x->nxf++] = date;
}

/* "BC12" → column 54 (0-based), or false. */
static bool
xl_col(const char *r, uint32_t *col)
{
	uint32_t c = 0;
	size_t   n = 0;

	while ((r[n] >= 'A' && r[n] <= 'Z') || (r[n] >= 'a' && r[n] <= 'z')) {
		c = c * 26 + (uint32_t)((r[n] | 0x20) - 'a' + 1);
		if (++n > 3) {
			return false;
		}
	}
	if (n == 0) {
		return false;
	}
	*col = c - 1;
	return true;
}

static void
sheet_start_c(struct xp *s, const XML_Char **a)
{
	const char *r = xl_attr(a, "r");
	const char *t = xl_attr(a, "t");
	const char *st = xl_attr(a, "s");
	char       *end;

	if (r == NULL || !xl_col(r, &s->col)) {
		s->col = s->next_col;
	}
	s->ctype[0] = '\0';
	if (t != NULL && strlen(t) < sizeof(s->ctype)) {
		strcpy(s->ctype, t);
	}
	s->style = -1;
	if (st != NULL) {
		s->style = strtol(st, &end, 10);
		if (end == st || *end != '\0' || s->style < 0) {
			s->style = -1;
		}
	}
	gc_buf_reset(&s->text);
	s->in_c = 1;
}

static void
sheet_start_row(struct xp *s, const XML_Char **a)
{
	const char   *r = xl_attr(a, "r");
	unsigned long v = 0;
	char         *end;

	if (r != NULL) {
		v = strtoul(r, &end, 10);
		if (end == r || *end != '\0' || v == 0 || v > 1048576) {
			v = 0;
		}
	}
	s->row      = v != 0 ? (uint32_t)v : s->prev_row + 1;
	s->next_col = 0;
	s->in_row   = 1;
}

/* The text of the finished cell into the row. */
static void
sheet_end_c(struct xp *s)
{
	struct xlsx  *x = s->x;
	const char   *txt, *t = s->ctype;
	size_t        len;
	char          num[48], *end;
	unsigned long idx;
	double        v;
	gc_err        rv;

	s->in_c     = 0;
	s->next_col = s->col + 1;
	txt         = gc_buf_cstr(&s->text);
	len         = s->text.len;
	if (gc_buf_status(&s->text) != GC_OK) {
		xp_stop(s, GC_ENOMEM);
		return;
	}
	if (strcmp(t, "s") == 0) {
		if (len == 0) {
			return;
		}
		idx = strtoul(txt, &end, 10);
		if (end == txt || *end != '\0' || idx >= x->nsst) {
			gc_diag_set(x->d, "%s: %s: row %" PRIu32 ": shared "
			    "string \"%.20s\" does not exist (the workbook has "
			    "%zu)", x->name, s->part, s->row, txt, x->nsst);
			xp_stop(s, GC_EINVAL);
			return;
		}
		txt = (const char *)x->sst.data + x->sst_off[idx];
		len = strlen(txt);
	} else if (strcmp(t, "b") == 0) {
		if (strcmp(txt, "1") == 0) {
			txt = "TRUE";
		} else if (strcmp(txt, "0") == 0) {
			txt = "FALSE";
		}
		len = strlen(txt);
	} else if ((t[0] == '\0' || strcmp(t, "n") == 0) && len > 0) {
		v = strtod(txt, &end);
		while (*end == ' ') {
			end++;
		}
		if (end != txt && *end == '\0') {
			if (xl_style_is_date(x, s->style) && v >= 1.0 &&
			    v < XLSX_MAX_SERIAL) {
				xl_serial_date(num, sizeof(num), v,
				    x->date1904);
			} else {
				gc__table_fmt_num(num, sizeof(num), v);
			}
			txt = num;
			len = strlen(num);
		}
	}
	/* "str", "inlineStr", "e", "d": the text as written */
	if (len == 0) {
		return;
	}
	rv = gc__tb_cell_at(s->b, s->row, s->col, txt, len);
	if (rv != GC_OK) {
		xp_stop(s, rv);
	}
}

static void
xp_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xp  *s  = ud;
	const char *el = xl_local(name);

	if (strcmp(el, "t") == 0) {
		s->in_t++;
		return;
	}
	if (strcmp(el, "rPh") == 0) {
		s->in_rph++;
		return;
	}
	switch (s->kind) {
	case XP_ROOTRELS:
		rootrels_start(s, el, a);
		break;
	case XP_WORKBOOK:
		workbook_start(s, el, a);
		break;
	case XP_RELS:
		rels_start(s, el, a);
		break;
	case XP_SST:
		if (strcmp(el, "si") == 0) {
			s->in_si = 1;
			gc_buf_reset(&s->text);
		}
		break;
	case XP_STYLES:
		if (strcmp(el, "numFmt") == 0) {
			styles_numfmt(s, a);
		} else if (strcmp(el, "cellXfs") == 0) {
			s->in_cellxfs = 1;
		} else if (strcmp(el, "xf") == 0 && s->in_cellxfs) {
			styles_xf(s, a);
		}
		break;
	case XP_SHEET:
		if (strcmp(el, "sheetData") == 0) {
			s->in_sd = 1;
		} else if (strcmp(el, "row") == 0 && s->in_sd) {
			sheet_start_row(s, a);
		} else if (strcmp(el, "c") == 0 && s->in_row) {
			sheet_start_c(s, a);
		} else if (strcmp(el, "v") == 0 && s->in_c) {
			s->in_v = 1;
		} else if (strcmp(el, "is") == 0 && s->in_c) {
			s->in_is = 1;
		}
		break;
	}
}

static void
xp_end(void *ud, const XML_Char *name)
{
	struct xp  *s  = ud;
	const char *el = xl_local(name);

	if (strcmp(el, "t") == 0) {
		s->in_t -= s->in_t > 0;
		return;
	}
	if (strcmp(el, "rPh") == 0) {
		s->in_rph -= s->in_rph > 0;
		return;
	}
	if (s->kind == XP_SST && strcmp(el, "si") == 0 && s->in_si) {
		s->in_si = 0;
		sst_end_si(s);
	} else if (s->kind == XP_STYLES && strcmp(el, "cellXfs") == 0) {
		s->in_cellxfs = 0;
	} else if (s->kind == XP_SHEET) {
		if (strcmp(el, "v") == 0) {
			s->in_v = 0;
		} else if (strcmp(el, "is") == 0) {
			s->in_is = 0;
		} else if (strcmp(el, "c") == 0 && s->in_c) {
			sheet_end_c(s);
		} else if (strcmp(el, "row") == 0 && s->in_row) {
			s->in_row   = 0;
			s->prev_row = s->row;
			if (gc__tb_end_row(s->b, s->row) != GC_OK) {
				xp_stop(s, s->b->err);
			}
		} else if (strcmp(el, "sheetData") == 0) {
			s->in_sd = 0;
		}
	}
}

static void
xp_chars(void *ud, const XML_Char *p, int n)
{
	struct xp *s = ud;

	if (n <= 0) {
		return;
	}
	if ((s->kind == XP_SST && s->in_si && s->in_t && !s->in_rph) ||
	    (s->kind == XP_SHEET && s->in_c &&
	    (s->in_v || (s->in_is && s->in_t && !s->in_rph)))) {
		xp_collect(s, p, (size_t)n);
	}
}

/* OOXML never has a DTD; refusing one also refuses entity expansion. */
static void
xp_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	struct xp *s = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	gc_diag_set(s->x->d, "%s: %s: has a DOCTYPE, which .xlsx parts never "
	    "have", s->x->name, s->part);
	xp_stop(s, GC_EINVAL);
}

/* ---- zip plumbing ---- */

static gc_err
xl_zip_err(struct xlsx *x, const char *part, zip_error_t *ze)
{
	int code = zip_error_code_zip(ze);

	gc_diag_set(x->d, "%s: %s: %s", x->name, part, zip_error_strerror(ze));
	switch (code) {
	case ZIP_ER_MEMORY:
		return GC_ENOMEM;
	case ZIP_ER_READ:
	case ZIP_ER_SEEK:
	case ZIP_ER_OPEN:
		return GC_EIO;
	default:
		return GC_EINVAL;
	}
}

/*
 * Streams one part through expat with s's handlers. GC_ENOTFOUND (no
 * message) when the part is absent; every other failure sets d as
 * "file: part: reason".
 */
static gc_err
xl_parse(struct xlsx *x, struct xp *s, const char *part)
{
	zip_int64_t idx;
	zip_stat_t  st;
	zip_file_t *zf;
	XML_Parser  p;
	zip_int64_t n;
	uint64_t    total = 0;
	void       *buf;
	gc_err      rv = GC_OK;

	s->x    = x;
	s->part = part;
	idx     = zip_name_locate(x->z, part, 0);
	if (idx < 0) {
		return GC_ENOTFOUND;
	}
	zip_stat_init(&st);
	if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & ZIP_STAT_SIZE) && st.size > XLSX_MAX_PART) {
		gc_diag_set(x->d, "%s: %s: %" PRIu64 " bytes uncompressed, "
		    "more than the %" PRIu64 " MiB limit", x->name, part,
		    (uint64_t)st.size, XLSX_MAX_PART >> 20);
		return GC_ETOOBIG;
	}
	zf = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
	if (zf == NULL) {
		return xl_zip_err(x, part, zip_get_error(x->z));
	}
	p = XML_ParserCreate_MM(NULL, &xlsx_mm, NULL);
	if (p == NULL) {
		zip_fclose(zf);
		return GC_ENOMEM;
	}
	s->p = p;
	XML_SetUserData(p, s);
	XML_SetElementHandler(p, xp_start, xp_end);
	XML_SetCharacterDataHandler(p, xp_chars);
	XML_SetStartDoctypeDeclHandler(p, xp_doctype);
	for (;;) {
		buf = XML_GetBuffer(p, XLSX_CHUNK);
		if (buf == NULL) {
			rv = GC_ENOMEM;
			break;
		}
		n = zip_fread(zf, buf, XLSX_CHUNK);
		if (n < 0) {
			rv = xl_zip_err(x, part, zip_file_get_error(zf));
			break;
		}
		total += (uint64_t)n;
		if (total > XLSX_MAX_PART) {
			gc_diag_set(x->d, "%s: %s: more than %" PRIu64 " MiB "
			    "uncompressed", x->name, part, XLSX_MAX_PART >> 20);
			rv = GC_ETOOBIG;
			break;
		}
		if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
			if (s->err != GC_OK) {
				rv = s->err;
			} else if (XML_GetErrorCode(p) == XML_ERROR_NO_MEMORY) {
				rv = GC_ENOMEM;
			} else {
				gc_diag_set(x->d, "%s: %s: XML error at line %lu: "
				    "%s", x->name, part,
				    (unsigned long)XML_GetCurrentLineNumber(p),
				    XML_ErrorString(XML_GetErrorCode(p)));
				rv = GC_EINVAL;
			}
			break;
		}
		if (n == 0) {
			break;
		}
	}
	if (rv == GC_OK && s->err != GC_OK) {
		rv = s->err;
	}
	XML_ParserFree(p);
	s->p = NULL;
	zip_fclose(zf);
	return rv;
}

/* Parses a part with a fresh state of the given kind. */
static gc_err
xl_parse_kind(struct xlsx *x, enum xlsx_part kind, const char *part,
    struct gc__tb *b)
{
	struct xp s;
	gc_err    rv;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.b    = b;
	gc_buf_init(&s.text);
	rv = xl_parse(x, &s, part);
	gc_buf_release(&s.text);
	return rv;
}

static gc_err
xl_open(struct xlsx *x, const char *path)
{
	zip_error_t ze;
	int         zerr = 0;
	gc_err      rv;

	x->z = zip_open(path, ZIP_RDONLY, &zerr);
	if (x->z != NULL) {
		return GC_OK;
	}
	zip_error_init_with_code(&ze, zerr);
	switch (zerr) {
	case ZIP_ER_MEMORY:
		rv = GC_ENOMEM;
		break;
	case ZIP_ER_OPEN:
	case ZIP_ER_READ:
	case ZIP_ER_SEEK:
	case ZIP_ER_NOENT:
		gc_diag_set(x->d, "%s: cannot read: %s", x->name,
		    zip_error_strerror(&ze));
		rv = GC_EIO;
		break;
	default:
		gc_diag_set(x->d, "%s: starts like a zip (.xlsx) but the archive "
		    "is damaged or truncated: %s", x->name,
		    zip_error_strerror(&ze));
		rv = GC_EINVAL;
		break;
	}
	zip_error_fini(&ze);
	return rv;
}

/* Explains a zip that holds no workbook. */
static gc_err
xl_not_xlsx(struct xlsx *x)
{
	char        mt[64];
	zip_file_t *zf;
	zip_int64_t n = -1;

	zf = zip_fopen(x->z, "mimetype", 0);
	if (zf != NULL) {
		n = zip_fread(zf, mt, sizeof(mt) - 1);
		zip_fclose(zf);
	}
	if (n > 0) {
		mt[n] = '\0';
		if (strstr(mt, "opendocument.spreadsheet") != NULL) {
			gc_diag_set(x->d, "%s: an OpenDocument spreadsheet "
			    "(.ods), not .xlsx; save it as .xlsx or CSV",
			    x->name);
			return GC_EINVAL;
		}
	}
	gc_diag_set(x->d, "%s: a zip archive but not an .xlsx workbook (it "
	    "has no %s)", x->name, x->wb_part);
	return GC_EINVAL;
}

/* Finds the parts: workbook, its relationships, first sheet, shared
 * strings, styles. */
static gc_err
xl_locate(struct xlsx *x)
{
	char   rels[XLSX_PATH + 16];
	char   base[XLSX_PATH];
	gc_err rv;

	rv = xl_parse_kind(x, XP_ROOTRELS, "_rels/.rels", NULL);
	if (rv != GC_OK && rv != GC_ENOTFOUND) {
		return rv;
	}
	if (!xl_has(x, x->wb_part)) {
		strcpy(x->wb_part, "xl/workbook.xml");
	}
	if (!xl_has(x, x->wb_part)) {
		return xl_not_xlsx(x);
	}
	xl_dirname(x->wb_dir, sizeof(x->wb_dir), x->wb_part);
	rv = xl_parse_kind(x, XP_WORKBOOK, x->wb_part, NULL);
	if (rv != GC_OK) {
		return rv;
	}
	snprintf(base, sizeof(base), "%s", x->wb_part + strlen(x->wb_dir));
	snprintf(rels, sizeof(rels), "%s_rels/%s.rels", x->wb_dir, base);
	rv = xl_parse_kind(x, XP_RELS, rels, NULL);
	if (rv != GC_OK && rv != GC_ENOTFOUND) {
		return rv;
	}
	if (!xl_has(x, x->sheet_part)) {
		snprintf(x->sheet_part, sizeof(x->sheet_part),
		    "%sworksheets/sheet1.xml", x->wb_dir);
	}
	if (!xl_has(x, x->sheet_part)) {
		gc_diag_set(x->d, "%s: the workbook has no worksheet (no %s)",
		    x->name, x->sheet_part);
		return GC_EINVAL;
	}
	if (x->sst_part[0] == '\0') {
		snprintf(x->sst_part, sizeof(x->sst_part),
		    "%ssharedStrings.xml", x->wb_dir);
	}
	if (x->styles_part[0] == '\0') {
		snprintf(x->styles_part, sizeof(x->styles_part),
		    "%sstyles.xml", x->wb_dir);
	}
	return GC_OK;
}

static void
xl_release(struct xlsx *x)
{
	if (x->z != NULL) {
		zip_discard(x->z);
	}
	gc_buf_release(&x->sst);
	gc_free(x->sst_off);
	gc_free(x->datefmt);
	gc_free(x->xf_date);
}

gc_err
gc__table_read_xlsx(struct gc_table **out, const char *path,
    const char *name, struct gc_diag *d)
{
	struct xlsx   x;
	struct gc__tb b;
	gc_err        rv;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	x.name = name;
	x.d    = d;
	gc_buf_init(&x.sst);
	memset(&b, 0, sizeof(b));
	rv = xl_open(&x, path);
	if (rv == GC_OK) {
		rv = xl_locate(&x);
	}
	if (rv == GC_OK) {
		rv = xl_parse_kind(&x, XP_SST, x.sst_part, NULL);
		rv = rv == GC_ENOTFOUND ? GC_OK : rv;
	}
	if (rv == GC_OK) {
		rv = xl_parse_kind(&x, XP_STYLES, x.styles_part, NULL);
		rv = rv == GC_ENOTFOUND ? GC_OK : rv;
	}
	if (rv == GC_OK) {
		rv = gc__tb_init(&b, "xlsx", "", name, d);
	}
	if (rv == GC_OK) {
		b.trim_tail = true;
		rv          = xl_parse_kind(&x, XP_SHEET, x.sheet_part, &b);
	}
	if (rv == GC_OK && b.t->nrows == 0) {
		gc_diag_set(d, "%s: the first worksheet is empty", name);
		rv = GC_EINVAL;
	}
	xl_release(&x);
	if (rv != GC_OK) {
		gc__tb_release(&b);
		return rv;
	}
	*out = gc__tb_take(&b);
	return GC_OK;
}
