/* export_int: what the CHSI package (node/export_chsi.c) and the school's
 * (node/export_school.c) share: the checks on the options, the scope of
 * an export (level, naming, conflicts, alerts), vetted on the merge a new
 * checkpoint signs, and the cells both sheets carry. Module-private. */
#ifndef GC_NODE_EXPORT_INT_H
#define GC_NODE_EXPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "node/export.h"
#include "node/node.h"
#include "node/student_checks.h"
#include "sync/merge.h"

/* Checks o before anything is computed: the coordinator, --season and
 * --level each one word, o->out holding no export yet. An exit code,
 * said through gc_cli_err. */
int gc__export_check(struct gc_node *np, const struct gc_export_opts *o);

/* What an export covers, checked before anything is written. */
struct gc__export_scope {
	bool   *in;      /* per student: exported (its level) */
	bool   *blocked; /* per student: approved, but bound by an alert */
	size_t  nin, nconf, nblocked, nnot, nexempt;
};

/* An export under way: the merge signed by its new checkpoint, that
 * checkpoint's note, the scope, and the students' checks (学生确认). */
struct gc__export {
	struct gc_merge        *m;
	struct gc_buf           note;
	uint8_t                 cpid[32];
	struct gc__export_scope sc;
	struct gc_checks        ck;
};

/* The 学生确认 cell of student i of x: 已确认 or 报告错误 when the
 * student's latest check is about the photo exported, else "". */
const char *gc__export_check_cell(const struct gc__export *x, size_t i);

/* Signs a checkpoint of the set after vetting its merge: the level asked
 * for, no two exported students with the same name_by field (the files
 * are named by it; with need_name every exported student must have one),
 * no conflict or alert standing unless o->allow. Then makes o->out. A
 * refused export signs and writes nothing. An exit code; release x in
 * any case. */
int  gc__export_open(struct gc_node *np, const struct gc_export_opts *o,
     enum gc_row_key name_by, bool need_name, struct gc__export *x);
void gc__export_release(struct gc__export *x);

/* A 采集码 cell: the code's text, or "base64:" and its bytes */
#define GC__CODE_CELL_MAX (8 + (GC_CAPTURE_CODE_MAX + 2) / 3 * 4 + 1)

/* The capture code bound to cap, as a cell: its text when it is printable
 * UTF-8, else "base64:" and its bytes (opaque either way, never parsed);
 * "" when cap has none. false when the code's blob is not held here. */
bool gc__export_code_cell(gc_ledger *lg, const struct gc_mcap *cap,
    char *out, size_t cap_len);

/* The capture time of cap as the sheets print it (UTC). */
void gc__export_when(const struct gc_mcap *cap, char *out, size_t len);

/* The photo of cap (gc_alloc'd, *len bytes; gc_free it), or NULL said
 * through gc_cli_err when it is not held here. */
uint8_t *gc__export_photo(struct gc_node *np, const struct gc_mstudent *s,
    const struct gc_mcap *cap, size_t *len);

/* One row of a sheet: each of v[0..n) as a cell of csv (when not NULL)
 * and as a text cell of row r of ws (when not NULL): an ID number must
 * never become a number. */
struct lxw_worksheet;
void gc__export_row(struct gc_buf *csv, struct lxw_worksheet *ws,
    uint32_t r, const char *const *v, size_t n);

#endif
