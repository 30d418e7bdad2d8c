/* merge_view: the merge as the CLI shows it (node/cmd_merge.c). */
#ifndef GC_NODE_MERGE_VIEW_H
#define GC_NODE_MERGE_VIEW_H

#include <stdbool.h>

#include "common/buf.h"
#include "node/node.h"
#include "sync/merge.h"

/* Computes the merge with the precedence from gradcap.ini ([merge]
 * precedence = central,makeup,individual,online). */
gc_err gc_merge_node(struct gc_node *n, struct gc_merge **out,
    struct gc_diag *d);
/* The same over only the entries of cut (a checkpoint's). */
gc_err gc_merge_node_cut(struct gc_node *n, const struct gc_merge_cut *cut,
    size_t ncut, struct gc_merge **out, struct gc_diag *d);
/* The node's merge options (precedence, blob policy); rank is storage. */
gc_err gc_merge_opts_node(struct gc_node *n, struct gc_merge_opts *o,
    uint8_t rank[GC_SESSION_KIND_END], struct gc_diag *d);

/* Appends the merge part of `gradcap status`: counts per status (only of
 * class and/or site when given), per class and per site, the digest. */
gc_err gc_merge_report(struct gc_node *n, const char *klass,
    const char *site, bool json, struct gc_buf *b, struct gc_diag *d);

/* Why a NEEDS_RETAKE student was rejected: the reason of the latest
 * rejecting review of its captures, into out ("" when none). */
void gc_merge_reject_reason(struct gc_node *n, const struct gc_merge *m,
    const struct gc_mstudent *s, char *out, size_t cap);
/* The reason of capture c's latest review, read from its REVIEW entry,
 * into out ("" when none or not reviewed). */
void gc_merge_review_reason(struct gc_node *n, const struct gc_mcap *c,
    char *out, size_t cap);

/* A held CAPTURE entry named by its id or a unique prefix of 8 or more
 * hex digits: GC_EINVAL (too short), GC_ENOTFOUND (none, or not a
 * CAPTURE), with d saying why (the caller names REF). */
struct gc_capture_ref {
	uint8_t id[32], feed[32], photo[32];
	char    student[80];
};
gc_err gc_capture_lookup(struct gc_node *n, const char *ref,
    struct gc_capture_ref *out, struct gc_diag *d);

/* What `gradcap conflicts [--json]` prints, appended to b. */
gc_err gc_conflicts_report(struct gc_node *n, bool json, struct gc_buf *b,
    struct gc_diag *d);

/* Node names by feed key, from the enrollments: fill with
 * gc_ledger_enrollments(lg, gc_names_cb, &names); "?" when unknown. */
struct gc_names {
	uint8_t (*pk)[32];
	char    (*name)[GC_NAME_MAX];
	size_t  n;
};
int         gc_names_cb(const struct gc_enrollment *e, void *arg);
const char *gc_name_of(const struct gc_names *nm, const uint8_t pk[32]);
void        gc_names_free(struct gc_names *nm);

/* The origin line of the school's checkpoints: "gradcap/<school>". */
void gc_checkpoint_origin(char *out, size_t cap, const char *school);

/* Signs a checkpoint of the set as it stands (coordinator; n opened with
 * its key): appends the CHECKPOINT entry (id) and its signed note to
 * note; *m gets the merge it covers (gc_merge_free). vet (may be NULL)
 * sees that merge first: its error refuses, and nothing is stored. */
gc_err gc_checkpoint_make(struct gc_node *n, struct gc_merge **m,
    struct gc_buf *note, uint8_t id[32],
    gc_err (*vet)(const struct gc_merge *m, void *arg), void *vet_arg,
    struct gc_diag *d);

/* Leaf hashes of the whole set (gc_alloc'd, m->nst of them; NULL on
 * OOM), and the text of leaf idx's inclusion proof appended to pf. */
uint8_t (*gc_merge_leaf_hashes(const struct gc_merge *m))[32];
void gc_proof_write(struct gc_buf *pf, const struct gc_merge *m,
    const uint8_t (*h)[32], size_t idx, const char *origin);

#endif
