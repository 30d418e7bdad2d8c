/* mergecore: the types and the per-student decision of the merge
 * (DESIGN §8, docs/merge.md), shared by the merge computed from the
 * entries (sync/merge.c) and the merge state the ledger keeps up to date
 * as entries arrive (common/ledger_merge.c). */
#ifndef GC_COMMON_MERGECORE_H
#define GC_COMMON_MERGECORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/records.h"

enum gc_mstatus {
	GC_MS_MISSING = 0,
	GC_MS_NEEDS_RETAKE,
	GC_MS_PENDING_REVIEW,
	GC_MS_APPROVED,
	GC_MS_CONFLICT,
	GC_MS_EXEMPT, /* needs no photo: roster exempt (already at 学信网, …) */
	GC_MS_END
};
const char *gc_mstatus_name(enum gc_mstatus s); /* "MISSING" */

/* A capture as the merge sees it. */
struct gc_mcap {
	uint8_t  id[32], feed[32], photo[32], code[32];
	uint64_t hlc;
	char     student[80];
	int32_t  st;      /* index of the student, -1: not on the roster */
	uint8_t  kind;    /* enum gc_session_kind */
	bool     has_code, blob, voided;
	int8_t   review;  /* -1 none, else enum gc_review_decision */
	uint64_t rv_hlc;
	uint8_t  rv_id[32];
};

struct gc_mstudent {
	char            key[80];
	char            klass[64];
	enum gc_mstatus status;
	int32_t         winner; /* capture index (authoritative or
	                         * provisional), -1 when none */
	uint32_t        first, ncap; /* its captures: cap[first..+ncap) */
	uint32_t        ncand;       /* candidates (not voided, blob held) */
	bool            resolved;
	bool            exempt;      /* the roster row says exempt */
	uint32_t        order;       /* roster order (row key 16), 0: none */
};

enum gc_malert_kind { GC_ALERT_PHOTO = 0, GC_ALERT_CODE = 1 };
struct gc_malert {
	enum gc_malert_kind kind;
	uint8_t             hash[32];
	char                a[80], b[80]; /* two of the students */
	uint8_t             cap_a[32], cap_b[32];
};

struct gc_merge {
	struct gc_mstudent *st;
	size_t              nst;
	struct gc_mcap     *cap; /* by (student key, hlc, id) */
	size_t              ncap;
	size_t              counts[GC_MS_END];
	size_t              unmatched;
	struct gc_malert   *alert;
	size_t              nalert;
	uint8_t             root[32];
};

void gc_merge_free(struct gc_merge *m); /* NULL-safe */

/* The leaf of student i: CBOR [key, status, capture id | null,
 * photo hash | null]. */
void gc_merge_leaf(const struct gc_merge *m, size_t i, struct gc_buf *b);

/* Parses "central,makeup,individual,online" (any order of all four) into
 * rank; false when malformed. */
bool gc_merge_rank_parse(const char *s, uint8_t rank[GC_SESSION_KIND_END]);

/* The decision for one student over its captures (in any order; each
 * capture's blob flag already says whether it counts as held), given the
 * session-kind rank (rank[kind], 0 best) and the capture the latest
 * RESOLVE names (NULL: none). An exempt student is EXEMPT whatever its
 * captures (no winner: no photo goes out); ncand still counts them. */
struct gc_mdecision {
	enum gc_mstatus status;
	int32_t         winner; /* index into the captures, -1: none */
	uint32_t        ncand;
	bool            resolved;
};
void gc_merge_decide(const struct gc_mcap *cap, size_t n, const uint8_t *rank,
    const uint8_t *resolve_capture, bool exempt, struct gc_mdecision *out);

/* The leaf bytes: CBOR [key, status, capture id | null, photo | null];
 * win NULL (or a CONFLICT's provisional pick) gives the nulls. */
void gc_merge_leaf_encode(struct gc_buf *b, const char *key,
    enum gc_mstatus status, const struct gc_mcap *win);

/* The CAPTURE fields the merge reads (student, session kind, capture
 * code, photo; docs/formats.md keys 0, 2, 4, 5) into m, without decoding
 * the checks; false when they do not parse. */
bool gc_merge_capture_parse(const uint8_t *body, size_t n, struct gc_mcap *m);

/* The students' indices in roster order: by (order, key), students
 * without an order last (gc_free). NULL on allocation failure. */
size_t *gc_merge_roster_order(const struct gc_merge *m);

/* qsort order of captures: by student key, then hlc, then id. */
int gc_mcap_cmp(const void *a, const void *b);

/* The default precedence: central > makeup > individual > online. */
extern const uint8_t gc_merge_default_rank[GC_SESSION_KIND_END];

#endif
