/* merge: one authoritative photo per student, as a pure function of the
 * entries a node holds (DESIGN §8, docs/merge.md), whatever order they
 * arrived in:
 *
 * 1. Candidates for a student: CAPTURE entries for its key from feeds not
 *    quarantined (entries before a proved fork still count), not VOIDed,
 *    photo blob held.
 * 2. A capture's review is its latest REVIEW by (hlc, entry id).
 * 3. The coordinator's latest RESOLVE for the student, by (hlc, entry id),
 *    names the winner (when that capture is a candidate).
 * 4. Otherwise among the candidates not rejected: none → MISSING (or
 *    NEEDS_RETAKE when some were rejected); one → APPROVED or
 *    PENDING_REVIEW; several → CONFLICT, with a provisional pick: approved
 *    first, then the session-kind precedence, then the latest hlc, then
 *    the smallest entry id.
 * 5. Reported too: captures of students not on the roster (UNMATCHED),
 *    and one photo or one capture code bound to two students (ALERT).
 *
 * The authoritative set is one leaf per roster student, in key order; its
 * digest is the RFC 9162 Merkle root over the leaves. */
#ifndef GC_SYNC_MERGE_H
#define GC_SYNC_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/ledger.h"
#include "common/records.h"

enum gc_mstatus {
	GC_MS_MISSING = 0,
	GC_MS_NEEDS_RETAKE,
	GC_MS_PENDING_REVIEW,
	GC_MS_APPROVED,
	GC_MS_CONFLICT,
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

/* A version vector: the entries a checkpoint covered. */
struct gc_merge_cut {
	uint8_t  feed[32];
	uint64_t seq; /* entries of the feed up to this seq */
};

struct gc_merge_opts {
	/* session-kind precedence: rank[kind], 0 best; NULL: central >
	 * makeup > individual > online */
	const uint8_t *rank;
	/* the node does not fetch other sites' photos ([sync] blobs = own):
	 * a capture of another site's feed counts without its photo, so a
	 * site's makeup list does not name students photographed elsewhere.
	 * (The coordinator fetches every photo and requires them.) */
	bool foreign_blobs_optional;
	/* only the entries these feeds held up to these seqs (a
	 * checkpoint's), the roster included (rebuilt from its ROSTER
	 * entries); NULL: everything held */
	const struct gc_merge_cut *cut;
	size_t                     ncut;
};

gc_err gc_merge_compute(gc_ledger *lg, const struct gc_merge_opts *o,
    struct gc_merge **out, struct gc_diag *d);
void   gc_merge_free(struct gc_merge *m); /* NULL-safe */

/* The leaf of student i: CBOR [key, status, capture id | null,
 * photo hash | null]. */
void gc_merge_leaf(const struct gc_merge *m, size_t i, struct gc_buf *b);

/* Parses "central,makeup,individual,online" (any order of all four) into
 * rank; false when malformed. */
bool gc_merge_rank_parse(const char *s, uint8_t rank[GC_SESSION_KIND_END]);

#endif
