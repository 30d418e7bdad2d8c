/* audit: what `gradcap audit verify` checks beyond the ledger's own
 * verification (gc_ledger_verify): the latest signed checkpoint, its note
 * signature by the school authority, and the merge recomputed over
 * exactly the entries it covered. */
#ifndef GC_SYNC_AUDIT_H
#define GC_SYNC_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/ledger.h"
#include "sync/merge.h"

struct gc_audit_cp {
	bool     found;
	uint8_t  entry[32];
	uint64_t size, got_size;
	uint8_t  root[32], got_root[32];
	bool     ok; /* note signed, body consistent, merge equal */
};

/* The latest CHECKPOINT of the authority's feed, decoded: what it signs
 * and which entries it covered. found false when there is none. */
struct gc_checkpoint_info {
	bool                 found;
	uint8_t              entry[32], feed[32];
	uint64_t             seq;
	char                *note; /* gc_alloc'd, NUL-terminated */
	size_t               note_len;
	char                 origin[128];
	uint64_t             size;
	uint8_t              root[32];
	struct gc_merge_cut *cut; /* gc_alloc'd */
	size_t               ncut;
};
gc_err gc_checkpoint_latest(gc_ledger *lg, struct gc_checkpoint_info *ci);
void   gc_checkpoint_info_release(struct gc_checkpoint_info *ci);

/*
 * Checks the latest CHECKPOINT of the authority's feed. Each problem goes
 * to cb with kind "checkpoint" and the entry's id. o gives the precedence
 * (its cut is replaced by the checkpoint's). GC_OK when none was found or
 * it holds, GC_ECORRUPT when a problem was reported, other errors for
 * I/O.
 */
gc_err gc_audit_checkpoint(gc_ledger *lg, const struct gc_merge_opts *o,
    gc_verify_cb cb, void *arg, struct gc_audit_cp *out);

#endif
