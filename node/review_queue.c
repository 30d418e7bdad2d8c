#include "node/review_queue.h"

#include <stdio.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "node/merge_view.h"

gc_err
gc_review_queue_load(struct gc_node *n, struct gc_review_queue *q,
    struct gc_diag *d)
{
	gc_err rv;

	memset(q, 0, sizeof(*q));
	rv = gc_online_cfg_load(n->cfg, &q->cfg, d);
	if (rv == GC_OK) {
		rv = gc_merge_node(n, &q->m, d);
	}
	if (rv != GC_OK) {
		return rv;
	}
	q->now_ms = gc_review_window_now_ms();
	rv = gc_review_queue_make(q->m, &q->cfg, q->now_ms, &q->item, &q->n);
	for (size_t i = 0; i < q->n; i++) {
		q->overdue += q->item[i].overdue;
	}
	return rv;
}

void
gc_review_queue_release(struct gc_review_queue *q)
{
	gc_free(q->item);
	gc_merge_free(q->m);
	memset(q, 0, sizeof(*q));
}

void
gc_review_item_json(struct gc_buf *b, const struct gc_review_item *it)
{
	char t[32];

	gc_buf_printf(b, "\"age_hours\":%llu,\"deadline\":",
	    (unsigned long long)(it->age_ms / 3600000));
	if (it->deadline_ms != 0) {
		gc_review_window_iso(t, sizeof(t), it->deadline_ms);
		gc_buf_printf(b, "\"%s\"", t);
	} else {
		gc_buf_puts(b, "null");
	}
	gc_buf_printf(b, ",\"overdue\":%s", it->overdue ? "true" : "false");
}

enum gc_mstatus
gc_missing_view(struct gc_node *n, const struct gc_merge *m,
    const struct gc_mstudent *s, const struct gc_online_cfg *cfg,
    uint64_t now_ms, char *out, size_t cap)
{
	char why[256];

	out[0] = '\0';
	if (s->status != GC_MS_NEEDS_RETAKE) {
		return s->status;
	}
	gc_merge_reject_reason(n, m, s, why, sizeof(why));
	if (!gc_retake_overdue(m, s, cfg, now_ms)) {
		snprintf(out, cap, "%s", why);
		return s->status;
	}
	if (why[0] != '\0') {
		snprintf(out, cap, "%s（%s）", GC_RETAKE_OVERDUE_REASON, why);
	} else {
		snprintf(out, cap, "%s", GC_RETAKE_OVERDUE_REASON);
	}
	return GC_MS_MISSING;
}
