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

#endif
