/* sheets: test-data generators for roster spreadsheets, header-only so a
 * test file can include it: a minimal BIFF8 .xls writer (an OLE2 compound
 * file holding a Workbook stream) and an .xlsx writer over libzip. Test
 * code: aborts on failure, allocates with malloc. */
#ifndef GC_TESTS_DATA_GEN_SHEETS_H
#define GC_TESTS_DATA_GEN_SHEETS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* ---- a growable byte vector ---- */

struct sg_vec {
	uint8_t *p;
	size_t   len, cap;
};

static void
sg_put(struct sg_vec *v, const void *p, size_t n)
{
	if (v->len + n > v->cap) {
		size_t ncap = v->cap ? v->cap : 1024;

		while (ncap < v->len + n) {
			ncap *= 2;
		}
		v->p = realloc(v->p, ncap);
		if (v->p == NULL) {
			abort();
		}
		v->cap = ncap;
	}
	memcpy(v->p + v->len, p, n);
	v->len += n;
}

static void
sg_u8(struct sg_vec *v, uint8_t x)
{
	sg_put(v, &x, 1);
}

static void
sg_u16(struct sg_vec *v, uint16_t x)
{
	uint8_t b[2] = { (uint8_t)x, (uint8_t)(x >> 8) };

	sg_put(v, b, 2);
}

static void
sg_u32(struct sg_vec *v, uint32_t x)
{
	uint8_t b[4] = { (uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16),
		(uint8_t)(x >> 24) };

	sg_put(v, b, 4);
}

static void
sg_f64(struct sg_vec *v, double d)
{
	uint64_t x;

	memcpy(&x, &d, 8);
	sg_u32(v, (uint32_t)x);
	sg_u32(v, (uint32_t)(x >> 32));
}

static void
sg_set_u32(struct sg_vec *v, size_t at, uint32_t x)
{
	v->p[at]     = (uint8_t)x;
	v->p[at + 1] = (uint8_t)(x >> 8);
	v->p[at + 2] = (uint8_t)(x >> 16);
	v->p[at + 3] = (uint8_t)(x >> 24);
}

/* UTF-8 → UTF-16LE code units (BMP only is enough for tests). */
static size_t
sg_utf16(const char *s, uint16_t *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t               n = 0;

	while (*u != '\0' && n < cap) {
		uint32_t c;

		if (u[0] < 0x80) {
			c = *u++;
		} else if ((u[0] & 0xE0) == 0xC0) {
			c = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
			u += 2;
		} else {
			c = ((uint32_t)(u[0] & 0x0F) << 12) |
			    ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
			u += 3;
		}
		out[n++] = (uint16_t)c;
	}
	return n;
}

/* ---- BIFF8 .xls ---- */

enum sg_xls_kind {
	SG_XLS_SST,    /* text through the shared-string table (LABELSST) */
	SG_XLS_LABEL,  /* text inline (LABEL) */
	SG_XLS_NUMBER, /* a double (NUMBER) */
	SG_XLS_RK,     /* a 30-bit integer (RK) */
};

/* XF indices the workbook defines: 16 plain, 17 a date (format 14). */
#define SG_XF_PLAIN 16
#define SG_XF_DATE  17

struct sg_xls_cell {
	uint16_t         row, col; /* 0-based */
	enum sg_xls_kind kind;
	const char      *text;
	double           num;
	int32_t          rk;
	uint16_t         xf;       /* 0: SG_XF_PLAIN */
};

static void
sg_rec(struct sg_vec *v, uint16_t type, const struct sg_vec *body)
{
	sg_u16(v, type);
	sg_u16(v, (uint16_t)body->len);
	sg_put(v, body->p, body->len);
}

static void
sg_bof(struct sg_vec *v, uint16_t dt)
{
	struct sg_vec b = { 0 };

	sg_u16(&b, 0x0600);
	sg_u16(&b, dt);
	sg_u16(&b, 0x0DBB);
	sg_u16(&b, 0x07CC);
	sg_u32(&b, 0);
	sg_u32(&b, 6);
	sg_rec(v, 0x0809, &b);
	free(b.p);
}

static void
sg_xlstr(struct sg_vec *b, const char *s, int len16)
{
	uint16_t u[1024];
	size_t   n = sg_utf16(s, u, 1024);

	if (len16) {
		sg_u16(b, (uint16_t)n);
	} else {
		sg_u8(b, (uint8_t)n);
	}
	sg_u8(b, 1); /* fHighByte: UTF-16LE */
	for (size_t i = 0; i < n; i++) {
		sg_u16(b, u[i]);
	}
}

/* The Workbook stream: globals (XFs, one sheet, SST) and one sheet. */
static struct sg_vec
sg_xls_stream(const struct sg_xls_cell *cells, size_t n)
{
	struct sg_vec v = { 0 }, b = { 0 };
	size_t        sheet_pos_at, i;
	uint32_t      nsst = 0, maxr = 0, maxc = 0;

	sg_bof(&v, 0x0005);
	b.len = 0;
	sg_u16(&b, 0x04B0);
	sg_rec(&v, 0x0042, &b); /* CODEPAGE: UTF-16 */
	b.len = 0;
	sg_u16(&b, 0);
	sg_rec(&v, 0x0022, &b); /* DATEMODE: 1900 */
	for (i = 0; i < 18; i++) {
		b.len = 0;
		sg_u16(&b, 0);                   /* font */
		sg_u16(&b, i == SG_XF_DATE ? 14 : 0); /* number format */
		for (int k = 0; k < 16; k++) {
			sg_u8(&b, 0);
		}
		sg_rec(&v, 0x00E0, &b); /* XF */
	}
	b.len = 0;
	sg_u32(&b, 0); /* lbPlyPos, patched below */
	sg_u8(&b, 0);
	sg_u8(&b, 0);
	sg_u8(&b, 6);
	sg_u8(&b, 0);
	sg_put(&b, "Sheet1", 6);
	sheet_pos_at = v.len + 4;
	sg_rec(&v, 0x0085, &b); /* BOUNDSHEET */
	for (i = 0; i < n; i++) {
		nsst += cells[i].kind == SG_XLS_SST;
	}
	b.len = 0;
	sg_u32(&b, nsst);
	sg_u32(&b, nsst);
	for (i = 0; i < n; i++) {
		if (cells[i].kind == SG_XLS_SST) {
			sg_xlstr(&b, cells[i].text, 1);
		}
	}
	sg_rec(&v, 0x00FC, &b); /* SST */
	if (v.len < 4200) {
		/* keep the stream above the 4096-byte mini-stream cutoff */
		b.len = 0;
		while (b.len < 4200 - v.len) {
			sg_u8(&b, ' ');
		}
		sg_rec(&v, 0x005C, &b); /* WRITEACCESS as padding */
	}
	b.len = 0;
	sg_rec(&v, 0x000A, &b); /* EOF */

	sg_set_u32(&v, sheet_pos_at, (uint32_t)v.len);
	sg_bof(&v, 0x0010);
	for (i = 0; i < n; i++) {
		maxr = cells[i].row + 1u > maxr ? cells[i].row + 1u : maxr;
		maxc = cells[i].col + 1u > maxc ? cells[i].col + 1u : maxc;
	}
	b.len = 0;
	sg_u32(&b, 0);
	sg_u32(&b, maxr);
	sg_u16(&b, 0);
	sg_u16(&b, (uint16_t)maxc);
	sg_u16(&b, 0);
	sg_rec(&v, 0x0200, &b); /* DIMENSION */
	nsst = 0;
	for (i = 0; i < n; i++) {
		const struct sg_xls_cell *c  = &cells[i];
		uint16_t                  xf = c->xf ? c->xf : SG_XF_PLAIN;

		b.len = 0;
		sg_u16(&b, c->row);
		sg_u16(&b, c->col);
		sg_u16(&b, xf);
		switch (c->kind) {
		case SG_XLS_SST:
			sg_u32(&b, nsst++);
			sg_rec(&v, 0x00FD, &b);
			break;
		case SG_XLS_LABEL:
			sg_xlstr(&b, c->text, 1);
			sg_rec(&v, 0x0204, &b);
			break;
		case SG_XLS_NUMBER:
			sg_f64(&b, c->num);
			sg_rec(&v, 0x0203, &b);
			break;
		case SG_XLS_RK:
			sg_u32(&b, ((uint32_t)c->rk << 2) | 2);
			sg_rec(&v, 0x027E, &b);
			break;
		}
	}
	b.len = 0;
	sg_rec(&v, 0x000A, &b);
	free(b.p);
	return v;
}

static void
sg_dir_entry(struct sg_vec *v, const char *name, uint8_t type,
    uint32_t right, uint32_t child, uint32_t start, uint32_t size)
{
	uint16_t u[32];
	size_t   n = sg_utf16(name, u, 31), i;

	for (i = 0; i < 32; i++) {
		sg_u16(v, i < n ? u[i] : 0);
	}
	sg_u16(v, (uint16_t)(n ? (n + 1) * 2 : 0));
	sg_u8(v, type);
	sg_u8(v, 1);            /* black */
	sg_u32(v, 0xFFFFFFFF);  /* left sibling */
	sg_u32(v, right);
	sg_u32(v, child);
	for (i = 0; i < 16 + 4 + 16; i++) {
		sg_u8(v, 0);    /* CLSID, state bits, times */
	}
	sg_u32(v, start);
	sg_u32(v, size);
	sg_u32(v, 0);
}

/*
 * An OLE2 compound file (version 3, 512-byte sectors, no mini stream)
 * holding one stream called stream_name, plus two empty streams so that
 * every directory slot has a name. Returns malloc'd bytes.
 */
static uint8_t *
sg_cfb(const char *stream_name, const uint8_t *data, size_t len,
    size_t *outlen)
{
	static const uint8_t sig[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1,
		0x1A, 0xE1 };
	struct sg_vec        v = { 0 };
	uint32_t             nst = (uint32_t)((len + 511) / 512), nfat = 1, i;
	uint32_t             total, first;

	while ((nfat + 1 + nst + 127) / 128 > nfat) {
		nfat++;
	}
	first = nfat + 1;
	total = nfat + 1 + nst;
	sg_put(&v, sig, 8);
	for (i = 0; i < 16; i++) {
		sg_u8(&v, 0);
	}
	sg_u16(&v, 0x003E);
	sg_u16(&v, 0x0003);
	sg_u16(&v, 0xFFFE);
	sg_u16(&v, 9);
	sg_u16(&v, 6);
	for (i = 0; i < 6; i++) {
		sg_u8(&v, 0);
	}
	sg_u32(&v, 0);          /* directory sectors (v3: 0) */
	sg_u32(&v, nfat);
	sg_u32(&v, nfat);       /* first directory sector */
	sg_u32(&v, 0);
	sg_u32(&v, 4096);       /* mini stream cutoff */
	sg_u32(&v, 0xFFFFFFFE); /* no mini FAT */
	sg_u32(&v, 0);
	sg_u32(&v, 0xFFFFFFFE); /* no DIFAT */
	sg_u32(&v, 0);
	for (i = 0; i < 109; i++) {
		sg_u32(&v, i < nfat ? i : 0xFFFFFFFF);
	}
	for (i = 0; i < nfat * 128; i++) {
		if (i < nfat) {
			sg_u32(&v, 0xFFFFFFFD);
		} else if (i == nfat) {
			sg_u32(&v, 0xFFFFFFFE);
		} else if (i < total) {
			sg_u32(&v, i + 1 < total ? i + 1 : 0xFFFFFFFE);
		} else {
			sg_u32(&v, 0xFFFFFFFF);
		}
	}
	sg_dir_entry(&v, "Root Entry", 5, 0xFFFFFFFF, 1, 0xFFFFFFFE, 0);
	sg_dir_entry(&v, stream_name, 2, 2, 0xFFFFFFFF, first, (uint32_t)len);
	sg_dir_entry(&v, "Spare1", 2, 3, 0xFFFFFFFF, 0xFFFFFFFE, 0);
	sg_dir_entry(&v, "Spare2", 2, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0);
	sg_put(&v, data, len);
	while (v.len % 512 != 0) {
		sg_u8(&v, 0);
	}
	*outlen = v.len;
	return v.p;
}

/* A whole .xls file with the given cells in its first sheet. */
static uint8_t *
sg_xls(const struct sg_xls_cell *cells, size_t n, size_t *outlen)
{
	struct sg_vec s = sg_xls_stream(cells, n);
	uint8_t      *f = sg_cfb("Workbook", s.p, s.len, outlen);

	free(s.p);
	return f;
}

/* ---- .xlsx ---- */

struct sg_part {
	const char *name;
	const char *data; /* NUL-terminated */
};

/* Writes a zip with the given parts (deflated) to path. */
static void
sg_zip(const char *path, const struct sg_part *parts, size_t n)
{
	int          err = 0;
	zip_t       *z   = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	zip_source_t *src;

	if (z == NULL) {
		fprintf(stderr, "zip_open %s: %d\n", path, err);
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		src = zip_source_buffer(z, parts[i].data, strlen(parts[i].data),
		    0);
		if (src == NULL ||
		    zip_file_add(z, parts[i].name, src, ZIP_FL_ENC_UTF_8) < 0) {
			fprintf(stderr, "zip_file_add %s: %s\n", parts[i].name,
			    zip_strerror(z));
			abort();
		}
	}
	if (zip_close(z) != 0) {
		fprintf(stderr, "zip_close %s: %s\n", path, zip_strerror(z));
		abort();
	}
}

#define SG_XLSX_CT                                                          \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"   \
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"     \
	"content-types\"><Default Extension=\"rels\" ContentType=\"application" \
	"/vnd.openxmlformats-package.relationships+xml\"/><Default "          \
	"Extension=\"xml\" ContentType=\"application/xml\"/><Override "      \
	"PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd."       \
	"openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"     \
	"</Types>"

#define SG_XLSX_ROOTRELS                                                    \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                      \
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"  \
	"2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://"      \
	"schemas.openxmlformats.org/officeDocument/2006/relationships/"      \
	"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"

/* A workbook whose first sheet is the relationship rId1 → sheet_target
 * (relative to xl/), with optional shared strings and styles. */
#define SG_XLSX_WORKBOOK(pr)                                                \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                      \
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/" \
	"2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/"           \
	"officeDocument/2006/relationships\">" pr "<sheets><sheet name=\""   \
	"名单\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"Other\" sheetId=\"2\" " \
	"r:id=\"rId9\"/></sheets></workbook>"

#define SG_XLSX_RELS(sheet_target)                                          \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                      \
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"  \
	"2006/relationships\"><Relationship Id=\"rId9\" Type=\"http://"      \
	"schemas.openxmlformats.org/officeDocument/2006/relationships/"      \
	"worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship "       \
	"Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"              \
	"officeDocument/2006/relationships/worksheet\" Target=\""            \
	sheet_target "\"/><Relationship Id=\"rId3\" Type=\"http://schemas."  \
	"openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" " \
	"Target=\"sharedStrings.xml\"/><Relationship Id=\"rId4\" Type=\""    \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/" \
	"styles\" Target=\"styles.xml\"/></Relationships>"

#define SG_XLSX_SHEET(rows)                                                 \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                      \
	"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/" \
	"2006/main\"><dimension ref=\"A1:H9\"/><sheetData>" rows             \
	"</sheetData></worksheet>"

#endif
