/* rosterdb: a checked roster row as the CBOR map a ROSTER entry carries
 * (docs/formats.md), and back. */
#ifndef GC_COMMON_ROSTERDB_H
#define GC_COMMON_ROSTERDB_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/roster.h"

/* Row map keys. */
enum gc_row_key {
	GC_ROW_KEY = 0,
	GC_ROW_SCHOOL,
	GC_ROW_ID_TYPE,
	GC_ROW_ID_NUMBER,
	GC_ROW_LEVEL_CODE,
	GC_ROW_NAME,
	GC_ROW_SEX,
	GC_ROW_BIRTH,
	GC_ROW_STUDENT_NO,
	GC_ROW_EXAM_NO,
	GC_ROW_LEVEL,
	GC_ROW_DEPT,
	GC_ROW_MAJOR,
	GC_ROW_CLASS,
	GC_ROW_CAMPUS,
	GC_ROW_UPGRADED,
	GC_ROW_NKEYS
};

/* ROSTER body ops. */
enum gc_roster_op { GC_ROSTER_ADD = 0, GC_ROSTER_PATCH = 1 };

/* Appends the row map for s (school: the node's 学校代码). */
void gc_row_encode(struct gc_buf *b, const struct gc_student *s,
    const char *school);

/* A decoded row: NUL-terminated copies, "" when absent. */
struct gc_row {
	char v[GC_ROW_NKEYS][128];
};

/* Decodes a row map; GC_ECORRUPT when it is not one. */
gc_err gc_row_decode(const uint8_t *p, size_t len, struct gc_row *out);

/* The roster row of student key, decoded into out (all "" when the key
 * is not on the roster or the row does not decode). */
struct gc_ledger;
gc_err gc_row_of(struct gc_ledger *lg, const char *key, struct gc_row *out);

/* JSON object of a decoded row with named keys. */
void gc_row_json(struct gc_buf *b, const struct gc_row *r);

/* Names used for JSON keys: "key", "school", "id_type", ... */
const char *gc_row_key_name(enum gc_row_key k);

#endif
