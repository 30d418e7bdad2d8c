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

/* Appends the merge part of `gradcap status`: counts per status (only of
 * class and/or site when given), per class and per site, the digest. */
gc_err gc_merge_report(struct gc_node *n, const char *klass,
    const char *site, bool json, struct gc_buf *b, struct gc_diag *d);

#endif
