/* portal: the student-facing site of online capture (docs/online-guide.md),
 * served by `gradcap serve --portal URL` on the HTTP front of node/httpd.h,
 * on its own port, apart from the operator UI: its own pages (node/portal/),
 * routes, sessions and rate limits. It listens on loopback only, behind the
 * school's TLS proxy (nginx), which passes the student's address in
 * X-Real-IP (believed only from [online] trusted_proxy). A student signs
 * in with an invitation code (node/online_invite.h) and sees only their
 * own data. */
#ifndef GC_NODE_PORTAL_H
#define GC_NODE_PORTAL_H

#include <pthread.h>

#include <uv.h>

#include "node/httpd.h"
#include "node/node.h"

struct gc_portal;

/* Starts the portal at url (http://127.0.0.1:PORT) on loop, for an online
 * node or a coordinator; lgmtx guards every use of n->lg by the pool. */
gc_err gc_portal_start(struct gc_portal **out, uv_loop_t *loop,
    struct gc_node *n, pthread_mutex_t *lgmtx, const char *url,
    struct gc_diag *d);
/* Stops accepting and frees once the last answer is out (loop thread).
 * NULL-safe. */
void   gc_portal_stop(struct gc_portal *p);

/* The embedded pages (generated from node/portal/ by the build). */
extern const struct gc_httpd_asset gc_portal_assets[];
extern const size_t                gc_portal_nassets;

#endif
