/* review_queue: the online review and resubmission windows as the node
 * shows them (docs/merge.md "Windows"): the review queue, oldest first,
 * and the makeup view of a student past its window. The computation is
 * common/review_window.h's, at the time gc_review_window_now_ms gives. */
#ifndef GC_NODE_REVIEW_QUEUE_H
#define GC_NODE_REVIEW_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/review_window.h"
#include "node/node.h"

/* What the review views need, from one merge. */
struct gc_review_queue {
	struct gc_merge       *m;
	struct gc_online_cfg   cfg;
	uint64_t               now_ms;
	struct gc_review_item *item; /* oldest first */
	size_t                 n, overdue;
};

/* The node's merge, its [online] settings and the queue at now. GC_EINVAL
 * with d naming a bad [online] or [merge] setting. Release with
 * gc_review_queue_release (also after a failure). */
gc_err gc_review_queue_load(struct gc_node *n, struct gc_review_queue *q,
    struct gc_diag *d);
void   gc_review_queue_release(struct gc_review_queue *q);

/* Appends the item's place in the queue as JSON members, without braces
 * or a leading comma: "age_hours":N,"deadline":"ISO"|null,"overdue":B. */
void gc_review_item_json(struct gc_buf *b, const struct gc_review_item *it);

/* The makeup view of student s at now_ms: its status (MISSING for a
 * student past its resubmission window, else the merge's) and, for a
 * rejected one, why into out: the rejection's reason, or past the window
 * "逾期未重新提交（<the rejection's reason>）" ("" for the others). */
enum gc_mstatus gc_missing_view(struct gc_node *n, const struct gc_merge *m,
    const struct gc_mstudent *s, const struct gc_online_cfg *cfg,
    uint64_t now_ms, char *out, size_t cap);

#endif
