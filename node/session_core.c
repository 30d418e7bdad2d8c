/* session_core: opening a capture session (node/session_core.h). */
#include "node/session_core.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/entry.h"
#include "common/ledger.h"

gc_err
gc_session_begin(struct gc_node *n, enum gc_session_kind kind,
    const char *location, const char *op, struct gc_session_rec *out,
    struct gc_diag *d)
{
	struct gc_session_rec cur;
	struct gc_buf         b;
	uint8_t               rnd[8];
	gc_err                rv;

	if (gc_ledger_session_current(n->lg, n->info.self, &cur) == GC_OK) {
		gc_diag_set(d, "session %s (%s, %s) is still open: close it "
		    "first", cur.id, gc_session_kind_name(cur.kind),
		    cur.location);
		return GC_EEXIST;
	}
	memset(out, 0, sizeof(*out));
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out->id, "s-", 2);
	gc_hex_encode(out->id + 2, rnd, 8);
	out->kind   = kind;
	out->opened = (uint64_t)time(NULL);
	snprintf(out->location, sizeof(out->location), "%s", location);
	snprintf(out->operator_, sizeof(out->operator_), "%s", op ? op : "");
	gc_buf_init(&b);
	gc_session_open_encode(&b, out);
	rv = gc_buf_status(&b);
	if (rv == GC_OK) {
		rv = gc_ledger_append_body(n->lg, GC_KIND_SESSION_OPEN, &b, NULL,
		    d);
	}
	gc_buf_release(&b);
	return rv;
}
