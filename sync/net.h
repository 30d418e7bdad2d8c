/* net: the sync transport, nng req/rep over mutual TLS (tls+tcp://) or,
 * when both ends say --insecure, plain tcp://. Receive size limits are set
 * explicitly on both ends (GC_SYNC_MSG_MAX). */
#ifndef GC_SYNC_NET_H
#define GC_SYNC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include "common/gc_err.h"
#include "common/ledger.h"

/* Checks url's scheme against insecure: tls+tcp:// needs !insecure,
 * tcp:// needs insecure. GC_EINVAL with d saying which flag is needed. */
gc_err gc_sync_url_check(const char *url, bool insecure, struct gc_diag *d);

/*
 * Makes the TLS configuration for a client or server end: this node's
 * certificate and key from home, every enrolled node's pinned certificate
 * as the trust chain, peer authentication required, and (client) the
 * school's server name. GC_ENOTFOUND / GC_ECORRUPT with d saying why.
 */
gc_err gc_sync_tls_config(nng_tls_config **out, bool server, gc_ledger *lg,
    const char *home, struct gc_diag *d);

/* A client connection to one peer. */
typedef struct gc_sync_conn gc_sync_conn;

/* Dials url with tls (borrowed until close; NULL for plain tcp:// with
 * insecure). Blocks at most timeout_ms for the connection and the TLS
 * handshake, and as long again for each reply later. GC_EIO / GC_EAUTH /
 * GC_ETIMEDOUT with d naming the peer and the reason ("connection
 * refused", "TLS handshake failed: ..."). Touches no ledger. */
gc_err gc_sync_dial(gc_sync_conn **out, const char *url,
    nng_tls_config *tls, bool insecure, unsigned timeout_ms,
    struct gc_diag *d);
void   gc_sync_conn_close(gc_sync_conn *c); /* NULL-safe */

/* The gc_sync_rpc of a connection (arg is the gc_sync_conn). */
gc_err gc_sync_conn_rpc(void *arg, const uint8_t *req, size_t len,
    const uint8_t **rep, size_t *replen, struct gc_diag *d);

/* Translates an nng error; words for the TLS ones. */
gc_err      gc_err_from_nng(int rv);
const char *gc_sync_nng_words(int rv);

#endif
