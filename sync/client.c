/* The sync client: one full anti-entropy exchange with a peer, in both
 * directions (docs/protocol.md "An exchange"). */
#include "sync/sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "sync/sync_int.h"
#include "sync/wire.h"

#define MAX_ROUNDS 3

/* A feed range to move: entries from seq `from` on, and/or its fork
 * proofs. */
struct plan_feed {
	uint8_t  feed[32];
	uint64_t from;    /* 0: none */
	bool     forks;   /* fork proofs too */
	bool     rewound; /* pulled again from seq 1 to find a fork's start */
};

struct plan {
	struct plan_feed *push, *pull;
	size_t            npush, npull;
	bool              rewound; /* a pull starts again: pull once more */
	uint64_t          push_entries, pull_entries; /* estimates */
};

struct client {
	struct gc_sync_node  *n;
	gc_sync_rpc           rpc;
	void                 *rpc_arg;
	struct gc_sync_stats *st;
	struct gc_diag       *d;
	uint8_t               session[16];
	uint8_t               self[32]; /* this node's key, copied locked */
	struct gc_sync_hello  peer; /* the peer's last HELLO_OK */
	/* feeds whose entry the peer refused: not pushed again this run */
	uint8_t               refused[8][32];
	size_t                nrefused;
	struct gc_buf         req;
	struct gc_sync_msg    rep;
};

static void
lock(struct client *c)
{
	pthread_mutex_lock(&c->n->mtx);
}

static void
unlock(struct client *c)
{
	pthread_mutex_unlock(&c->n->mtx);
}

static gc_err hello(struct client *c);

/* Sends c->req; parses the reply into c->rep (of type want, or ERROR
 * turned into an error). A lost session is re-established once. */
static gc_err
call(struct client *c, unsigned want)
{
	const uint8_t *rep;
	size_t         replen;
	gc_err         rv;
	const char    *code, *msg;
	size_t         cl, ml;

	if (gc_buf_status(&c->req) != GC_OK) {
		gc_diag_set(c->d, "building a %s request: out of memory",
		    gc_sync_type_name(want - 1));
		return GC_ENOMEM;
	}
	rv = c->rpc(c->rpc_arg, c->req.data, c->req.len, &rep, &replen, c->d);
	if (rv != GC_OK) {
		return rv;
	}
	c->st->bytes_sent += c->req.len;
	c->st->bytes_recv += replen;
	rv = gc_sync_msg_parse(&c->rep, rep, replen, c->d);
	if (rv != GC_OK) {
		return GC_ECORRUPT;
	}
	if (c->rep.type == GC_SYNC_ERROR) {
		if (!gc_cbor_field_text(&c->rep.f[2], &code, &cl)) {
			code = "?";
			cl   = 1;
		}
		if (!gc_cbor_field_text(&c->rep.f[3], &msg, &ml)) {
			msg = "";
			ml  = 0;
		}
		if (cl == 7 && memcmp(code, "session", 7) == 0) {
			return GC_EAGAIN;
		}
		gc_diag_set(c->d, "peer refused %s: %.*s: %.*s",
		    gc_sync_type_name(want - 1), (int)cl, code, (int)ml, msg);
		if (cl == 6 && memcmp(code, "denied", 6) == 0) {
			return GC_EPERM;
		}
		if (cl == 6 && memcmp(code, "toobig", 6) == 0) {
			return GC_ETOOBIG;
		}
		return cl == 8 && memcmp(code, "notfound", 8) == 0 ?
		    GC_ENOTFOUND : GC_EIO;
	}
	if (c->rep.type != want) {
		gc_diag_set(c->d, "peer answered %s with %s",
		    gc_sync_type_name(want - 1),
		    gc_sync_type_name(c->rep.type));
		return GC_ECORRUPT;
	}
	return GC_OK;
}

/* call() for session-bound requests: on a lost session, HELLO again and
 * resend (the request is rebuilt by the caller's builder). */
static gc_err
call_s(struct client *c, unsigned want, void (*build)(struct client *, void *),
    void *arg)
{
	gc_err rv;

	for (int i = 0; i < 2; i++) {
		gc_buf_reset(&c->req);
		build(c, arg);
		rv = call(c, want);
		if (rv != GC_EAGAIN) {
			return rv;
		}
		rv = hello(c);
		if (rv != GC_OK) {
			return rv;
		}
	}
	gc_diag_set(c->d, "peer keeps forgetting the session");
	return GC_EIO;
}

static void
put_session(struct client *c, unsigned type, size_t nfields)
{
	gc_sync_msg_begin(&c->req, type, nfields + 1);
	gc_cbor_uint(&c->req, 2);
	gc_cbor_bytes(&c->req, c->session, 16);
}

/* ---- HELLO ---- */

static gc_err
hello(struct client *c)
{
	struct gc_sync_hello me, peer;
	struct gc_enrollment en;
	char                 why[320];
	gc_err               rv;
	bool                 ok;

	lock(c);
	rv = gc__sync_hello_fill(c->n, &me);
	unlock(c);
	if (rv != GC_OK) {
		gc_diag_set(c->d, "reading heads: %s", gc_strerror(rv));
		return rv;
	}
	gc_buf_reset(&c->req);
	gc_sync_hello_encode(&c->req, GC_SYNC_HELLO, &me, c->n->key->sk);
	rv = call(c, GC_SYNC_HELLO_OK);
	if (rv != GC_OK) {
		gc_sync_hello_release(&me);
		return rv == GC_EAGAIN ? GC_EIO : rv;
	}
	rv = gc_sync_hello_parse(&c->rep, &peer, c->d);
	if (rv != GC_OK) {
		gc_sync_hello_release(&me);
		return rv;
	}
	if (!peer.has_echo || sodium_memcmp(peer.echo, me.nonce, 16) != 0 ||
	    !peer.has_session) {
		gc_diag_set(c->d, "peer's HELLO_OK does not answer this HELLO "
		    "(a replay?)");
		gc_sync_hello_release(&me);
		gc_sync_hello_release(&peer);
		return GC_EBADSIG;
	}
	gc_sync_hello_release(&me);
	lock(c);
	ok = gc__sync_peer_ok(c->n, peer.key, peer.school, &en, why,
	    sizeof(why));
	unlock(c);
	if (!ok) {
		gc_diag_set(c->d, "peer '%s': %s", peer.name, why);
		gc_sync_hello_release(&peer);
		return GC_EPERM;
	}
	if (memcmp(peer.key, c->self, 32) == 0) {
		gc_diag_set(c->d, "the peer is this node itself");
		gc_sync_hello_release(&peer);
		return GC_EINVAL;
	}
	memcpy(c->session, peer.session, 16);
	/* prove this node holds its key, for this server and this session */
	{
		uint8_t tbs[GC_SYNC_AUTH_TBS], sig[64];

		gc_sync_auth_tbs(tbs, peer.key, peer.nonce, peer.session);
		crypto_sign_detached(sig, NULL, tbs, sizeof(tbs),
		    c->n->key->sk);
		gc_buf_reset(&c->req);
		put_session(c, GC_SYNC_AUTH, 1);
		gc_cbor_uint(&c->req, 3);
		gc_cbor_bytes(&c->req, sig, 64);
		rv = call(c, GC_SYNC_AUTH_OK);
		if (rv != GC_OK) {
			gc_sync_hello_release(&peer);
			return rv == GC_EAGAIN ? GC_EIO : rv;
		}
	}
	memcpy(c->st->peer, peer.key, 32);
	snprintf(c->st->peer_name, sizeof(c->st->peer_name), "%s", en.name);
	c->st->peer_role = en.role;
	gc_sync_hello_release(&c->peer);
	c->peer = peer;
	return GC_OK;
}

/* ---- the plan ---- */

static struct plan_feed *
plan_add(struct plan_feed **v, size_t *n, const uint8_t feed[32],
    uint64_t from, bool forks)
{
	struct plan_feed *nv;

	for (size_t i = 0; i < *n; i++) {
		if (memcmp((*v)[i].feed, feed, 32) == 0) {
			if (from != 0 && ((*v)[i].from == 0 ||
			    from < (*v)[i].from)) {
				(*v)[i].from = from;
			}
			(*v)[i].forks |= forks;
			return &(*v)[i];
		}
	}
	nv = gc_realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL) {
		return NULL;
	}
	*v = nv;
	memcpy(nv[*n].feed, feed, 32);
	nv[*n].from    = from;
	nv[*n].forks   = forks;
	nv[*n].rewound = false;
	return &nv[(*n)++];
}

static const struct gc_sync_feed *
vv_find(const struct gc_sync_hello *h, const uint8_t feed[32])
{
	for (size_t i = 0; i < h->nfeeds; i++) {
		if (memcmp(h->feeds[i].feed, feed, 32) == 0) {
			return &h->feeds[i];
		}
	}
	return NULL;
}

struct at_seq {
	uint64_t seq;
	uint8_t  id[32];
	bool     found;
};

static int
at_seq_cb(const struct gc_entry *e, void *arg)
{
	struct at_seq *a = arg;

	if (e->seq == a->seq) {
		memcpy(a->id, e->id, 32);
		a->found = true;
	}
	return 1; /* the first one is enough */
}

/* My entry of feed at seq: its id, false when I hold none there. Locks. */
static bool
my_entry_at(struct client *c, const uint8_t feed[32], uint64_t seq,
    uint8_t id[32])
{
	struct at_seq a;

	memset(&a, 0, sizeof(a));
	a.seq = seq;
	lock(c);
	gc_ledger_range(c->n->lg, feed, seq, at_seq_cb, &a);
	unlock(c);
	if (a.found) {
		memcpy(id, a.id, 32);
	}
	return a.found;
}

/* Compares my version vector with the peer's. Differences of a feed
 * quarantined on either side past its fork seq do not count against
 * convergence (the fork proof is what both must hold). */
static gc_err
plan_make(struct client *c, struct plan *p, bool *same)
{
	struct gc_sync_hello me;
	gc_err               rv;
	bool                 fail = false;

	memset(p, 0, sizeof(*p));
	*same = true;
	lock(c);
	rv = gc__sync_hello_fill(c->n, &me);
	unlock(c);
	if (rv != GC_OK) {
		return rv;
	}
	for (size_t i = 0; i < me.nfeeds && !fail; i++) {
		const struct gc_sync_feed *m = &me.feeds[i];
		const struct gc_sync_feed *t = vv_find(&c->peer, m->feed);
		uint64_t                   tseq = t ? t->seq : 0;
		bool quar = m->qseq != 0 || (t != NULL && t->qseq != 0);

		if (m->seq > tseq) {
			uint8_t mine[32];

			fail |= !plan_add(&p->push, &p->npush, m->feed, tseq + 1,
			    false);
			p->push_entries += m->seq - tseq;
			*same &= quar && t != NULL;
			/* the peer's head is not mine at its length: the two
			 * branches parted at or before it (a laptop restored
			 * from a backup). Pulling the peer's branch from the
			 * start proves the fork where it begins. */
			if (t != NULL && tseq > 0 && !quar &&
			    my_entry_at(c, m->feed, tseq, mine) &&
			    memcmp(mine, t->head, 32) != 0) {
				struct plan_feed *pf = plan_add(&p->pull,
				    &p->npull, m->feed, 1, false);

				fail |= pf == NULL;
				if (pf != NULL) {
					pf->rewound = true;
				}
				*same = false;
			}
		} else if (t != NULL && m->seq < tseq) {
			fail |= !plan_add(&p->pull, &p->npull, m->feed, m->seq + 1,
			    false);
			p->pull_entries += tseq - m->seq;
			*same &= quar;
		} else if (t != NULL && memcmp(m->head, t->head, 32) != 0) {
			/* same length, different heads: a fork at or before
			 * the head; each side sends its own to the other */
			fail |= !plan_add(&p->push, &p->npush, m->feed, m->seq,
			    false);
			fail |= !plan_add(&p->pull, &p->npull, m->feed, m->seq,
			    false);
			*same &= quar;
		}
		if (t != NULL && t->nforks > m->nforks) {
			fail |= !plan_add(&p->pull, &p->npull, m->feed, 0, true);
			*same = false;
		}
		if (m->nforks > (t != NULL ? t->nforks : 0)) {
			fail |= !plan_add(&p->push, &p->npush, m->feed, 0, true);
			*same = false;
		}
	}
	for (size_t i = 0; i < c->peer.nfeeds && !fail; i++) {
		const struct gc_sync_feed *t = &c->peer.feeds[i];

		if (vv_find(&me, t->feed) == NULL && t->seq > 0) {
			fail |= !plan_add(&p->pull, &p->npull, t->feed, 1,
			    t->nforks > 0);
			p->pull_entries += t->seq;
			*same = false;
		}
	}
	gc_sync_hello_release(&me);
	return fail ? GC_ENOMEM : GC_OK;
}

static void
plan_free(struct plan *p)
{
	gc_free(p->push);
	gc_free(p->pull);
	memset(p, 0, sizeof(*p));
}

/* ---- pull ---- */

struct pull_build {
	struct plan *p;
};

static void
build_pull(struct client *c, void *arg)
{
	struct plan *p = arg;
	size_t       nr = 0, nf = 0;

	for (size_t i = 0; i < p->npull; i++) {
		nr += p->pull[i].from != 0;
		nf += p->pull[i].forks;
	}
	put_session(c, GC_SYNC_PULL, 2);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_array(&c->req, nr);
	for (size_t i = 0; i < p->npull; i++) {
		if (p->pull[i].from != 0) {
			gc_cbor_array(&c->req, 2);
			gc_cbor_bytes(&c->req, p->pull[i].feed, 32);
			gc_cbor_uint(&c->req, p->pull[i].from);
		}
	}
	gc_cbor_uint(&c->req, 4);
	gc_cbor_array(&c->req, nf);
	for (size_t i = 0; i < p->npull; i++) {
		if (p->pull[i].forks) {
			gc_cbor_bytes(&c->req, p->pull[i].feed, 32);
		}
	}
}

/* Ingests what a PULL_OK carried; moves the plan's ranges past what came;
 * a fork proved here against my own copy of a feed makes me push mine. */
static gc_err
pull_ingest(struct client *c, struct plan *p)
{
	struct gc_sync_blist     b;
	struct gc_ingest_result *res = NULL;
	gc_err                   rv;
	size_t                   nents, nrw = 0;
	uint8_t                  rewind[8][32];

	memset(&b, 0, sizeof(b));
	rv    = gc_sync_each_bytes(&c->rep.f[2], 1u << 20, gc_sync_blist_add,
	    &b);
	nents = b.n;
	if (rv == GC_OK) {
		rv = gc_sync_each_bytes(&c->rep.f[3], 1u << 20,
		    gc_sync_blist_add, &b);
	}
	if (rv != GC_OK) {
		gc_diag_set(c->d, "peer's PULL_OK is malformed");
		rv = GC_ECORRUPT;
		goto out;
	}
	if (b.failed) {
		rv = GC_ENOMEM;
		goto out;
	}
	if (b.n == 0) {
		rv = GC_OK;
		goto out;
	}
	res = gc_alloc(b.n * sizeof(*res));
	if (res == NULL) {
		rv = GC_ENOMEM;
		goto out;
	}
	lock(c);
	rv = gc_ledger_ingest(c->n->lg, b.bytes, b.lens, b.n, res, c->d);
	unlock(c);
	if (rv != GC_OK) {
		goto out;
	}
	for (size_t i = 0; i < b.n; i++) {
		struct gc_entry e;

		if (gc_entry_parse(&e, b.bytes[i], b.lens[i], NULL) != GC_OK) {
			c->st->rejected_here++;
			continue;
		}
		switch (res[i].status) {
		case GC_INGEST_ADDED:
			c->st->entries_recv++;
			break;
		case GC_INGEST_FORK: {
			uint8_t mine[32];

			c->st->forks++;
			/* the peer holds another branch: send it mine */
			plan_add(&p->push, &p->npush, e.feed, e.seq, true);
			/* its prev is not my entry before it: the branches
			 * parted earlier; pull the peer's from the start
			 * (once) to prove where */
			if (i < nents && !my_entry_at(c, e.feed, e.seq, mine) &&
			    nrw < sizeof(rewind) / sizeof(rewind[0])) {
				memcpy(rewind[nrw++], e.feed, 32);
			}
			break;
		}
		case GC_INGEST_REJECTED:
			c->st->rejected_here++;
			if (c->st->first_reject[0] == '\0') {
				snprintf(c->st->first_reject,
				    sizeof(c->st->first_reject), "%s",
				    res[i].reason);
			}
			break;
		default:
			break;
		}
		/* the next pull of this feed starts after what came */
		if (i < nents) {
			for (size_t k = 0; k < p->npull; k++) {
				if (memcmp(p->pull[k].feed, e.feed, 32) == 0 &&
				    p->pull[k].from != 0 &&
				    e.seq >= p->pull[k].from) {
					p->pull[k].from = e.seq + 1;
				}
			}
		} else {
			for (size_t k = 0; k < p->npull; k++) {
				if (memcmp(p->pull[k].feed, e.feed, 32) == 0) {
					p->pull[k].forks = false;
				}
			}
		}
	}
	for (size_t r = 0; r < nrw; r++) {
		for (size_t k = 0; k < p->npull; k++) {
			if (memcmp(p->pull[k].feed, rewind[r], 32) == 0 &&
			    !p->pull[k].rewound) {
				p->pull[k].rewound = true;
				p->pull[k].from    = 1;
				p->rewound         = true;
			}
		}
	}
out:
	gc_free(res);
	gc_sync_blist_free(&b);
	return rv;
}

/* Where the pulls stand: changes whenever a batch moved a range on. */
static uint64_t
pull_state(const struct plan *p)
{
	uint64_t v = 0;

	for (size_t i = 0; i < p->npull; i++) {
		v += p->pull[i].from + (p->pull[i].forks ? 1u << 31 : 0);
	}
	return v;
}

static gc_err
do_pull(struct client *c, struct plan *p)
{
	bool   more = true, progress;
	gc_err rv;

	while (more && p->npull > 0) {
		struct gc_cbor_cur  cur;
		struct gc_cbor_item it;
		uint64_t            before = pull_state(p);

		p->rewound = false;
		rv = call_s(c, GC_SYNC_PULL_OK, build_pull, p);
		if (rv != GC_OK) {
			return rv;
		}
		rv = pull_ingest(c, p);
		if (rv != GC_OK) {
			return rv;
		}
		/* progress is where the next pull starts, not what was new:
		 * a batch of duplicates (sent meanwhile by the same peer) is
		 * progress too */
		progress = pull_state(p) != before;
		more = false;
		if (c->rep.f[4].p != NULL) {
			gc_cbor_cur_init(&cur, c->rep.f[4].p, c->rep.f[4].len);
			more = gc_cbor_next(&cur, &it) == GC_OK &&
			    it.type == GC_CBOR_SIMPLE && it.val == 21;
		}
		if (more && !progress) {
			gc_diag_set(c->d, "peer says more entries wait but none "
			    "could be taken");
			return GC_EIO;
		}
		more |= p->rewound; /* a fork to trace back to its start */
	}
	return GC_OK;
}

/* ---- push ---- */

struct push_fill {
	struct gc_buf *ents;
	size_t         count, bytes;
	uint64_t       last_seq;
	bool           full;
};

static int
push_entry_cb(const struct gc_entry *e, void *arg)
{
	struct push_fill *f = arg;

	if (f->count > 0 && (f->bytes + e->len > GC_SYNC_BATCH_MAX ||
	    f->count == GC_SYNC_PUSH_MAX)) {
		f->full = true;
		return 1;
	}
	gc_cbor_bytes(f->ents, e->bytes, e->len);
	f->count++;
	f->bytes += e->len;
	f->last_seq = e->seq;
	return 0;
}

static int
push_fork_cb(const uint8_t feed[32], uint64_t seq, const uint8_t *bytes,
    size_t len, void *arg)
{
	struct push_fill *f = arg;

	(void)feed;
	(void)seq;
	if (f->count > 0 && (f->bytes + len > GC_SYNC_BATCH_MAX ||
	    f->count == GC_SYNC_PUSH_MAX)) {
		f->full = true; /* the rest go in a later exchange */
		return 1;
	}
	gc_cbor_bytes(f->ents, bytes, len);
	f->count++;
	f->bytes += len;
	return 0;
}

struct push_build {
	struct gc_buf *ents;
	size_t         count;
};

static void
build_push(struct client *c, void *arg)
{
	struct push_build *pb = arg;

	put_session(c, GC_SYNC_PUSH, 1);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_array(&c->req, pb->count);
	gc_buf_put(&c->req, pb->ents->data, pb->ents->len);
}

static bool
refused(const struct client *c, const uint8_t feed[32])
{
	for (size_t i = 0; i < c->nrefused; i++) {
		if (memcmp(c->refused[i], feed, 32) == 0) {
			return true;
		}
	}
	return false;
}

/* Sends one batch; feed (NULL for fork proofs) is the feed it carries. */
static gc_err
push_send(struct client *c, struct gc_buf *ents, size_t count,
    const uint8_t *feed, bool *gap)
{
	struct push_build   pb = { ents, count };
	struct gc_cbor_cur  cur;
	struct gc_cbor_item arr, it, st, why;
	gc_err              rv;

	*gap = false;
	rv   = call_s(c, GC_SYNC_PUSH_OK, build_push, &pb);
	if (rv != GC_OK) {
		return rv;
	}
	gc_cbor_cur_init(&cur, c->rep.f[2].p, c->rep.f[2].len);
	if (c->rep.f[2].p == NULL || gc_cbor_next(&cur, &arr) != GC_OK ||
	    arr.type != GC_CBOR_ARRAY || arr.val != count) {
		gc_diag_set(c->d, "peer's PUSH_OK does not answer every entry");
		return GC_ECORRUPT;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		if (gc_cbor_next(&cur, &it) != GC_OK ||
		    it.type != GC_CBOR_ARRAY || it.val != 2 ||
		    gc_cbor_next(&cur, &st) != GC_OK ||
		    st.type != GC_CBOR_UINT ||
		    gc_cbor_next(&cur, &why) != GC_OK ||
		    why.type != GC_CBOR_TEXT) {
			gc_diag_set(c->d, "peer's PUSH_OK is malformed");
			return GC_ECORRUPT;
		}
		switch (st.val) {
		case GC_INGEST_ADDED:
			c->st->entries_sent++;
			break;
		case GC_INGEST_FORK:
			c->st->forks++;
			break;
		case GC_INGEST_GAP:
			*gap = true;
			break;
		case GC_INGEST_REJECTED:
			c->st->rejected_by_peer++;
			if (c->st->first_reject[0] == '\0') {
				snprintf(c->st->first_reject,
				    sizeof(c->st->first_reject), "%.*s",
				    (int)why.val, (const char *)why.data);
			}
			if (feed != NULL && !refused(c, feed) &&
			    c->nrefused < 8) {
				memcpy(c->refused[c->nrefused++], feed, 32);
			}
			GC_LOG(GC_LOG_WARN, "SYNC-REJECTED", "peer '%s' refused "
			    "an entry: %.*s", c->st->peer_name, (int)why.val,
			    (const char *)why.data);
			break;
		default:
			break;
		}
	}
	return GC_OK;
}

static gc_err
do_push(struct client *c, struct plan *p)
{
	struct gc_buf ents;
	gc_err        rv = GC_OK;
	bool          gap;

	gc_buf_init(&ents);
	for (size_t i = 0; i < p->npush && rv == GC_OK; i++) {
		struct plan_feed *pf   = &p->push[i];
		uint64_t          from = refused(c, pf->feed) ? 0 : pf->from;

		while (from != 0) {
			struct push_fill f = { &ents, 0, 0, 0, false };

			gc_buf_reset(&ents);
			lock(c);
			rv = gc_ledger_range(c->n->lg, pf->feed, from,
			    push_entry_cb, &f);
			unlock(c);
			if (rv != GC_OK || f.count == 0) {
				break;
			}
			rv = push_send(c, &ents, f.count, pf->feed, &gap);
			if (rv != GC_OK || gap || refused(c, pf->feed)) {
				break; /* a gap: the next round starts over */
			}
			from = f.full ? f.last_seq + 1 : 0;
		}
		if (rv == GC_OK && pf->forks) {
			struct push_fill f = { &ents, 0, 0, 0, false };

			gc_buf_reset(&ents);
			lock(c);
			rv = gc_ledger_forks(c->n->lg, pf->feed, push_fork_cb,
			    &f);
			unlock(c);
			if (rv == GC_OK && f.count > 0) {
				rv = push_send(c, &ents, f.count, NULL, &gap);
			}
		}
	}
	gc_buf_release(&ents);
	return rv;
}

/* ---- blobs ---- */

struct blob_put_build {
	const uint8_t *hash;
	uint64_t       total, off;
	const uint8_t *data;
	size_t         len;
};

static void
build_blob_put(struct client *c, void *arg)
{
	struct blob_put_build *b = arg;

	put_session(c, GC_SYNC_BLOB_PUT, 4);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_bytes(&c->req, b->hash, 32);
	gc_cbor_uint(&c->req, 4);
	gc_cbor_uint(&c->req, b->total);
	gc_cbor_uint(&c->req, 5);
	gc_cbor_uint(&c->req, b->off);
	gc_cbor_uint(&c->req, 6);
	gc_cbor_bytes(&c->req, b->data, b->len);
}

/* A blob that cannot go (refused, damaged, a peer that does not move on)
 * is skipped, not fatal: it stays pending, the others still go. */
static gc_err
blob_skip(struct client *c, const uint8_t hash[32], const char *why)
{
	char hex[17];

	gc_id_hex(hex, hash, 8);
	GC_LOG(GC_LOG_WARN, "SYNC-BLOB-SKIP", "peer '%s', blob %s: %s",
	    c->st->peer_name, hex, why);
	return GC_OK;
}

/* Whether rv from call_s is about this one blob rather than the link. */
static bool
blob_refused(gc_err rv)
{
	return rv == GC_EPERM || rv == GC_ETOOBIG || rv == GC_ENOTFOUND ||
	    rv == GC_ECORRUPT;
}

/* Sends one blob from the peer's committed offset on. */
static gc_err
blob_send(struct client *c, const uint8_t hash[32], uint64_t committed,
    uint8_t *chunk)
{
	struct blob_put_build b;
	uint64_t              total, off = committed, best = committed;
	size_t                got;
	int                   corrupt = 0, stalls = 0;
	gc_err                rv;

	c->st->blob_bytes_resumed_sent += committed;
	for (;;) {
		lock(c);
		rv = gc_ledger_blob_read(c->n->lg, hash, off, chunk,
		    GC_SYNC_CHUNK, &got, &total);
		unlock(c);
		if (rv != GC_OK) {
			return GC_OK; /* not held (any more): nothing to send */
		}
		if (off >= total && total != 0) {
			return GC_OK;
		}
		if (c->n->chunk_delay_ms > 0) {
			usleep(c->n->chunk_delay_ms * 1000u);
		}
		b.hash  = hash;
		b.total = total;
		b.off   = off;
		b.data  = chunk;
		b.len   = got;
		rv      = call_s(c, GC_SYNC_BLOB_PUT_OK, build_blob_put, &b);
		if (blob_refused(rv)) {
			return blob_skip(c, hash, gc_diag_msg(c->d, rv));
		}
		if (rv != GC_OK) {
			return rv;
		}
		c->st->blob_bytes_sent += got;
		if (!gc_cbor_field_uint(&c->rep.f[2], &committed) ||
		    committed > total) {
			return blob_skip(c, hash, "malformed BLOB_PUT_OK");
		}
		if (c->rep.f[3].p != NULL && committed == 0 && ++corrupt > 1) {
			return blob_skip(c, hash, "the peer finds it corrupt "
			    "twice (is it damaged here? 'gradcap log verify')");
		}
		if (committed >= total) {
			c->st->blobs_sent++;
			return GC_OK;
		}
		if (committed > best) {
			best   = committed;
			stalls = 0;
		} else if (++stalls > 3) {
			return blob_skip(c, hash, "the peer does not move on");
		}
		off = committed;
	}
}

/* Small whole blobs going out together: [hash, bytes] pairs, encoded. */
struct small_batch {
	struct gc_buf pairs;
	size_t        n, bytes;
};

static void
build_blobs_put(struct client *c, void *arg)
{
	struct small_batch *sb = arg;

	put_session(c, GC_SYNC_BLOBS_PUT, 1);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_array(&c->req, sb->n);
	gc_buf_put(&c->req, sb->pairs.data, sb->pairs.len);
}

static gc_err
small_flush(struct client *c, struct small_batch *sb)
{
	struct gc_cbor_cur  cur;
	struct gc_cbor_item arr, x;
	gc_err              rv;

	if (sb->n == 0) {
		return GC_OK;
	}
	rv = gc_buf_status(&sb->pairs);
	if (rv == GC_OK) {
		rv = call_s(c, GC_SYNC_BLOBS_PUT_OK, build_blobs_put, sb);
	}
	if (rv == GC_OK) {
		gc_cbor_cur_init(&cur, c->rep.f[2].p, c->rep.f[2].len);
		if (c->rep.f[2].p == NULL || gc_cbor_next(&cur, &arr) != GC_OK ||
		    arr.type != GC_CBOR_ARRAY || arr.val != sb->n) {
			gc_diag_set(c->d, "peer's BLOBS_PUT_OK is malformed");
			rv = GC_ECORRUPT;
		}
		for (uint64_t i = 0; rv == GC_OK && i < arr.val; i++) {
			if (gc_cbor_next(&cur, &x) != GC_OK ||
			    x.type != GC_CBOR_UINT) {
				rv = GC_ECORRUPT;
			} else if (x.val == 0) {
				c->st->blobs_sent++;
			}
		}
		if (rv == GC_OK) {
			c->st->blob_bytes_sent += sb->bytes;
		}
	}
	gc_buf_reset(&sb->pairs);
	sb->n     = 0;
	sb->bytes = 0;
	return rv;
}

/* Adds a held blob of len ≤ one chunk to the batch (sent when full). */
static gc_err
small_add(struct client *c, struct small_batch *sb, const uint8_t hash[32],
    uint64_t len, uint8_t *chunk)
{
	size_t   got;
	uint64_t total;
	gc_err   rv;

	if (sb->bytes + len > GC_SYNC_BATCH_MAX || sb->n == GC_SYNC_LIST_MAX) {
		rv = small_flush(c, sb);
		if (rv != GC_OK) {
			return rv;
		}
	}
	lock(c);
	rv = gc_ledger_blob_read(c->n->lg, hash, 0, chunk, GC_SYNC_CHUNK, &got,
	    &total);
	unlock(c);
	if (rv != GC_OK || total != got) {
		return GC_OK; /* gone, or not small after all */
	}
	gc_cbor_array(&sb->pairs, 2);
	gc_cbor_bytes(&sb->pairs, hash, 32);
	gc_cbor_bytes(&sb->pairs, chunk, got);
	sb->n++;
	sb->bytes += got;
	return GC_OK;
}

static void
build_want(struct client *c, void *arg)
{
	const uint8_t *after = arg;

	put_session(c, GC_SYNC_WANT, after != NULL ? 2 : 1);
	if (after != NULL) {
		gc_cbor_uint(&c->req, 3);
		gc_cbor_bytes(&c->req, after, 32);
	}
	gc_cbor_uint(&c->req, 4);
	gc_cbor_uint(&c->req, GC_SYNC_LIST_MAX);
}

struct want_item {
	uint8_t  hash[32];
	uint64_t committed;
};

/* What the peer wants that I hold: sent. *pending counts what it wants
 * and I hold after the sends (0 when all went). */
static gc_err
do_blob_push(struct client *c, uint64_t *pending, bool count_only)
{
	uint8_t            after[32];
	bool               have_after = false, more = true;
	uint8_t           *chunk;
	struct small_batch sb;
	gc_err             rv = GC_OK;

	*pending = 0;
	memset(&sb, 0, sizeof(sb));
	gc_buf_init(&sb.pairs);
	chunk    = gc_alloc(GC_SYNC_CHUNK);
	if (chunk == NULL) {
		return GC_ENOMEM;
	}
	while (more && rv == GC_OK) {
		struct gc_cbor_cur  cur;
		struct gc_cbor_item arr, it, x;
		struct want_item   *list;
		uint64_t            n;

		rv = call_s(c, GC_SYNC_WANT_OK, build_want,
		    have_after ? after : NULL);
		if (rv != GC_OK) {
			break;
		}
		gc_cbor_cur_init(&cur, c->rep.f[2].p, c->rep.f[2].len);
		if (c->rep.f[2].p == NULL || gc_cbor_next(&cur, &arr) != GC_OK ||
		    arr.type != GC_CBOR_ARRAY || arr.val > GC_SYNC_LIST_MAX) {
			gc_diag_set(c->d, "peer's WANT_OK is malformed");
			rv = GC_ECORRUPT;
			break;
		}
		n    = arr.val;
		list = gc_alloc(sizeof(*list) * (n > 0 ? n : 1));
		if (list == NULL) {
			rv = GC_ENOMEM;
			break;
		}
		for (uint64_t i = 0; i < n; i++) {
			if (gc_cbor_next(&cur, &it) != GC_OK ||
			    it.type != GC_CBOR_ARRAY || it.val != 3 ||
			    gc_cbor_next(&cur, &x) != GC_OK ||
			    x.type != GC_CBOR_BYTES || x.val != 32) {
				rv = GC_ECORRUPT;
				break;
			}
			memcpy(list[i].hash, x.data, 32);
			if (gc_cbor_next(&cur, &x) != GC_OK ||
			    x.type != GC_CBOR_UINT) {
				rv = GC_ECORRUPT;
				break;
			}
			list[i].committed = x.val;
			if (gc_cbor_skip(&cur) != GC_OK) {
				rv = GC_ECORRUPT;
				break;
			}
		}
		if (rv == GC_OK) {
			struct gc_cbor_item mi;

			more = false;
			if (c->rep.f[3].p != NULL) {
				gc_cbor_cur_init(&cur, c->rep.f[3].p,
				    c->rep.f[3].len);
				more = gc_cbor_next(&cur, &mi) == GC_OK &&
				    mi.type == GC_CBOR_SIMPLE && mi.val == 21;
			}
			/* the list must move on past the cursor, in order,
			 * or "more" would be asked for forever */
			for (uint64_t i = 0; i < n; i++) {
				const uint8_t *prev = i > 0 ? list[i - 1].hash :
				    have_after ? after : NULL;

				if (prev != NULL &&
				    memcmp(list[i].hash, prev, 32) <= 0) {
					more = false;
					n    = i;
					GC_LOG(GC_LOG_WARN, "SYNC-PEER-BAD",
					    "peer '%s': WANT_OK out of order",
					    c->st->peer_name);
					break;
				}
			}
			if (n == 0) {
				more = false;
			} else {
				memcpy(after, list[n - 1].hash, 32);
				have_after = true;
			}
		} else {
			gc_diag_set(c->d, "peer's WANT_OK is malformed");
		}
		for (uint64_t i = 0; i < n && rv == GC_OK; i++) {
			uint64_t len;
			gc_err   h;

			lock(c);
			h = gc_ledger_blob_size(c->n->lg, list[i].hash, &len);
			unlock(c);
			if (h != GC_OK) {
				continue; /* I do not hold it either */
			}
			if (count_only) {
				(*pending)++;
				continue;
			}
			if (list[i].committed == 0 && len <= GC_SYNC_CHUNK) {
				rv = small_add(c, &sb, list[i].hash, len, chunk);
			} else {
				rv = blob_send(c, list[i].hash, list[i].committed,
				    chunk);
			}
		}
		gc_free(list);
		if (rv == GC_OK) {
			rv = small_flush(c, &sb);
		}
	}
	gc_buf_release(&sb.pairs);
	gc_free(chunk);
	return rv;
}

struct miss_list {
	struct gc_sync_node *n;
	struct gc_missing   *m;
	size_t               count, cap;
	bool                 failed;
};

static int
miss_cb(const struct gc_missing *m, void *arg)
{
	struct miss_list *l = arg;

	if (!gc__sync_blob_wanted(l->n, m->feed)) {
		return 0;
	}
	if (l->count == l->cap) {
		size_t             cap = l->cap ? l->cap * 2 : 64;
		struct gc_missing *nm  = gc_realloc(l->m, cap * sizeof(*nm));

		if (nm == NULL) {
			l->failed = true;
			return 1;
		}
		l->m   = nm;
		l->cap = cap;
	}
	l->m[l->count++] = *m;
	return 0;
}

struct have_build {
	const struct gc_missing *m;
	size_t                   n;
};

static void
build_have(struct client *c, void *arg)
{
	struct have_build *h = arg;

	put_session(c, GC_SYNC_HAVE, 1);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_array(&c->req, h->n);
	for (size_t i = 0; i < h->n; i++) {
		gc_cbor_bytes(&c->req, h->m[i].hash, 32);
	}
}

struct get_build {
	const uint8_t *hash;
	uint64_t       off;
};

static void
build_get(struct client *c, void *arg)
{
	struct get_build *g = arg;

	put_session(c, GC_SYNC_BLOB_GET, 3);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_bytes(&c->req, g->hash, 32);
	gc_cbor_uint(&c->req, 4);
	gc_cbor_uint(&c->req, g->off);
	gc_cbor_uint(&c->req, 5);
	gc_cbor_uint(&c->req, GC_SYNC_CHUNK);
}

/* Fetches one blob from my committed offset on. */
static gc_err
blob_fetch(struct client *c, const struct gc_missing *m)
{
	struct get_build g = { m->hash, m->committed };
	uint64_t         total, committed, first_total = 0, best = m->committed;
	const uint8_t   *data;
	size_t           dl;
	int              corrupt = 0, stalls = 0;
	gc_err           rv;

	c->st->blob_bytes_resumed_recv += m->committed;
	for (;;) {
		struct gc_diag d;

		rv = call_s(c, GC_SYNC_BLOB_GET_OK, build_get, &g);
		if (blob_refused(rv)) {
			return GC_OK; /* not held there (any more) */
		}
		if (rv != GC_OK) {
			return rv;
		}
		if (!gc_cbor_field_uint(&c->rep.f[2], &total) ||
		    !gc_cbor_field_bytes(&c->rep.f[3], &data, &dl) ||
		    (first_total != 0 && total != first_total)) {
			return blob_skip(c, m->hash, "malformed or inconsistent "
			    "BLOB_GET_OK");
		}
		first_total = total;
		gc_diag_clear(&d);
		lock(c);
		rv = gc_ledger_blob_chunk(c->n->lg, m->hash, total, g.off, data,
		    dl, &committed, &d);
		unlock(c);
		c->st->blob_bytes_recv += dl;
		if (rv == GC_ECORRUPT) {
			GC_LOG(GC_LOG_WARN, "SYNC-BLOB-CORRUPT", "from '%s': %s",
			    c->st->peer_name, d.msg);
			if (++corrupt > 1) {
				return blob_skip(c, m->hash, "corrupt twice");
			}
			g.off = 0;
			best  = 0;
			continue;
		}
		if (rv == GC_EPERM || rv == GC_ETOOBIG || rv == GC_EINVAL) {
			return blob_skip(c, m->hash, gc_diag_msg(&d, rv));
		}
		if (rv != GC_OK && rv != GC_EGAP) {
			gc_diag_set(c->d, "%s", gc_diag_msg(&d, rv));
			return rv;
		}
		if (committed >= total) {
			c->st->blobs_recv++;
			return GC_OK;
		}
		if (committed > best) {
			best   = committed;
			stalls = 0;
		} else if (++stalls > 3) {
			return blob_skip(c, m->hash, "the peer sends nothing new");
		}
		g.off = committed;
	}
}

struct small_get {
	const struct gc_missing **m;
	size_t                    n;
};

static void
build_blobs_get(struct client *c, void *arg)
{
	struct small_get *g = arg;

	put_session(c, GC_SYNC_BLOBS_GET, 1);
	gc_cbor_uint(&c->req, 3);
	gc_cbor_array(&c->req, g->n);
	for (size_t i = 0; i < g->n; i++) {
		gc_cbor_bytes(&c->req, g->m[i]->hash, 32);
	}
}

/* Fetches small blobs whole, many per message, committed together. */
static gc_err
small_fetch(struct client *c, struct small_get *g)
{
	struct gc_cbor_cur  cur;
	struct gc_cbor_item arr, it, h, b;
	struct gc_blob     *bl;
	gc_err             *res, rv;
	size_t              nb = 0;

	if (g->n == 0) {
		return GC_OK;
	}
	rv = call_s(c, GC_SYNC_BLOBS_GET_OK, build_blobs_get, g);
	g->n = 0;
	if (rv != GC_OK) {
		return rv;
	}
	gc_cbor_cur_init(&cur, c->rep.f[2].p, c->rep.f[2].len);
	if (c->rep.f[2].p == NULL || gc_cbor_next(&cur, &arr) != GC_OK ||
	    arr.type != GC_CBOR_ARRAY || arr.val > GC_SYNC_LIST_MAX) {
		gc_diag_set(c->d, "peer's BLOBS_GET_OK is malformed");
		return GC_ECORRUPT;
	}
	bl  = gc_alloc(sizeof(*bl) * (arr.val > 0 ? arr.val : 1));
	res = gc_alloc(sizeof(*res) * (arr.val > 0 ? arr.val : 1));
	if (bl == NULL || res == NULL) {
		gc_free(bl);
		gc_free(res);
		return GC_ENOMEM;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		if (gc_cbor_next(&cur, &it) != GC_OK || it.type != GC_CBOR_ARRAY ||
		    it.val != 2 || gc_cbor_next(&cur, &h) != GC_OK ||
		    h.type != GC_CBOR_BYTES || h.val != 32 ||
		    gc_cbor_next(&cur, &b) != GC_OK || b.type != GC_CBOR_BYTES) {
			gc_diag_set(c->d, "peer's BLOBS_GET_OK is malformed");
			rv = GC_ECORRUPT;
			break;
		}
		memcpy(bl[nb].hash, h.data, 32);
		bl[nb].data = b.data;
		bl[nb].len  = (size_t)b.val;
		nb++;
	}
	if (rv == GC_OK && nb > 0) {
		lock(c);
		rv = gc_ledger_blobs_put(c->n->lg, bl, nb, res, c->d);
		unlock(c);
		for (size_t i = 0; rv == GC_OK && i < nb; i++) {
			if (res[i] == GC_OK) {
				c->st->blobs_recv++;
				c->st->blob_bytes_recv += bl[i].len;
			} else if (res[i] == GC_ECORRUPT) {
				char hex[17];

				gc_id_hex(hex, bl[i].hash, 8);
				GC_LOG(GC_LOG_WARN, "SYNC-BLOB-CORRUPT", "from "
				    "'%s': blob %s does not hash to its name",
				    c->st->peer_name, hex);
			}
		}
	}
	gc_free(bl);
	gc_free(res);
	return rv;
}

/* What I want and the peer holds: fetched. *pending counts those left. */
static gc_err
do_blob_pull(struct client *c, uint64_t *pending, bool count_only)
{
	struct miss_list l;
	gc_err           rv;

	*pending = 0;
	memset(&l, 0, sizeof(l));
	l.n = c->n;
	lock(c);
	rv = gc_ledger_missing(c->n->lg, miss_cb, &l);
	unlock(c);
	if (rv == GC_OK && l.failed) {
		rv = GC_ENOMEM;
	}
	for (size_t at = 0; rv == GC_OK && at < l.count;
	     at += GC_SYNC_LIST_MAX) {
		struct have_build   h = { l.m + at, l.count - at };
		struct gc_cbor_cur  cur;
		struct gc_cbor_item arr, x;

		if (h.n > GC_SYNC_LIST_MAX) {
			h.n = GC_SYNC_LIST_MAX;
		}
		rv = call_s(c, GC_SYNC_HAVE_OK, build_have, &h);
		if (rv != GC_OK) {
			break;
		}
		gc_cbor_cur_init(&cur, c->rep.f[2].p, c->rep.f[2].len);
		if (c->rep.f[2].p == NULL || gc_cbor_next(&cur, &arr) != GC_OK ||
		    arr.type != GC_CBOR_ARRAY || arr.val != h.n) {
			gc_diag_set(c->d, "peer's HAVE_OK is malformed");
			rv = GC_ECORRUPT;
			break;
		}
		{
			uint64_t                 size[GC_SYNC_LIST_MAX];
			const struct gc_missing *small[GC_SYNC_LIST_MAX];
			struct small_get         g = { small, 0 };
			size_t                   gbytes = 0;

			for (size_t i = 0; i < h.n; i++) {
				if (gc_cbor_next(&cur, &x) != GC_OK ||
				    x.type != GC_CBOR_UINT) {
					rv = GC_ECORRUPT;
					break;
				}
				size[i] = x.val;
			}
			for (size_t i = 0; i < h.n && rv == GC_OK; i++) {
				if (size[i] == 0) {
					continue;
				}
				if (count_only) {
					(*pending)++;
					continue;
				}
				if (size[i] > GC_SYNC_CHUNK || h.m[i].committed > 0) {
					rv = blob_fetch(c, &h.m[i]);
					continue;
				}
				if (gbytes + size[i] > GC_SYNC_BATCH_MAX) {
					rv     = small_fetch(c, &g);
					gbytes = 0;
				}
				g.m[g.n++] = &h.m[i];
				gbytes += (size_t)size[i];
			}
			if (rv == GC_OK) {
				rv = small_fetch(c, &g);
			}
		}
	}
	gc_free(l.m);
	return rv;
}

/* ---- the run ---- */

gc_err
gc_sync_run(struct gc_sync_node *n, gc_sync_rpc rpc, void *rpc_arg,
    struct gc_sync_stats *st, struct gc_diag *d)
{
	struct client   c;
	struct plan     p;
	struct timespec t0, t1;
	bool            same = false;
	uint64_t        pend_push = 0, pend_pull = 0;
	gc_err          rv;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.n       = n;
	c.rpc     = rpc;
	c.rpc_arg = rpc_arg;
	c.st      = st;
	c.d       = d;
	gc_buf_init(&c.req);
	pthread_mutex_lock(&n->mtx);
	memcpy(c.self, n->info.self, 32);
	pthread_mutex_unlock(&n->mtx);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rv = hello(&c);
	for (int round = 0; rv == GC_OK && round < MAX_ROUNDS; round++) {
		uint64_t before = st->entries_sent + st->entries_recv +
		    st->blobs_sent + st->blobs_recv + st->forks;

		rv = plan_make(&c, &p, &same);
		if (rv == GC_OK) {
			rv = do_pull(&c, &p);
		}
		if (rv == GC_OK) {
			rv = do_push(&c, &p);
		}
		plan_free(&p);
		if (rv == GC_OK) {
			rv = do_blob_push(&c, &pend_push, false);
		}
		if (rv == GC_OK) {
			rv = do_blob_pull(&c, &pend_pull, false);
		}
		/* where do we stand now? */
		if (rv == GC_OK) {
			rv = hello(&c);
		}
		if (rv == GC_OK) {
			rv = plan_make(&c, &p, &same);
			st->pending_push_entries = p.push_entries;
			st->pending_pull_entries = p.pull_entries;
			plan_free(&p);
		}
		if (rv == GC_OK) {
			rv = do_blob_push(&c, &pend_push, true);
		}
		if (rv == GC_OK) {
			rv = do_blob_pull(&c, &pend_pull, true);
		}
		st->pending_push_blobs = pend_push;
		st->pending_pull_blobs = pend_pull;
		st->converged = rv == GC_OK && same && pend_push == 0 &&
		    pend_pull == 0;
		if (st->converged || before == st->entries_sent +
		    st->entries_recv + st->blobs_sent + st->blobs_recv +
		    st->forks) {
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	gc_sync_hello_release(&c.peer);
	gc_buf_release(&c.req);
	return rv;
}
