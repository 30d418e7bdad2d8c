/* roster: reading the school's student list (CSV in UTF-8 or GBK/GB18030,
 * .xls through libfreexl, .xlsx through libzip + expat) into a table of
 * UTF-8 cells, then finding the columns by their header names and checking
 * every row. Storing rows as signed ROSTER entries is node/'s job. */
#ifndef GC_COMMON_ROSTER_H
#define GC_COMMON_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"

/* ---- table: a grid of UTF-8 cells ---- */

enum gc_encoding { GC_ENC_AUTO = 0, GC_ENC_UTF8, GC_ENC_GBK };

struct gc_table_row {
	uint32_t line;   /* the row number a user sees: CSV line where the
	                  * record starts (1-based), or the sheet row number */
	uint32_t ncells; /* rows may differ in length; spreadsheet rows end
	                  * at their last non-empty cell */
	char   **cells;  /* UTF-8, NUL-terminated, never NULL ("" if empty);
	                  * read-only: empty cells share one "" */
};

struct gc_table {
	struct gc_table_row *rows; /* empty rows (every cell "") are skipped;
	                            * cells are not trimmed */
	size_t               nrows;
	const char          *format;   /* "csv", "xls", "xlsx" */
	const char          *encoding; /* "utf-8", "utf-8-bom", "gb18030", or
	                                * "" for spreadsheets */
};

/* Limits that keep hostile input bounded. */
#define GC_TABLE_MAX_FILE  ((size_t)256 << 20) /* bytes */
#define GC_TABLE_MAX_ROWS  2000000
#define GC_TABLE_MAX_CELLS 512                 /* per row */
#define GC_TABLE_MAX_CELL  4096                /* bytes per cell */

/*
 * gc_table_read reads path, choosing the format by content (a zip is
 * .xlsx, an OLE2 compound file is .xls, anything else must be CSV text),
 * not by the file name. enc applies to CSV only. On GC_OK *out owns the
 * table (gc_table_free); otherwise *out is NULL and d says which file and
 * why (unreadable, empty, binary, not UTF-8 or GBK, truncated zip, ...).
 * A table with no non-empty row is an error too. Blocking (file I/O); an
 * .xls is parsed by libfreexl in a forked child process (table_xls.c).
 * Thread-safe. Errors: GC_EIO, GC_ENOTFOUND, GC_EINVAL, GC_ETOOBIG,
 * GC_ENOMEM.
 */
gc_err gc_table_read(struct gc_table **out, const char *path,
    enum gc_encoding enc, struct gc_diag *d);

/* The CSV parser alone, on bytes in memory (for tests and fuzzing).
 * name is used in diagnostics. RFC 4180 quoting, quoted fields may hold
 * commas, quotes ("") and newlines; CRLF or LF line ends; a UTF-8 BOM is
 * skipped; GBK/GB18030 is converted to UTF-8 (iconv). */
gc_err gc_table_parse_csv(struct gc_table **out, const char *name,
    const uint8_t *data, size_t len, enum gc_encoding enc,
    struct gc_diag *d);

void gc_table_free(struct gc_table *t); /* NULL-safe */

/* ---- roster: columns by header, rows checked ---- */

/* The longest cell (bytes of UTF-8, after trimming) a roster field may
 * hold; a longer one rejects the row. */
#define GC_ROSTER_FIELD_MAX 120

enum gc_roster_field {
	GC_RF_NAME = 0,   /* 姓名 / XM */
	GC_RF_ID_NUMBER,  /* 身份证号 / 证件号码 / SFZH / ZJHM */
	GC_RF_ID_TYPE,    /* 证件类型 / ZJLX */
	GC_RF_SEX,        /* 性别 / XB / XBM */
	GC_RF_BIRTH,      /* 出生日期 / CSRQ */
	GC_RF_STUDENT_NO, /* 学号 / XH */
	GC_RF_EXAM_NO,    /* 考生号 / KSH */
	GC_RF_LEVEL,      /* 层次 / CC */
	GC_RF_DEPT,       /* 院系 / 学院 / FY */
	GC_RF_MAJOR,      /* 专业 / 专业名称 / ZYMC */
	GC_RF_CLASS,      /* 班级 / 班号 / BH */
	GC_RF_CAMPUS,     /* 校区 */
	GC_RF_EMAIL,      /* 邮箱 / 电子邮箱 / email (optional; notices) */
	GC_RF_COUNT
};

/* One checked row. Every string is UTF-8, normalised, owned by the roster;
 * NULL when the column is absent or the cell empty. */
struct gc_student {
	uint32_t line;              /* row number in the file */
	char    *f[GC_RF_COUNT];    /* f[ID_NUMBER]: normalised number;
	                             * f[ID_TYPE]: one-char code ("1", "A");
	                             * f[SEX]: "M" or "F"; f[BIRTH]: YYYY-MM-DD;
	                             * f[LEVEL]: the level text as given */
	char     level_code[3];     /* "01" 博士, "02" 硕士, "04" 第二学士学位,
	                             * "05" 本科, "06" 专科 */
	char     upgraded[19];      /* 15-digit ID: 18-digit candidate, else "" */
	char     key[72];           /* "<school>:<type>:<number>:<level_code>" */
};

struct gc_roster_reject {
	uint32_t line;         /* row number in the file */
	char     column[64];   /* the header as written in the file, or the
	                        * field's Chinese label when the column is absent */
	char     reason[256];  /* English, names the value: "check digit is 3,
	                        * expected X" */
};

struct gc_roster {
	struct gc_student       *rows;
	size_t                   nrows;
	struct gc_roster_reject *rejects;
	size_t                   nrejects;
	int      col[GC_RF_COUNT]; /* column index per field, -1 if absent */
	uint32_t header_line;      /* row number of the header row */
	size_t   nunknown;         /* header cells that matched no field */
};

struct gc_roster_opts {
	const char *school_code;   /* 5 digits, required */
	const char *default_level; /* used when there is no 层次 column or
	                            * the cell is empty; NULL: 层次 required */
	const char *map[GC_RF_COUNT]; /* config override: the exact header text
	                               * for a field, or NULL for the built-in
	                               * names */
	int today;                 /* YYYYMMDD, 0: the real date */
};

/*
 * gc_roster_from_table finds the header row (the first row where a name
 * column and an ID-number column are both recognised; at most the first 20
 * rows are searched), maps the columns, and checks every later row:
 * required fields (姓名, 证件号码, 层次 unless defaulted), the ID number
 * (idnum.h), 性别 and 出生日期 against the ID, name hygiene, duplicates
 * inside the file (same key, same 学号, same 考生号: the later row is
 * rejected naming the earlier one). Rejected rows land in rejects, never
 * dropped silently. Returns GC_OK even when rows were rejected; GC_EINVAL
 * (with d naming the missing column) when no header row or a required
 * column is absent; GC_ENOMEM. On GC_OK *out owns the roster.
 * Rows whose cells are all blank are skipped; every other data row ends
 * up in exactly one of rows and rejects (one reject per row: the first
 * problem found), so nrows + nrejects counts the data rows. d does not
 * name the file: the caller knows it.
 */
gc_err gc_roster_from_table(struct gc_roster **out, const struct gc_table *t,
    const struct gc_roster_opts *o, struct gc_diag *d);

void gc_roster_free(struct gc_roster *r); /* NULL-safe */

/* "name", "id_number", "id_type", "sex", "birth", "student_no", "exam_no",
 * "level", "dept", "major", "class", "campus": JSON keys and config keys. */
const char *gc_roster_field_name(enum gc_roster_field f);
/* "姓名", "证件号码", ...: for messages. */
const char *gc_roster_field_label(enum gc_roster_field f);

/* Whether p[0..n) is an e-mail address as the roster's 邮箱 takes it and
 * SMTP sends to it: one '@' with text on both sides, a dot in the domain,
 * printable ASCII without spaces, quotes, commas or angle brackets. */
bool gc_roster_email_ok(const char *p, size_t n);
/* A stored row's 性别 ("M", "F") as people read it: "男", "女"; anything
 * else (an empty field) as it is. */
const char *gc_roster_sex_zh(const char *stored);
/* Looks up a field by gc_roster_field_name; -1 when unknown. */
int gc_roster_field_parse(const char *name);

/* The certificate level code for a 层次 text ("本科", "专升本", "硕士研究生",
 * "05", ...), or NULL when unknown. */
const char *gc_level_code(const char *text);

#endif
