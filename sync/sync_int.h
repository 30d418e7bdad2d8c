/* sync internals shared by server.c, client.c and peers.c. */
#ifndef GC_SYNC_SYNC_INT_H
#define GC_SYNC_SYNC_INT_H

#include "sync/sync.h"
#include "sync/wire.h"

/* The node's HELLO (n->mtx held); h->feeds is gc_alloc'd. */
gc_err gc__sync_hello_fill(struct gc_sync_node *n, struct gc_sync_hello *h);

/* Whether a blob named by an entry of feed is one this node fetches. */
bool gc__sync_blob_wanted(const struct gc_sync_node *n,
    const uint8_t feed[32]);

/* Whether key is enrolled here, for school, and not revoked (n->mtx
 * held); why says otherwise. */
bool gc__sync_peer_ok(struct gc_sync_node *n, const uint8_t key[32],
    const char *school, struct gc_enrollment *en, char *why, size_t whylen);

#endif
