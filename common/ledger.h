/* ledger: a node's signed append-only feeds in one LMDB environment
 * (DESIGN §4–5). The node writes its own feed with gc_ledger_append and
 * takes other nodes' entries with gc_ledger_ingest, which verifies before
 * it commits. Derived indexes (enrollments, roster) are updated in the same
 * write transaction and can be rebuilt with gc_ledger_reindex. */
#ifndef GC_COMMON_LEDGER_H
#define GC_COMMON_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/entry.h"
#include "common/gc_err.h"
#include "common/keys.h"
#include "common/mergecore.h"

typedef struct gc_ledger gc_ledger;

enum gc_ledger_flags {
	GC_LEDGER_RDONLY = 1 << 0, /* open read-only (audit, log) */
};

#define GC_SCHOOL_MAX 16
#define GC_NAME_MAX   128

struct gc_ledger_info {
	uint8_t      self[32]; /* this node's feed key */
	enum gc_role role;
	char         school[GC_SCHOOL_MAX];
	char         name[GC_NAME_MAX];
	bool         enrolled;      /* authority known and self enrolled */
	uint8_t      authority[32]; /* the coordinator's key, if enrolled */
	uint64_t     seq;           /* own feed head */
	uint8_t      head[32];      /* hash of own head entry */
	uint64_t     hlc;           /* last clock value issued or seen */
};

/*
 * gc_ledger_create makes the LMDB environment in dir/db and records the
 * node's identity. A coordinator is its own authority: its feed starts
 * with an ENROLL of itself (seq 1), carrying its TLS certificate (DER,
 * may be NULL) and fingerprint. GC_EEXIST when dir already holds a ledger.
 */
gc_err gc_ledger_create(const char *dir, const struct gc_key *key,
    enum gc_role role, const char *school, const char *name,
    const uint8_t *tls_cert, size_t tls_cert_len, struct gc_diag *d);

/* Opens dir/db. A damaged environment is GC_ECORRUPT with d naming the
 * file; nothing is modified by a failed open. */
gc_err gc_ledger_open(gc_ledger **out, const char *dir, unsigned flags,
    struct gc_diag *d);
void   gc_ledger_close(gc_ledger *lg); /* NULL-safe */

/* Borrows key (must stay valid until close) for signing appends; its
 * public key must be the node's. GC_EPERM if it is not. */
gc_err gc_ledger_set_key(gc_ledger *lg, const struct gc_key *key);

gc_err gc_ledger_info(gc_ledger *lg, struct gc_ledger_info *out);

/* A photo or other blob stored by content hash. */
struct gc_blob {
	const uint8_t *data;
	size_t         len;
	uint8_t        hash[32]; /* filled by gc_ledger_append */
};

/* One entry to append. */
struct gc_append {
	unsigned              kind;
	const uint8_t        *body; /* one deterministic CBOR item */
	size_t                body_len;
	const struct gc_blob *blobs; /* stored with the entry, named in it */
	size_t                nblobs;
	uint8_t               id[32]; /* out: the new entry's id */
	uint64_t              seq;    /* out */
};

/*
 * gc_ledger_append signs and stores n entries (with their blobs, index
 * updates and the new head) in ONE durable write transaction: after a
 * crash all of them are there or none. Fails with GC_EPERM when the node's
 * role may not write a kind, or a non-coordinator is not enrolled yet.
 */
gc_err gc_ledger_append(gc_ledger *lg, struct gc_append *a, size_t n,
    struct gc_diag *d);

/* Appends one entry of kind whose body is in b (a failed buffer is
 * GC_ENOMEM); id (may be NULL) gets the new entry's id. */
gc_err gc_ledger_append_body(gc_ledger *lg, unsigned kind,
    const struct gc_buf *b, uint8_t id[32], struct gc_diag *d);

/* What happened to one ingested entry. */
enum gc_ingest_status {
	GC_INGEST_ADDED = 0,  /* verified and stored */
	GC_INGEST_DUPLICATE,  /* already held, byte for byte: no-op */
	GC_INGEST_FORK,       /* conflicting entry at a held seq: stored as
	                       * proof, feed quarantined from that seq */
	GC_INGEST_GAP,        /* seq beyond head + 1: ask again later */
	GC_INGEST_REJECTED,   /* malformed, bad signature, not enrolled,
	                       * revoked, or kind not allowed for the role */
};

struct gc_ingest_result {
	enum gc_ingest_status status;
	gc_err                rv;     /* why, for GAP/REJECTED/FORK */
	uint8_t               id[32]; /* zero if unparseable */
	uint64_t              seq;
	char                  reason[256];
};

/*
 * gc_ledger_ingest verifies and stores entries of other feeds (and
 * re-sent entries of any feed) in one write transaction. Each entry gets a
 * result; a bad entry never stops the others. Entries of one feed must
 * come in seq order to chain within the batch. A stored entry's blobs that
 * are not held are recorded as missing. Returns only transaction-level
 * errors (I/O, ENOMEM).
 */
gc_err gc_ledger_ingest(gc_ledger *lg, const uint8_t *const *bytes,
    const size_t *lens, size_t n, struct gc_ingest_result *res,
    struct gc_diag *d);

/* Stores a blob after checking its SHA-256 equals hash. GC_ECORRUPT when
 * it does not. */
gc_err gc_ledger_put_blob(gc_ledger *lg, const uint8_t hash[32],
    const uint8_t *data, size_t len);

/* Calls cb for each stored entry, in (feed, seq) order, inside one read
 * transaction (e borrows LMDB memory valid until cb returns). feed NULL:
 * all feeds. A stored entry that does not parse is passed with kind 0 and
 * only bytes/len/feed/seq set. cb returns non-zero to stop. */
typedef int (*gc_entry_cb)(const struct gc_entry *e, void *arg);
gc_err gc_ledger_foreach(gc_ledger *lg, const uint8_t *feed, gc_entry_cb cb,
    void *arg);

/* Finds an entry by id or by a unique hex prefix of ≥ 8 digits.
 * GC_ENOTFOUND, GC_EAMBIGUOUS. On GC_OK *bytes is gc_alloc'd (gc_free). */
gc_err gc_ledger_get(gc_ledger *lg, const char *id_hex, uint8_t **bytes,
    size_t *len, struct gc_diag *d);

/* A feed's head. */
struct gc_head {
	uint8_t  feed[32];
	uint64_t seq;
	uint8_t  hash[32];
	bool     quarantined;
	uint64_t qseq;  /* quarantined from this seq on */
	uint64_t nforks;
};
typedef int (*gc_head_cb)(const struct gc_head *h, void *arg);
gc_err gc_ledger_heads(gc_ledger *lg, gc_head_cb cb, void *arg);

/* Counts for status. */
struct gc_ledger_counts {
	uint64_t partial_blobs, partial_bytes; /* arriving in chunks (sync) */
	uint64_t feeds, entries, blobs, blob_bytes, missing_blobs, forks,
	    students, enrolled, revoked;
};
gc_err gc_ledger_counts(gc_ledger *lg, struct gc_ledger_counts *c);

/* ---- full verification ---- */

struct gc_verify_problem {
	uint8_t     id[32]; /* zero when not an entry (a blob, an index) */
	uint8_t     feed[32];
	uint64_t    seq;
	const char *kind;   /* "signature", "chain", "format", "role",
	                     * "enrollment", "fork", "blob", "index" */
	char        what[384];
};
struct gc_verify_stats {
	uint64_t entries, feeds, blobs, problems, forks;
};
typedef void (*gc_verify_cb)(const struct gc_verify_problem *p, void *arg);

/*
 * gc_ledger_verify checks every entry (format, signature, seq and prev
 * chain, the feed's enrollment and role for its kind, revocation) and every
 * blob's hash, and reports each proved fork. GC_OK when all holds,
 * GC_ECORRUPT when any problem was reported through cb.
 */
gc_err gc_ledger_verify(gc_ledger *lg, gc_verify_cb cb, void *arg,
    struct gc_verify_stats *st);

/* Drops and rebuilds the derived indexes from the entries. */
gc_err gc_ledger_reindex(gc_ledger *lg, struct gc_diag *d);

/* ---- the merge, kept up to date (common/ledger_merge.c) ----
 *
 * Every write transaction that adds captures, reviews, voids, resolves or
 * photos redoes, before it commits, the merge (DESIGN §8) of the students
 * it touched: their status and leaf, the Merkle tree above them, the
 * counts and the alerts. A roster change or a proved fork redoes it in
 * full. The result equals gc_merge_compute over the same entries with the
 * same parameters (tests/sync/test_merge.c compares them). */
struct gc_merge_state {
	uint8_t  rank[GC_SESSION_KIND_END];
	bool     foreign; /* other sites' photos not required */
	uint64_t nst, counts[GC_MS_END], unmatched, nalert;
	uint8_t  root[32];
};

/* The parameters the merge is kept with: the session-kind rank (NULL:
 * the default) and whether other sites' photos count without being held
 * ([sync] blobs = own). A change redoes the merge in full. Read-only:
 * nothing changes (gc_ledger_merge_load then says GC_ENOTFOUND). */
gc_err gc_ledger_merge_params(gc_ledger *lg, const uint8_t *rank,
    bool foreign, struct gc_diag *d);
/* Counts and root, without reading the students: GC_ENOTFOUND when the
 * node keeps no merge state (an old node opened read-only). */
gc_err gc_ledger_merge_state(gc_ledger *lg, struct gc_merge_state *out);
/* The whole result, as gc_merge_compute gives it, from one read
 * transaction; GC_ENOTFOUND when kept with other parameters or not kept. */
gc_err gc_ledger_merge_load(gc_ledger *lg, const uint8_t *rank, bool foreign,
    struct gc_merge **out);
/* One roster student as the kept merge has it: its status and its
 * captures (by hlc, id; gc_free *caps). GC_ENOTFOUND when not on the
 * roster or no merge is kept. */
gc_err gc_ledger_merge_student(gc_ledger *lg, const char *key,
    enum gc_mstatus *status, struct gc_mcap **caps, size_t *ncap);
/* One roster student's status as the kept merge has it and the capture
 * that wins (the photo that goes out when APPROVED; a CONFLICT's
 * provisional pick). GC_ENOTFOUND when not on the roster, no merge is
 * kept, or no capture wins (*status is then still set when known). */
gc_err gc_ledger_merge_winner(gc_ledger *lg, const char *key,
    enum gc_mstatus *status, struct gc_mcap *win);
/* A capture not voided, of a student other than except, bound to the
 * photo hash (kind GC_ALERT_PHOTO) or the capture-code hash
 * (GC_ALERT_CODE): its student and id. GC_ENOTFOUND when none. */
gc_err gc_ledger_merge_bound(gc_ledger *lg, int kind, const uint8_t hash[32],
    const char *except, char student[80], uint8_t capture[32]);
/* Redoes the merge in full from the kept inputs (bench, reindex). */
gc_err gc_ledger_merge_rebuild(gc_ledger *lg, struct gc_diag *d);
/* How long the last upkeep (at a commit of this handle) took, in ns. */
uint64_t gc_ledger_merge_last_ns(const gc_ledger *lg);

/* ---- enrollment ---- */

struct gc_enrollment {
	uint8_t      pk[32];
	enum gc_role role;
	char         name[GC_NAME_MAX];
	char         school[GC_SCHOOL_MAX];
	uint64_t     not_before, not_after; /* unix seconds; 0: open */
	bool         revoked;
	uint64_t     max_seq; /* revoked: last valid seq of the feed */
	uint8_t      entry_id[32];
	bool         has_tls_fp;
	uint8_t      tls_fp[32];
	/* The TLS certificate (DER) the fingerprint pins, when the entry
	 * carries it: borrowed from the parsed entry, NULL in index reads. */
	const uint8_t *tls_cert;
	size_t         tls_cert_len;
};
/* Decodes the body of an ENROLL or REVOKE entry (fields a REVOKE does not
 * carry are left alone). GC_ECORRUPT when malformed. */
gc_err gc_enrollment_parse(const struct gc_entry *e,
    struct gc_enrollment *out);

/* Appends the body of an ENROLL entry for en (key, role, name, school,
 * validity, TLS fingerprint if has_tls_fp, TLS certificate if
 * tls_cert_len), or, when revoke is true, of a
 * REVOKE entry (key, reason, last valid seq en->max_seq). */
void gc_enrollment_encode(struct gc_buf *b, const struct gc_enrollment *en,
    bool revoke, const char *reason);

/* Looks up a feed's enrollment: GC_ENOTFOUND when none. */
gc_err gc_ledger_enrollment(gc_ledger *lg, const uint8_t pk[32],
    struct gc_enrollment *out);
typedef int (*gc_enroll_cb)(const struct gc_enrollment *e, void *arg);
gc_err gc_ledger_enrollments(gc_ledger *lg, gc_enroll_cb cb, void *arg);

/*
 * gc_ledger_enroll_install takes an enrollment hand-over in ONE write
 * transaction: it records authority as the school authority (GC_EEXIST if
 * another one is recorded), ingests the authority's feed entries like
 * gc_ledger_ingest, and commits only if this node then stands enrolled in
 * its own role and not revoked (else GC_EPERM, d says why, and nothing is
 * kept).
 */
gc_err gc_ledger_enroll_install(gc_ledger *lg, const uint8_t authority[32],
    const uint8_t *const *bytes, const size_t *lens, size_t n,
    struct gc_ingest_result *res, struct gc_diag *d);

/* ---- the roster index ---- */

/* One student as stored: the row's CBOR (docs/formats.md, ROSTER) and the
 * entry that last set it. */
struct gc_student_rec {
	const char    *key;
	size_t         key_len;
	const uint8_t *row; /* CBOR map */
	size_t         row_len;
	uint64_t       hlc;
	uint8_t        entry_id[32];
};
typedef int (*gc_student_cb)(const struct gc_student_rec *r, void *arg);

/* All students, in key order, inside one read transaction. */
gc_err gc_ledger_students(gc_ledger *lg, gc_student_cb cb, void *arg);

/* Likewise the students removed from the roster (roster remove): their
 * last rows, which carry the removal's reason. */
gc_err gc_ledger_removed_students(gc_ledger *lg, gc_student_cb cb,
    void *arg);

/* One student by key: GC_ENOTFOUND. *row is gc_alloc'd (gc_free). */
gc_err gc_ledger_student_get(gc_ledger *lg, const char *key, uint8_t **row,
    size_t *row_len, uint64_t *hlc, uint8_t entry_id[32]);

/* A student removed from the roster (its last row carries the removal),
 * by key: GC_ENOTFOUND when none. As gc_ledger_student_get otherwise. */
gc_err gc_ledger_removed_get(gc_ledger *lg, const char *key, uint8_t **row,
    size_t *row_len, uint64_t *hlc, uint8_t entry_id[32]);

/*
 * Resolves a student reference: a student key, an ID number, a 学号 or a
 * 考生号. GC_ENOTFOUND; GC_EAMBIGUOUS when it names several students (d
 * lists them). key_out gets the key.
 */
gc_err gc_ledger_student_find(gc_ledger *lg, const char *ref,
    char key_out[80], struct gc_diag *d);

/* Which student, if any, already holds a lookup value: kind "xh" (学号),
 * "ksh" (考生号) or "id" (ID number). Fills keys_out with up to max keys;
 * returns how many there are. */
size_t gc_ledger_lookup(gc_ledger *lg, const char *kind, const char *value,
    char (*keys_out)[80], size_t max);

/* ---- sessions and captures ---- */

struct gc_session_rec;
struct gc_capture_rec;

/* The session currently open on a feed: GC_ENOTFOUND when none. */
gc_err gc_ledger_session_current(gc_ledger *lg, const uint8_t feed[32],
    struct gc_session_rec *out);

/* Calls cb for each CAPTURE entry (any feed) of a student, or bound to a
 * capture code's hash; *n (may be NULL) gets how many there are. cb
 * returns non-zero to stop; e and c borrow LMDB memory until it returns. */
typedef int (*gc_capture_cb)(const struct gc_entry *e,
    const struct gc_capture_rec *c, void *arg);
gc_err gc_ledger_captures(gc_ledger *lg, const char *student_key,
    gc_capture_cb cb, void *arg, size_t *n);
gc_err gc_ledger_captures_by_code(gc_ledger *lg, const uint8_t code[32],
    gc_capture_cb cb, void *arg, size_t *n);

/* The student whose current online sign-in code has this hash
 * (common/invite.h): GC_ENOTFOUND when none, when a later invitation has
 * replaced it, or when the student has left the roster. */
gc_err gc_ledger_invite_find(gc_ledger *lg, const uint8_t hash[32], char *key,
    size_t cap);

/* ---- the students' checks of their photos (common/student_check.h) ---- */

/* The student's latest STUDENT_CHECK entry (by hlc, then entry id):
 * *bytes gc_alloc'd (gc_free). GC_ENOTFOUND when none. */
gc_err gc_ledger_check_latest(gc_ledger *lg, const char *key,
    uint8_t **bytes, size_t *len);
/* Calls cb with each student's latest STUDENT_CHECK, in student key
 * order, inside one read transaction (e borrows LMDB memory until cb
 * returns; cb returns non-zero to stop). */
gc_err gc_ledger_checks(gc_ledger *lg, gc_entry_cb cb, void *arg);

/* ---- replication (sync/) ---- */

#define GC_BLOB_MAX ((uint64_t)64 << 20) /* largest blob taken from a peer */

/* Calls cb for each held entry of feed with seq >= from, in seq order, in
 * one read transaction (e borrows LMDB memory until cb returns). */
gc_err gc_ledger_range(gc_ledger *lg, const uint8_t feed[32], uint64_t from,
    gc_entry_cb cb, void *arg);

/* Calls cb for each stored fork proof (the conflicting entry's exact
 * bytes) of feed, or of every feed when feed is NULL. */
typedef int (*gc_fork_cb)(const uint8_t feed[32], uint64_t seq,
    const uint8_t *bytes, size_t len, void *arg);
gc_err gc_ledger_forks(gc_ledger *lg, const uint8_t *feed, gc_fork_cb cb,
    void *arg);

/* A held blob's length: GC_ENOTFOUND when not held. */
gc_err gc_ledger_blob_size(gc_ledger *lg, const uint8_t hash[32],
    uint64_t *len);

/* Copies up to max bytes of a held blob from off into out; *got is how
 * many, *total its length. GC_ENOTFOUND; GC_EINVAL when off > length. */
gc_err gc_ledger_blob_read(gc_ledger *lg, const uint8_t hash[32],
    uint64_t off, uint8_t *out, size_t max, size_t *got, uint64_t *total);

/* A blob named by a held entry and not held: its hash, the feed of (one
 * of) the entries naming it, and how much of it has arrived in chunks. */
struct gc_missing {
	uint8_t  hash[32];
	uint8_t  feed[32]; /* zero when the naming entry is not found */
	uint64_t committed, total; /* 0, 0 when no chunk has arrived */
};
typedef int (*gc_missing_cb)(const struct gc_missing *m, void *arg);
gc_err gc_ledger_missing(gc_ledger *lg, gc_missing_cb cb, void *arg);

/*
 * gc_ledger_blob_chunk stores bytes [off, off+len) of the blob hash, of
 * total length total, in one durable write transaction, so an interrupted
 * transfer resumes at *committed. Chunks must come in order: off below
 * *committed is a no-op (a resend), off above it is GC_EGAP. When the
 * last chunk arrives the blob is assembled, checked against hash and
 * stored (GC_ECORRUPT and the chunks dropped when it does not match). A
 * blob that no held entry names is GC_EPERM; one already held is GC_OK
 * with *committed = total. GC_ETOOBIG past GC_BLOB_MAX.
 */
gc_err gc_ledger_blob_chunk(gc_ledger *lg, const uint8_t hash[32],
    uint64_t total, uint64_t off, const uint8_t *data, size_t len,
    uint64_t *committed, struct gc_diag *d);

/*
 * gc_ledger_blobs_put stores n whole blobs (hash filled in by the caller)
 * in ONE durable write transaction: each is checked against its hash
 * (res[i] = GC_ECORRUPT), must be named by a held entry (GC_EPERM), or is
 * held already (GC_OK, a no-op). Returns transaction-level errors only.
 */
gc_err gc_ledger_blobs_put(gc_ledger *lg, const struct gc_blob *b, size_t n,
    gc_err *res, struct gc_diag *d);

/* The peers table: opaque records (sync/ owns their format) by name. */
gc_err gc_ledger_peer_put(gc_ledger *lg, const char *name, const uint8_t *v,
    size_t vl);
/* GC_ENOTFOUND; on GC_OK *v is gc_alloc'd. */
gc_err gc_ledger_peer_get(gc_ledger *lg, const char *name, uint8_t **v,
    size_t *vl);
typedef int (*gc_peer_cb)(const char *name, const uint8_t *v, size_t vl,
    void *arg);
gc_err gc_ledger_peer_foreach(gc_ledger *lg, gc_peer_cb cb, void *arg);

/* Digests that two nodes compare to know they hold the same things:
 * entries = SHA-256 over the ids of every held entry and fork proof in
 * (feed, seq, id) order; blobs = SHA-256 over every held blob's hash in
 * order. n_* get the counts. */
struct gc_ledger_digest {
	uint8_t  entries[32], blobs[32];
	uint64_t n_entries, n_forks, n_blobs;
};
gc_err gc_ledger_digest(gc_ledger *lg, struct gc_ledger_digest *out);

#endif
