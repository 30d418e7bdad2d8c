/* sample: a deterministic, made-up student roster for the demo and the
 * tests. Every ID is a valid generated 18-digit 公民身份号码 (real province
 * prefixes, MOD 11-2 check digit), consistent with 性别 and 出生日期; no
 * row describes a real person except by chance. Pure functions of the
 * seed: the same (count, seed, flags) always gives the same bytes. */
#ifndef GC_COMMON_SAMPLE_H
#define GC_COMMON_SAMPLE_H

#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

enum gc_sample_flags {
	GC_SAMPLE_BOM = 1 << 0, /* start the CSV with a UTF-8 BOM (Excel) */
};

/* The most rows gc_sample_roster_csv writes (学号 has a 6-digit serial). */
#define GC_SAMPLE_MAX_ROWS 999999u

/* The CSV header line, without the line end. */
#define GC_SAMPLE_HEADER                                                 \
	"学号,姓名,性别,出生日期,证件类型,身份证号,考生号,层次,院系,专业," \
	"班级,校区"

/*
 * gc_sample_roster_csv appends a header and `count` rows of UTF-8 CSV
 * (LF line ends, no quoting needed) to out. 学号, 考生号 and 身份证号 are
 * unique within the output. Errors: GC_ETOOBIG when count exceeds
 * GC_SAMPLE_MAX_ROWS, GC_ENOMEM (out's sticky failure or the uniqueness
 * table); out may then hold a partial roster.
 */
gc_err gc_sample_roster_csv(struct gc_buf *out, unsigned count, uint64_t seed,
    int flags);

/* A splitmix64 step: advances *state and returns the next value. */
uint64_t gc_sample_next(uint64_t *state);

/*
 * gc_sample_id writes a valid 18-character resident ID and its NUL to out:
 * a real county prefix, birth date 1998-01-01..2004-12-31, a random
 * sequence number (either sex) and the computed check digit. Advances
 * *state. Not unique by itself.
 */
void gc_sample_id(char out[19], uint64_t *state);

#endif
