/* merge: the rules of DESIGN §8 on real ledgers, and the same
 * authoritative set and root whatever order and batches the entries
 * arrive in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/ledger.h"
#include "common/records.h"
#include "sync/audit.h"
#include "sync/merge.h"
#include "sync/note.h"
#include "tests/testutil.h"

#define KA "10335:1:110101200001010011:05"
#define KB "10335:1:110101200001010022:05"
#define KC "10335:1:110101200001010033:05"
#define KD "10335:1:110101200001010044:05"
#define KX "10335:1:110101200001010099:05" /* not on the roster */

struct fx {
	char          *dir;
	char           c[600], s1[600], s2[600], s3[600];
	struct gc_key *kc, *k1, *k2, *k3;
	gc_ledger     *lc, *l1, *l2;
	uint8_t        capA[32], capB1[32], capB2[32], capD[32];
};

static void
roster(gc_ledger *lc)
{
	const char   *keys[] = { KA, KB, KC, KD };
	const char   *cls[]  = { "软工2101", "软工2101", "会计2102", "会计2102" };
	struct gc_buf b;

	gc_buf_init(&b);
	gc_cbor_map(&b, 3);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "test.csv");
	gc_cbor_uint(&b, 2);
	gc_cbor_array(&b, 4);
	for (int i = 0; i < 4; i++) {
		gc_cbor_map(&b, 3);
		gc_cbor_uint(&b, 0);
		gc_cbor_text(&b, keys[i]);
		gc_cbor_uint(&b, 1);
		gc_cbor_text(&b, "10335");
		gc_cbor_uint(&b, 13);
		gc_cbor_text(&b, cls[i]);
	}
	assert_int_equal(gc_ledger_append_body(lc, GC_KIND_ROSTER, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

/* A CAPTURE of student in a session of kind, with a photo made from
 * seed (same seed, same photo) and an original. */
static void
capture(gc_ledger *lg, const char *student, enum gc_session_kind kind,
    int seed, uint8_t id[32])
{
	struct gc_capture_rec *c = calloc(1, sizeof(*c));
	struct gc_blob         bl[2];
	struct gc_append       a;
	struct gc_buf          b;
	uint8_t                photo[3000], orig[4000];

	for (size_t i = 0; i < sizeof(photo); i++) {
		photo[i] = (uint8_t)(i * 7 + seed);
	}
	for (size_t i = 0; i < sizeof(orig); i++) {
		orig[i] = (uint8_t)(i * 13 + seed + (int)strlen(student));
	}
	memcpy(orig, student, strlen(student));
	snprintf(c->student, sizeof(c->student), "%s", student);
	snprintf(c->session, sizeof(c->session), "s-00000000000000%02d",
	    seed % 100);
	c->session_kind = kind;
	snprintf(c->bind, sizeof(c->bind), "search");
	gc_sha256(c->photo, photo, sizeof(photo));
	gc_sha256(c->original, orig, sizeof(orig));
	gc_buf_init(&b);
	gc_capture_encode(&b, c);
	bl[0].data = photo;
	bl[0].len  = sizeof(photo);
	bl[1].data = orig;
	bl[1].len  = sizeof(orig);
	memset(&a, 0, sizeof(a));
	a.kind     = GC_KIND_CAPTURE;
	a.body     = b.data;
	a.body_len = b.len;
	a.blobs    = bl;
	a.nblobs   = 2;
	assert_int_equal(gc_ledger_append(lg, &a, 1, NULL), GC_OK);
	memcpy(id, a.id, 32);
	gc_buf_release(&b);
	free(c);
}

static void
review(gc_ledger *lg, const uint8_t cap[32], enum gc_review_decision dec)
{
	struct gc_review_rec r;
	struct gc_buf        b;

	memset(&r, 0, sizeof(r));
	memcpy(r.capture, cap, 32);
	r.decision = dec;
	snprintf(r.reason, sizeof(r.reason), "test");
	gc_buf_init(&b);
	gc_review_encode(&b, &r);
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_REVIEW, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

static void
resolve(gc_ledger *lg, const char *student, const uint8_t cap[32])
{
	struct gc_resolve_rec r;
	struct gc_buf         b;

	memset(&r, 0, sizeof(r));
	memcpy(r.capture, cap, 32);
	snprintf(r.student, sizeof(r.student), "%s", student);
	snprintf(r.reason, sizeof(r.reason), "the studio photo");
	gc_buf_init(&b);
	gc_resolve_encode(&b, &r);
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_RESOLVE, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

static void
void_it(gc_ledger *lg, const uint8_t cap[32])
{
	struct gc_void_rec v;
	struct gc_buf      b;

	memset(&v, 0, sizeof(v));
	memcpy(v.capture, cap, 32);
	snprintf(v.reason, sizeof(v.reason), "wrong student");
	gc_buf_init(&b);
	gc_void_encode(&b, &v);
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_VOID, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

/* Copies every entry and blob of feed from `from` into `to`. */
static int
blob_copy_cb(const struct gc_entry *e, void *arg)
{
	void     **a = arg;
	gc_ledger *from = a[0], *to = a[1];

	for (size_t i = 0; i < e->nblobs; i++) {
		const uint8_t *h = gc_entry_blob(e, i);
		uint8_t        buf[8192];
		size_t         got;
		uint64_t       total;

		if (gc_ledger_blob_read(from, h, 0, buf, sizeof(buf), &got,
		    &total) == GC_OK) {
			assert_int_equal(gc_ledger_put_blob(to, h, buf, got),
			    GC_OK);
		}
	}
	return 0;
}

static void
copy_feed(gc_ledger *from, gc_ledger *to, const uint8_t *feed)
{
	struct gc_test_dump      d;
	struct gc_ingest_result *r;
	void                    *a[2] = { from, to };

	gc_test_dump_feed(from, feed, &d);
	r = calloc(d.n + 1, sizeof(*r));
	assert_int_equal(gc_ledger_ingest(to, (const uint8_t *const *)d.bytes,
	    d.lens, d.n, r, NULL), GC_OK);
	free(r);
	gc_test_dump_free(&d);
	assert_int_equal(gc_ledger_foreach(from, feed, blob_copy_cb, a), GC_OK);
}

static gc_ledger *
site(struct fx *f, const char *dir, const struct gc_key *k, const char *name)
{
	gc_ledger *l;

	assert_int_equal(gc_ledger_create(dir, k, GC_ROLE_SITE, "10335", name,
	    NULL, 0, NULL), GC_OK);
	l = gc_test_ledger_open(dir, k);
	gc_test_enroll(f->lc, k, GC_ROLE_SITE, name);
	gc_test_install(l, f->lc, f->kc->pk);
	return l;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t    scratch[32];

	f->dir = strdup(gc_test_tmpdir("merge"));
	snprintf(f->c, sizeof(f->c), "%s/c", f->dir);
	snprintf(f->s1, sizeof(f->s1), "%s/s1", f->dir);
	snprintf(f->s2, sizeof(f->s2), "%s/s2", f->dir);
	snprintf(f->s3, sizeof(f->s3), "%s/s3", f->dir);
	f->kc = gc_test_key(1);
	f->k1 = gc_test_key(2);
	f->k2 = gc_test_key(3);
	f->k3 = gc_test_key(4);
	assert_int_equal(gc_ledger_create(f->c, f->kc, GC_ROLE_COORDINATOR,
	    "10335", "教务处", NULL, 0, NULL), GC_OK);
	f->lc = gc_test_ledger_open(f->c, f->kc);
	roster(f->lc);
	f->l1 = site(f, f->s1, f->k1, "east");
	f->l2 = site(f, f->s2, f->k2, "west");
	gc_test_enroll(f->lc, f->k3, GC_ROLE_SITE, "north"); /* for later */
	/* east: A, and B in the central session; west: B again (makeup),
	 * D with A's very photo, and X, who is not on the roster */
	capture(f->l1, KA, GC_SESSION_CENTRAL, 1, f->capA);
	capture(f->l1, KB, GC_SESSION_CENTRAL, 2, f->capB1);
	capture(f->l2, KB, GC_SESSION_MAKEUP, 3, f->capB2);
	capture(f->l2, KD, GC_SESSION_MAKEUP, 1, f->capD);
	capture(f->l2, KX, GC_SESSION_MAKEUP, 9, scratch);
	copy_feed(f->l1, f->lc, f->k1->pk);
	copy_feed(f->l2, f->lc, f->k2->pk);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	gc_ledger_close(f->lc);
	gc_ledger_close(f->l1);
	gc_ledger_close(f->l2);
	gc_key_free(f->kc);
	gc_key_free(f->k1);
	gc_key_free(f->k2);
	gc_key_free(f->k3);
	gc_test_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static const struct gc_mstudent *
student(const struct gc_merge *m, const char *key)
{
	for (size_t i = 0; i < m->nst; i++) {
		if (strcmp(m->st[i].key, key) == 0) {
			return &m->st[i];
		}
	}
	fail_msg("student %s not in the merge", key);
	return NULL;
}

/* The merge the ledger keeps up to date equals the one computed from the
 * entries: every student, capture, count, alert and the root. */
static void
same_merge(const struct gc_merge *a, const struct gc_merge *b)
{
	assert_int_equal(a->nst, b->nst);
	assert_int_equal(a->ncap, b->ncap);
	assert_int_equal(a->unmatched, b->unmatched);
	for (int i = 0; i < GC_MS_END; i++) {
		assert_int_equal(a->counts[i], b->counts[i]);
	}
	for (size_t i = 0; i < a->nst; i++) {
		const struct gc_mstudent *x = &a->st[i], *y = &b->st[i];

		assert_string_equal(x->key, y->key);
		assert_string_equal(x->klass, y->klass);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->winner, y->winner);
		assert_int_equal(x->first, y->first);
		assert_int_equal(x->ncap, y->ncap);
		assert_int_equal(x->ncand, y->ncand);
		assert_int_equal(x->resolved, y->resolved);
	}
	for (size_t i = 0; i < a->ncap; i++) {
		const struct gc_mcap *x = &a->cap[i], *y = &b->cap[i];

		assert_memory_equal(x->id, y->id, 32);
		assert_memory_equal(x->feed, y->feed, 32);
		assert_memory_equal(x->photo, y->photo, 32);
		assert_int_equal(x->hlc, y->hlc);
		assert_int_equal(x->st, y->st);
		assert_int_equal(x->blob, y->blob);
		assert_int_equal(x->voided, y->voided);
		assert_int_equal(x->review, y->review);
	}
	assert_int_equal(a->nalert, b->nalert);
	for (size_t i = 0; i < a->nalert; i++) {
		assert_int_equal(a->alert[i].kind, b->alert[i].kind);
		assert_memory_equal(a->alert[i].hash, b->alert[i].hash, 32);
		assert_string_equal(a->alert[i].a, b->alert[i].a);
		assert_string_equal(a->alert[i].b, b->alert[i].b);
		assert_memory_equal(a->alert[i].cap_a, b->alert[i].cap_a, 32);
		assert_memory_equal(a->alert[i].cap_b, b->alert[i].cap_b, 32);
	}
	assert_memory_equal(a->root, b->root, 32);
}

struct cut_arg {
	struct gc_merge_cut v[16];
	size_t              n;
};

static int
cut_cb(const struct gc_head *h, void *arg)
{
	struct cut_arg *a = arg;

	if (a->n < 16) {
		memcpy(a->v[a->n].feed, h->feed, 32);
		a->v[a->n++].seq = h->seq;
	}
	return 0;
}

/* The merge computed from the entries, checked against the kept one and
 * against the merge at a cut of every head (as a checkpoint covering all
 * makes it: the roster rebuilt from its ROSTER entries). */
static struct gc_merge *
merge(gc_ledger *lg, const uint8_t *rank)
{
	struct gc_merge      *m, *k;
	struct gc_merge_opts  o = { rank, false, NULL, 0 };
	struct gc_merge_state st;
	struct gc_diag        d;
	struct cut_arg        ca;

	gc_diag_clear(&d);
	if (gc_merge_compute(lg, &o, &m, &d) != GC_OK) {
		fail_msg("merge: %s", d.msg);
	}
	ca.n = 0;
	assert_int_equal(gc_ledger_heads(lg, cut_cb, &ca), GC_OK);
	o.cut  = ca.v;
	o.ncut = ca.n;
	if (gc_merge_compute(lg, &o, &k, &d) != GC_OK) {
		fail_msg("merge at a cut: %s", d.msg);
	}
	same_merge(m, k);
	gc_merge_free(k);
	assert_int_equal(gc_ledger_merge_params(lg, rank, false, &d), GC_OK);
	assert_int_equal(gc_ledger_merge_load(lg, rank, false, &k), GC_OK);
	same_merge(m, k);
	assert_int_equal(gc_ledger_merge_state(lg, &st), GC_OK);
	assert_int_equal(st.nst, m->nst);
	assert_int_equal(st.unmatched, m->unmatched);
	assert_int_equal(st.nalert, m->nalert);
	for (int i = 0; i < GC_MS_END; i++) {
		assert_int_equal(st.counts[i], m->counts[i]);
	}
	gc_merge_free(k);
	return m;
}

static void
test_merge_statuses_follow_the_rules(void **state)
{
	struct fx                *f = *state;
	struct gc_merge          *m = merge(f->lc, NULL);
	const struct gc_mstudent *b;

	assert_int_equal(m->nst, 4);
	assert_int_equal(student(m, KA)->status, GC_MS_PENDING_REVIEW);
	assert_int_equal(student(m, KC)->status, GC_MS_MISSING);
	assert_int_equal(student(m, KD)->status, GC_MS_PENDING_REVIEW);
	b = student(m, KB);
	assert_int_equal(b->status, GC_MS_CONFLICT);
	/* provisional pick: central before makeup */
	assert_memory_equal(m->cap[b->winner].id, f->capB1, 32);
	assert_int_equal(m->unmatched, 1);
	/* one photo for A and D */
	assert_int_equal(m->nalert, 1);
	assert_int_equal(m->alert[0].kind, GC_ALERT_PHOTO);
	assert_int_equal(m->counts[GC_MS_CONFLICT], 1);
	assert_int_equal(m->counts[GC_MS_PENDING_REVIEW], 2);
	gc_merge_free(m);
	/* another school precedence: makeup first */
	{
		uint8_t rank[GC_SESSION_KIND_END];

		assert_true(gc_merge_rank_parse("makeup,central,individual,"
		    "online", rank));
		m = merge(f->lc, rank);
		b = student(m, KB);
		assert_memory_equal(m->cap[b->winner].id, f->capB2, 32);
		gc_merge_free(m);
		assert_false(gc_merge_rank_parse("makeup,central", rank));
		assert_false(gc_merge_rank_parse("makeup,makeup,individual,"
		    "online", rank));
	}
}

static void
test_merge_reviews_voids_and_resolves(void **state)
{
	struct fx       *f = *state;
	struct gc_merge *m;
	uint8_t          root0[32];

	m = merge(f->lc, NULL);
	memcpy(root0, m->root, 32);
	gc_merge_free(m);
	review(f->lc, f->capA, GC_REVIEW_APPROVE);
	review(f->lc, f->capD, GC_REVIEW_REJECT);
	m = merge(f->lc, NULL);
	assert_int_equal(student(m, KA)->status, GC_MS_APPROVED);
	assert_int_equal(student(m, KD)->status, GC_MS_NEEDS_RETAKE);
	assert_memory_not_equal(m->root, root0, 32);
	gc_merge_free(m);
	/* the latest review counts: D approved after all */
	review(f->lc, f->capD, GC_REVIEW_APPROVE);
	m = merge(f->lc, NULL);
	assert_int_equal(student(m, KD)->status, GC_MS_APPROVED);
	gc_merge_free(m);
	/* the coordinator resolves B for the makeup photo */
	resolve(f->lc, KB, f->capB2);
	m = merge(f->lc, NULL);
	assert_int_equal(student(m, KB)->status, GC_MS_APPROVED);
	assert_true(student(m, KB)->resolved);
	assert_memory_equal(m->cap[student(m, KB)->winner].id, f->capB2, 32);
	gc_merge_free(m);
	/* a VOID by another site does not count; by its own site it does */
	void_it(f->l2, f->capA); /* west voids east's capture: ignored */
	copy_feed(f->l2, f->lc, f->k2->pk);
	m = merge(f->lc, NULL);
	assert_int_equal(student(m, KA)->status, GC_MS_APPROVED);
	gc_merge_free(m);
	void_it(f->l1, f->capA);
	copy_feed(f->l1, f->lc, f->k1->pk);
	m = merge(f->lc, NULL);
	assert_int_equal(student(m, KA)->status, GC_MS_MISSING);
	gc_merge_free(m);
}

/* Every entry and blob the coordinator holds, delivered to a fresh node
 * in random interleavings and batches: the same set, the same root. */
static void
test_merge_is_independent_of_arrival_order(void **state)
{
	struct fx          *f = *state;
	struct gc_merge    *m;
	struct gc_test_dump all;
	uint8_t             want[32];
	unsigned            seed = 20261121;

	review(f->lc, f->capA, GC_REVIEW_APPROVE);
	review(f->lc, f->capD, GC_REVIEW_REJECT);
	resolve(f->lc, KB, f->capB2);
	void_it(f->l2, f->capD);
	copy_feed(f->l2, f->lc, f->k2->pk);
	m = merge(f->lc, NULL);
	memcpy(want, m->root, 32);
	gc_merge_free(m);
	gc_test_dump_feed(f->lc, NULL, &all);
	for (int trial = 0; trial < 12; trial++) {
		char                     dir[700];
		gc_ledger               *l3;
		struct gc_test_dump      auth;
		struct gc_ingest_result *r;
		size_t                  *order, n = all.n;
		void                    *a[2];

		snprintf(dir, sizeof(dir), "%s/t%d", f->dir, trial);
		assert_int_equal(gc_ledger_create(dir, f->k3, GC_ROLE_SITE,
		    "10335", "north", NULL, 0, NULL), GC_OK);
		l3 = gc_test_ledger_open(dir, f->k3);
		/* enrolled with only the start of the coordinator's feed
		 * (up to north's ENROLL); everything else arrives shuffled */
		gc_test_dump_feed(f->lc, f->kc->pk, &auth);
		r = calloc(auth.n + 1, sizeof(*r));
		assert_int_equal(gc_ledger_enroll_install(l3, f->kc->pk,
		    (const uint8_t *const *)auth.bytes, auth.lens, 5, r, NULL),
		    GC_OK);
		free(r);
		gc_test_dump_free(&auth);
		/* a random order that keeps each feed's own order: shuffle
		 * then ingest repeatedly, taking what chains (gaps wait) */
		order = malloc(n * sizeof(*order));
		for (size_t i = 0; i < n; i++) {
			order[i] = i;
		}
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)rand_r(&seed) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (int pass = 0; pass < 40; pass++) {
			size_t cut = (size_t)rand_r(&seed) % (n + 1);

			r = calloc(n + 1, sizeof(*r));
			for (size_t lo = 0; lo < n; lo = cut, cut = n) {
				const uint8_t **b = malloc(n * sizeof(*b));
				size_t         *l = malloc(n * sizeof(*l)), k = 0;

				for (size_t i = lo; i < cut; i++) {
					b[k]   = all.bytes[order[i]];
					l[k++] = all.lens[order[i]];
				}
				assert_int_equal(gc_ledger_ingest(l3, b, l, k, r,
				    NULL), GC_OK);
				free(b);
				free(l);
			}
			free(r);
		}
		a[0] = f->lc;
		a[1] = l3;
		assert_int_equal(gc_ledger_foreach(f->lc, NULL, blob_copy_cb, a),
		    GC_OK);
		m = merge(l3, NULL);
		assert_memory_equal(m->root, want, 32);
		gc_merge_free(m);
		free(order);
		gc_ledger_close(l3);
	}
	gc_test_dump_free(&all);
}

struct hfind {
	const uint8_t *feed;
	struct gc_head h;
	bool           found;
};

static int
hfind_cb(const struct gc_head *h, void *arg)
{
	struct hfind *a = arg;

	if (memcmp(h->feed, a->feed, 32) == 0) {
		a->h     = *h;
		a->found = true;
	}
	return 0;
}

static bool
head_of(gc_ledger *lg, const uint8_t *feed, struct gc_head *out)
{
	struct hfind a;

	memset(&a, 0, sizeof(a));
	a.feed = feed;
	assert_int_equal(gc_ledger_heads(lg, hfind_cb, &a), GC_OK);
	*out = a.h;
	return a.found;
}

struct probs {
	int  n;
	char what[8][384];
};

static void
prob_cb(const struct gc_verify_problem *p, void *arg)
{
	struct probs *ps = arg;

	assert_string_equal(p->kind, "checkpoint");
	if (ps->n < 8) {
		snprintf(ps->what[ps->n], sizeof(ps->what[0]), "%s", p->what);
	}
	ps->n++;
}

/* A CHECKPOINT as the coordinator signs it, over root (size students),
 * covering the entries held now; the note may say another root. */
static void
checkpoint(struct fx *f, const uint8_t root[32], uint64_t size,
    const uint8_t note_root[32])
{
	struct gc_buf text, note, b;

	gc_buf_init(&text);
	gc_buf_init(&note);
	gc_buf_init(&b);
	gc_checkpoint_text(&text, "gradcap/10335", size, note_root);
	gc_note_sign(&note, gc_buf_cstr(&text), "gradcap/10335", f->kc);
	gc_cbor_map(&b, 5);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "gradcap/10335");
	gc_cbor_uint(&b, 1);
	gc_cbor_uint(&b, size);
	gc_cbor_uint(&b, 2);
	gc_cbor_bytes(&b, root, 32);
	gc_cbor_uint(&b, 3);
	gc_cbor_textn(&b, (const char *)note.data, note.len);
	gc_cbor_uint(&b, 4);
	gc_cbor_array(&b, 3);
	{
		const struct gc_key *ks[3] = { f->kc, f->k1, f->k2 };

		for (int i = 0; i < 3; i++) {
			struct gc_head hh;

			assert_true(head_of(f->lc, ks[i]->pk, &hh));
			gc_cbor_array(&b, 2);
			gc_cbor_bytes(&b, ks[i]->pk, 32);
			gc_cbor_uint(&b, hh.seq);
		}
	}
	assert_int_equal(gc_ledger_append_body(f->lc, GC_KIND_CHECKPOINT, &b,
	    NULL, NULL), GC_OK);
	gc_buf_release(&text);
	gc_buf_release(&note);
	gc_buf_release(&b);
}

static void
test_merge_checkpoint_audit_names_what_does_not_hold(void **state)
{
	struct fx         *f = *state;
	struct gc_merge   *m = merge(f->lc, NULL);
	struct gc_audit_cp cp;
	struct probs       ps;
	uint8_t            root[32], bogus[32];

	memcpy(root, m->root, 32);
	memset(bogus, 0xab, 32);
	/* an honest checkpoint holds, and still holds after new entries */
	checkpoint(f, root, m->nst, root);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gc_audit_checkpoint(f->lc, NULL, prob_cb, &ps, &cp),
	    GC_OK);
	assert_true(cp.found && cp.ok);
	review(f->lc, f->capA, GC_REVIEW_APPROVE);
	assert_int_equal(gc_audit_checkpoint(f->lc, NULL, prob_cb, &ps, &cp),
	    GC_OK);
	assert_int_equal(ps.n, 0);
	/* a signed root the entries do not give */
	checkpoint(f, bogus, m->nst, bogus);
	assert_int_equal(gc_audit_checkpoint(f->lc, NULL, prob_cb, &ps, &cp),
	    GC_ECORRUPT);
	assert_int_equal(ps.n, 1);
	assert_non_null(strstr(ps.what[0], "another root"));
	/* an entry that says one root and a note that signs another */
	memset(&ps, 0, sizeof(ps));
	checkpoint(f, root, m->nst, bogus);
	assert_int_equal(gc_audit_checkpoint(f->lc, NULL, prob_cb, &ps, &cp),
	    GC_ECORRUPT);
	assert_non_null(strstr(ps.what[0], "disagree"));
	gc_merge_free(m);
}

/* ---- random entry sets, random orders and partitions ---- */

#define RN 10 /* roster students; one more key is not on the roster */

static void
rkey(char *out, size_t cap, int i)
{
	snprintf(out, cap, "10335:1:1101012000010100%02d:05", i);
}

static void
roster_n(gc_ledger *lc, int n)
{
	struct gc_buf b;
	char          key[80];

	gc_buf_init(&b);
	gc_cbor_map(&b, 3);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "random.csv");
	gc_cbor_uint(&b, 2);
	gc_cbor_array(&b, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		rkey(key, sizeof(key), i);
		gc_cbor_map(&b, 3);
		gc_cbor_uint(&b, 0);
		gc_cbor_text(&b, key);
		gc_cbor_uint(&b, 1);
		gc_cbor_text(&b, "10335");
		gc_cbor_uint(&b, 13);
		gc_cbor_text(&b, i % 2 ? "班1" : "班2");
	}
	assert_int_equal(gc_ledger_append_body(lc, GC_KIND_ROSTER, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

/* A coordinator's ROSTER row for roster student i: corrected to another
 * 证件号码 (the key stays: a student's identity survives corrections),
 * exempt, removed, or plain again (what = 0 plain, 1 corrected, 2 exempt,
 * 3 removed). */
static void
roster_op(gc_ledger *lc, int i, int what)
{
	struct gc_buf b;
	char          key[80], num[24];

	rkey(key, sizeof(key), i);
	snprintf(num, sizeof(num), "11010120000101%02d%02d", i, what);
	gc_buf_init(&b);
	gc_cbor_map(&b, 4);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, what == 3 ? 3 : what == 2 ? 4 : what == 1 ? 2 : 1);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "random-op");
	gc_cbor_uint(&b, 2);
	gc_cbor_array(&b, 1);
	gc_cbor_map(&b, what == 0 ? 3 : 4);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, key);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "10335");
	if (what == 1) {
		gc_cbor_uint(&b, 3);
		gc_cbor_text(&b, num);
	}
	gc_cbor_uint(&b, 13);
	gc_cbor_text(&b, i % 2 ? "班1" : "班2");
	if (what == 2 || what == 3) {
		gc_cbor_uint(&b, (uint64_t)(what == 2 ? 17 : 18));
		gc_cbor_text(&b, what == 2 ? "已有学信网图像" : "退学");
	}
	gc_cbor_uint(&b, 3);
	gc_cbor_text(&b, "test");
	assert_int_equal(gc_ledger_append_body(lc, GC_KIND_ROSTER, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

struct rcap {
	uint8_t id[32];
	int     student, writer;
};

/* Every entry of the writers' own feeds, shuffled, ingested into lg in
 * random batches until all that chains is in (gaps wait); the photos,
 * except those withheld, copied at random moments. */
static void
deliver(gc_ledger *lg, gc_ledger **w, int nw, const uint8_t **feeds,
    const bool *withhold_writer_blobs, unsigned *seed)
{
	struct gc_test_dump d[6];
	const uint8_t     **b;
	size_t             *l, *order, n = 0, k = 0;

	for (int i = 0; i < nw; i++) {
		gc_test_dump_feed(w[i], feeds[i], &d[i]);
		n += d[i].n;
	}
	b     = malloc(n * sizeof(*b));
	l     = malloc(n * sizeof(*l));
	order = malloc(n * sizeof(*order));
	for (int i = 0; i < nw; i++) {
		for (size_t j = 0; j < d[i].n; j++, k++) {
			b[k] = d[i].bytes[j];
			l[k] = d[i].lens[j];
		}
	}
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand_r(seed) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int pass = 0; pass < 30; pass++) {
		size_t                   lo = 0;
		struct gc_ingest_result *r  = calloc(n + 1, sizeof(*r));

		while (lo < n) {
			size_t          hi = lo + 1 + (size_t)rand_r(seed) % n;
			const uint8_t **bb = malloc(n * sizeof(*bb));
			size_t         *ll = malloc(n * sizeof(*ll)), m = 0;

			if (hi > n) {
				hi = n;
			}
			for (size_t i = lo; i < hi; i++) {
				bb[m]   = b[order[i]];
				ll[m++] = l[order[i]];
			}
			assert_int_equal(gc_ledger_ingest(lg, bb, ll, m, r,
			    NULL), GC_OK);
			free(bb);
			free(ll);
			lo = hi;
		}
		free(r);
		/* photos arrive at random moments, entries first or not */
		for (int i = 0; i < nw; i++) {
			void *a[2] = { w[i], lg };

			if (!withhold_writer_blobs[i] && rand_r(seed) % 3 == 0) {
				assert_int_equal(gc_ledger_foreach(w[i], feeds[i],
				    blob_copy_cb, a), GC_OK);
			}
		}
	}
	for (int i = 0; i < nw; i++) {
		void *a[2] = { w[i], lg };

		if (!withhold_writer_blobs[i]) {
			assert_int_equal(gc_ledger_foreach(w[i], feeds[i],
			    blob_copy_cb, a), GC_OK);
		}
		gc_test_dump_free(&d[i]);
	}
	free(b);
	free(l);
	free(order);
}

/* Students removed from the roster that have captures: they leave the
 * merge (no leaf, their captures neither a student's nor unmatched). */
static size_t
removed_with_captures(gc_ledger *lg, const struct gc_merge *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->ncap; i++) {
		uint8_t *row;
		size_t   rl;

		if (gc_ledger_removed_get(lg, m->cap[i].student, &row, &rl, NULL,
		    NULL) == GC_OK) {
			assert_int_equal(m->cap[i].st, -1);
			for (size_t j = 0; j < m->nst; j++) {
				assert_string_not_equal(m->st[j].key,
				    m->cap[i].student);
			}
			gc_free(row);
			n++;
		}
	}
	return n;
}

/* Random sets of captures (shared photos among them), reviews, voids by
 * the right and the wrong site, resolves, and a site restored from an
 * empty backup (a fork), delivered to fresh nodes in random orders and
 * partitions: every node the same set and root, and on each the kept
 * merge equal to the one computed from its entries. */
static void
test_merge_random_sets_agree_in_any_order_and_partition(void **state)
{
	struct fx *f    = *state;
	unsigned   seed = 1121;
	size_t     seen[GC_MS_END] = { 0 }, alerts = 0, unmatched = 0;
	size_t     removed = 0;

	for (int round = 0; round < 6; round++) {
		char             d[6][700], key[80];
		struct gc_key   *kc = gc_test_key(10), *k1 = gc_test_key(11),
		                *k2 = gc_test_key(12), *kn = gc_test_key(13);
		gc_ledger       *lc, *s1, *s2, *s2b, *w[4];
		const uint8_t   *feeds[4];
		struct rcap      caps[64];
		int              ncap = 0;
		uint8_t          root[32];
		struct gc_merge *m;
		uint64_t         nauth;
		bool             withhold[4] = { false, false, false, false };

		for (int i = 0; i < 6; i++) {
			snprintf(d[i], sizeof(d[i]), "%s/r%d-%d", f->dir, round, i);
		}
		assert_int_equal(gc_ledger_create(d[0], kc, GC_ROLE_COORDINATOR,
		    "10335", "c", NULL, 0, NULL), GC_OK);
		lc = gc_test_ledger_open(d[0], kc);
		roster_n(lc, RN);
		s1 = site(&(struct fx){ .lc = lc, .kc = kc }, d[1], k1, "east");
		s2 = site(&(struct fx){ .lc = lc, .kc = kc }, d[2], k2, "west");
		gc_test_enroll(lc, kn, GC_ROLE_SITE, "north");
		{
			struct gc_ledger_info li;

			assert_int_equal(gc_ledger_info(lc, &li), GC_OK);
			nauth = li.seq; /* north installs with these */
		}
		/* west restored from an empty backup: its own feed again */
		assert_int_equal(gc_ledger_create(d[3], k2, GC_ROLE_SITE, "10335",
		    "west", NULL, 0, NULL), GC_OK);
		s2b = gc_test_ledger_open(d[3], k2);
		gc_test_install(s2b, lc, kc->pk);
		w[0] = lc;
		w[1] = s1;
		w[2] = s2;
		w[3] = s2b;
		for (int i = 0; i < 4; i++) {
			feeds[i] = i == 0 ? kc->pk : i == 1 ? k1->pk : k2->pk;
		}
		for (int op = 0; op < 44; op++) {
			int r = rand_r(&seed) % 12;

			if (r >= 10) {
				/* roster corrections, exemptions and removals,
				 * before and after the captures they concern */
				roster_op(lc, rand_r(&seed) % RN, rand_r(&seed) % 4);
				continue;
			}

			if (r < 4 || ncap == 0) {
				int wr = 1 + rand_r(&seed) % (round % 2 ? 3 : 2);
				int st = rand_r(&seed) % (RN + 1);

				if (ncap == 64) {
					continue;
				}
				rkey(key, sizeof(key), st);
				capture(w[wr], key, (enum gc_session_kind)(
				    rand_r(&seed) % GC_SESSION_KIND_END),
				    rand_r(&seed) % 40, caps[ncap].id);
				caps[ncap].student = st;
				caps[ncap++].writer = wr;
			} else if (r < 7) {
				review(lc, caps[rand_r(&seed) % ncap].id,
				    rand_r(&seed) % 3 ? GC_REVIEW_APPROVE :
				                        GC_REVIEW_REJECT);
			} else if (r < 8) {
				void_it(w[rand_r(&seed) % 3],
				    caps[rand_r(&seed) % ncap].id);
			} else {
				const struct rcap *c = &caps[rand_r(&seed) % ncap];

				rkey(key, sizeof(key), c->student);
				resolve(lc, key, c->id);
			}
		}
		/* in some rounds east's photos never arrive */
		withhold[1] = round % 3 == 2;
		for (int node = 0; node < 3; node++) {
			gc_ledger               *ln;
			struct gc_test_dump      auth;
			struct gc_ingest_result *rr;

			if (node == 2) {
				/* the third delivery: to the coordinator */
				ln = lc;
			} else {
				assert_int_equal(gc_ledger_create(d[4 + node], kn,
				    GC_ROLE_SITE, "10335", "north", NULL, 0, NULL),
				    GC_OK);
				ln = gc_test_ledger_open(d[4 + node], kn);
				gc_test_dump_feed(lc, kc->pk, &auth);
				rr = calloc(auth.n + 1, sizeof(*rr));
				assert_int_equal(gc_ledger_enroll_install(ln, kc->pk,
				    (const uint8_t *const *)auth.bytes, auth.lens,
				    (size_t)nauth, rr, NULL), GC_OK);
				free(rr);
				gc_test_dump_free(&auth);
			}
			if (node < 2) {
				deliver(ln, w, 4, feeds, withhold, &seed);
			} else {
				deliver(ln, w + 1, 3, feeds + 1, withhold + 1, &seed);
			}
			m = merge(ln, NULL); /* and the kept one equal to it */
			if (node == 0) {
				memcpy(root, m->root, 32);
				for (int i = 0; i < GC_MS_END; i++) {
					seen[i] += m->counts[i];
				}
				alerts += m->nalert;
				unmatched += m->unmatched;
				removed += removed_with_captures(ln, m);
			} else {
				assert_memory_equal(m->root, root, 32);
			}
			gc_merge_free(m);
			if (ln != lc) {
				gc_ledger_close(ln);
			}
		}
		gc_ledger_close(lc);
		gc_ledger_close(s1);
		gc_ledger_close(s2);
		gc_ledger_close(s2b);
		gc_key_free(kc);
		gc_key_free(k1);
		gc_key_free(k2);
		gc_key_free(kn);
	}
	/* the random sets reached every status, alerts and unmatched */
	for (int i = 0; i < GC_MS_END; i++) {
		assert_true(seen[i] > 0);
	}
	assert_true(alerts > 0 && unmatched > 0);
	assert_true(removed > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_merge_statuses_follow_the_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_merge_reviews_voids_and_resolves, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_merge_is_independent_of_arrival_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_merge_checkpoint_audit_names_what_does_not_hold, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_merge_random_sets_agree_in_any_order_and_partition,
		    setup, teardown),
	};
	return cmocka_run_group_tests_name("sync.merge", tests, NULL, NULL);
}
