/* syncnode: what `gradcap sync` and `gradcap serve` share: the node's blob
 * policy from gradcap.ini and one recorded exchange with a peer. */
#ifndef GC_NODE_SYNCNODE_H
#define GC_NODE_SYNCNODE_H

#include <stdbool.h>
#include <stdint.h>

#include "node/node.h"
#include "sync/sync.h"

/* `[sync] blobs = own|all`; default all on a coordinator, own elsewhere. */
enum gc_sync_blobs gc_syncnode_blobs(const struct gc_node *n);

/* $GRADCAP_TEST_CHUNK_DELAY_MS (tests only: slows blob sends so a test
 * can interrupt a transfer), else 0. */
unsigned gc_syncnode_chunk_delay(void);

/*
 * Dials url, runs gc_sync_run, and records the outcome in the peers table
 * under "out:<url>" (last success, pending counts, last error; backoff_ms
 * if not NULL is stored as the delay before the next attempt). Blocking;
 * any thread (takes sn->mtx for the ledger).
 */
gc_err gc_syncnode_run(struct gc_sync_node *sn, const char *home,
    const char *url, bool insecure, unsigned timeout_ms,
    const uint64_t *backoff_ms, struct gc_sync_stats *st, struct gc_diag *d);

/* What `gradcap peers --json` prints, appended to b. */
void gc_peers_json(gc_ledger *lg, struct gc_buf *b);

#endif
