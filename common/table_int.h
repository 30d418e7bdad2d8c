/* table_int: what table.c, table_xls.c and table_xlsx.c share: a row
 * builder that enforces the limits in roster.h, and the number formatting
 * that both spreadsheet readers use. Private to common/. */
#ifndef GC_COMMON_TABLE_INT_H
#define GC_COMMON_TABLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"
#include "common/roster.h"

/*
 * Builds a gc_table row by row. Cells are copied; empty cells share one
 * static "" (gc_table_free knows it). Every limit failure sets d with the
 * file name and the row, and the builder stays failed: later calls return
 * the same error, so callers may check only at the end of a row.
 */
struct gc__tb {
	struct gc_table *t;
	size_t           cap;        /* rows allocated in t->rows */
	char           **cells;      /* the row being built */
	uint32_t         ncells;
	uint32_t         cells_cap;
	bool             trim_tail;  /* drop trailing empty cells */
	gc_err           err;        /* sticky */
	const char      *name;       /* file name for diagnostics */
	struct gc_diag  *d;
};

/* format/encoding must be static strings. GC_ENOMEM only. */
gc_err gc__tb_init(struct gc__tb *b, const char *format, const char *encoding,
    const char *name, struct gc_diag *d);

/* Appends a cell of len bytes to the current row (line = the row number a
 * user sees). GC_ETOOBIG past GC_TABLE_MAX_CELL or GC_TABLE_MAX_CELLS. */
gc_err gc__tb_cell(struct gc__tb *b, uint32_t line, const char *s,
    size_t len);

/* Sets cell col (0-based) of the current row, padding with "" (xlsx cells
 * are placed by their column letters). */
gc_err gc__tb_cell_at(struct gc__tb *b, uint32_t line, uint32_t col,
    const char *s, size_t len);

/* Ends the current row: kept when a cell is non-empty, else dropped.
 * GC_ETOOBIG past GC_TABLE_MAX_ROWS. */
gc_err gc__tb_end_row(struct gc__tb *b, uint32_t line);

/* Moves the finished table out (never NULL after a successful init and no
 * error); the builder is released. */
struct gc_table *gc__tb_take(struct gc__tb *b);

/* Frees whatever the builder still holds. NULL-safe, idempotent. */
void gc__tb_release(struct gc__tb *b);

/*
 * A spreadsheet number as text: integral values below 2^53 as plain
 * digits (no ".0"), everything else with %.15g, so an 18-digit ID that
 * Excel stored as a number reads "1.10105194912310e+17"-like and fails
 * the ID check with an explanation. buf must hold 32 bytes.
 */
void gc__table_fmt_num(char *buf, size_t cap, double v);

/* The readers behind gc_table_read. name is used in messages. */
gc_err gc__table_read_xls(struct gc_table **out, const char *path,
    const char *name, struct gc_diag *d);
gc_err gc__table_read_xlsx(struct gc_table **out, const char *path,
    const char *name, struct gc_diag *d);

#endif
