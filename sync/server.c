/* The sync server: one request in, one reply out (docs/protocol.md). It
 * trusts nothing it is sent: the HELLO is signed and its key must be
 * enrolled here, entries go through the ledger's verifying ingest, blobs
 * are checked against their hash before they count. */
#include "sync/sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "sync/sync_int.h"
#include "sync/wire.h"

#define SESSION_IDLE_S 1800 /* a session unused this long is forgotten */

gc_err
gc_sync_node_init(struct gc_sync_node *n, gc_ledger *lg,
    const struct gc_key *key, enum gc_sync_blobs blobs, struct gc_diag *d)
{
	gc_err rv;

	memset(n, 0, sizeof(*n));
	n->lg    = lg;
	n->key   = key;
	n->blobs = blobs;
	rv       = gc_ledger_info(lg, &n->info);
	if (rv != GC_OK) {
		gc_diag_set(d, "reading the node's identity: %s",
		    gc_strerror(rv));
		return rv;
	}
	if (!n->info.enrolled) {
		gc_diag_set(d, "this node is not enrolled yet: install its "
		    "enrollment file first ('gradcap enroll install FILE')");
		return GC_EPERM;
	}
	pthread_mutex_init(&n->mtx, NULL);
	return GC_OK;
}

void
gc_sync_node_release(struct gc_sync_node *n)
{
	if (n != NULL && n->lg != NULL) {
		pthread_mutex_destroy(&n->mtx);
		n->lg = NULL;
	}
}

/* ---- version vector ---- */

struct vv_arg {
	struct gc_sync_feed *f;
	size_t               n, cap;
	bool                 failed;
};

static int
vv_cb(const struct gc_head *h, void *arg)
{
	struct vv_arg *a = arg;

	if (a->n == a->cap) {
		size_t               cap = a->cap ? a->cap * 2 : 16;
		struct gc_sync_feed *nf;

		if (cap > GC_SYNC_FEEDS_MAX) {
			a->failed = true;
			return 1;
		}
		nf = gc_realloc(a->f, cap * sizeof(*nf));
		if (nf == NULL) {
			a->failed = true;
			return 1;
		}
		a->f   = nf;
		a->cap = cap;
	}
	memcpy(a->f[a->n].feed, h->feed, 32);
	a->f[a->n].seq = h->seq;
	memcpy(a->f[a->n].head, h->hash, 32);
	a->f[a->n].qseq   = h->quarantined ? h->qseq : 0;
	a->f[a->n].nforks = h->nforks;
	a->n++;
	return 0;
}

gc_err
gc__sync_hello_fill(struct gc_sync_node *n, struct gc_sync_hello *h)
{
	struct vv_arg a = { NULL, 0, 0, false };
	gc_err        rv;

	memset(h, 0, sizeof(*h));
	rv = gc_ledger_heads(n->lg, vv_cb, &a);
	if (rv == GC_OK && a.failed) {
		rv = GC_ENOMEM;
	}
	if (rv != GC_OK) {
		gc_free(a.f);
		return rv;
	}
	gc_ledger_info(n->lg, &n->info);
	snprintf(h->school, sizeof(h->school), "%s", n->info.school);
	memcpy(h->key, n->info.self, 32);
	h->role = n->info.role;
	snprintf(h->name, sizeof(h->name), "%s", n->info.name);
	randombytes_buf(h->nonce, 16);
	h->hlc    = n->info.hlc;
	h->feeds  = a.f;
	h->nfeeds = a.n;
	return GC_OK;
}

bool
gc__sync_blob_wanted(const struct gc_sync_node *n, const uint8_t feed[32])
{
	static const uint8_t zero[32];

	return n->blobs == GC_SYNC_BLOBS_ALL ||
	    memcmp(feed, n->info.self, 32) == 0 ||
	    memcmp(feed, n->info.authority, 32) == 0 ||
	    memcmp(feed, zero, 32) == 0;
}

bool
gc__sync_peer_ok(struct gc_sync_node *n, const uint8_t key[32],
    const char *school, struct gc_enrollment *en, char *why, size_t whylen)
{
	char hex[17];

	gc_id_hex(hex, key, 8);
	if (strcmp(school, n->info.school) != 0) {
		snprintf(why, whylen, "node %s belongs to school %s, this node "
		    "to %s", hex, school, n->info.school);
		return false;
	}
	if (gc_ledger_enrollment(n->lg, key, en) != GC_OK) {
		snprintf(why, whylen, "node %s is not enrolled here (enroll it "
		    "with the coordinator, and sync this node with the "
		    "coordinator first)", hex);
		return false;
	}
	if (en->revoked) {
		snprintf(why, whylen, "node %s ('%s') has been revoked", hex,
		    en->name);
		return false;
	}
	return true;
}

/* ---- sessions ---- */

static struct gc_sync_session *
session_find(struct gc_sync_node *n, const struct gc_sync_msg *m)
{
	const uint8_t *p;
	size_t         len;
	uint64_t       now = (uint64_t)time(NULL);

	if (!gc_cbor_field_bytes(&m->f[2], &p, &len) || len != 16) {
		return NULL;
	}
	for (size_t i = 0; i < GC_SYNC_SESSIONS; i++) {
		struct gc_sync_session *s = &n->sess[i];

		if (s->last_used != 0 && s->last_used + SESSION_IDLE_S >= now &&
		    sodium_memcmp(s->id, p, 16) == 0) {
			s->last_used = now;
			return s;
		}
	}
	return NULL;
}

#define SESSIONS_PER_PEER 4

static struct gc_sync_session *
session_new(struct gc_sync_node *n, const struct gc_sync_hello *h)
{
	struct gc_sync_session *s = &n->sess[0], *mine = NULL;
	size_t                  nmine = 0;

	for (size_t i = 0; i < GC_SYNC_SESSIONS; i++) {
		struct gc_sync_session *x = &n->sess[i];

		if (x->last_used < s->last_used) {
			s = x; /* free, or the least recently used */
		}
		if (x->last_used != 0 && memcmp(x->peer, h->key, 32) == 0) {
			nmine++;
			if (mine == NULL || x->last_used < mine->last_used) {
				mine = x;
			}
		}
	}
	if (nmine >= SESSIONS_PER_PEER) {
		s = mine; /* one peer cannot push the others out */
	}
	memset(s, 0, sizeof(*s));
	randombytes_buf(s->id, 16);
	memcpy(s->peer, h->key, 32);
	s->authed = false;
	s->role = h->role;
	snprintf(s->name, sizeof(s->name), "%s", h->name);
	s->last_used = (uint64_t)time(NULL);
	return s;
}

/* Notes an inbound peer in the peers table. */
static void
peer_seen(struct gc_sync_node *n, const struct gc_sync_session *s)
{
	struct gc_sync_peer p;
	char                hex[65];

	gc_hex_encode(hex, s->peer, 32);
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "in:%s", hex);
	gc_sync_peer_load(n->lg, p.id, &p);
	memcpy(p.key, s->peer, 32);
	snprintf(p.name, sizeof(p.name), "%s", s->name);
	p.role         = s->role;
	p.last_ok      = (uint64_t)time(NULL);
	p.last_attempt = p.last_ok;
	p.online       = true;
	p.bytes_recv   = s->bytes_in;
	p.bytes_sent   = s->bytes_out;
	p.last_error[0] = '\0';
	{
		struct gc_ledger_counts lc;

		if (gc_ledger_counts(n->lg, &lc) == GC_OK) {
			p.held = lc.entries;
		}
	}
	gc_sync_peer_save(n->lg, &p);
}

/* ---- handlers (n->mtx held) ---- */

static void
on_hello(struct gc_sync_node *n, const struct gc_sync_msg *m,
    struct gc_buf *rep)
{
	struct gc_sync_hello    h, me;
	struct gc_enrollment    en;
	struct gc_sync_session *s;
	struct gc_diag          d;
	char                    why[320];
	gc_err                  rv;

	gc_diag_clear(&d);
	rv = gc_sync_hello_parse(m, &h, &d);
	if (rv != GC_OK) {
		GC_LOG(GC_LOG_WARN, "SYNC-HELLO-BAD", "refused a HELLO: %s",
		    gc_diag_msg(&d, rv));
		gc_sync_error(rep, rv == GC_EBADSIG ? "denied" : "malformed",
		    gc_diag_msg(&d, rv));
		return;
	}
	if (!gc__sync_peer_ok(n, h.key, h.school, &en, why, sizeof(why))) {
		GC_LOG(GC_LOG_WARN, "SYNC-DENIED", "refused '%s': %s", h.name,
		    why);
		gc_sync_error(rep, "denied", why);
		gc_sync_hello_release(&h);
		return;
	}
	rv = gc__sync_hello_fill(n, &me);
	if (rv != GC_OK) {
		gc_sync_error(rep, "internal", gc_strerror(rv));
		gc_sync_hello_release(&h);
		return;
	}
	s = session_new(n, &h);
	memcpy(s->nonce, me.nonce, 16); /* the challenge for AUTH */
	snprintf(s->name, sizeof(s->name), "%s", en.name);
	s->role         = en.role;
	me.has_echo    = true;
	memcpy(me.echo, h.nonce, 16);
	me.has_session = true;
	memcpy(me.session, s->id, 16);
	gc_sync_hello_encode(rep, GC_SYNC_HELLO_OK, &me, n->key->sk);
	gc_sync_hello_release(&me);
	gc_sync_hello_release(&h);
	GC_LOG(GC_LOG_INFO, "SYNC-HELLO", "peer '%s' (%s) connected", s->name,
	    gc_role_name((enum gc_role)s->role));
}

/* AUTH {3: signature over gc_sync_auth_tbs} → AUTH_OK {}: the peer signs
 * this server's key and fresh challenge, so a replayed or relayed HELLO
 * opens nothing. */
static void
on_auth(struct gc_sync_node *n, struct gc_sync_session *s,
    const struct gc_sync_msg *m, struct gc_buf *rep)
{
	uint8_t        tbs[GC_SYNC_AUTH_TBS];
	const uint8_t *sig;
	size_t         sl;

	if (!gc_cbor_field_bytes(&m->f[3], &sig, &sl) || sl != 64) {
		gc_sync_error(rep, "malformed", "AUTH: needs a 64-byte "
		    "signature");
		return;
	}
	gc_sync_auth_tbs(tbs, n->info.self, s->nonce, s->id);
	if (crypto_sign_verify_detached(sig, tbs, sizeof(tbs), s->peer) != 0) {
		GC_LOG(GC_LOG_WARN, "SYNC-DENIED", "'%s': AUTH signature does "
		    "not verify (a replayed HELLO?)", s->name);
		s->last_used = 0; /* the session is gone */
		gc_sync_error(rep, "denied", "AUTH: the signature does not "
		    "verify with the key of the HELLO");
		return;
	}
	s->authed = true;
	gc_sync_msg_begin(rep, GC_SYNC_AUTH_OK, 0);
	peer_seen(n, s);
}

static void
on_push(struct gc_sync_node *n, struct gc_sync_session *s,
    const struct gc_sync_msg *m, struct gc_buf *rep)
{
	struct gc_sync_blist     b;
	struct gc_ingest_result *res;
	struct gc_diag           d;
	size_t                   nrej = 0;
	char                     hex[17], first[300];
	gc_err                   rv;

	memset(&b, 0, sizeof(b));
	if (gc_sync_each_bytes(&m->f[3], GC_SYNC_PUSH_MAX, gc_sync_blist_add,
	    &b) != GC_OK) {
		gc_sync_blist_free(&b);
		gc_sync_error(rep, "malformed", "PUSH: field 3 is not an array "
		    "of at most 8192 entries");
		return;
	}
	if (b.failed) {
		gc_sync_blist_free(&b);
		gc_sync_error(rep, "internal", "out of memory");
		return;
	}
	res = gc_alloc(sizeof(*res) * (b.n > 0 ? b.n : 1));
	if (res == NULL) {
		gc_sync_blist_free(&b);
		gc_sync_error(rep, "internal", "out of memory");
		return;
	}
	gc_diag_clear(&d);
	rv = b.n > 0 ? gc_ledger_ingest(n->lg, b.bytes, b.lens, b.n, res, &d) :
	               GC_OK;
	if (rv != GC_OK) {
		GC_LOG(GC_LOG_ERR, "SYNC-INGEST-FAIL", "batch from '%s': %s",
		    s->name, gc_diag_msg(&d, rv));
		gc_sync_error(rep, "internal", gc_diag_msg(&d, rv));
		gc_free(res);
		gc_sync_blist_free(&b);
		return;
	}
	gc_sync_msg_begin(rep, GC_SYNC_PUSH_OK, 1);
	gc_cbor_uint(rep, 2);
	gc_cbor_array(rep, b.n);
	for (size_t i = 0; i < b.n; i++) {
		gc_cbor_array(rep, 2);
		gc_cbor_uint(rep, res[i].status);
		gc_cbor_text(rep, res[i].reason);
		if (res[i].status == GC_INGEST_ADDED) {
			s->entries_in++;
		} else if (res[i].status == GC_INGEST_REJECTED) {
			if (nrej++ == 0) {
				gc_id_hex(hex, res[i].id, 8);
				snprintf(first, sizeof(first), "entry %s: %s", hex,
				    res[i].reason);
			}
		}
	}
	if (nrej > 0) {
		/* each entry is logged by the ledger (LEDGER-REJECT) */
		GC_LOG(GC_LOG_WARN, "SYNC-REJECT", "%zu of %zu entries from "
		    "'%s' refused; first: %s", nrej, b.n, s->name, first);
	}
	gc_free(res);
	gc_sync_blist_free(&b);
}

struct pull_arg {
	struct gc_buf *ents;
	size_t         count, bytes;
	bool           more;
};

static int
pull_cb(const struct gc_entry *e, void *arg)
{
	struct pull_arg *a = arg;

	if (a->count > 0 && a->bytes + e->len > GC_SYNC_BATCH_MAX) {
		a->more = true;
		return 1;
	}
	gc_cbor_bytes(a->ents, e->bytes, e->len);
	a->count++;
	a->bytes += e->len;
	return 0;
}

static int
pull_fork_cb(const uint8_t feed[32], uint64_t seq, const uint8_t *bytes,
    size_t len, void *arg)
{
	struct pull_arg *a = arg;

	(void)feed;
	(void)seq;
	if (a->count > 0 && a->bytes + len > GC_SYNC_BATCH_MAX) {
		a->more = true;
		return 1;
	}
	gc_cbor_bytes(a->ents, bytes, len);
	a->count++;
	a->bytes += len;
	return 0;
}

/* PULL {3: [[feed, from], ...], 4: [feed, ...] (fork proofs)} →
 * PULL_OK {2: [entry...], 3: [fork proof...], 4: more} */
static void
on_pull(struct gc_sync_node *n, const struct gc_sync_msg *m,
    struct gc_buf *rep)
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item arr, it, x;
	struct gc_buf       ents, forks;
	struct pull_arg     a, fa;
	uint64_t            nf = 0;

	gc_buf_init(&ents);
	gc_buf_init(&forks);
	memset(&a, 0, sizeof(a));
	a.ents = &ents;
	gc_cbor_cur_init(&c, m->f[3].p, m->f[3].len);
	if (m->f[3].p == NULL || gc_cbor_next(&c, &arr) != GC_OK ||
	    arr.type != GC_CBOR_ARRAY || arr.val > GC_SYNC_FEEDS_MAX) {
		gc_sync_error(rep, "malformed", "PULL: field 3 is not an array "
		    "of [feed, from]");
		return;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		uint8_t feed[32];

		if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_ARRAY ||
		    it.val != 2 || gc_cbor_next(&c, &x) != GC_OK ||
		    x.type != GC_CBOR_BYTES || x.val != 32) {
			goto bad;
		}
		memcpy(feed, x.data, 32);
		if (gc_cbor_next(&c, &x) != GC_OK || x.type != GC_CBOR_UINT) {
			goto bad;
		}
		if (!a.more && gc_ledger_range(n->lg, feed, x.val > 0 ? x.val : 1,
		    pull_cb, &a) != GC_OK) {
			gc_sync_error(rep, "internal", "reading entries failed");
			goto out;
		}
	}
	memset(&fa, 0, sizeof(fa));
	fa.ents  = &forks;
	fa.bytes = a.bytes;
	fa.count = a.count;
	if (m->f[4].p != NULL) {
		gc_cbor_cur_init(&c, m->f[4].p, m->f[4].len);
		if (gc_cbor_next(&c, &arr) != GC_OK ||
		    arr.type != GC_CBOR_ARRAY || arr.val > GC_SYNC_FEEDS_MAX) {
			goto bad;
		}
		for (uint64_t i = 0; i < arr.val; i++) {
			if (gc_cbor_next(&c, &x) != GC_OK ||
			    x.type != GC_CBOR_BYTES || x.val != 32) {
				goto bad;
			}
			if (!fa.more && !a.more &&
			    gc_ledger_forks(n->lg, x.data, pull_fork_cb, &fa) !=
			        GC_OK) {
				gc_sync_error(rep, "internal", "reading fork "
				    "proofs failed");
				goto out;
			}
		}
	}
	nf = fa.count - a.count;
	gc_sync_msg_begin(rep, GC_SYNC_PULL_OK, 3);
	gc_cbor_uint(rep, 2);
	gc_cbor_array(rep, a.count);
	gc_buf_put(rep, ents.data, ents.len);
	gc_cbor_uint(rep, 3);
	gc_cbor_array(rep, nf);
	gc_buf_put(rep, forks.data, forks.len);
	gc_cbor_uint(rep, 4);
	gc_cbor_bool(rep, a.more || fa.more);
	if (gc_buf_status(&ents) != GC_OK || gc_buf_status(&forks) != GC_OK) {
		gc_sync_error(rep, "internal", "out of memory");
	}
	goto out;
bad:
	gc_sync_error(rep, "malformed", "PULL: a range or fork feed is not "
	    "well formed");
out:
	gc_buf_release(&ents);
	gc_buf_release(&forks);
}

struct want_arg {
	struct gc_sync_node *n;
	const uint8_t       *after;
	struct gc_buf       *out;
	size_t               count, max;
	bool                 more;
};

static int
want_cb(const struct gc_missing *mi, void *arg)
{
	struct want_arg *a = arg;

	if (a->after != NULL && memcmp(mi->hash, a->after, 32) <= 0) {
		return 0;
	}
	if (!gc__sync_blob_wanted(a->n, mi->feed)) {
		return 0;
	}
	if (a->count == a->max) {
		a->more = true;
		return 1;
	}
	gc_cbor_array(a->out, 3);
	gc_cbor_bytes(a->out, mi->hash, 32);
	gc_cbor_uint(a->out, mi->committed);
	gc_cbor_uint(a->out, mi->total);
	a->count++;
	return 0;
}

/* WANT {3: after (bstr 32, optional), 4: max} →
 * WANT_OK {2: [[hash, committed, total], ...], 3: more} */
static void
on_want(struct gc_sync_node *n, const struct gc_sync_msg *m,
    struct gc_buf *rep)
{
	struct gc_buf   list;
	struct want_arg a;
	const uint8_t  *after = NULL;
	size_t          alen;
	uint64_t        max = GC_SYNC_LIST_MAX;

	if (m->f[3].p != NULL && (!gc_cbor_field_bytes(&m->f[3], &after,
	    &alen) || alen != 32)) {
		gc_sync_error(rep, "malformed", "WANT: field 3 is not a hash");
		return;
	}
	if (gc_cbor_field_uint(&m->f[4], &max) &&
	    (max == 0 || max > GC_SYNC_LIST_MAX)) {
		max = GC_SYNC_LIST_MAX;
	}
	gc_buf_init(&list);
	a.n     = n;
	a.after = after;
	a.out   = &list;
	a.count = 0;
	a.max   = (size_t)max;
	a.more  = false;
	if (gc_ledger_missing(n->lg, want_cb, &a) != GC_OK) {
		gc_buf_release(&list);
		gc_sync_error(rep, "internal", "reading missing blobs failed");
		return;
	}
	gc_sync_msg_begin(rep, GC_SYNC_WANT_OK, 2);
	gc_cbor_uint(rep, 2);
	gc_cbor_array(rep, a.count);
	gc_buf_put(rep, list.data, list.len);
	gc_cbor_uint(rep, 3);
	gc_cbor_bool(rep, a.more);
	if (gc_buf_status(&list) != GC_OK) {
		gc_sync_error(rep, "internal", "out of memory");
	}
	gc_buf_release(&list);
}

/* BLOB_PUT {3: hash, 4: total, 5: offset, 6: data} →
 * BLOB_PUT_OK {2: committed, 3: problem (text, optional)} */
static void
on_blob_put(struct gc_sync_node *n, struct gc_sync_session *s,
    const struct gc_sync_msg *m, struct gc_buf *rep)
{
	const uint8_t *hash, *data;
	size_t         hl, dl;
	uint64_t       total, off, committed = 0;
	struct gc_diag d;
	gc_err         rv;

	if (!gc_cbor_field_bytes(&m->f[3], &hash, &hl) || hl != 32 ||
	    !gc_cbor_field_uint(&m->f[4], &total) ||
	    !gc_cbor_field_uint(&m->f[5], &off) ||
	    !gc_cbor_field_bytes(&m->f[6], &data, &dl) ||
	    dl > GC_SYNC_CHUNK) {
		gc_sync_error(rep, "malformed", "BLOB_PUT: needs hash, total, "
		    "offset and at most 256 KiB of data");
		return;
	}
	gc_diag_clear(&d);
	rv = gc_ledger_blob_chunk(n->lg, hash, total, off, data, dl,
	    &committed, &d);
	if (rv == GC_EPERM || rv == GC_ETOOBIG || rv == GC_EINVAL) {
		gc_sync_error(rep, rv == GC_ETOOBIG ? "toobig" : "denied",
		    gc_diag_msg(&d, rv));
		return;
	}
	if (rv != GC_OK && rv != GC_EGAP && rv != GC_ECORRUPT) {
		gc_sync_error(rep, "internal", gc_diag_msg(&d, rv));
		return;
	}
	if (rv == GC_ECORRUPT) {
		GC_LOG(GC_LOG_WARN, "SYNC-BLOB-CORRUPT", "from '%s': %s",
		    s->name, d.msg);
	}
	if (rv == GC_OK && committed == total) {
		s->blobs_in++;
	}
	gc_sync_msg_begin(rep, GC_SYNC_BLOB_PUT_OK, rv == GC_OK ? 1 : 2);
	gc_cbor_uint(rep, 2);
	gc_cbor_uint(rep, committed);
	if (rv != GC_OK) {
		gc_cbor_uint(rep, 3);
		gc_cbor_text(rep, rv == GC_EGAP ? "gap" : "corrupt");
	}
}

/* BLOB_GET {3: hash, 4: offset, 5: max} → BLOB_GET_OK {2: total, 3: data} */
static void
on_blob_get(struct gc_sync_node *n, const struct gc_sync_msg *m,
    struct gc_buf *rep)
{
	const uint8_t *hash;
	size_t         hl, got = 0;
	uint64_t       off, max = GC_SYNC_CHUNK, total = 0;
	uint8_t       *buf;
	gc_err         rv;

	if (!gc_cbor_field_bytes(&m->f[3], &hash, &hl) || hl != 32 ||
	    !gc_cbor_field_uint(&m->f[4], &off)) {
		gc_sync_error(rep, "malformed", "BLOB_GET: needs hash and "
		    "offset");
		return;
	}
	if (gc_cbor_field_uint(&m->f[5], &max) &&
	    (max == 0 || max > GC_SYNC_CHUNK)) {
		max = GC_SYNC_CHUNK;
	}
	buf = gc_alloc((size_t)max);
	if (buf == NULL) {
		gc_sync_error(rep, "internal", "out of memory");
		return;
	}
	rv = gc_ledger_blob_read(n->lg, hash, off, buf, (size_t)max, &got,
	    &total);
	if (rv == GC_ENOTFOUND) {
		gc_sync_error(rep, "notfound", "blob not held here");
	} else if (rv == GC_EINVAL) {
		gc_sync_error(rep, "malformed", "offset past the blob's end");
	} else if (rv != GC_OK) {
		gc_sync_error(rep, "internal", gc_strerror(rv));
	} else {
		gc_sync_msg_begin(rep, GC_SYNC_BLOB_GET_OK, 2);
		gc_cbor_uint(rep, 2);
		gc_cbor_uint(rep, total);
		gc_cbor_uint(rep, 3);
		gc_cbor_bytes(rep, buf, got);
	}
	gc_free(buf);
}

static int
have_cb(const uint8_t *p, size_t n, void *arg)
{
	void         **a   = arg;
	gc_ledger     *lg  = a[0];
	struct gc_buf *out = a[1];
	uint64_t       len = 0;

	if (n != 32 || gc_ledger_blob_size(lg, p, &len) != GC_OK) {
		len = 0;
	}
	gc_cbor_uint(out, len);
	return 0;
}

/* HAVE {3: [hash, ...]} → HAVE_OK {2: [size or 0, ...]} */
static void
on_have(struct gc_sync_node *n, const struct gc_sync_msg *m,
    struct gc_buf *rep)
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item arr;
	void               *a[2];

	gc_cbor_cur_init(&c, m->f[3].p, m->f[3].len);
	if (m->f[3].p == NULL || gc_cbor_next(&c, &arr) != GC_OK ||
	    arr.type != GC_CBOR_ARRAY || arr.val > GC_SYNC_LIST_MAX) {
		gc_sync_error(rep, "malformed", "HAVE: field 3 is not an array "
		    "of at most 1024 hashes");
		return;
	}
	gc_sync_msg_begin(rep, GC_SYNC_HAVE_OK, 1);
	gc_cbor_uint(rep, 2);
	gc_cbor_array(rep, arr.val);
	a[0] = n->lg;
	a[1] = rep;
	if (gc_sync_each_bytes(&m->f[3], GC_SYNC_LIST_MAX, have_cb, a) !=
	    GC_OK) {
		gc_sync_error(rep, "malformed", "HAVE: not an array of hashes");
	}
}

/* Reads [[hash, bytes], ...] (each bytes ≤ 256 KiB) into blobs. */
static gc_err
pairs_parse(const struct gc_cbor_field *f, struct gc_blob **out, size_t *n)
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item arr, it, h, b;
	struct gc_blob     *bl;

	*out = NULL;
	*n   = 0;
	gc_cbor_cur_init(&c, f->p, f->len);
	if (f->p == NULL || gc_cbor_next(&c, &arr) != GC_OK ||
	    arr.type != GC_CBOR_ARRAY || arr.val > GC_SYNC_LIST_MAX) {
		return GC_ECORRUPT;
	}
	bl = gc_alloc(sizeof(*bl) * (arr.val > 0 ? arr.val : 1));
	if (bl == NULL) {
		return GC_ENOMEM;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_ARRAY ||
		    it.val != 2 || gc_cbor_next(&c, &h) != GC_OK ||
		    h.type != GC_CBOR_BYTES || h.val != 32 ||
		    gc_cbor_next(&c, &b) != GC_OK || b.type != GC_CBOR_BYTES ||
		    b.val > GC_SYNC_CHUNK) {
			gc_free(bl);
			return GC_ECORRUPT;
		}
		memcpy(bl[i].hash, h.data, 32);
		bl[i].data = b.data;
		bl[i].len  = (size_t)b.val;
	}
	*out = bl;
	*n   = (size_t)arr.val;
	return GC_OK;
}

/* BLOBS_PUT {3: [[hash, bytes], ...]} → BLOBS_PUT_OK {2: [status, ...]}
 * with status 0 stored or held, 1 corrupt, 2 not named by an entry. */
static void
on_blobs_put(struct gc_sync_node *n, struct gc_sync_session *s,
    const struct gc_sync_msg *m, struct gc_buf *rep)
{
	struct gc_blob *bl;
	struct gc_diag  d;
	size_t          nb;
	gc_err         *res, rv;

	rv = pairs_parse(&m->f[3], &bl, &nb);
	if (rv != GC_OK) {
		gc_sync_error(rep, rv == GC_ENOMEM ? "internal" : "malformed",
		    "BLOBS_PUT: field 3 is not [[hash, bytes ≤ 256 KiB], ...]");
		return;
	}
	res = gc_alloc(sizeof(*res) * (nb > 0 ? nb : 1));
	if (res == NULL) {
		gc_free(bl);
		gc_sync_error(rep, "internal", "out of memory");
		return;
	}
	gc_diag_clear(&d);
	rv = gc_ledger_blobs_put(n->lg, bl, nb, res, &d);
	if (rv != GC_OK) {
		gc_sync_error(rep, "internal", gc_diag_msg(&d, rv));
	} else {
		gc_sync_msg_begin(rep, GC_SYNC_BLOBS_PUT_OK, 1);
		gc_cbor_uint(rep, 2);
		gc_cbor_array(rep, nb);
		for (size_t i = 0; i < nb; i++) {
			unsigned st = res[i] == GC_OK ? 0 :
			    res[i] == GC_ECORRUPT ? 1 : 2;

			gc_cbor_uint(rep, st);
			if (st == 0) {
				s->blobs_in++;
			} else if (st == 1) {
				char hex[17];

				gc_id_hex(hex, bl[i].hash, 8);
				GC_LOG(GC_LOG_WARN, "SYNC-BLOB-CORRUPT", "from '%s':"
				    " blob %s does not hash to its name", s->name,
				    hex);
			}
		}
	}
	gc_free(res);
	gc_free(bl);
}

struct blobs_get_arg {
	gc_ledger     *lg;
	struct gc_buf *out;
	size_t         count, bytes;
	uint8_t       *buf;
};

static int
blobs_get_cb(const uint8_t *p, size_t n, void *arg)
{
	struct blobs_get_arg *a = arg;
	size_t                got;
	uint64_t              total;

	if (n != 32 || gc_ledger_blob_read(a->lg, p, 0, a->buf, GC_SYNC_CHUNK,
	    &got, &total) != GC_OK || total > GC_SYNC_CHUNK) {
		return 0; /* not held, or too big for a batch */
	}
	if (a->bytes + got > GC_SYNC_BATCH_MAX) {
		return 1;
	}
	gc_cbor_array(a->out, 2);
	gc_cbor_bytes(a->out, p, 32);
	gc_cbor_bytes(a->out, a->buf, got);
	a->count++;
	a->bytes += got;
	return 0;
}

/* BLOBS_GET {3: [hash, ...]} → BLOBS_GET_OK {2: [[hash, bytes], ...]}:
 * the held ones of at most 256 KiB, up to 4 MiB in all, in request order. */
static void
on_blobs_get(struct gc_sync_node *n, const struct gc_sync_msg *m,
    struct gc_buf *rep)
{
	struct gc_buf        list;
	struct blobs_get_arg a;

	gc_buf_init(&list);
	a.lg    = n->lg;
	a.out   = &list;
	a.count = 0;
	a.bytes = 0;
	a.buf   = gc_alloc(GC_SYNC_CHUNK);
	if (a.buf == NULL) {
		gc_sync_error(rep, "internal", "out of memory");
		return;
	}
	if (gc_sync_each_bytes(&m->f[3], GC_SYNC_LIST_MAX, blobs_get_cb, &a) !=
	    GC_OK) {
		gc_sync_error(rep, "malformed", "BLOBS_GET: field 3 is not an "
		    "array of at most 1024 hashes");
	} else {
		gc_sync_msg_begin(rep, GC_SYNC_BLOBS_GET_OK, 1);
		gc_cbor_uint(rep, 2);
		gc_cbor_array(rep, a.count);
		gc_buf_put(rep, list.data, list.len);
		if (gc_buf_status(&list) != GC_OK) {
			gc_sync_error(rep, "internal", "out of memory");
		}
	}
	gc_free(a.buf);
	gc_buf_release(&list);
}

void
gc_sync_serve(struct gc_sync_node *n, const uint8_t *req, size_t len,
    struct gc_buf *rep)
{
	struct gc_sync_msg      m;
	struct gc_sync_session *s;
	struct gc_diag          d;
	gc_err                  rv;

	gc_buf_reset(rep);
	gc_diag_clear(&d);
	rv = gc_sync_msg_parse(&m, req, len, &d);
	if (rv != GC_OK) {
		GC_LOG(GC_LOG_WARN, "SYNC-MALFORMED", "refused a request of %zu "
		    "bytes: %s", len, gc_diag_msg(&d, rv));
		gc_sync_error(rep, rv == GC_ETOOBIG ? "toobig" : "malformed",
		    gc_diag_msg(&d, rv));
		return;
	}
	pthread_mutex_lock(&n->mtx);
	if (m.type == GC_SYNC_HELLO) {
		on_hello(n, &m, rep);
		pthread_mutex_unlock(&n->mtx);
		return;
	}
	s = session_find(n, &m);
	if (s == NULL) {
		gc_sync_error(rep, "session", "unknown or expired session: "
		    "send HELLO again");
		pthread_mutex_unlock(&n->mtx);
		return;
	}
	if (m.type == GC_SYNC_AUTH) {
		on_auth(n, s, &m, rep);
		pthread_mutex_unlock(&n->mtx);
		return;
	}
	if (!s->authed) {
		gc_sync_error(rep, "session", "send AUTH first");
		pthread_mutex_unlock(&n->mtx);
		return;
	}
	{
		struct gc_enrollment en;

		/* revoked while connected: the session ends now */
		if (gc_ledger_enrollment(n->lg, s->peer, &en) != GC_OK ||
		    en.revoked) {
			s->last_used = 0;
			gc_sync_error(rep, "denied", "this node is no longer "
			    "enrolled (revoked)");
			pthread_mutex_unlock(&n->mtx);
			return;
		}
	}
	s->bytes_in += len;
	switch (m.type) {
	case GC_SYNC_PUSH:
		on_push(n, s, &m, rep);
		break;
	case GC_SYNC_PULL:
		on_pull(n, &m, rep);
		break;
	case GC_SYNC_WANT:
		on_want(n, &m, rep);
		break;
	case GC_SYNC_BLOB_PUT:
		on_blob_put(n, s, &m, rep);
		break;
	case GC_SYNC_BLOB_GET:
		on_blob_get(n, &m, rep);
		break;
	case GC_SYNC_HAVE:
		on_have(n, &m, rep);
		break;
	case GC_SYNC_BLOBS_PUT:
		on_blobs_put(n, s, &m, rep);
		break;
	case GC_SYNC_BLOBS_GET:
		on_blobs_get(n, &m, rep);
		break;
	default:
		gc_sync_error(rep, "malformed", "not a request type");
		break;
	}
	if (gc_buf_status(rep) != GC_OK) {
		gc_buf_release(rep);
		gc_sync_error(rep, "internal", "out of memory");
	}
	s->bytes_out += rep->len;
	/* the peers table follows the exchange (at most once a second, and
	 * not per blob chunk) */
	if (m.type != GC_SYNC_BLOB_PUT && m.type != GC_SYNC_BLOB_GET &&
	    s->seen_at != (uint64_t)time(NULL)) {
		peer_seen(n, s);
		s->seen_at = (uint64_t)time(NULL);
	}
	pthread_mutex_unlock(&n->mtx);
}
