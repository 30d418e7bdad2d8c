/* student_checks: the coordinator's side of the students' checks of their
 * finished photos (common/student_check.h, docs/online-guide.md): each
 * student's latest check, whether it is about the photo that goes out
 * now, the listing of `gradcap online checks`, and the cells the exports
 * carry (roster.csv 学生确认, the school's 邮寄.csv). */
#ifndef GC_NODE_STUDENT_CHECKS_H
#define GC_NODE_STUDENT_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/ledger.h"
#include "common/mergecore.h"
#include "common/student_check.h"
#include "node/node.h"

/* One student's latest check, in short. */
struct gc_check_item {
	char     student[80];
	uint8_t  capture[32]; /* the photo the student saw */
	uint8_t  entry[32];
	uint64_t hlc;
	uint8_t  verdict;     /* enum gc_check_verdict */
	bool     has_addr;
};

/* Every student's latest check, by student key. */
struct gc_checks {
	struct gc_check_item *v;
	size_t                n;
};

/* Loads the table (one read transaction). GC_ENOMEM; release it in any
 * case. */
gc_err gc_checks_load(gc_ledger *lg, struct gc_checks *cs);
void   gc_checks_release(struct gc_checks *cs); /* NULL-safe */

/* The latest check of student, NULL when none. */
const struct gc_check_item *gc_checks_find(const struct gc_checks *cs,
    const char *student);

/* The 学生确认 cell of a student whose photo going out is win (NULL:
 * none): 已确认 or 报告错误 when the student's latest check is about that
 * very photo; "" otherwise. */
const char *gc_checks_cell(const struct gc_checks *cs, const char *student,
    const struct gc_mcap *win);

/* The whole check of an item, its entry read again. GC_ENOTFOUND when a
 * later one has come since the table was loaded, or it does not decode. */
gc_err gc_checks_get(gc_ledger *lg, const struct gc_check_item *it,
    struct gc_student_check *out);

/* The listing of `gradcap online checks`, oldest first, into out: a line
 * a student (ID numbers masked; whether an address was given, not the
 * address), or with csv the sheet for the school (UTF-8 with BOM, ID
 * numbers and addresses whole). *nreport and *nok count the students
 * whose latest answer is a report or a confirmation of the photo that
 * goes out now (not counted: answers about an earlier photo). */
gc_err gc_checks_list(struct gc_node *n, bool csv, struct gc_buf *out,
    size_t *nreport, size_t *nok);

#endif
