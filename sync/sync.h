/* sync: anti-entropy replication of signed feeds and blobs between nodes
 * (DESIGN §7, docs/protocol.md). The transport is someone else's (nng
 * req/rep over TLS in node/, a direct call in tests): the server side is
 * one function from a request to a reply, the client side a run that
 * calls an rpc function. Both verify everything they take. */
#ifndef GC_SYNC_SYNC_H
#define GC_SYNC_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/keys.h"
#include "common/ledger.h"

/* Which blobs a node fetches: those named by its own feed and the
 * coordinator's (OWN, a site's default), or every one (ALL, the
 * coordinator's default; `[sync] blobs = all` on a site). */
enum gc_sync_blobs { GC_SYNC_BLOBS_OWN = 0, GC_SYNC_BLOBS_ALL };

#define GC_SYNC_SESSIONS 64

struct gc_sync_session {
	uint8_t  id[16];
	uint8_t  nonce[16]; /* the challenge the peer must sign (AUTH) */
	bool     authed;    /* AUTH verified: the peer holds its key */
	uint8_t  peer[32];
	unsigned role;
	char     name[128];
	uint64_t last_used; /* unix seconds; 0: free slot */
	uint64_t bytes_in, bytes_out, entries_in, blobs_in;
	uint64_t seen_at;   /* unix seconds the peers table last noted it */
};

/* A node taking part in sync. The mutex serialises ledger use between
 * the server's and the client's threads (LMDB allows one writer; the
 * ledger's clock is shared state). */
struct gc_sync_node {
	gc_ledger             *lg;
	const struct gc_key   *key;
	struct gc_ledger_info  info;
	enum gc_sync_blobs     blobs;
	pthread_mutex_t        mtx;
	struct gc_sync_session sess[GC_SYNC_SESSIONS];
	unsigned               chunk_delay_ms; /* test hook: slows blob sends */
};

/* Borrows lg and key until gc_sync_node_release. GC_EPERM when the node
 * is not enrolled (nothing to sync with yet; d says so). */
gc_err gc_sync_node_init(struct gc_sync_node *n, gc_ledger *lg,
    const struct gc_key *key, enum gc_sync_blobs blobs, struct gc_diag *d);
void   gc_sync_node_release(struct gc_sync_node *n);

/*
 * gc_sync_serve answers one request: rep gets the reply (an ERROR message
 * naming the reason for a malformed, unauthorised or failed request).
 * Every request is idempotent. Thread-safe (takes n->mtx for the ledger).
 */
void gc_sync_serve(struct gc_sync_node *n, const uint8_t *req, size_t len,
    struct gc_buf *rep);

/* One request/reply round trip: *rep borrows the reply until the next call
 * (or the end of the run). GC_ETIMEDOUT / GC_EIO / GC_ECLOSED with d
 * naming the peer. */
typedef gc_err (*gc_sync_rpc)(void *arg, const uint8_t *req, size_t len,
    const uint8_t **rep, size_t *replen, struct gc_diag *d);

struct gc_sync_stats {
	uint8_t  peer[32];
	char     peer_name[128];
	unsigned peer_role;
	uint64_t entries_sent, entries_recv, blobs_sent, blobs_recv;
	uint64_t bytes_sent, bytes_recv, blob_bytes_sent, blob_bytes_recv;
	/* blob bytes not sent again because the other side had committed
	 * them in an earlier, interrupted exchange (each way) */
	uint64_t blob_bytes_resumed_sent, blob_bytes_resumed_recv;
	uint64_t rejected_by_peer, rejected_here, forks;
	/* what still differs after the run */
	uint64_t pending_push_entries, pending_pull_entries;
	uint64_t pending_push_blobs, pending_pull_blobs;
	bool     converged;
	double   seconds;
	char     first_reject[256];
};

/*
 * gc_sync_run runs full exchanges with one peer in both directions (HELLO,
 * pulls, pushes, fork proofs, blobs by chunks, resumed where a chunk
 * stopped) until both hold the same entries and blobs or three rounds
 * made no progress. GC_OK when the exchange completed (st->converged says
 * whether they now match); an error when the peer failed or refused, with
 * d saying why.
 */
gc_err gc_sync_run(struct gc_sync_node *n, gc_sync_rpc rpc, void *rpc_arg,
    struct gc_sync_stats *st, struct gc_diag *d);

/* ---- the peers table ---- */

struct gc_sync_peer {
	char     id[420];  /* "out:<url>" or "in:<key hex>" */
	char     url[400]; /* outbound: what was dialed */
	uint8_t  key[32];  /* zero until the peer answered */
	char     name[128];
	unsigned role;
	uint64_t last_ok, last_attempt; /* unix seconds; 0: never */
	char     last_error[256];
	uint64_t pending_push_entries, pending_pull_entries;
	uint64_t pending_push_blobs, pending_pull_blobs;
	uint64_t bytes_sent, bytes_recv;
	bool     online;
	uint64_t backoff_ms; /* serve: delay before the next attempt */
	uint64_t held;       /* entries held here after the last exchange:
	                      * what arrived since is pending for the peer */
};

gc_err gc_sync_peer_save(gc_ledger *lg, const struct gc_sync_peer *p);
gc_err gc_sync_peer_load(gc_ledger *lg, const char *id,
    struct gc_sync_peer *p);
typedef int (*gc_sync_peer_cb)(const struct gc_sync_peer *p, void *arg);
gc_err gc_sync_peers(gc_ledger *lg, gc_sync_peer_cb cb, void *arg);

#endif
