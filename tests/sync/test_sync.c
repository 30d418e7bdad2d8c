/* sync: the protocol between a real coordinator ledger and site ledgers,
 * with the transport a direct call (the nng/TLS transport is exercised by
 * tests/integration). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/ledger.h"
#include "sync/sync.h"
#include "sync/wire.h"
#include "tests/testutil.h"

struct fx {
	char          *dir;
	char           coord[600], site[600], site2[600];
	struct gc_key *kc, *ks, *ks2;
	gc_ledger     *lc, *ls, *ls2;
	struct gc_sync_node nc, ns, ns2;
};

/* A CAPTURE-kind entry whose body is {0: text} with one blob of len
 * bytes (a pattern unique per text). */
static void
shoot(gc_ledger *lg, const char *text, size_t len)
{
	struct gc_buf    b;
	struct gc_blob   bl;
	struct gc_append a;
	struct gc_diag   d;
	uint8_t         *data = malloc(len);

	for (size_t i = 0; i < len; i++) {
		data[i] = (uint8_t)(i * 7 + (i >> 9) + text[0]);
	}
	memcpy(data, text, strlen(text) < len ? strlen(text) : len);
	gc_buf_init(&b);
	gc_cbor_map(&b, 1);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, text);
	bl.data = data;
	bl.len  = len;
	memset(&a, 0, sizeof(a));
	a.kind     = GC_KIND_CAPTURE;
	a.body     = b.data;
	a.body_len = b.len;
	a.blobs    = &bl;
	a.nblobs   = 1;
	gc_diag_clear(&d);
	if (gc_ledger_append(lg, &a, 1, &d) != GC_OK) {
		fail_msg("append: %s", d.msg);
	}
	gc_buf_release(&b);
	free(data);
}

/* A site enrolled by the coordinator, holding its feed (as installed
 * from an enrollment file). */
static gc_ledger *
make_site(struct fx *f, const char *dir, const struct gc_key *k,
    const char *name)
{
	gc_ledger *ls;

	assert_int_equal(gc_ledger_create(dir, k, GC_ROLE_SITE, "10335", name,
	    NULL, 0, NULL), GC_OK);
	ls = gc_test_ledger_open(dir, k);
	gc_test_enroll(f->lc, k, GC_ROLE_SITE, name);
	gc_test_install(ls, f->lc, f->kc->pk);
	return ls;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = strdup(gc_test_tmpdir("sync"));
	snprintf(f->coord, sizeof(f->coord), "%s/coord", f->dir);
	snprintf(f->site, sizeof(f->site), "%s/site", f->dir);
	snprintf(f->site2, sizeof(f->site2), "%s/site2", f->dir);
	f->kc  = gc_test_key(1);
	f->ks  = gc_test_key(2);
	f->ks2 = gc_test_key(3);
	assert_int_equal(gc_ledger_create(f->coord, f->kc, GC_ROLE_COORDINATOR,
	    "10335", "教务处", NULL, 0, NULL), GC_OK);
	f->lc  = gc_test_ledger_open(f->coord, f->kc);
	f->ls  = make_site(f, f->site, f->ks, "east");
	f->ls2 = make_site(f, f->site2, f->ks2, "west");
	assert_int_equal(gc_sync_node_init(&f->nc, f->lc, f->kc,
	    GC_SYNC_BLOBS_ALL, NULL), GC_OK);
	assert_int_equal(gc_sync_node_init(&f->ns, f->ls, f->ks,
	    GC_SYNC_BLOBS_OWN, NULL), GC_OK);
	assert_int_equal(gc_sync_node_init(&f->ns2, f->ls2, f->ks2,
	    GC_SYNC_BLOBS_ALL, NULL), GC_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	gc_sync_node_release(&f->nc);
	gc_sync_node_release(&f->ns);
	gc_sync_node_release(&f->ns2);
	gc_ledger_close(f->lc);
	gc_ledger_close(f->ls);
	gc_ledger_close(f->ls2);
	gc_key_free(f->kc);
	gc_key_free(f->ks);
	gc_key_free(f->ks2);
	gc_test_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* The transport: a direct call into the server, optionally failing after
 * a number of BLOB_PUT requests (a connection that drops mid-blob). */
struct direct {
	struct gc_sync_node *srv;
	struct gc_buf        rep;
	int                  fail_after_puts; /* -1: never */
	int                  puts;
};

static gc_err
direct_rpc(void *arg, const uint8_t *req, size_t len, const uint8_t **rep,
    size_t *replen, struct gc_diag *d)
{
	struct direct     *t = arg;
	struct gc_sync_msg m;

	if (gc_sync_msg_parse(&m, req, len, NULL) == GC_OK &&
	    m.type == GC_SYNC_BLOB_PUT && t->fail_after_puts >= 0 &&
	    t->puts++ >= t->fail_after_puts) {
		gc_diag_set(d, "connection dropped (test)");
		return GC_ECLOSED;
	}
	gc_sync_serve(t->srv, req, len, &t->rep);
	*rep    = t->rep.data;
	*replen = t->rep.len;
	return GC_OK;
}

static gc_err
run(struct gc_sync_node *cli, struct gc_sync_node *srv,
    struct gc_sync_stats *st, int fail_after_puts)
{
	struct direct  t;
	struct gc_diag d;
	gc_err         rv;

	memset(&t, 0, sizeof(t));
	t.srv             = srv;
	t.fail_after_puts = fail_after_puts;
	gc_buf_init(&t.rep);
	gc_diag_clear(&d);
	rv = gc_sync_run(cli, direct_rpc, &t, st, &d);
	if (rv != GC_OK && fail_after_puts < 0) {
		print_message("sync: %s\n", gc_diag_msg(&d, rv));
	}
	gc_buf_release(&t.rep);
	return rv;
}

static void
digests_equal(gc_ledger *a, gc_ledger *b, bool blobs)
{
	struct gc_ledger_digest da, db;

	assert_int_equal(gc_ledger_digest(a, &da), GC_OK);
	assert_int_equal(gc_ledger_digest(b, &db), GC_OK);
	assert_int_equal(da.n_entries, db.n_entries);
	assert_memory_equal(da.entries, db.entries, 32);
	if (blobs) {
		assert_int_equal(da.n_blobs, db.n_blobs);
		assert_memory_equal(da.blobs, db.blobs, 32);
	}
}

static void
test_sync_site_to_coordinator_converges_and_repeats_as_noop(void **state)
{
	struct fx              *f = *state;
	struct gc_sync_stats    st;
	struct gc_ledger_counts cc;

	shoot(f->ls, "s1", 30000);
	shoot(f->ls, "s2", 31000);
	shoot(f->ls, "s3", 600000); /* three chunks */
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	assert_int_equal(st.entries_sent, 3);
	assert_int_equal(st.blobs_sent, 3);
	/* the site pulled the coordinator's enrollment of 'west' */
	assert_int_equal(st.entries_recv, 1);
	assert_int_equal(st.rejected_by_peer + st.rejected_here, 0);
	digests_equal(f->ls, f->lc, false);
	assert_int_equal(gc_ledger_counts(f->lc, &cc), GC_OK);
	assert_int_equal(cc.blobs, 3);
	assert_int_equal(cc.missing_blobs, 0);
	/* a second run moves nothing */
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	assert_int_equal(st.entries_sent + st.entries_recv + st.blobs_sent +
	    st.blobs_recv, 0);
}

static void
test_sync_three_nodes_converge_with_blob_policy(void **state)
{
	struct fx              *f = *state;
	struct gc_sync_stats    st;
	struct gc_ledger_counts c1, c2;

	shoot(f->ls, "east-1", 20000);
	shoot(f->ls2, "west-1", 20000);
	shoot(f->ls2, "west-2", 20000);
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_int_equal(run(&f->ns2, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	digests_equal(f->ls, f->lc, false);
	digests_equal(f->ls2, f->lc, true); /* west fetches every blob */
	/* east fetches only its own and the coordinator's blobs */
	assert_int_equal(gc_ledger_counts(f->ls, &c1), GC_OK);
	assert_int_equal(gc_ledger_counts(f->ls2, &c2), GC_OK);
	assert_int_equal(c1.blobs, 1);
	assert_int_equal(c1.missing_blobs, 2);
	assert_int_equal(c2.blobs, 3);
	/* two sites sync directly with the same protocol */
	shoot(f->ls, "east-2", 20000);
	assert_int_equal(run(&f->ns2, &f->ns, &st, -1), GC_OK);
	assert_int_equal(st.entries_recv, 1);
	assert_int_equal(st.blobs_recv, 1);
}

static void
test_sync_blob_resumes_at_committed_chunk(void **state)
{
	struct fx           *f = *state;
	struct gc_sync_stats st;
	size_t               len = 5 * GC_SYNC_CHUNK + 1234;

	shoot(f->ls, "big", len);
	/* the connection drops after two chunks were committed */
	assert_int_not_equal(run(&f->ns, &f->nc, &st, 2), GC_OK);
	assert_int_equal(st.blob_bytes_sent, 2 * GC_SYNC_CHUNK);
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	assert_int_equal(st.blobs_sent, 1);
	/* only what was not committed went again */
	assert_int_equal(st.blob_bytes_sent, len - 2 * GC_SYNC_CHUNK);
	digests_equal(f->ls, f->lc, false);
}

static const char *reply_code(const struct gc_buf *rep, char *out,
    size_t cap);

/* Opens a session by hand: HELLO, then AUTH with the client's key. */
static void
hello_session(struct fx *f, struct gc_sync_node *cli, uint8_t session[16])
{
	struct gc_sync_hello h;
	struct gc_sync_msg   m;
	struct gc_buf        req, rep;
	memset(&h, 0, sizeof(h));
	snprintf(h.school, sizeof(h.school), "10335");
	memcpy(h.key, cli->key->pk, 32);
	h.role = GC_ROLE_SITE;
	snprintf(h.name, sizeof(h.name), "x");
	gc_buf_init(&req);
	gc_buf_init(&rep);
	gc_sync_hello_encode(&req, GC_SYNC_HELLO, &h, cli->key->sk);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(gc_sync_msg_parse(&m, rep.data, rep.len, NULL), GC_OK);
	assert_int_equal(m.type, GC_SYNC_HELLO_OK);
	{
		struct gc_sync_hello r;

		uint8_t              tbs[GC_SYNC_AUTH_TBS], sig[64];
		char                 code[32];

		assert_int_equal(gc_sync_hello_parse(&m, &r, NULL), GC_OK);
		assert_true(r.has_session);
		memcpy(session, r.session, 16);
		/* before AUTH the session opens nothing */
		gc_buf_reset(&req);
		gc_sync_msg_begin(&req, GC_SYNC_WANT, 1);
		gc_cbor_uint(&req, 2);
		gc_cbor_bytes(&req, session, 16);
		gc_sync_serve(&f->nc, req.data, req.len, &rep);
		assert_string_equal(reply_code(&rep, code, sizeof(code)),
		    "session");
		gc_sync_auth_tbs(tbs, r.key, r.nonce, r.session);
		crypto_sign_detached(sig, NULL, tbs, sizeof(tbs), cli->key->sk);
		gc_buf_reset(&req);
		gc_sync_msg_begin(&req, GC_SYNC_AUTH, 2);
		gc_cbor_uint(&req, 2);
		gc_cbor_bytes(&req, session, 16);
		gc_cbor_uint(&req, 3);
		gc_cbor_bytes(&req, sig, 64);
		gc_sync_serve(&f->nc, req.data, req.len, &rep);
		assert_int_equal(gc_sync_msg_parse(&m, rep.data, rep.len, NULL),
		    GC_OK);
		assert_int_equal(m.type, GC_SYNC_AUTH_OK);
		gc_sync_hello_release(&r);
	}
	gc_buf_release(&req);
	gc_buf_release(&rep);
}

/* The error code of a reply, or "" when it is not an ERROR. */
static const char *
reply_code(const struct gc_buf *rep, char *out, size_t cap)
{
	struct gc_sync_msg m;

	out[0] = '\0';
	assert_int_equal(gc_sync_msg_parse(&m, rep->data, rep->len, NULL),
	    GC_OK);
	if (m.type == GC_SYNC_ERROR) {
		assert_true(gc_cbor_field_strcpy(&m.f[2], out, cap));
	}
	return out;
}

static int
one_entry(const struct gc_entry *e, void *arg)
{
	struct gc_buf *b = arg;

	gc_buf_reset(b);
	gc_buf_put(b, e->bytes, e->len);
	return 0; /* keeps the last */
}

static void
push_msg(struct gc_buf *req, const uint8_t session[16],
    const struct gc_buf *ent)
{
	gc_buf_reset(req);
	gc_sync_msg_begin(req, GC_SYNC_PUSH, 2);
	gc_cbor_uint(req, 2);
	gc_cbor_bytes(req, session, 16);
	gc_cbor_uint(req, 3);
	gc_cbor_array(req, 1);
	gc_cbor_bytes(req, ent->data, ent->len);
}

/* A BLOB_PUT of chunk DATA at OFF of the SIZE-byte blob HASH. */
static void
blob_put_msg(struct gc_buf *req, const uint8_t session[16],
    const uint8_t hash[32], uint64_t size, uint64_t off, const void *data,
    size_t len)
{
	gc_buf_reset(req);
	gc_sync_msg_begin(req, GC_SYNC_BLOB_PUT, 5);
	gc_cbor_uint(req, 2);
	gc_cbor_bytes(req, session, 16);
	gc_cbor_uint(req, 3);
	gc_cbor_bytes(req, hash, 32);
	gc_cbor_uint(req, 4);
	gc_cbor_uint(req, size);
	gc_cbor_uint(req, 5);
	gc_cbor_uint(req, off);
	gc_cbor_uint(req, 6);
	gc_cbor_bytes(req, data, len);
}

/* The ingest status of the single entry a PUSH_OK answers. */
static uint64_t
push_status(const struct gc_buf *rep, char *why, size_t cap)
{
	struct gc_sync_msg  m;
	struct gc_cbor_cur  c;
	struct gc_cbor_item it;

	assert_int_equal(gc_sync_msg_parse(&m, rep->data, rep->len, NULL),
	    GC_OK);
	assert_int_equal(m.type, GC_SYNC_PUSH_OK);
	gc_cbor_cur_init(&c, m.f[2].p, m.f[2].len);
	assert_int_equal(gc_cbor_next(&c, &it), GC_OK); /* [ */
	assert_int_equal(it.val, 1);
	assert_int_equal(gc_cbor_next(&c, &it), GC_OK); /* [st, why] */
	assert_int_equal(gc_cbor_next(&c, &it), GC_OK);
	{
		uint64_t st = it.val;

		assert_int_equal(gc_cbor_next(&c, &it), GC_OK);
		snprintf(why, cap, "%.*s", (int)it.val, (const char *)it.data);
		return st;
	}
}

static void
test_sync_repeated_batch_is_noop_and_tampered_entry_refused(void **state)
{
	struct fx              *f = *state;
	struct gc_buf           ent, req, rep;
	struct gc_ledger_digest d1, d2;
	uint8_t                 session[16];
	char                    why[256];

	shoot(f->ls, "one", 1000);
	gc_buf_init(&ent);
	gc_buf_init(&req);
	gc_buf_init(&rep);
	assert_int_equal(gc_ledger_foreach(f->ls, f->ks->pk, one_entry, &ent),
	    GC_OK);
	hello_session(f, &f->ns, session);
	push_msg(&req, session, &ent);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(push_status(&rep, why, sizeof(why)), GC_INGEST_ADDED);
	assert_int_equal(gc_ledger_digest(f->lc, &d1), GC_OK);
	/* the same request again (a REQ resend) changes nothing */
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(push_status(&rep, why, sizeof(why)),
	    GC_INGEST_DUPLICATE);
	assert_int_equal(gc_ledger_digest(f->lc, &d2), GC_OK);
	assert_memory_equal(d1.entries, d2.entries, 32);
	/* one flipped bit in the signed body: refused, with the reason */
	ent.data[ent.len - 70] ^= 0x01;
	push_msg(&req, session, &ent);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(push_status(&rep, why, sizeof(why)),
	    GC_INGEST_REJECTED);
	assert_non_null(strstr(why, "signature does not verify"));
	assert_int_equal(gc_ledger_digest(f->lc, &d2), GC_OK);
	assert_memory_equal(d1.entries, d2.entries, 32);
	gc_buf_release(&ent);
	gc_buf_release(&req);
	gc_buf_release(&rep);
}

static int
blob_of_entry(const struct gc_entry *e, void *arg)
{
	if (e->nblobs > 0) {
		memcpy(arg, gc_entry_blob(e, 0), 32);
	}
	return 0;
}

static void
test_sync_blob_not_matching_its_hash_is_refused(void **state)
{
	struct fx              *f = *state;
	struct gc_buf           ent, req, rep;
	struct gc_sync_msg      m;
	struct gc_cbor_cur      c;
	struct gc_cbor_item     it;
	struct gc_ledger_counts cc;
	uint8_t                 session[16], hash[32];
	char                    why[256];

	shoot(f->ls, "photo", 5000);
	gc_buf_init(&ent);
	gc_buf_init(&req);
	gc_buf_init(&rep);
	assert_int_equal(gc_ledger_foreach(f->ls, f->ks->pk, one_entry, &ent),
	    GC_OK);
	assert_int_equal(gc_ledger_foreach(f->ls, f->ks->pk, blob_of_entry,
	    hash), GC_OK);
	hello_session(f, &f->ns, session);
	push_msg(&req, session, &ent);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(push_status(&rep, why, sizeof(why)), GC_INGEST_ADDED);
	/* the coordinator now wants the photo; send it other bytes */
	gc_buf_reset(&req);
	gc_sync_msg_begin(&req, GC_SYNC_BLOBS_PUT, 2);
	gc_cbor_uint(&req, 2);
	gc_cbor_bytes(&req, session, 16);
	gc_cbor_uint(&req, 3);
	gc_cbor_array(&req, 1);
	gc_cbor_array(&req, 2);
	gc_cbor_bytes(&req, hash, 32);
	gc_cbor_bytes(&req, "not the photo", 13);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(gc_sync_msg_parse(&m, rep.data, rep.len, NULL), GC_OK);
	assert_int_equal(m.type, GC_SYNC_BLOBS_PUT_OK);
	gc_cbor_cur_init(&c, m.f[2].p, m.f[2].len);
	assert_int_equal(gc_cbor_next(&c, &it), GC_OK);
	assert_int_equal(gc_cbor_next(&c, &it), GC_OK);
	assert_int_equal(it.val, 1); /* corrupt */
	assert_int_equal(gc_ledger_counts(f->lc, &cc), GC_OK);
	assert_int_equal(cc.blobs, 0);
	assert_int_equal(cc.missing_blobs, 1);
	/* in chunks too: the last chunk fails the hash, nothing is kept */
	blob_put_msg(&req, session, hash, 13, 0, "not the photo", 13);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_int_equal(gc_sync_msg_parse(&m, rep.data, rep.len, NULL), GC_OK);
	assert_int_equal(m.type, GC_SYNC_BLOB_PUT_OK);
	assert_non_null(m.f[3].p); /* "corrupt" */
	assert_int_equal(gc_ledger_counts(f->lc, &cc), GC_OK);
	assert_int_equal(cc.blobs, 0);
	/* the real photo still goes through afterwards */
	{
		struct gc_sync_stats st;

		assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
		assert_true(st.converged);
		assert_int_equal(gc_ledger_counts(f->lc, &cc), GC_OK);
		assert_int_equal(cc.blobs, 1);
	}
	gc_buf_release(&ent);
	gc_buf_release(&req);
	gc_buf_release(&rep);
}

static void
test_sync_unenrolled_key_is_denied(void **state)
{
	struct fx           *f = *state;
	struct gc_key       *rogue = gc_test_key(9);
	struct gc_sync_hello h;
	struct gc_buf        req, rep;
	char                 code[32];

	memset(&h, 0, sizeof(h));
	snprintf(h.school, sizeof(h.school), "10335");
	memcpy(h.key, rogue->pk, 32);
	h.role = GC_ROLE_SITE;
	gc_buf_init(&req);
	gc_buf_init(&rep);
	gc_sync_hello_encode(&req, GC_SYNC_HELLO, &h, rogue->sk);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "denied");
	/* a HELLO of an enrolled node, replayed by someone without its key:
	 * it gets a session, but AUTH cannot be signed, so it opens nothing */
	{
		struct gc_sync_hello eh, r;
		struct gc_sync_msg   m;
		uint8_t              tbs[GC_SYNC_AUTH_TBS], sig[64];

		memset(&eh, 0, sizeof(eh));
		snprintf(eh.school, sizeof(eh.school), "10335");
		memcpy(eh.key, f->ks->pk, 32);
		eh.role = GC_ROLE_SITE;
		gc_buf_reset(&req);
		gc_sync_hello_encode(&req, GC_SYNC_HELLO, &eh, f->ks->sk);
		gc_sync_serve(&f->nc, req.data, req.len, &rep); /* the original */
		gc_sync_serve(&f->nc, req.data, req.len, &rep); /* the replay */
		assert_int_equal(gc_sync_msg_parse(&m, rep.data, rep.len, NULL),
		    GC_OK);
		assert_int_equal(m.type, GC_SYNC_HELLO_OK);
		assert_int_equal(gc_sync_hello_parse(&m, &r, NULL), GC_OK);
		gc_sync_auth_tbs(tbs, r.key, r.nonce, r.session);
		crypto_sign_detached(sig, NULL, tbs, sizeof(tbs), rogue->sk);
		gc_buf_reset(&req);
		gc_sync_msg_begin(&req, GC_SYNC_AUTH, 2);
		gc_cbor_uint(&req, 2);
		gc_cbor_bytes(&req, r.session, 16);
		gc_cbor_uint(&req, 3);
		gc_cbor_bytes(&req, sig, 64);
		gc_sync_serve(&f->nc, req.data, req.len, &rep);
		assert_string_equal(reply_code(&rep, code, sizeof(code)),
		    "denied");
		/* and the session is gone */
		gc_buf_reset(&req);
		gc_sync_msg_begin(&req, GC_SYNC_WANT, 1);
		gc_cbor_uint(&req, 2);
		gc_cbor_bytes(&req, r.session, 16);
		gc_sync_serve(&f->nc, req.data, req.len, &rep);
		assert_string_equal(reply_code(&rep, code, sizeof(code)),
		    "session");
		gc_sync_hello_release(&r);
	}
	/* a HELLO naming an enrolled key but signed by another is refused */
	memcpy(h.key, f->ks->pk, 32);
	gc_buf_reset(&req);
	gc_sync_hello_encode(&req, GC_SYNC_HELLO, &h, rogue->sk);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "denied");
	gc_buf_release(&req);
	gc_buf_release(&rep);
	gc_key_free(rogue);
}

static void
test_sync_malformed_requests_get_errors_and_server_goes_on(void **state)
{
	struct fx           *f = *state;
	struct gc_buf        req, rep;
	struct gc_sync_stats st;
	uint8_t              session[16], junk[64];
	char                 code[32];

	gc_buf_init(&req);
	gc_buf_init(&rep);
	/* not CBOR at all */
	memset(junk, 0xff, sizeof(junk));
	gc_sync_serve(&f->nc, junk, sizeof(junk), &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "malformed");
	/* empty */
	gc_sync_serve(&f->nc, junk, 0, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "malformed");
	/* another protocol version */
	gc_cbor_map(&req, 2);
	gc_cbor_uint(&req, 0);
	gc_cbor_uint(&req, 99);
	gc_cbor_uint(&req, 1);
	gc_cbor_uint(&req, GC_SYNC_HELLO);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "malformed");
	/* a PULL with no session */
	gc_buf_reset(&req);
	gc_sync_msg_begin(&req, GC_SYNC_PULL, 0);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "session");
	/* session-bound requests with missing or mistyped fields */
	hello_session(f, &f->ns, session);
	for (unsigned t = GC_SYNC_PUSH; t < GC_SYNC_TYPE_END; t += 2) {
		if (t == GC_SYNC_ERROR) {
			t--; /* BLOBS_PUT, BLOBS_GET follow ERROR */
			continue;
		}
		gc_buf_reset(&req);
		gc_sync_msg_begin(&req, t, 2);
		gc_cbor_uint(&req, 2);
		gc_cbor_bytes(&req, session, 16);
		gc_cbor_uint(&req, 3);
		gc_cbor_text(&req, "not what you want");
		gc_sync_serve(&f->nc, req.data, req.len, &rep);
		assert_string_equal(reply_code(&rep, code, sizeof(code)),
		    "malformed");
	}
	/* a PUSH of more entries than a batch may hold is refused whole,
	 * before anything is allocated per entry */
	gc_buf_reset(&req);
	gc_sync_msg_begin(&req, GC_SYNC_PUSH, 2);
	gc_cbor_uint(&req, 2);
	gc_cbor_bytes(&req, session, 16);
	gc_cbor_uint(&req, 3);
	gc_cbor_array(&req, GC_SYNC_PUSH_MAX + 1);
	for (unsigned i = 0; i <= GC_SYNC_PUSH_MAX; i++) {
		gc_cbor_bytes(&req, junk, 0);
	}
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "malformed");
	/* at the limit, every junk entry is answered, and the reply stays
	 * under the receive limit */
	gc_buf_reset(&req);
	gc_sync_msg_begin(&req, GC_SYNC_PUSH, 2);
	gc_cbor_uint(&req, 2);
	gc_cbor_bytes(&req, session, 16);
	gc_cbor_uint(&req, 3);
	gc_cbor_array(&req, GC_SYNC_PUSH_MAX);
	for (unsigned i = 0; i < GC_SYNC_PUSH_MAX; i++) {
		gc_cbor_bytes(&req, junk, 0);
	}
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "");
	assert_true(rep.len < GC_SYNC_MSG_MAX);
	/* a reply type sent as a request */
	gc_buf_reset(&req);
	gc_sync_msg_begin(&req, GC_SYNC_PUSH_OK, 1);
	gc_cbor_uint(&req, 2);
	gc_cbor_bytes(&req, session, 16);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "malformed");
	/* a blob no entry names is refused */
	blob_put_msg(&req, session, junk, 4, 0, junk, 4);
	gc_sync_serve(&f->nc, req.data, req.len, &rep);
	assert_string_equal(reply_code(&rep, code, sizeof(code)), "denied");
	/* and after all that the server still syncs */
	shoot(f->ls, "after", 1000);
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	gc_buf_release(&req);
	gc_buf_release(&rep);
}

struct head_find {
	const uint8_t *feed;
	struct gc_head h;
	bool           found;
};

static int
head_cb(const struct gc_head *h, void *arg)
{
	struct head_find *a = arg;

	if (memcmp(h->feed, a->feed, 32) == 0) {
		a->h     = *h;
		a->found = true;
	}
	return 0;
}

static bool
feed_head(gc_ledger *lg, const uint8_t *feed, struct gc_head *out)
{
	struct head_find a;

	memset(&a, 0, sizeof(a));
	a.feed = feed;
	assert_int_equal(gc_ledger_heads(lg, head_cb, &a), GC_OK);
	*out = a.h;
	return a.found;
}

/* A laptop restored from a backup taken at seq 2, after the original
 * went on to seq `orig` (synced), writes `restored` more entries of its
 * own: sync proves the fork where the branches part (seq 3) on both
 * nodes, however long either branch is. */
static void
restored_parts_at(struct fx *f, int orig, int restored)
{
	struct gc_sync_stats st;
	struct gc_head       h;
	char                 cmd[2000], bak[700], tag[16];

	shoot(f->ls, "a", 1000);
	shoot(f->ls, "b", 1000);
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	gc_ledger_close(f->ls);
	snprintf(bak, sizeof(bak), "%s/backup", f->dir);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", f->site, bak);
	assert_int_equal(system(cmd), 0);
	f->ls    = gc_test_ledger_open(f->site, f->ks);
	f->ns.lg = f->ls;
	for (int i = 0; i < orig; i++) {
		snprintf(tag, sizeof(tag), "o%d", i);
		shoot(f->ls, tag, 1000);
	}
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	gc_ledger_close(f->ls);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mv '%s' '%s'", f->site, bak,
	    f->site);
	assert_int_equal(system(cmd), 0);
	f->ls    = gc_test_ledger_open(f->site, f->ks);
	f->ns.lg = f->ls;
	for (int i = 0; i < restored; i++) {
		snprintf(tag, sizeof(tag), "r%d", i);
		shoot(f->ls, tag, 1000);
	}
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_true(st.forks > 0);
	assert_true(feed_head(f->lc, f->ks->pk, &h));
	assert_true(h.quarantined);
	assert_int_equal(h.qseq, 3);
	assert_true(feed_head(f->ls, f->ks->pk, &h));
	assert_true(h.quarantined);
	assert_int_equal(h.qseq, 3);
	/* a second run: nothing new, both hold the proof */
	assert_int_equal(run(&f->ns, &f->nc, &st, -1), GC_OK);
	assert_int_equal(st.entries_recv + st.entries_sent, 0);
}

static void
test_sync_restored_backup_is_a_proved_fork(void **state)
{
	struct fx              *f = *state;
	struct gc_sync_stats    st;
	struct gc_ledger_counts cc;

	restored_parts_at(f, 1, 1);
	/* the coordinator holds one proof; the other site still converges
	 * with it */
	assert_int_equal(gc_ledger_counts(f->lc, &cc), GC_OK);
	assert_int_equal(cc.forks, 1);
	shoot(f->ls2, "west", 1000);
	assert_int_equal(run(&f->ns2, &f->nc, &st, -1), GC_OK);
	assert_true(st.converged);
	digests_equal(f->ls2, f->lc, true);
}

static void
test_sync_restored_shorter_branch_forks_where_it_parts(void **state)
{
	restored_parts_at(*state, 3, 1);
}

static void
test_sync_restored_longer_branch_forks_where_it_parts(void **state)
{
	restored_parts_at(*state, 1, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_sync_site_to_coordinator_converges_and_repeats_as_noop,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_three_nodes_converge_with_blob_policy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_blob_resumes_at_committed_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_repeated_batch_is_noop_and_tampered_entry_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_blob_not_matching_its_hash_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_unenrolled_key_is_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_malformed_requests_get_errors_and_server_goes_on,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_restored_backup_is_a_proved_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_restored_shorter_branch_forks_where_it_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_sync_restored_longer_branch_forks_where_it_parts, setup,
		    teardown),
	};
	return cmocka_run_group_tests_name("sync.sync", tests, NULL, NULL);
}
