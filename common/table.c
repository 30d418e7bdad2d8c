/* table: reading a roster file into a grid of UTF-8 cells. This file has
 * the dispatch by content, the CSV reader with its encoding detection, and
 * the row builder the spreadsheet readers (table_xls.c, table_xlsx.c)
 * share. */
#include "common/roster.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "common/table_int.h"

/* How far a NUL byte marks a file as binary. */
#define CSV_SNIFF 8192

/* Every empty cell points here; gc_table_free never frees it. */
static char tb_empty[1];

/* ---- the row builder ---- */

static gc_err
tb_fail(struct gc__tb *b, gc_err rv)
{
	if (b->err == GC_OK) {
		b->err = rv;
	}
	return b->err;
}

/* "column 3" for CSV, "column C" for spreadsheets. */
static void
tb_colname(const struct gc__tb *b, uint32_t col, char *buf, size_t cap)
{
	char     tmp[8];
	size_t   n = 0, i;
	uint32_t c = col + 1;

	if (strcmp(b->t->format, "csv") == 0) {
		snprintf(buf, cap, "%" PRIu32, c);
		return;
	}
	while (c > 0 && n < sizeof(tmp)) {
		tmp[n++] = (char)('A' + (c - 1) % 26);
		c        = (c - 1) / 26;
	}
	for (i = 0; i < n && i + 1 < cap; i++) {
		buf[i] = tmp[n - 1 - i];
	}
	buf[i] = '\0';
}

gc_err
gc__tb_init(struct gc__tb *b, const char *format, const char *encoding,
    const char *name, struct gc_diag *d)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->d    = d;
	b->t    = gc_calloc(1, sizeof(*b->t));
	if (b->t == NULL) {
		b->err = GC_ENOMEM;
		return GC_ENOMEM;
	}
	b->t->format   = format;
	b->t->encoding = encoding;
	return GC_OK;
}

/* Makes room for cell index col in the current row. */
static gc_err
tb_room(struct gc__tb *b, uint32_t line, uint32_t col)
{
	uint32_t ncap;
	char   **p;
	char     cn[16];

	if (col >= GC_TABLE_MAX_CELLS) {
		tb_colname(b, col, cn, sizeof(cn));
		gc_diag_set(b->d, "%s: row %" PRIu32 " has a cell in column "
		    "%s, more than %d cells", b->name, line, cn,
		    GC_TABLE_MAX_CELLS);
		return tb_fail(b, GC_ETOOBIG);
	}
	if (col < b->cells_cap) {
		return GC_OK;
	}
	ncap = b->cells_cap ? b->cells_cap : 16;
	while (ncap <= col) {
		ncap *= 2;
	}
	if (ncap > GC_TABLE_MAX_CELLS) {
		ncap = GC_TABLE_MAX_CELLS;
	}
	p = gc_realloc(b->cells, ncap * sizeof(*p));
	if (p == NULL) {
		return tb_fail(b, GC_ENOMEM);
	}
	b->cells     = p;
	b->cells_cap = ncap;
	return GC_OK;
}

/* A copy of s for the table, or tb_empty; NULL on failure (set in b). */
static char *
tb_copy(struct gc__tb *b, uint32_t line, uint32_t col, const char *s,
    size_t len)
{
	char  cn[16];
	char *c;

	if (len > GC_TABLE_MAX_CELL) {
		tb_colname(b, col, cn, sizeof(cn));
		gc_diag_set(b->d, "%s: row %" PRIu32 ", column %s: cell is "
		    "longer than %d bytes", b->name, line, cn,
		    GC_TABLE_MAX_CELL);
		tb_fail(b, GC_ETOOBIG);
		return NULL;
	}
	if (len == 0) {
		return tb_empty;
	}
	c = gc_strndup(s, len);
	if (c == NULL) {
		tb_fail(b, GC_ENOMEM);
	}
	return c;
}

static void
tb_free_cell(char *c)
{
	if (c != tb_empty) {
		gc_free(c);
	}
}

gc_err
gc__tb_cell(struct gc__tb *b, uint32_t line, const char *s, size_t len)
{
	char *c;

	if (b->err != GC_OK) {
		return b->err;
	}
	if (tb_room(b, line, b->ncells) != GC_OK) {
		return b->err;
	}
	c = tb_copy(b, line, b->ncells, s, len);
	if (c == NULL) {
		return b->err;
	}
	b->cells[b->ncells++] = c;
	return GC_OK;
}

gc_err
gc__tb_cell_at(struct gc__tb *b, uint32_t line, uint32_t col, const char *s,
    size_t len)
{
	char *c;

	if (b->err != GC_OK) {
		return b->err;
	}
	if (tb_room(b, line, col) != GC_OK) {
		return b->err;
	}
	c = tb_copy(b, line, col, s, len);
	if (c == NULL) {
		return b->err;
	}
	while (b->ncells <= col) {
		b->cells[b->ncells++] = tb_empty;
	}
	tb_free_cell(b->cells[col]);
	b->cells[col] = c;
	return GC_OK;
}

static void
tb_drop_row(struct gc__tb *b)
{
	for (uint32_t i = 0; i < b->ncells; i++) {
		tb_free_cell(b->cells[i]);
	}
	b->ncells = 0;
}

gc_err
gc__tb_end_row(struct gc__tb *b, uint32_t line)
{
	struct gc_table     *t = b->t;
	struct gc_table_row *rows;
	uint32_t             n = b->ncells, i;
	bool                 keep = false;
	size_t               ncap;
	char               **cells;

	if (b->err != GC_OK) {
		return b->err;
	}
	if (b->trim_tail) {
		while (n > 0 && b->cells[n - 1] == tb_empty) {
			n--;
		}
		b->ncells = n;
	}
	for (i = 0; i < n && !keep; i++) {
		keep = b->cells[i] != tb_empty;
	}
	if (!keep) {
		tb_drop_row(b);
		return GC_OK;
	}
	if (t->nrows >= GC_TABLE_MAX_ROWS) {
		gc_diag_set(b->d, "%s: more than %d rows (at row %" PRIu32
		    ")", b->name, GC_TABLE_MAX_ROWS, line);
		return tb_fail(b, GC_ETOOBIG);
	}
	if (t->nrows == b->cap) {
		ncap = b->cap ? b->cap * 2 : 64;
		rows = gc_realloc(t->rows, ncap * sizeof(*rows));
		if (rows == NULL) {
			return tb_fail(b, GC_ENOMEM);
		}
		t->rows = rows;
		b->cap  = ncap;
	}
	cells = gc_alloc(n * sizeof(*cells));
	if (cells == NULL) {
		return tb_fail(b, GC_ENOMEM);
	}
	memcpy(cells, b->cells, n * sizeof(*cells));
	t->rows[t->nrows].line   = line;
	t->rows[t->nrows].ncells = n;
	t->rows[t->nrows].cells  = cells;
	t->nrows++;
	b->ncells = 0;
	return GC_OK;
}

struct gc_table *
gc__tb_take(struct gc__tb *b)
{
	struct gc_table *t = NULL;

	if (b->err == GC_OK) {
		t    = b->t;
		b->t = NULL;
	}
	gc__tb_release(b);
	return t;
}

void
gc__tb_release(struct gc__tb *b)
{
	if (b == NULL) {
		return;
	}
	if (b->cells != NULL) {
		tb_drop_row(b);
		gc_free(b->cells);
		b->cells     = NULL;
		b->cells_cap = 0;
	}
	gc_table_free(b->t);
	b->t = NULL;
}

void
gc_table_free(struct gc_table *t)
{
	if (t == NULL) {
		return;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		for (uint32_t c = 0; c < t->rows[r].ncells; c++) {
			tb_free_cell(t->rows[r].cells[c]);
		}
		gc_free(t->rows[r].cells);
	}
	gc_free(t->rows);
	gc_free(t);
}

void
gc__table_fmt_num(char *buf, size_t cap, double v)
{
	/* 2^53: beyond it a double no longer holds every integer */
	if (v > -9007199254740992.0 && v < 9007199254740992.0 &&
	    (double)(int64_t)v == v) {
		snprintf(buf, cap, "%" PRId64, (int64_t)v);
	} else {
		snprintf(buf, cap, "%.15g", v);
	}
}

/* ---- encodings ---- */

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF). On
 * failure *bad is the offset of the first byte that does not decode. */
static bool
utf8_valid(const uint8_t *p, size_t n, size_t *bad)
{
	size_t i = 0;

	while (i < n) {
		uint8_t  c = p[i];
		size_t   len, k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp  = c & 0x1F;
			min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp  = c & 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp  = c & 0x07;
			min = 0x10000;
		} else {
			*bad = i;
			return false;
		}
		if (n - i < len) {
			*bad = i;
			return false;
		}
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80) {
				*bad = i;
				return false;
			}
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			*bad = i;
			return false;
		}
		i += len;
	}
	return true;
}

/*
 * Converts GB18030 (a superset of GBK and GB2312) to UTF-8 with glibc
 * iconv. On GC_OK *out is a NUL-terminated gc_alloc'd buffer of *outlen
 * bytes. GC_EINVAL with *bad set when a byte sequence does not decode.
 */
static gc_err
gb18030_to_utf8(const uint8_t *in, size_t len, char **out, size_t *outlen,
    size_t *bad)
{
	iconv_t cd;
	char   *buf, *nbuf, *ip, *op;
	size_t  cap, il, ol, used;
	gc_err  rv = GC_OK;

	*out    = NULL;
	*outlen = 0;
	cd      = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		return GC_EINTERNAL;
	}
	cap = len + len / 2 + 16; /* 2 bytes → 3, 4 → 4 */
	buf = gc_alloc(cap);
	if (buf == NULL) {
		iconv_close(cd);
		return GC_ENOMEM;
	}
	ip = (char *)in;
	il = len;
	op = buf;
	ol = cap - 1; /* room for the NUL */
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1) {
			break;
		}
		if (errno != E2BIG) {
			*bad = (size_t)(ip - (char *)in);
			rv   = GC_EINVAL;
			break;
		}
		used = (size_t)(op - buf);
		nbuf = gc_realloc(buf, cap * 2);
		if (nbuf == NULL) {
			rv = GC_ENOMEM;
			break;
		}
		buf = nbuf;
		cap *= 2;
		op = buf + used;
		ol = cap - 1 - used;
	}
	iconv_close(cd);
	if (rv != GC_OK) {
		gc_free(buf);
		return rv;
	}
	*op     = '\0';
	*out    = buf;
	*outlen = (size_t)(op - buf);
	return GC_OK;
}

/* Only ASCII white space and U+3000? */
static bool
text_blank(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    s[i] == '\n' || s[i] == '\f' || s[i] == '\v') {
			i++;
		} else if (n - i >= 3 && memcmp(s + i, "\xE3\x80\x80", 3) == 0) {
			i += 3;
		} else {
			return false;
		}
	}
	return true;
}

/* ---- CSV ---- */

struct csv {
	const char     *s;
	size_t          n;
	size_t          i;
	uint32_t        line;   /* physical line of s[i] */
	char            delim;
	struct gc__tb  *b;
	struct gc_buf   q;      /* a quoted field, unescaped */
	const char     *name;
	struct gc_diag *d;
};

static gc_err
csv_nul(struct csv *c, uint32_t rec)
{
	gc_diag_set(c->d, "%s: row %" PRIu32 " contains a NUL byte; not a "
	    "text table", c->name, rec);
	return GC_EINVAL;
}

static bool
csv_plain(const struct csv *c, char ch)
{
	return ch != c->delim && ch != '\r' && ch != '\n' && ch != '\0';
}

/* Appends n bytes to the quoted-field buffer, keeping at most one byte
 * past the cell limit so that the builder reports the long cell. */
static void
csv_qput(struct csv *c, const char *p, size_t n)
{
	if (c->q.len > GC_TABLE_MAX_CELL) {
		return;
	}
	if (n > GC_TABLE_MAX_CELL + 1 - c->q.len) {
		n = GC_TABLE_MAX_CELL + 1 - c->q.len;
	}
	gc_buf_put(&c->q, p, n);
}

/* A quoted field starting at s[i] == '"'. */
static gc_err
csv_quoted(struct csv *c, uint32_t rec)
{
	uint32_t qline = c->line;
	size_t   start;
	char     ch;

	gc_buf_reset(&c->q);
	c->i++;
	for (;;) {
		start = c->i;
		while (c->i < c->n && c->s[c->i] != '"' && c->s[c->i] != '\r' &&
		    c->s[c->i] != '\n' && c->s[c->i] != '\0') {
			c->i++;
		}
		csv_qput(c, c->s + start, c->i - start);
		if (c->i >= c->n) {
			gc_diag_set(c->d, "%s: the quoted field opened on line "
			    "%" PRIu32 " is never closed (missing '\"' before "
			    "the end of the file)", c->name, qline);
			return GC_EINVAL;
		}
		ch = c->s[c->i];
		if (ch == '\0') {
			return csv_nul(c, rec);
		}
		if (ch == '"') {
			if (c->i + 1 < c->n && c->s[c->i + 1] == '"') {
				csv_qput(c, "\"", 1);
				c->i += 2;
				continue;
			}
			c->i++;
			break;
		}
		/* a line break inside the quotes: kept as "\n" */
		if (ch == '\r' && c->i + 1 < c->n && c->s[c->i + 1] == '\n') {
			c->i++;
		}
		c->i++;
		c->line++;
		csv_qput(c, "\n", 1);
	}
	/* text after the closing quote ("ab"cd): kept, as spreadsheets do */
	start = c->i;
	while (c->i < c->n && csv_plain(c, c->s[c->i])) {
		c->i++;
	}
	csv_qput(c, c->s + start, c->i - start);
	if (c->i < c->n && c->s[c->i] == '\0') {
		return csv_nul(c, rec);
	}
	if (gc_buf_status(&c->q) != GC_OK) {
		return GC_ENOMEM;
	}
	return gc__tb_cell(c->b, rec, (const char *)c->q.data, c->q.len);
}

/* One field; *last is set when it ends the record. */
static gc_err
csv_field(struct csv *c, uint32_t rec, bool *last)
{
	size_t start;
	gc_err rv;

	if (c->i < c->n && c->s[c->i] == '"') {
		rv = csv_quoted(c, rec);
	} else {
		start = c->i;
		while (c->i < c->n && csv_plain(c, c->s[c->i])) {
			c->i++;
		}
		if (c->i < c->n && c->s[c->i] == '\0') {
			return csv_nul(c, rec);
		}
		rv = gc__tb_cell(c->b, rec, c->s + start, c->i - start);
	}
	if (rv != GC_OK) {
		return rv;
	}
	*last = true;
	if (c->i >= c->n) {
		return GC_OK;
	}
	if (c->s[c->i] == c->delim) {
		c->i++;
		*last = false;
		return GC_OK;
	}
	if (c->s[c->i] == '\r' && c->i + 1 < c->n && c->s[c->i + 1] == '\n') {
		c->i++;
	}
	c->i++; /* '\r' or '\n' */
	c->line++;
	return GC_OK;
}

/* Comma, or tab when the first line has tabs and no commas. */
static char
csv_delim(const char *s, size_t n)
{
	bool tab = false;

	for (size_t i = 0; i < n && s[i] != '\n' && s[i] != '\r'; i++) {
		if (s[i] == ',') {
			return ',';
		}
		if (s[i] == '\t') {
			tab = true;
		}
	}
	return tab ? '\t' : ',';
}

static gc_err
csv_run(struct csv *c)
{
	uint32_t rec;
	bool     last;
	gc_err   rv;

	while (c->i < c->n) {
		rec = c->line;
		do {
			rv = csv_field(c, rec, &last);
			if (rv != GC_OK) {
				return rv;
			}
		} while (!last);
		rv = gc__tb_end_row(c->b, rec);
		if (rv != GC_OK) {
			return rv;
		}
	}
	return GC_OK;
}

/* The text in UTF-8: *text points into data or at *owned. */
static gc_err
csv_decode(const char *name, const uint8_t *data, size_t len,
    enum gc_encoding enc, const char **text, size_t *tlen, char **owned,
    const char **encoding, struct gc_diag *d)
{
	bool   bom = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0;
	size_t bad_u = 0, bad_g = 0, bad;
	gc_err rv;

	*owned = NULL;
	if (enc == GC_ENC_UTF8 || (enc == GC_ENC_AUTO && bom)) {
		if (!utf8_valid(data, len, &bad_u)) {
			gc_diag_set(d, "%s: not valid UTF-8 text (invalid byte "
			    "0x%02X at offset %zu)", name, data[bad_u], bad_u);
			return GC_EINVAL;
		}
	}
	if (enc == GC_ENC_UTF8 ||
	    (enc == GC_ENC_AUTO && (bom || utf8_valid(data, len, &bad_u)))) {
		*text     = (const char *)data + (bom ? 3 : 0);
		*tlen     = len - (bom ? 3 : 0);
		*encoding = bom ? "utf-8-bom" : "utf-8";
		return GC_OK;
	}
	rv = gb18030_to_utf8(data, len, owned, tlen, &bad_g);
	if (rv == GC_EINVAL) {
		/* the decoder that got further names the likelier culprit */
		bad = (enc == GC_ENC_GBK || bad_g > bad_u) ? bad_g : bad_u;
		gc_diag_set(d, "%s: not %s text (invalid byte 0x%02X at offset "
		    "%zu)", name, enc == GC_ENC_GBK ? "GBK/GB18030"
		    : "UTF-8 or GBK/GB18030", data[bad], bad);
		return rv;
	}
	if (rv == GC_EINTERNAL) {
		gc_diag_set(d, "%s: iconv cannot convert from GB18030", name);
	}
	if (rv != GC_OK) {
		return rv;
	}
	*text = *owned;
	/* a GB18030 file may start with its own BOM, now U+FEFF */
	if (*tlen >= 3 && memcmp(*text, "\xEF\xBB\xBF", 3) == 0) {
		*text += 3;
		*tlen -= 3;
	}
	*encoding = "gb18030";
	return GC_OK;
}

gc_err
gc_table_parse_csv(struct gc_table **out, const char *name,
    const uint8_t *data, size_t len, enum gc_encoding enc,
    struct gc_diag *d)
{
	struct csv    c;
	struct gc__tb tb;
	const char   *text = NULL, *encoding = NULL;
	char       *owned = NULL;
	size_t      tlen = 0;
	gc_err      rv;

	*out = NULL;
	if (len > GC_TABLE_MAX_FILE) {
		gc_diag_set(d, "%s: %zu bytes, larger than the %zu MiB limit",
		    name, len, GC_TABLE_MAX_FILE >> 20);
		return GC_ETOOBIG;
	}
	if (len == 0) {
		gc_diag_set(d, "%s: empty file", name);
		return GC_EINVAL;
	}
	if (len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) ||
	    (data[0] == 0xFE && data[1] == 0xFF))) {
		gc_diag_set(d, "%s: UTF-16 text is not supported; save the "
		    "table as \"CSV UTF-8\" or .xlsx", name);
		return GC_EINVAL;
	}
	if (memchr(data, 0, len < CSV_SNIFF ? len : CSV_SNIFF) != NULL) {
		gc_diag_set(d, "%s: binary file, not a CSV, .xls or .xlsx "
		    "table", name);
		return GC_EINVAL;
	}
	rv = csv_decode(name, data, len, enc, &text, &tlen, &owned, &encoding,
	    d);
	if (rv != GC_OK) {
		return rv;
	}
	if (text_blank(text, tlen)) {
		gc_free(owned);
		gc_diag_set(d, "%s: empty file (only white space)", name);
		return GC_EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.s     = text;
	c.n     = tlen;
	c.line  = 1;
	c.delim = csv_delim(text, tlen);
	c.name  = name;
	c.d     = d;
	gc_buf_init(&c.q);
	c.b = &tb;
	rv  = gc__tb_init(&tb, "csv", encoding, name, d);
	if (rv == GC_OK) {
		rv = csv_run(&c);
	}
	if (rv == GC_OK && tb.t->nrows == 0) {
		gc_diag_set(d, "%s: no data (every row is empty)", name);
		rv = GC_EINVAL;
	}
	gc_buf_release(&c.q);
	gc_free(owned);
	if (rv != GC_OK) {
		gc__tb_release(&tb);
		return rv;
	}
	*out = gc__tb_take(&tb);
	return GC_OK;
}

gc_err
gc_table_read(struct gc_table **out, const char *path, enum gc_encoding enc,
    struct gc_diag *d)
{
	static const uint8_t zip_magic[4] = { 'P', 'K', 3, 4 };
	static const uint8_t ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1,
		0xB1, 0x1A, 0xE1 };
	struct stat          st;
	uint8_t              magic[8];
	uint8_t             *data = NULL;
	size_t               len  = 0, nmagic = 0;
	int                  fd, e;
	gc_err               rv;

	*out = NULL;
	fd   = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		gc_diag_set(d, "%s: cannot open: %s", path, strerror(e));
		return e == ENOENT ? GC_ENOTFOUND : gc_err_from_errno(e);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		gc_diag_set(d, "%s: not a regular file", path);
		return GC_EINVAL;
	}
	if ((uint64_t)st.st_size > GC_TABLE_MAX_FILE) {
		close(fd);
		gc_diag_set(d, "%s: %" PRIu64 " bytes, larger than the %zu MiB "
		    "limit", path, (uint64_t)st.st_size, GC_TABLE_MAX_FILE >> 20);
		return GC_ETOOBIG;
	}
	(void)gc_read_full(fd, magic, sizeof(magic), &nmagic); /* short: CSV */
	if (nmagic >= 4 && memcmp(magic, zip_magic, 4) == 0) {
		close(fd);
		return gc__table_read_xlsx(out, path, path, d);
	}
	if (nmagic == 8 && memcmp(magic, ole_magic, 8) == 0) {
		close(fd);
		return gc__table_read_xls(out, path, path, d);
	}
	data = gc_alloc((size_t)st.st_size + 1);
	if (data == NULL) {
		rv = GC_ENOMEM;
	} else if (lseek(fd, 0, SEEK_SET) != 0) {
		rv = GC_EIO;
	} else {
		/* a file that shrank while we read: take what is there */
		rv = gc_read_full(fd, data, (size_t)st.st_size, &len);
	}
	e = errno;
	close(fd);
	if (rv == GC_EIO) {
		gc_diag_set(d, "%s: read error: %s", path, strerror(e));
	}
	if (rv != GC_OK) {
		gc_free(data);
		return rv;
	}
	rv = gc_table_parse_csv(out, path, data, len, enc, d);
	gc_free(data);
	return rv;
}
