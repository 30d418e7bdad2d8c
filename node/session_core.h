/* session_core: opening a capture session on this node's feed, shared by
 * `gradcap session open`, the UI's session page and the student portal
 * (which keeps an online session open for the students' submissions). */
#ifndef GC_NODE_SESSION_CORE_H
#define GC_NODE_SESSION_CORE_H

#include "common/records.h"
#include "node/node.h"

/* Appends a SESSION_OPEN of kind at location (op: the operator, may be
 * NULL) and fills *out. GC_EEXIST (d names it) when a session is open. */
gc_err gc_session_begin(struct gc_node *n, enum gc_session_kind kind,
    const char *location, const char *op, struct gc_session_rec *out,
    struct gc_diag *d);

#endif
