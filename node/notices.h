/* notices: the node's outbox of online-capture notices (issue 12 point 6,
 * docs/online-guide.md "Notices"): common/notices.h's view over the
 * node's merge at gc_review_window_now_ms, with each student's 学号, 姓名
 * and e-mail address from the roster, the rejection's reason from its
 * REVIEW entry and the message text; and which of them `online notices
 * --send` has delivered (the file notices-sent in the node's home). No
 * ID number is ever copied here. */
#ifndef GC_NODE_NOTICES_H
#define GC_NODE_NOTICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/notices.h"
#include "node/node.h"

struct gc_outbox_item {
	struct gc_notice nt;
	char             student_no[128];
	char             name[128];
	char             email[128]; /* "" when the roster has none */
	char             reason[256]; /* the rejection's, whole ("" none) */
	char            *text;        /* the message (gc_alloc'd) */
	bool             sent;        /* in notices-sent */
};

struct gc_outbox {
	struct gc_merge       *m;
	struct gc_online_cfg   cfg;
	uint64_t               now_ms;
	struct gc_outbox_item *item; /* by (time, id) */
	size_t                 n;
	char                 **sent;  /* the ids in notices-sent */
	size_t                 nsent;
};

/* The node's outbox at now, only the notices due at or after since_ms.
 * GC_EINVAL with d naming a bad [online] or [merge] setting; GC_EIO or
 * GC_ECORRUPT with d naming notices-sent when it cannot be read. Release
 * with gc_outbox_release (also after a failure). */
gc_err gc_outbox_load(struct gc_node *n, uint64_t since_ms,
    struct gc_outbox *ob, struct gc_diag *d);
void   gc_outbox_release(struct gc_outbox *ob);

/* Records id as sent: notices-sent rewritten (a temporary file renamed
 * over it, so a crash leaves the old list or the new one). GC_EIO with d
 * naming the file. */
gc_err gc_outbox_mark_sent(struct gc_node *n, struct gc_outbox *ob,
    const char *id, struct gc_diag *d);

/* Takes the outbox's sending lock (an exclusive flock on
 * notices-sent.lock in the node's home), so two `online notices --send`
 * at once cannot both deliver a notice: *fd is the lock, kept until
 * gc_outbox_unlock. GC_EAGAIN with d saying so when another holds it;
 * GC_EIO with d naming the file. */
gc_err gc_outbox_lock(const struct gc_node *n, int *fd, struct gc_diag *d);
void   gc_outbox_unlock(int fd);

/* Parses T of --since: Unix seconds, or ISO 8601 UTC
 * "2026-12-07T10:00:00Z" (also without seconds, or with "+08:00").
 * false when it is neither. */
bool gc_outbox_time_parse(const char *s, uint64_t *ms);

#endif
