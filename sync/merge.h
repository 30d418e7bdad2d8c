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
#include "common/mergecore.h"
#include "common/records.h"

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

#endif
