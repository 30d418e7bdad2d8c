/* rosterdb: a checked roster row as the CBOR map a ROSTER entry carries
 * (docs/formats.md), and back. */
#ifndef GC_COMMON_ROSTERDB_H
#define GC_COMMON_ROSTERDB_H

#include <stdbool.h>
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
	GC_ROW_ORDER,   /* 16: the row's number in its file (CBOR uint) */
	GC_ROW_EXEMPT,  /* 17: why no photo is needed (roster exempt) */
	GC_ROW_REMOVED, /* 18: why the student left the roster */
	GC_ROW_CORRECTED, /* 19: why `roster correct` last changed the row */
	GC_ROW_EMAIL,     /* 20: the student's e-mail address (notices) */
	GC_ROW_NKEYS
};

/* ROSTER body ops (what the entry was made for; every op carries whole
 * rows, and the row with the greatest (hlc, entry id) counts). */
enum gc_roster_op {
	GC_ROSTER_ADD     = 0, /* new students from a file */
	GC_ROSTER_PATCH   = 1, /* changed students from a file */
	GC_ROSTER_CORRECT = 2, /* roster correct: one student's data */
	GC_ROSTER_REMOVE  = 3, /* roster remove (rows carry GC_ROW_REMOVED) */
	GC_ROSTER_EXEMPT  = 4, /* roster exempt (rows carry GC_ROW_EXEMPT) */
	GC_ROSTER_UPGRADE = 5, /* 15-digit numbers replaced by their 升位 */
};

/* "add", "patch", "correct", "remove", "exempt", "upgrade"; "?" */
const char *gc_roster_op_name(uint64_t op);

/* A decoded row: NUL-terminated copies, "" when absent; v[GC_ROW_ORDER]
 * holds the number as decimal text. */
#define GC_ROW_VALUE_MAX 128
struct gc_row {
	char v[GC_ROW_NKEYS][GC_ROW_VALUE_MAX];
};

/* The row of a checked roster line (school: the node's 学校代码). */
void gc_row_from_student(struct gc_row *out, const struct gc_student *s,
    const char *school);

/* Appends the row map of r: empty fields left out, so one row has one
 * encoding; GC_ROW_ORDER as a uint. */
void gc_row_put(struct gc_buf *b, const struct gc_row *r);

/* Appends the row map for s: gc_row_from_student, then gc_row_put. */
void gc_row_encode(struct gc_buf *b, const struct gc_student *s,
    const char *school);

/* What a stored row map says of the student beyond its data: exempt
 * (key 17), removed (key 18); 0 when neither or when it does not parse. */
enum gc_row_flags { GC_ROWF_EXEMPT = 1 << 0, GC_ROWF_REMOVED = 1 << 1 };
unsigned gc_row_map_flags(const uint8_t *p, size_t len);

/* Decodes a row map; GC_ECORRUPT when it is not one. */
gc_err gc_row_decode(const uint8_t *p, size_t len, struct gc_row *out);

/* The roster row of student key, decoded into out (all "" when the key
 * is not on the roster or the row does not decode). */
struct gc_ledger;
gc_err gc_row_of(struct gc_ledger *lg, const char *key, struct gc_row *out);
/* Likewise for a student removed from the roster (GC_ENOTFOUND if not). */
gc_err gc_row_of_removed(struct gc_ledger *lg, const char *key,
    struct gc_row *out);

/* JSON object of a decoded row with named keys. */
void gc_row_json(struct gc_buf *b, const struct gc_row *r);

/* Names used for JSON keys: "key", "school", "id_type", ... */
const char *gc_row_key_name(enum gc_row_key k);

#endif
