/* ledger internals shared by ledger.c, ledger_index.c and ledger_verify.c. */
#ifndef GC_COMMON_LEDGER_INT_H
#define GC_COMMON_LEDGER_INT_H

#include <lmdb.h>

#include "common/hlc.h"
#include "common/ledger.h"

struct gc_ledger {
	MDB_env             *env;
	MDB_dbi              entries, heads, ids, blobs, missing, forks, peers,
	    meta, enroll, students, sidx, sessions, caps, codes, partial,
	    sgone, /* removed students: key -> hlc ‖ entry id ‖ row */
	    invites, /* "c:" code hash -> student key; "s:" key -> hlc ‖
	              * entry id ‖ code hash (common/invite.h) */
	    checks;  /* student key -> hlc (BE) ‖ entry id of its latest
	              * STUDENT_CHECK (common/student_check.h) */
	/* the merge kept up to date (ledger_merge.c) */
	MDB_dbi              mcap, mcid, mrev, mvoid, mres, mphoto, mcode,
	    mleaf, mtree, malert;
	unsigned             flags;
	bool                 no_partial; /* read-only open of an old node */
	bool                 no_merge;   /* likewise: no merge tables */
	bool                 no_gone;    /* likewise: no removed students */
	bool                 no_invites; /* likewise: no invitations */
	bool                 no_checks;  /* likewise: no students' checks */
	uint64_t             merge_ns;   /* the last upkeep took (bench) */
	char                *dir;
	const struct gc_key *key;
	struct gc_hlc        hlc;
};

/* A transaction in progress; map_full is set by any put that ran out of
 * map space, so the runner can grow the map and run the work again. */
struct lg_txn {
	gc_ledger *lg;
	MDB_txn   *t;
	bool       map_full;
	gc_err     failed; /* a write failed part-way: abort, never commit */
	/* the merge: students and alert hashes touched (redone at commit),
	 * or everything (mfull); mbulk: a reindex, only the inputs */
	struct mtouch *mt;
	bool           mfull, mbulk;
};

/* Head record as stored in `heads` (58 bytes, little-endian). */
struct lg_head {
	bool     quarantined;
	uint64_t seq;
	uint8_t  hash[32];
	uint64_t qseq;
	uint64_t nforks;
	uint64_t hlc;
};

/* Whether key (n bytes) is a student removed from the roster. */
bool gc__lg_removed(struct lg_txn *x, const void *key, size_t n);

typedef gc_err (*lg_txn_fn)(struct lg_txn *x, void *arg);

/* Run fn in a read / write transaction (ledger.c). */
gc_err gc__lg_read(gc_ledger *lg, lg_txn_fn fn, void *arg);
gc_err gc__lg_write(gc_ledger *lg, lg_txn_fn fn, void *arg,
    struct gc_diag *d);

int    gc__lg_put(struct lg_txn *x, MDB_dbi dbi, const void *k, size_t kl,
       const void *v, size_t vl, unsigned flags);
int    gc__lg_get(struct lg_txn *x, MDB_dbi dbi, const void *k, size_t kl,
       MDB_val *v);
int    gc__lg_del(struct lg_txn *x, MDB_dbi dbi, const void *k, size_t kl,
       const void *v, size_t vl);
bool   gc__lg_head_get(struct lg_txn *x, const uint8_t feed[32],
       struct lg_head *h);
int    gc__lg_head_put(struct lg_txn *x, const uint8_t feed[32],
       const struct lg_head *h);
void   gc__lg_entry_key(uint8_t key[40], const uint8_t feed[32], uint64_t seq);
bool   gc__lg_meta_get(struct lg_txn *x, const char *name, MDB_val *v);

/* Drops the chunks of a blob that arrived in parts (ledger_sync.c);
 * 0 or an LMDB error. */
int    gc__lg_partial_drop(struct lg_txn *x, const uint8_t hash[32]);

/* Applies an entry to the derived indexes (enrollments, roster). */
gc_err gc__lg_index_apply(struct lg_txn *x, const struct gc_entry *e);
/* The held entry whose id is id, parsed into e (borrowing LMDB memory
 * until the transaction ends); false when not held or it does not parse
 * (ledger_index.c). */
bool   gc__lg_entry_by_id(struct lg_txn *x, const uint8_t id[32],
       struct gc_entry *e);
/* Indexes a STUDENT_CHECK as its student's latest when it is
 * (ledger_checks.c). */
gc_err gc__lg_index_check(struct lg_txn *x, const struct gc_entry *e);
/* Rebuilds the derived indexes inside the caller's write transaction,
 * leaving out entries past a feed's proved fork. */
gc_err gc__lg_reindex(struct lg_txn *x);
/* The merge kept up to date (ledger_merge.c): apply a believed entry, a
 * photo that arrived, a roster change; redo at commit; drop the inputs
 * (reindex); free the transaction's state. */
gc_err gc__lg_merge_apply(struct lg_txn *x, const struct gc_entry *e);
gc_err gc__lg_merge_blob(struct lg_txn *x, const uint8_t hash[32]);
void   gc__lg_merge_roster_changed(struct lg_txn *x);
gc_err gc__lg_merge_finish(struct lg_txn *x);
gc_err gc__lg_merge_drop(struct lg_txn *x);
void   gc__lg_merge_txn_end(struct lg_txn *x);
gc_err gc__lg_enroll_decode(const MDB_val *v, struct gc_enrollment *out);

#endif
