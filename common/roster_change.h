/* roster_change: changes to the stored roster (docs/formats.md ROSTER,
 * docs/coordinator-guide.md "Corrections"). A student keeps the key it was
 * first imported with for good; corrections (升位 of a 15-digit number,
 * another 证件号码, 证件类型, 层次 or name) change the row that key holds,
 * so captures, reviews and decisions stay with the student.
 *
 * - gc_roster_plan matches every row of a file with the stored roster
 *   (by 证件号码 and 层次, its 15/18-digit forms, then 学号, then 考生号)
 *   and says what storing the file would change, field by field;
 * - gc_roster_edit makes the row of one student's correction, removal,
 *   exemption or restoration.
 * Neither writes: node/cmd_roster.c appends the ROSTER entries. */
#ifndef GC_COMMON_ROSTER_CHANGE_H
#define GC_COMMON_ROSTER_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"
#include "common/roster.h"
#include "common/rosterdb.h"

struct gc_ledger;

enum gc_plan_fate {
	GC_PLAN_NEW = 0,  /* a student the roster does not hold */
	GC_PLAN_CHANGED,  /* a stored student whose row changes */
	GC_PLAN_SAME,     /* nothing to store */
	GC_PLAN_READDED,  /* a removed student, back on the roster */
	GC_PLAN_REJECTED, /* conflicts with the stored roster (reason) */
	GC_PLAN_END
};

struct gc_plan_row {
	uint32_t          line;    /* the file's row number */
	enum gc_plan_fate fate;
	struct gc_row     row;     /* what storing writes (the stable key) */
	struct gc_row     old;     /* the stored row: CHANGED, READDED */
	uint32_t          changed; /* bit k: field k of the row differs */
	char              warning[256]; /* "" or why to look (15 digits) */
	char              column[64];   /* REJECTED: the column at fault */
	char              reason[512];  /* REJECTED: why (English) */
};

struct gc_plan {
	struct gc_plan_row *rows; /* one per row of the roster, in order */
	size_t              n;
	size_t              counts[GC_PLAN_END];
	size_t              nwarn;
};

struct gc_plan_opts {
	const char *school;     /* the node's 学校代码 */
	bool        upgrade_15; /* store a 15-digit number's 升位 candidate */
	bool        reorder;    /* stored students take the file's order */
};

/*
 * gc_roster_plan compares the checked rows of r with the stored roster.
 * A row matches the stored student that holds its 证件号码 at its level
 * (or the other form of it: a 15-digit number and its 18-digit 升位),
 * else the one that holds its 学号, else its 考生号, else the removed
 * student of its key (READDED); otherwise it is NEW under its own key.
 * A matched row keeps the stored key, exemption and roster order (unless
 * o->reorder: the file's row number); a new student's order follows the
 * students already stored. A stored 18-digit number is never replaced by
 * its own 15-digit form. Two rows of the file
 * matching one student, or a 学号 / 考生号 held by another student, reject
 * the later row. On GC_OK *out owns the plan (gc_plan_free). Blocking
 * (reads the ledger). Errors: GC_ENOMEM, ledger read errors.
 */
gc_err gc_roster_plan(struct gc_ledger *lg, const struct gc_roster *r,
    const struct gc_plan_opts *o, struct gc_plan **out);

void gc_plan_free(struct gc_plan *p); /* NULL-safe */

/* Appends "证件号码 A → B, 姓名 C → D" for the changed fields of pr. */
struct gc_buf;
void gc_plan_row_describe(const struct gc_plan_row *pr, struct gc_buf *b);

/* One student's change. NULL fields stay as stored. */
enum gc_edit_kind {
	GC_EDIT_CORRECT = 0, /* id_type / id_number / level / name */
	GC_EDIT_REMOVE,      /* leaves the roster and the merge */
	GC_EDIT_RESTORE,     /* a removed student back */
	GC_EDIT_EXEMPT,      /* needs no photo (reason) */
	GC_EDIT_UNEXEMPT,    /* needs a photo again */
};

struct gc_edit {
	enum gc_edit_kind kind;
	const char       *id_type;   /* a code ("1") or a name ("居民身份证") */
	const char       *id_number;
	const char       *level;     /* 层次 text or code */
	const char       *name;
	const char       *reason;    /* required; at most 120 bytes */
	int               today;     /* YYYYMMDD for the ID checks, 0: now */
};

/*
 * gc_roster_edit makes the new row of student key (an existing key: a
 * live student, or a removed one for GC_EDIT_RESTORE) for e, checked: a
 * valid number of its type, 出生日期 and 性别 taken from a resident ID,
 * no other live student with the same (证件类型, 证件号码, 层次). On GC_OK
 * out holds the row to store and old the stored one; GC_EINVAL with d
 * saying why (nothing to change, a bad number, taken by another student,
 * not removed, ...); GC_ENOTFOUND.
 */
gc_err gc_roster_edit(struct gc_ledger *lg, const char *key,
    const struct gc_edit *e, struct gc_row *out, struct gc_row *old,
    struct gc_diag *d);

/* The removed student ref names: its key, 证件号码 or 学号 (removed
 * students have no lookups of their own: the few are scanned). key gets
 * its key; GC_ENOTFOUND, GC_EAMBIGUOUS (d says so). */
gc_err gc_roster_removed_find(struct gc_ledger *lg, const char *ref,
    char key[80], struct gc_diag *d);

/* The ROSTER op of an edit (rosterdb.h). */
enum gc_roster_op gc_roster_edit_op(enum gc_edit_kind k);

#endif
