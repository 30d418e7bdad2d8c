/* The peers table: what this node knows of each peer it synced with, kept
 * in the ledger's `peers` database as a CBOR map (docs/protocol.md). */
#include <stdio.h>
#include <string.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "sync/sync.h"

enum {
	P_URL = 0,
	P_KEY,
	P_NAME,
	P_ROLE,
	P_LAST_OK,
	P_LAST_ATTEMPT,
	P_LAST_ERROR,
	P_PUSH_E,
	P_PULL_E,
	P_PUSH_B,
	P_PULL_B,
	P_SENT,
	P_RECV,
	P_ONLINE,
	P_BACKOFF,
	P_HELD,
	P_N
};

gc_err
gc_sync_peer_save(gc_ledger *lg, const struct gc_sync_peer *p)
{
	struct gc_buf b;
	gc_err        rv;

	gc_buf_init(&b);
	gc_cbor_map(&b, P_N);
	gc_cbor_uint(&b, P_URL);
	gc_cbor_text(&b, p->url);
	gc_cbor_uint(&b, P_KEY);
	gc_cbor_bytes(&b, p->key, 32);
	gc_cbor_uint(&b, P_NAME);
	gc_cbor_text(&b, p->name);
	gc_cbor_uint(&b, P_ROLE);
	gc_cbor_uint(&b, p->role);
	gc_cbor_uint(&b, P_LAST_OK);
	gc_cbor_uint(&b, p->last_ok);
	gc_cbor_uint(&b, P_LAST_ATTEMPT);
	gc_cbor_uint(&b, p->last_attempt);
	gc_cbor_uint(&b, P_LAST_ERROR);
	gc_cbor_text(&b, p->last_error);
	gc_cbor_uint(&b, P_PUSH_E);
	gc_cbor_uint(&b, p->pending_push_entries);
	gc_cbor_uint(&b, P_PULL_E);
	gc_cbor_uint(&b, p->pending_pull_entries);
	gc_cbor_uint(&b, P_PUSH_B);
	gc_cbor_uint(&b, p->pending_push_blobs);
	gc_cbor_uint(&b, P_PULL_B);
	gc_cbor_uint(&b, p->pending_pull_blobs);
	gc_cbor_uint(&b, P_SENT);
	gc_cbor_uint(&b, p->bytes_sent);
	gc_cbor_uint(&b, P_RECV);
	gc_cbor_uint(&b, p->bytes_recv);
	gc_cbor_uint(&b, P_ONLINE);
	gc_cbor_bool(&b, p->online);
	gc_cbor_uint(&b, P_BACKOFF);
	gc_cbor_uint(&b, p->backoff_ms);
	gc_cbor_uint(&b, P_HELD);
	gc_cbor_uint(&b, p->held);
	rv = gc_buf_status(&b);
	if (rv == GC_OK) {
		rv = gc_ledger_peer_put(lg, p->id, b.data, b.len);
	}
	gc_buf_release(&b);
	return rv;
}

static gc_err
peer_decode(struct gc_sync_peer *p, const char *id, const uint8_t *v,
    size_t vl)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[P_N];
	struct gc_cbor_item  it;
	const uint8_t       *k;
	size_t               kl;
	char                 name[sizeof(p->id)];

	/* id may be p->id itself (load into the record being updated) */
	snprintf(name, sizeof(name), "%s", id);
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", name);
	if (gc_cbor_scan(v, vl, NULL) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, v, vl);
	if (gc_cbor_map_fields(&c, f, P_N) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_field_strcpy(&f[P_URL], p->url, sizeof(p->url));
	if (gc_cbor_field_bytes(&f[P_KEY], &k, &kl) && kl == 32) {
		memcpy(p->key, k, 32);
	}
	gc_cbor_field_strcpy(&f[P_NAME], p->name, sizeof(p->name));
	{
		uint64_t r = 0;

		gc_cbor_field_uint(&f[P_ROLE], &r);
		p->role = r < GC_ROLE_END ? (unsigned)r : 0;
	}
	gc_cbor_field_uint(&f[P_LAST_OK], &p->last_ok);
	gc_cbor_field_uint(&f[P_LAST_ATTEMPT], &p->last_attempt);
	gc_cbor_field_strcpy(&f[P_LAST_ERROR], p->last_error,
	    sizeof(p->last_error));
	gc_cbor_field_uint(&f[P_PUSH_E], &p->pending_push_entries);
	gc_cbor_field_uint(&f[P_PULL_E], &p->pending_pull_entries);
	gc_cbor_field_uint(&f[P_PUSH_B], &p->pending_push_blobs);
	gc_cbor_field_uint(&f[P_PULL_B], &p->pending_pull_blobs);
	gc_cbor_field_uint(&f[P_SENT], &p->bytes_sent);
	gc_cbor_field_uint(&f[P_RECV], &p->bytes_recv);
	gc_cbor_field_uint(&f[P_BACKOFF], &p->backoff_ms);
	gc_cbor_field_uint(&f[P_HELD], &p->held);
	if (f[P_ONLINE].p != NULL) {
		gc_cbor_cur_init(&c, f[P_ONLINE].p, f[P_ONLINE].len);
		if (gc_cbor_next(&c, &it) == GC_OK &&
		    it.type == GC_CBOR_SIMPLE) {
			p->online = it.val == 21;
		}
	}
	return GC_OK;
}

gc_err
gc_sync_peer_load(gc_ledger *lg, const char *id, struct gc_sync_peer *p)
{
	uint8_t *v;
	size_t   vl;
	gc_err   rv;

	rv = gc_ledger_peer_get(lg, id, &v, &vl);
	if (rv != GC_OK) {
		return rv;
	}
	rv = peer_decode(p, id, v, vl);
	gc_free(v);
	return rv;
}

struct each_arg {
	gc_sync_peer_cb cb;
	void           *arg;
};

static int
each_cb(const char *name, const uint8_t *v, size_t vl, void *arg)
{
	struct each_arg    *a = arg;
	struct gc_sync_peer p;

	if (peer_decode(&p, name, v, vl) != GC_OK) {
		return 0;
	}
	return a->cb(&p, a->arg);
}

gc_err
gc_sync_peers(gc_ledger *lg, gc_sync_peer_cb cb, void *arg)
{
	struct each_arg a = { cb, arg };

	return gc_ledger_peer_foreach(lg, each_cb, &a);
}
