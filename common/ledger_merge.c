/* The merge state the ledger keeps up to date (common/ledger.h,
 * docs/merge.md "Kept up to date"): the inputs of the merge in compact
 * tables, written in the same transaction as the entries they come from,
 * and the result (status and leaf hash per student, the upper levels of
 * the Merkle tree, counts, alerts) redone at commit for the students the
 * transaction touched. The same decision as the merge computed from the
 * entries (sync/merge.c, common/mergecore.c); tests compare the two.
 *
 * Tables (all derived; `gradcap reindex` rebuilds them):
 *   mcap    student ‖ 0x00 ‖ capture id → capture record (MC_*)
 *   mcid    capture id → student
 *   mrev    capture id → latest REVIEW: hlc, entry id, decision
 *   mvoid   capture id → feeds that voided it (dup)
 *   mres    student → latest RESOLVE: hlc, entry id, capture id
 *   mphoto  photo hash → capture ids (dup)
 *   mcode   capture-code hash → capture ids (dup)
 *   mleaf   student → position, status, leaf hash
 *   mtree   level ‖ index (big-endian) → node hash, levels >= MB_LEVEL
 *   malert  kind ‖ hash → the first two students and their captures
 *   meta "mstate" → parameters, counts, root (MS_*)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "common/bytes.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/ledger_int.h"
#include "common/mergecore.h"
#include "common/merkle.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "common/cbor.h"

/* capture record */
enum {
	MC_FEED   = 0,
	MC_PHOTO  = 32,
	MC_CODE   = 64,
	MC_HLC    = 96,
	MC_RVHLC  = 104,
	MC_RVID   = 112,
	MC_KIND   = 144,
	MC_REVIEW = 145, /* 0xff: none */
	MC_FLAGS  = 146,
	MC_LEN    = 147,
};
enum { MF_CODE = 1, MF_VOIDED = 2, MF_NOBLOB = 4 };

/* merge state */
enum {
	MS_VERSION = 0,
	MS_RANK    = 1, /* 4 bytes */
	MS_FOREIGN = 5,
	MS_NST     = 8,
	MS_COUNTS  = 16, /* GC_MS_END (6) × 8 */
	MS_UNMATCH = 64,
	MS_NALERT  = 72,
	MS_ROOT    = 80,
	MS_LEN     = 112,
};
#define MS_V 2 /* 2: EXEMPT counted */
_Static_assert(MS_COUNTS + 8 * GC_MS_END == MS_UNMATCH, "merge state layout");

#define MB_LEVEL 6 /* the tree is kept from blocks of 64 leaves up */
#define MB_SIZE  (1u << MB_LEVEL)
#define KEYMAX   80

struct mstate {
	uint8_t  rank[GC_SESSION_KIND_END];
	bool     foreign;
	uint64_t nst, counts[GC_MS_END], unmatched, nalert;
	uint8_t  root[32];
};

struct mtouch {
	char   (*st)[KEYMAX];
	size_t nst, cap;
	uint8_t (*al)[33]; /* kind ‖ hash */
	size_t  nal, alcap;
};

/* ---- state ---- */

static bool
state_get(struct lg_txn *x, struct mstate *s)
{
	MDB_val        v;
	const uint8_t *p;

	if (!gc__lg_meta_get(x, "mstate", &v) || v.mv_size != MS_LEN ||
	    ((const uint8_t *)v.mv_data)[MS_VERSION] != MS_V) {
		return false;
	}
	p = v.mv_data;
	memcpy(s->rank, p + MS_RANK, GC_SESSION_KIND_END);
	s->foreign = p[MS_FOREIGN] != 0;
	s->nst     = gc_le64_get(p + MS_NST);
	for (int i = 0; i < GC_MS_END; i++) {
		s->counts[i] = gc_le64_get(p + MS_COUNTS + 8 * i);
	}
	s->unmatched = gc_le64_get(p + MS_UNMATCH);
	s->nalert    = gc_le64_get(p + MS_NALERT);
	memcpy(s->root, p + MS_ROOT, 32);
	return true;
}

static int
state_put(struct lg_txn *x, const struct mstate *s)
{
	uint8_t p[MS_LEN];

	memset(p, 0, sizeof(p));
	p[MS_VERSION] = MS_V;
	memcpy(p + MS_RANK, s->rank, GC_SESSION_KIND_END);
	p[MS_FOREIGN] = s->foreign;
	gc_le64_put(p + MS_NST, s->nst);
	for (int i = 0; i < GC_MS_END; i++) {
		gc_le64_put(p + MS_COUNTS + 8 * i, s->counts[i]);
	}
	gc_le64_put(p + MS_UNMATCH, s->unmatched);
	gc_le64_put(p + MS_NALERT, s->nalert);
	memcpy(p + MS_ROOT, s->root, 32);
	return gc__lg_put(x, x->lg->meta, "mstate", 6, p, MS_LEN, 0);
}

/* ---- touched students and hashes ---- */

static struct mtouch *
touch_get(struct lg_txn *x)
{
	if (x->mt == NULL) {
		x->mt = gc_alloc(sizeof(struct mtouch));
		if (x->mt != NULL) {
			memset(x->mt, 0, sizeof(struct mtouch));
		}
	}
	return x->mt;
}

static int
touch_student(struct lg_txn *x, const char *key, size_t len)
{
	struct mtouch *t = touch_get(x);

	if (x->mbulk || x->mfull) {
		return 0;
	}
	if (t == NULL || len == 0 || len >= KEYMAX) {
		return t == NULL ? MDB_PANIC : 0;
	}
	if (t->nst == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		void  *nv = gc_realloc(t->st, nc * KEYMAX);

		if (nv == NULL) {
			return MDB_PANIC;
		}
		t->st  = nv;
		t->cap = nc;
	}
	memcpy(t->st[t->nst], key, len);
	t->st[t->nst][len] = '\0';
	t->nst++;
	return 0;
}

static int
touch_alert(struct lg_txn *x, uint8_t kind, const uint8_t hash[32])
{
	struct mtouch *t = touch_get(x);

	if (x->mbulk || x->mfull) {
		return 0;
	}
	if (t == NULL) {
		return MDB_PANIC;
	}
	if (t->nal == t->alcap) {
		size_t nc = t->alcap ? t->alcap * 2 : 64;
		void  *nv = gc_realloc(t->al, nc * 33);

		if (nv == NULL) {
			return MDB_PANIC;
		}
		t->al    = nv;
		t->alcap = nc;
	}
	t->al[t->nal][0] = kind;
	memcpy(t->al[t->nal] + 1, hash, 32);
	t->nal++;
	return 0;
}

void
gc__lg_merge_txn_end(struct lg_txn *x)
{
	if (x->mt != NULL) {
		gc_free(x->mt->st);
		gc_free(x->mt->al);
		gc_free(x->mt);
	}
	x->mt    = NULL;
	x->mfull = false;
	x->mbulk = false;
}

/* ---- applying entries ---- */

static size_t
cap_key(uint8_t *k, const char *student, const uint8_t id[32])
{
	size_t n = strlen(student);

	memcpy(k, student, n);
	k[n] = 0;
	memcpy(k + n + 1, id, 32);
	return n + 33;
}

/* The capture record of id and its student; false when not held. */
static bool
cap_get(struct lg_txn *x, const uint8_t id[32], char student[KEYMAX],
    uint8_t rec[MC_LEN])
{
	MDB_val v;
	uint8_t k[KEYMAX + 33];

	if (gc__lg_get(x, x->lg->mcid, id, 32, &v) != 0 || v.mv_size == 0 ||
	    v.mv_size >= KEYMAX) {
		return false;
	}
	memcpy(student, v.mv_data, v.mv_size);
	student[v.mv_size] = '\0';
	if (gc__lg_get(x, x->lg->mcap, k, cap_key(k, student, id), &v) != 0 ||
	    v.mv_size != MC_LEN) {
		return false;
	}
	memcpy(rec, v.mv_data, MC_LEN);
	return true;
}

static int
cap_put(struct lg_txn *x, const char *student, const uint8_t id[32],
    const uint8_t rec[MC_LEN])
{
	uint8_t k[KEYMAX + 33];

	return gc__lg_put(x, x->lg->mcap, k, cap_key(k, student, id), rec,
	    MC_LEN, 0);
}

static bool
meta_key(struct lg_txn *x, const char *name, uint8_t out[32])
{
	MDB_val v;

	if (!gc__lg_meta_get(x, name, &v) || v.mv_size != 32) {
		memset(out, 0, 32);
		return false;
	}
	memcpy(out, v.mv_data, 32);
	return true;
}

/* Does a VOID by voider count for a capture of feed? A site voids its own
 * captures, the coordinator any. */
static bool
void_counts(struct lg_txn *x, const uint8_t *voider, const uint8_t *feed)
{
	uint8_t auth[32];

	return memcmp(voider, feed, 32) == 0 ||
	    (meta_key(x, "authority", auth) && memcmp(voider, auth, 32) == 0);
}

static int
apply_capture(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_mcap m;
	uint8_t        rec[MC_LEN], k[KEYMAX + 33];
	MDB_val        key, v;
	MDB_cursor    *cur;
	int            rc;

	memset(&m, 0, sizeof(m));
	if (!gc_merge_capture_parse(e->body, e->body_len, &m) ||
	    strlen(m.student) >= KEYMAX) {
		return 0; /* kept, not indexed (as the merge does) */
	}
	memset(rec, 0, sizeof(rec));
	memcpy(rec + MC_FEED, e->feed, 32);
	memcpy(rec + MC_PHOTO, m.photo, 32);
	memcpy(rec + MC_CODE, m.code, 32);
	gc_le64_put(rec + MC_HLC, e->hlc);
	rec[MC_KIND]   = m.kind;
	rec[MC_REVIEW] = 0xff;
	rec[MC_FLAGS]  = m.has_code ? MF_CODE : 0;
	if (gc__lg_get(x, x->lg->missing, m.photo, 32, &v) == 0) {
		rec[MC_FLAGS] |= MF_NOBLOB;
	}
	if (gc__lg_get(x, x->lg->mrev, e->id, 32, &v) == 0 && v.mv_size == 41) {
		memcpy(rec + MC_RVHLC, v.mv_data, 8);
		memcpy(rec + MC_RVID, (const uint8_t *)v.mv_data + 8, 32);
		rec[MC_REVIEW] = ((const uint8_t *)v.mv_data)[40];
	}
	rc = mdb_cursor_open(x->t, x->lg->mvoid, &cur);
	if (rc != 0) {
		return rc;
	}
	key.mv_data = (void *)e->id;
	key.mv_size = 32;
	for (rc = mdb_cursor_get(cur, &key, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT_DUP)) {
		if (v.mv_size == 32 && void_counts(x, v.mv_data, e->feed)) {
			rec[MC_FLAGS] |= MF_VOIDED;
		}
	}
	mdb_cursor_close(cur);
	rc = gc__lg_put(x, x->lg->mcap, k, cap_key(k, m.student, e->id), rec,
	    MC_LEN, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		return 0; /* applied already */
	}
	if (rc == 0) {
		rc = gc__lg_put(x, x->lg->mcid, e->id, 32, m.student,
		    strlen(m.student), 0);
	}
	if (rc == 0) {
		rc = gc__lg_put(x, x->lg->mphoto, m.photo, 32, e->id, 32, 0);
	}
	if (rc == 0 && m.has_code) {
		rc = gc__lg_put(x, x->lg->mcode, m.code, 32, e->id, 32, 0);
	}
	if (rc != 0 || x->mbulk || x->mfull) {
		return rc;
	}
	/* not on the roster (nor removed from it): counted now (a roster
	 * change recounts all) */
	if (gc__lg_get(x, x->lg->students, m.student, strlen(m.student),
	    &v) != 0 && !gc__lg_removed(x, m.student, strlen(m.student))) {
		struct mstate s;

		if (state_get(x, &s)) {
			s.unmatched++;
			rc = state_put(x, &s);
		}
	}
	if (rc == 0) {
		rc = touch_student(x, m.student, strlen(m.student));
	}
	if (rc == 0) {
		rc = touch_alert(x, GC_ALERT_PHOTO, m.photo);
	}
	if (rc == 0 && m.has_code) {
		rc = touch_alert(x, GC_ALERT_CODE, m.code);
	}
	return rc;
}

static int
apply_void(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_void_rec vr;
	char               st[KEYMAX];
	uint8_t            rec[MC_LEN];
	int                rc;

	if (gc_void_decode(e->body, e->body_len, &vr) != GC_OK) {
		return 0;
	}
	rc = gc__lg_put(x, x->lg->mvoid, vr.capture, 32, e->feed, 32,
	    MDB_NODUPDATA);
	if (rc == MDB_KEYEXIST) {
		rc = 0;
	}
	if (rc != 0 || !cap_get(x, vr.capture, st, rec) ||
	    (rec[MC_FLAGS] & MF_VOIDED) ||
	    !void_counts(x, e->feed, rec + MC_FEED)) {
		return rc;
	}
	rec[MC_FLAGS] |= MF_VOIDED;
	rc = cap_put(x, st, vr.capture, rec);
	if (rc == 0) {
		rc = touch_student(x, st, strlen(st));
	}
	if (rc == 0) {
		rc = touch_alert(x, GC_ALERT_PHOTO, rec + MC_PHOTO);
	}
	if (rc == 0 && (rec[MC_FLAGS] & MF_CODE)) {
		rc = touch_alert(x, GC_ALERT_CODE, rec + MC_CODE);
	}
	return rc;
}

/* (h1, id1) later than (h2, id2)? */
static bool
later(uint64_t h1, const uint8_t *id1, uint64_t h2, const uint8_t *id2)
{
	return h1 != h2 ? h1 > h2 : memcmp(id1, id2, 32) > 0;
}

static int
apply_review(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_review_rec r;
	uint8_t              v41[41], rec[MC_LEN];
	char                 st[KEYMAX];
	MDB_val              v;
	int                  rc;

	if (gc_review_decode(e->body, e->body_len, &r) != GC_OK) {
		return 0;
	}
	if (gc__lg_get(x, x->lg->mrev, r.capture, 32, &v) == 0 &&
	    v.mv_size == 41 && !later(e->hlc, e->id,
	        gc_le64_get(v.mv_data), (const uint8_t *)v.mv_data + 8)) {
		return 0; /* a later review holds */
	}
	gc_le64_put(v41, e->hlc);
	memcpy(v41 + 8, e->id, 32);
	v41[40] = (uint8_t)r.decision;
	rc = gc__lg_put(x, x->lg->mrev, r.capture, 32, v41, 41, 0);
	if (rc != 0 || !cap_get(x, r.capture, st, rec)) {
		return rc;
	}
	memcpy(rec + MC_RVHLC, v41, 8);
	memcpy(rec + MC_RVID, e->id, 32);
	rec[MC_REVIEW] = v41[40];
	rc = cap_put(x, st, r.capture, rec);
	return rc != 0 ? rc : touch_student(x, st, strlen(st));
}

static int
apply_resolve(struct lg_txn *x, const struct gc_entry *e)
{
	struct gc_resolve_rec r;
	uint8_t               v72[72];
	MDB_val               v;
	size_t                n;
	int                   rc;

	if (gc_resolve_decode(e->body, e->body_len, &r) != GC_OK ||
	    (n = strlen(r.student)) == 0 || n >= KEYMAX) {
		return 0;
	}
	if (gc__lg_get(x, x->lg->mres, r.student, n, &v) == 0 &&
	    v.mv_size == 72 && !later(e->hlc, e->id, gc_le64_get(v.mv_data),
	        (const uint8_t *)v.mv_data + 8)) {
		return 0;
	}
	gc_le64_put(v72, e->hlc);
	memcpy(v72 + 8, e->id, 32);
	memcpy(v72 + 40, r.capture, 32);
	rc = gc__lg_put(x, x->lg->mres, r.student, n, v72, 72, 0);
	return rc != 0 ? rc : touch_student(x, r.student, n);
}

gc_err
gc__lg_merge_apply(struct lg_txn *x, const struct gc_entry *e)
{
	int rc = 0;

	if (x->lg->no_merge) {
		return GC_OK;
	}
	switch (e->kind) {
	case GC_KIND_CAPTURE:
		rc = apply_capture(x, e);
		break;
	case GC_KIND_VOID:
		rc = apply_void(x, e);
		break;
	case GC_KIND_REVIEW:
		rc = apply_review(x, e);
		break;
	case GC_KIND_RESOLVE:
		rc = apply_resolve(x, e);
		break;
	default:
		break;
	}
	return gc_err_from_mdb(rc);
}

void
gc__lg_merge_roster_changed(struct lg_txn *x)
{
	x->mfull = true; /* positions move: the result is redone in full */
}

gc_err
gc__lg_merge_blob(struct lg_txn *x, const uint8_t hash[32])
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc;

	if (x->lg->no_merge) {
		return GC_OK;
	}
	rc = mdb_cursor_open(x->t, x->lg->mphoto, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	k.mv_data = (void *)hash;
	k.mv_size = 32;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		uint8_t id[32], rec[MC_LEN];
		char    st[KEYMAX];
		int     r2;

		if (v.mv_size != 32) {
			continue;
		}
		memcpy(id, v.mv_data, 32);
		if (!cap_get(x, id, st, rec) || !(rec[MC_FLAGS] & MF_NOBLOB)) {
			continue;
		}
		rec[MC_FLAGS] &= (uint8_t)~MF_NOBLOB;
		r2 = cap_put(x, st, id, rec);
		if (r2 == 0) {
			r2 = touch_student(x, st, strlen(st));
		}
		if (r2 != 0) {
			mdb_cursor_close(cur);
			return gc_err_from_mdb(r2);
		}
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

/* ---- deciding ---- */

struct mparams {
	uint8_t rank[GC_SESSION_KIND_END];
	bool    foreign;
	uint8_t self[32], auth[32];
};

static void
params_of(struct lg_txn *x, const struct mstate *s, struct mparams *p)
{
	memcpy(p->rank, s->rank, sizeof(p->rank));
	p->foreign = s->foreign;
	meta_key(x, "self", p->self);
	meta_key(x, "authority", p->auth);
}

/* A capture record as the merge sees it. */
static void
rec_mcap(struct gc_mcap *m, const char *student, size_t slen,
    const uint8_t *id, const uint8_t *rec, const struct mparams *p)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->id, id, 32);
	memcpy(m->feed, rec + MC_FEED, 32);
	memcpy(m->photo, rec + MC_PHOTO, 32);
	memcpy(m->code, rec + MC_CODE, 32);
	m->hlc = gc_le64_get(rec + MC_HLC);
	memcpy(m->student, student, slen);
	m->student[slen] = '\0';
	m->st            = -1;
	m->kind          = rec[MC_KIND] < GC_SESSION_KIND_END ? rec[MC_KIND] : 0;
	m->has_code      = (rec[MC_FLAGS] & MF_CODE) != 0;
	m->voided        = (rec[MC_FLAGS] & MF_VOIDED) != 0;
	m->blob          = !(rec[MC_FLAGS] & MF_NOBLOB) ||
	    (p->foreign && memcmp(m->feed, p->self, 32) != 0 &&
	        memcmp(m->feed, p->auth, 32) != 0);
	m->review = rec[MC_REVIEW] == 0xff ? -1 : (int8_t)rec[MC_REVIEW];
	m->rv_hlc = gc_le64_get(rec + MC_RVHLC);
	memcpy(m->rv_id, rec + MC_RVID, 32);
}

struct capvec {
	struct gc_mcap *v;
	size_t          n, cap;
};

static bool
capvec_push(struct capvec *c, const struct gc_mcap *m)
{
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		void  *nv = gc_realloc(c->v, nc * sizeof(*c->v));

		if (nv == NULL) {
			return false;
		}
		c->v   = nv;
		c->cap = nc;
	}
	c->v[c->n++] = *m;
	return true;
}

/* The captures of one student, by a cursor on mcap (any order). */
static int
student_caps(struct lg_txn *x, MDB_cursor *cur, const char *st,
    const struct mparams *p, struct capvec *out)
{
	uint8_t k[KEYMAX + 1];
	size_t  n = strlen(st);
	MDB_val key, v;
	int     rc;

	out->n = 0;
	memcpy(k, st, n);
	k[n]        = 0;
	key.mv_data = k;
	key.mv_size = n + 1;
	(void)x;
	for (rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT)) {
		struct gc_mcap m;

		if (key.mv_size != n + 33 || memcmp(key.mv_data, k, n + 1) != 0) {
			break;
		}
		if (v.mv_size != MC_LEN) {
			continue;
		}
		rec_mcap(&m, st, n, (const uint8_t *)key.mv_data + n + 1,
		    v.mv_data, p);
		if (!capvec_push(out, &m)) {
			return MDB_PANIC;
		}
	}
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

/* The decision and leaf hash of a student over its captures. */
static void
decide_leaf(const char *st, const struct capvec *c, const uint8_t *res_cap,
    bool exempt, const struct mparams *p, struct gc_mdecision *dc,
    uint8_t lh[32], struct gc_buf *b)
{
	gc_merge_decide(c->v, c->n, p->rank, res_cap, exempt, dc);
	gc_buf_reset(b);
	gc_merge_leaf_encode(b, st, dc->status,
	    dc->winner >= 0 ? &c->v[dc->winner] : NULL);
	gc_merkle_leaf_hash(lh, b->data, b->len);
}

static int
tree_put(struct lg_txn *x, unsigned level, uint64_t i, const uint8_t h[32],
    unsigned flags)
{
	uint8_t k[5];

	k[0] = (uint8_t)level;
	k[1] = (uint8_t)(i >> 24);
	k[2] = (uint8_t)(i >> 16);
	k[3] = (uint8_t)(i >> 8);
	k[4] = (uint8_t)i;
	return gc__lg_put(x, x->lg->mtree, k, 5, h, 32, flags);
}

static bool
tree_get(struct lg_txn *x, unsigned level, uint64_t i, uint8_t h[32])
{
	uint8_t k[5];
	MDB_val v;

	k[0] = (uint8_t)level;
	k[1] = (uint8_t)(i >> 24);
	k[2] = (uint8_t)(i >> 16);
	k[3] = (uint8_t)(i >> 8);
	k[4] = (uint8_t)i;
	if (gc__lg_get(x, x->lg->mtree, k, 5, &v) != 0 || v.mv_size != 32) {
		return false;
	}
	memcpy(h, v.mv_data, 32);
	return true;
}

/* Stores the levels above the blocks from n block hashes (overwritten)
 * and sets root. */
static int
tree_levels(struct lg_txn *x, uint8_t (*h)[32], size_t n, uint8_t root[32],
    unsigned flags)
{
	unsigned level = MB_LEVEL;
	int      rc    = 0;

	if (n == 0) {
		gc_merkle_root(root, NULL, 0);
		return 0;
	}
	for (;;) {
		size_t k = 0;

		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = tree_put(x, level, i, h[i], flags);
		}
		if (rc != 0 || n == 1) {
			break;
		}
		for (size_t i = 0; i < n; i += 2, k++) {
			if (i + 1 < n) {
				gc_merkle_node_hash(h[k], h[i], h[i + 1]);
			} else {
				memmove(h[k], h[i], 32);
			}
		}
		n = k;
		level++;
	}
	memcpy(root, h[0], 32);
	return rc;
}

/* mleaf value: position (u32 LE), status, leaf hash */
enum { ML_POS = 0, ML_STATUS = 4, ML_HASH = 5, ML_LEN = 37 };

/* Redoes the path from the block of leaf pos to the root. */
static int
tree_update(struct lg_txn *x, MDB_cursor *lc, uint64_t pos, uint64_t n,
    uint8_t root[32])
{
	uint8_t  h[MB_SIZE][32], node[32], sib[32];
	uint64_t blk = pos / MB_SIZE, first = blk * MB_SIZE, nb;
	size_t   k = 0;
	MDB_val  key, v;
	int      rc;

	/* lc is on the leaf at pos: back to the block's first leaf */
	for (uint64_t i = pos; i > first; i--) {
		rc = mdb_cursor_get(lc, &key, &v, MDB_PREV);
		if (rc != 0) {
			return rc;
		}
	}
	for (rc = mdb_cursor_get(lc, &key, &v, MDB_GET_CURRENT);
	     rc == 0 && k < MB_SIZE && first + k < n;
	     rc = mdb_cursor_get(lc, &key, &v, MDB_NEXT)) {
		if (v.mv_size != ML_LEN ||
		    gc_le32_get(v.mv_data) != first + k) {
			return MDB_CORRUPTED;
		}
		memcpy(h[k++], (const uint8_t *)v.mv_data + ML_HASH, 32);
	}
	gc_merkle_root(node, (const uint8_t (*)[32])h, k);
	nb = (n + MB_SIZE - 1) / MB_SIZE; /* nodes on this level */
	for (unsigned level = MB_LEVEL;; level++) {
		rc = tree_put(x, level, blk, node, 0);
		if (rc != 0 || nb == 1) {
			break;
		}
		if ((blk ^ 1) < nb) {
			if (!tree_get(x, level, blk ^ 1, sib)) {
				return MDB_CORRUPTED;
			}
			if (blk & 1) {
				gc_merkle_node_hash(node, sib, node);
			} else {
				gc_merkle_node_hash(node, node, sib);
			}
		}
		blk /= 2;
		nb = (nb + 1) / 2;
	}
	memcpy(root, node, 32);
	return rc;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
al_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 33);
}

struct alcap {
	char    st[KEYMAX];
	uint8_t id[32];
};

static int
alcap_cmp(const void *a, const void *b)
{
	const struct alcap *x = a, *y = b;
	int                 r = strcmp(x->st, y->st);

	return r != 0 ? r : memcmp(x->id, y->id, 32);
}

/* The alert for one photo or code hash: the first two students (in key
 * order) its unvoided captures are bound to; *had / *has say whether an
 * alert was and is stored. */
static int
alert_redo(struct lg_txn *x, uint8_t kind, const uint8_t hash[32], bool *had,
    bool *has)
{
	MDB_cursor  *cur;
	MDB_val      k, v;
	struct alcap *c = NULL;
	size_t       n = 0, cap = 0;
	uint8_t      ak[33];
	int          rc;

	*had = *has = false;
	ak[0] = kind;
	memcpy(ak + 1, hash, 32);
	*had = gc__lg_get(x, x->lg->malert, ak, 33, &v) == 0;
	rc   = mdb_cursor_open(x->t, kind == GC_ALERT_PHOTO ? x->lg->mphoto :
	    x->lg->mcode, &cur);
	if (rc != 0) {
		return rc;
	}
	k.mv_data = (void *)hash;
	k.mv_size = 32;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		uint8_t rec[MC_LEN];

		if (v.mv_size != 32) {
			continue;
		}
		if (n == cap) {
			void *nv = gc_realloc(c, (cap ? cap * 2 : 8) * sizeof(*c));

			if (nv == NULL) {
				rc = MDB_PANIC;
				break;
			}
			c   = nv;
			cap = cap ? cap * 2 : 8;
		}
		memcpy(c[n].id, v.mv_data, 32);
		if (cap_get(x, c[n].id, c[n].st, rec) &&
		    !(rec[MC_FLAGS] & MF_VOIDED)) {
			n++;
		}
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		gc_free(c);
		return rc;
	}
	rc = 0;
	if (n > 1) {
		qsort(c, n, sizeof(*c), alcap_cmp);
	}
	for (size_t i = 1; i < n; i++) {
		uint8_t val[64 + 2 * KEYMAX];
		size_t  la, lb;

		if (strcmp(c[i - 1].st, c[i].st) == 0) {
			continue;
		}
		la = strlen(c[i - 1].st) + 1;
		lb = strlen(c[i].st) + 1;
		memcpy(val, c[i - 1].id, 32);
		memcpy(val + 32, c[i].id, 32);
		memcpy(val + 64, c[i - 1].st, la);
		memcpy(val + 64 + la, c[i].st, lb);
		rc   = gc__lg_put(x, x->lg->malert, ak, 33, val, 64 + la + lb, 0);
		*has = true;
		break;
	}
	if (!*has && *had) {
		rc = gc__lg_del(x, x->lg->malert, ak, 33, NULL, 0);
	}
	gc_free(c);
	return rc;
}

/* What else decides a student (key st, n bytes) beyond its captures:
 * whether the roster exempts it (the return) and the capture its latest
 * RESOLVE names (*res, NULL when none; LMDB memory). */
static bool
student_inputs(struct lg_txn *x, const char *st, size_t n,
    const uint8_t **res)
{
	MDB_val v;
	bool    exempt;

	exempt = gc__lg_get(x, x->lg->students, st, n, &v) == 0 &&
	    v.mv_size >= 40 && (gc_row_map_flags((const uint8_t *)
	    v.mv_data + 40, v.mv_size - 40) & GC_ROWF_EXEMPT);
	*res = NULL;
	if (gc__lg_get(x, x->lg->mres, st, n, &v) == 0 && v.mv_size == 72) {
		*res = (const uint8_t *)v.mv_data + 40;
	}
	return exempt;
}

/* The students and hashes this transaction touched. */
static int
finish_touched(struct lg_txn *x, struct mstate *s)
{
	struct mtouch *t = x->mt;
	struct mparams p;
	struct capvec  cv = { NULL, 0, 0 };
	struct gc_buf  b;
	MDB_cursor    *cc = NULL, *lc = NULL;
	int            rc;

	params_of(x, s, &p);
	if (t->nst > 1) {
		qsort(t->st, t->nst, KEYMAX, str_cmp);
	}
	if (t->nal > 1) {
		qsort(t->al, t->nal, 33, al_cmp);
	}
	rc = mdb_cursor_open(x->t, x->lg->mcap, &cc);
	if (rc == 0) {
		rc = mdb_cursor_open(x->t, x->lg->mleaf, &lc);
	}
	gc_buf_init(&b);
	for (size_t i = 0; rc == 0 && i < t->nst; i++) {
		const char         *st = t->st[i];
		size_t              n  = strlen(st);
		struct gc_mdecision dc;
		uint8_t             lh[32], val[ML_LEN];
		MDB_val             key = { n, (void *)st }, v;
		const uint8_t      *res = NULL;
		uint64_t            pos;
		bool                exempt;

		if (i > 0 && strcmp(st, t->st[i - 1]) == 0) {
			continue;
		}
		if (mdb_cursor_get(lc, &key, &v, MDB_SET_KEY) != 0 ||
		    v.mv_size != ML_LEN) {
			continue; /* not on the roster */
		}
		memcpy(val, v.mv_data, ML_LEN);
		pos = gc_le32_get(val + ML_POS);
		rc  = student_caps(x, cc, st, &p, &cv);
		if (rc != 0) {
			break;
		}
		exempt = student_inputs(x, st, n, &res);
		decide_leaf(st, &cv, res, exempt, &p, &dc, lh, &b);
		if (gc_buf_status(&b) != GC_OK) {
			rc = MDB_PANIC;
			break;
		}
		if (val[ML_STATUS] == dc.status &&
		    memcmp(val + ML_HASH, lh, 32) == 0) {
			continue;
		}
		if (val[ML_STATUS] < GC_MS_END && s->counts[val[ML_STATUS]] > 0) {
			s->counts[val[ML_STATUS]]--;
		}
		s->counts[dc.status]++;
		val[ML_STATUS] = (uint8_t)dc.status;
		memcpy(val + ML_HASH, lh, 32);
		v.mv_data = val;
		v.mv_size = ML_LEN;
		rc = mdb_cursor_put(lc, &key, &v, MDB_CURRENT);
		if (rc == 0) {
			rc = tree_update(x, lc, pos, s->nst, s->root);
		}
	}
	gc_buf_release(&b);
	gc_free(cv.v);
	if (cc != NULL) {
		mdb_cursor_close(cc);
	}
	if (lc != NULL) {
		mdb_cursor_close(lc);
	}
	for (size_t i = 0; rc == 0 && i < t->nal; i++) {
		bool had, has;

		if (i > 0 && memcmp(t->al[i], t->al[i - 1], 33) == 0) {
			continue;
		}
		rc = alert_redo(x, t->al[i][0], t->al[i] + 1, &had, &has);
		if (rc == 0 && had != has) {
			if (has) {
				s->nalert++;
			} else if (s->nalert > 0) {
				s->nalert--;
			}
		}
	}
	return rc;
}

/* The memcmp order of a stored key against key[0..n). */
static int
key_cmp(const void *k, size_t kl, const void *key, size_t n)
{
	int r = memcmp(k, key, kl < n ? kl : n);

	return r != 0 ? r : (kl > n) - (kl < n);
}

/* The latest RESOLVE's capture for student key, walking rcur forward
 * (students come in key order); NULL when none. */
static const uint8_t *
res_walk(MDB_cursor *rcur, int *rrc, MDB_val *rk, MDB_val *rv,
    const void *key, size_t n)
{
	for (; *rrc == 0; *rrc = mdb_cursor_get(rcur, rk, rv, MDB_NEXT)) {
		int cmp = key_cmp(rk->mv_data, rk->mv_size, key, n);

		if (cmp > 0) {
			return NULL;
		}
		if (cmp == 0) {
			return rv->mv_size == 72 ? (const uint8_t *)rv->mv_data +
			    40 : NULL;
		}
	}
	return NULL;
}

/* A cursor over a table and room for as many elements as it holds. */
static gc_err
table_open(struct lg_txn *x, MDB_dbi dbi, size_t elem, void **out,
    size_t *cap, MDB_cursor **cur)
{
	MDB_stat ms;
	int      rc = mdb_stat(x->t, dbi, &ms);

	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	*cap = ms.ms_entries;
	*out = gc_alloc(elem * (ms.ms_entries + 1));
	if (*out == NULL) {
		return GC_ENOMEM;
	}
	rc = mdb_cursor_open(x->t, dbi, cur);
	return gc_err_from_mdb(rc);
}

/* Brings the leaf of student st (in key order) to val, walking the mleaf
 * cursor alongside: leaves of keys before st are gone from the roster and
 * deleted, an equal leaf is rewritten only when it changed, a missing one
 * inserted. *lrc, lk, lv: the cursor's current record (MDB_NOTFOUND at
 * the end). */
static int
leaf_sync(MDB_cursor *lc, int *lrc, MDB_val *lk, MDB_val *lv, const char *st,
    size_t n, const uint8_t val[ML_LEN])
{
	MDB_val k = { n, (void *)st }, v = { ML_LEN, (void *)val };
	int     rc;

	while (*lrc == 0 && key_cmp(lk->mv_data, lk->mv_size, st, n) < 0) {
		if ((rc = mdb_cursor_del(lc, 0)) != 0) {
			return rc;
		}
		*lrc = mdb_cursor_get(lc, lk, lv, MDB_NEXT);
	}
	if (*lrc == 0 && key_cmp(lk->mv_data, lk->mv_size, st, n) == 0) {
		if (lv->mv_size != ML_LEN || memcmp(lv->mv_data, val,
		    ML_LEN) != 0) {
			rc = mdb_cursor_put(lc, &k, &v, MDB_CURRENT);
			if (rc != 0) {
				return rc;
			}
		}
	} else {
		/* the cursor lands on the new leaf; the next is the old one
		 * it was on */
		if ((rc = mdb_cursor_put(lc, &k, &v, 0)) != 0) {
			return rc;
		}
	}
	*lrc = mdb_cursor_get(lc, lk, lv, MDB_NEXT);
	return *lrc == MDB_NOTFOUND ? 0 : *lrc;
}

/* Everything from the tables: every student decided, the tree, the
 * alerts, the counts. */
static int
finish_full(struct lg_txn *x, struct mstate *s)
{
	struct mparams p;
	struct capvec  cv = { NULL, 0, 0 };
	struct gc_buf  b;
	MDB_cursor    *sc = NULL, *cc = NULL, *rcur = NULL, *lc = NULL;
	MDB_val        sk, sv, ck, cvv, rk, rv, lk, lv;
	int            rc, crc, rrc, lrc;
	uint8_t        (*blk)[32] = NULL, (*lvl)[32] = NULL;
	size_t         nblk = 0, lcap = 0, inb = 0;
	uint64_t       pos  = 0;

	params_of(x, s, &p);
	memset(s->counts, 0, sizeof(s->counts));
	s->unmatched = s->nalert = 0;
	/* the leaves are compared and only what changed is written (a redo
	 * that changes nothing dirties no page); the tree above the blocks
	 * and the alerts are small and made again */
	if ((rc = mdb_drop(x->t, x->lg->mtree, 0)) != 0 ||
	    (rc = mdb_drop(x->t, x->lg->malert, 0)) != 0) {
		return rc;
	}
	blk = gc_alloc(MB_SIZE * 32);
	if (blk == NULL) {
		return MDB_PANIC;
	}
	gc_buf_init(&b);
	rc = mdb_cursor_open(x->t, x->lg->students, &sc);
	if (rc == 0) {
		rc = mdb_cursor_open(x->t, x->lg->mcap, &cc);
	}
	if (rc == 0) {
		rc = mdb_cursor_open(x->t, x->lg->mres, &rcur);
	}
	if (rc == 0) {
		rc = mdb_cursor_open(x->t, x->lg->mleaf, &lc);
	}
	if (rc != 0) {
		goto out;
	}
	crc = mdb_cursor_get(cc, &ck, &cvv, MDB_FIRST);
	lrc = mdb_cursor_get(lc, &lk, &lv, MDB_FIRST);
	rrc = mdb_cursor_get(rcur, &rk, &rv, MDB_FIRST);
	for (rc = mdb_cursor_get(sc, &sk, &sv, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(sc, &sk, &sv, MDB_NEXT)) {
		char                st[KEYMAX];
		struct gc_mdecision dc;
		const uint8_t      *res;
		uint8_t             val[ML_LEN];
		int                 prc;

		if (sk.mv_size == 0 || sk.mv_size >= KEYMAX || sv.mv_size < 40 ||
		    memchr(sk.mv_data, 0, sk.mv_size) != NULL) {
			continue;
		}
		memcpy(st, sk.mv_data, sk.mv_size);
		st[sk.mv_size] = '\0';
		cv.n           = 0;
		/* captures of students before this one: not on the roster */
		for (; crc == 0; crc = mdb_cursor_get(cc, &ck, &cvv, MDB_NEXT)) {
			const char *cs = ck.mv_data;
			size_t      cl = ck.mv_size > 33 ? ck.mv_size - 33 : 0;
			int         cmp;

			if (cl == 0 || cl >= KEYMAX || cvv.mv_size != MC_LEN) {
				continue;
			}
			cmp = key_cmp(cs, cl, st, sk.mv_size);
			if (cmp > 0) {
				break;
			}
			if (cmp < 0) {
				s->unmatched += !gc__lg_removed(x, cs, cl);
				continue;
			}
			{
				struct gc_mcap m;

				rec_mcap(&m, st, cl, (const uint8_t *)cs + cl + 1,
				    cvv.mv_data, &p);
				if (!capvec_push(&cv, &m)) {
					rc = MDB_PANIC;
					goto out;
				}
			}
		}
		res = res_walk(rcur, &rrc, &rk, &rv, st, sk.mv_size);
		decide_leaf(st, &cv, res, (gc_row_map_flags((const uint8_t *)
		    sv.mv_data + 40, sv.mv_size - 40) & GC_ROWF_EXEMPT) != 0, &p,
		    &dc, blk[inb], &b);
		if (gc_buf_status(&b) != GC_OK) {
			rc = MDB_PANIC;
			goto out;
		}
		s->counts[dc.status]++;
		gc_le32_put(val + ML_POS, (uint32_t)pos);
		val[ML_STATUS] = (uint8_t)dc.status;
		memcpy(val + ML_HASH, blk[inb], 32);
		prc = leaf_sync(lc, &lrc, &lk, &lv, st, sk.mv_size, val);
		if (prc != 0) {
			rc = prc;
			goto out;
		}
		pos++;
		if (++inb == MB_SIZE) {
			if (nblk == lcap) {
				size_t nc = lcap ? lcap * 2 : 1024;
				void  *nv = gc_realloc(lvl, nc * 32);

				if (nv == NULL) {
					rc = MDB_PANIC;
					goto out;
				}
				lvl  = nv;
				lcap = nc;
			}
			gc_merkle_root(lvl[nblk++], (const uint8_t (*)[32])blk, inb);
			inb = 0;
		}
	}
	if (rc != MDB_NOTFOUND) {
		goto out;
	}
	rc = 0;
	/* leaves of students no longer on the roster */
	while (lrc == 0) {
		if ((rc = mdb_cursor_del(lc, 0)) != 0) {
			goto out;
		}
		lrc = mdb_cursor_get(lc, &lk, &lv, MDB_NEXT);
	}
	for (; crc == 0; crc = mdb_cursor_get(cc, &ck, &cvv, MDB_NEXT)) {
		if (ck.mv_size > 33 && cvv.mv_size == MC_LEN) {
			s->unmatched += !gc__lg_removed(x, ck.mv_data,
			    ck.mv_size - 33);
		}
	}
	if (inb > 0) {
		if (nblk == lcap) {
			void *nv = gc_realloc(lvl, (lcap + 1) * 32);

			if (nv == NULL) {
				rc = MDB_PANIC;
				goto out;
			}
			lvl = nv;
			lcap++;
		}
		gc_merkle_root(lvl[nblk++], (const uint8_t (*)[32])blk, inb);
	}
	s->nst = pos;
	rc     = tree_levels(x, lvl, nblk, s->root, 0);
	/* alerts: every photo and code hash bound to more than one capture */
	for (int kind = 0; rc == 0 && kind < 2; kind++) {
		MDB_cursor *hc;
		MDB_val     hk, hv;
		int         hrc;

		rc = mdb_cursor_open(x->t, kind == GC_ALERT_PHOTO ?
		    x->lg->mphoto : x->lg->mcode, &hc);
		if (rc != 0) {
			break;
		}
		for (hrc = mdb_cursor_get(hc, &hk, &hv, MDB_FIRST);
		     hrc == 0 && rc == 0;
		     hrc = mdb_cursor_get(hc, &hk, &hv, MDB_NEXT_NODUP)) {
			size_t     cnt = 0;
			bool       had, has;
			uint8_t    h[32];

			if (hk.mv_size != 32 || mdb_cursor_count(hc, &cnt) != 0 ||
			    cnt < 2) {
				continue;
			}
			memcpy(h, hk.mv_data, 32);
			rc = alert_redo(x, (uint8_t)kind, h, &had, &has);
			s->nalert += has;
		}
		mdb_cursor_close(hc);
	}
out:
	if (sc != NULL) {
		mdb_cursor_close(sc);
	}
	if (cc != NULL) {
		mdb_cursor_close(cc);
	}
	if (rcur != NULL) {
		mdb_cursor_close(rcur);
	}
	if (lc != NULL) {
		mdb_cursor_close(lc);
	}
	gc_buf_release(&b);
	gc_free(cv.v);
	gc_free(blk);
	gc_free(lvl);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

gc_err
gc__lg_merge_finish(struct lg_txn *x)
{
	struct mstate   s;
	struct timespec t0, t1;
	int             rc = 0;

	if (x->lg->no_merge || (!x->mfull && (x->mt == NULL ||
	    (x->mt->nst == 0 && x->mt->nal == 0)))) {
		return GC_OK;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!state_get(x, &s)) {
		/* a node older than the merge state: made in full */
		memset(&s, 0, sizeof(s));
		memcpy(s.rank, gc_merge_default_rank, sizeof(s.rank));
		x->mfull = true;
	}
	if (x->mfull) {
		rc = finish_full(x, &s);
	} else {
		rc = finish_touched(x, &s);
	}
	if (rc == 0) {
		rc = state_put(x, &s);
	}
	if (rc == MDB_MAP_FULL) {
		x->map_full = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	x->lg->merge_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
	    (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	return rc == MDB_PANIC ? GC_ENOMEM : gc_err_from_mdb(rc);
}

/* Drops the merge tables (reindex applies every entry again). */
gc_err
gc__lg_merge_drop(struct lg_txn *x)
{
	MDB_dbi d[] = { x->lg->mcap, x->lg->mcid, x->lg->mrev, x->lg->mvoid,
		x->lg->mres, x->lg->mphoto, x->lg->mcode };

	if (x->lg->no_merge) {
		return GC_OK;
	}
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int rc = mdb_drop(x->t, d[i], 0);

		if (rc != 0) {
			return gc_err_from_mdb(rc);
		}
	}
	x->mfull = true;
	return GC_OK;
}

/* ---- reading ---- */

struct load_arg {
	const uint8_t   *rank;
	bool             foreign;
	struct gc_merge *m;
	gc_err           rv;
};

static gc_err
load_caps(struct lg_txn *x, const struct mparams *p, struct gc_merge *m)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	size_t      cap = 0;
	int         rc;
	gc_err      rv = table_open(x, x->lg->mcap, sizeof(*m->cap),
	    (void **)&m->cap, &cap, &cur);

	if (rv != GC_OK) {
		return rv;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	     rc == 0 && m->ncap < cap;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t cl = k.mv_size > 33 ? k.mv_size - 33 : 0;

		if (cl == 0 || cl >= KEYMAX || v.mv_size != MC_LEN) {
			continue;
		}
		rec_mcap(&m->cap[m->ncap++], k.mv_data, cl,
		    (const uint8_t *)k.mv_data + cl + 1, v.mv_data, p);
	}
	mdb_cursor_close(cur);
	/* (student, id) order from the table; (student, hlc, id) wanted */
	for (size_t i = 0, j; i < m->ncap; i = j) {
		for (j = i + 1; j < m->ncap &&
		     strcmp(m->cap[j].student, m->cap[i].student) == 0; j++) {
		}
		if (j - i > 1) {
			qsort(&m->cap[i], j - i, sizeof(*m->cap), gc_mcap_cmp);
		}
	}
	return GC_OK;
}

static gc_err
load_students(struct lg_txn *x, const struct mparams *p, struct gc_merge *m)
{
	MDB_cursor *sc, *rcur;
	MDB_val     sk, sv, rk, rv;
	int         rc, rrc;
	size_t      j = 0, cap = 0;
	gc_err      e = table_open(x, x->lg->students, sizeof(*m->st),
	    (void **)&m->st, &cap, &sc);

	if (e != GC_OK) {
		return e;
	}
	if ((rc = mdb_cursor_open(x->t, x->lg->mres, &rcur)) != 0) {
		mdb_cursor_close(sc);
		return gc_err_from_mdb(rc);
	}
	rrc = mdb_cursor_get(rcur, &rk, &rv, MDB_FIRST);
	for (rc = mdb_cursor_get(sc, &sk, &sv, MDB_FIRST);
	     rc == 0 && m->nst < cap;
	     rc = mdb_cursor_get(sc, &sk, &sv, MDB_NEXT)) {
		struct gc_mstudent  *s = &m->st[m->nst];
		struct gc_cbor_cur   cur;
		struct gc_cbor_field f[GC_ROW_NKEYS];
		struct gc_mdecision  dc;
		const uint8_t       *res;
		uint64_t             ord;

		if (sk.mv_size == 0 || sk.mv_size >= KEYMAX || sv.mv_size < 40 ||
		    memchr(sk.mv_data, 0, sk.mv_size) != NULL) {
			continue;
		}
		memset(s, 0, sizeof(*s));
		memcpy(s->key, sk.mv_data, sk.mv_size);
		gc_cbor_cur_init(&cur, (const uint8_t *)sv.mv_data + 40,
		    sv.mv_size - 40);
		if (gc_cbor_map_fields(&cur, f, GC_ROW_NKEYS) == GC_OK) {
			gc_cbor_field_strcpy(&f[GC_ROW_CLASS], s->klass,
			    sizeof(s->klass));
			s->exempt = f[GC_ROW_EXEMPT].p != NULL;
			if (gc_cbor_field_uint(&f[GC_ROW_ORDER], &ord) &&
			    ord <= UINT32_MAX) {
				s->order = (uint32_t)ord;
			}
		}
		while (j < m->ncap && strcmp(m->cap[j].student, s->key) < 0) {
			m->unmatched += !gc__lg_removed(x, m->cap[j].student,
			    strlen(m->cap[j].student));
			j++;
		}
		s->first = (uint32_t)j;
		while (j < m->ncap && strcmp(m->cap[j].student, s->key) == 0) {
			m->cap[j++].st = (int32_t)m->nst;
		}
		s->ncap = (uint32_t)(j - s->first);
		res = res_walk(rcur, &rrc, &rk, &rv, s->key, sk.mv_size);
		gc_merge_decide(&m->cap[s->first], s->ncap, p->rank, res,
		    s->exempt, &dc);
		s->status   = dc.status;
		s->winner   = dc.winner >= 0 ? (int32_t)s->first + dc.winner : -1;
		s->ncand    = dc.ncand;
		s->resolved = dc.resolved;
		m->counts[s->status]++;
		m->nst++;
	}
	for (; j < m->ncap; j++) {
		m->unmatched += !gc__lg_removed(x, m->cap[j].student,
		    strlen(m->cap[j].student));
	}
	mdb_cursor_close(sc);
	mdb_cursor_close(rcur);
	return GC_OK;
}

static gc_err
load_alerts(struct lg_txn *x, struct gc_merge *m)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	size_t      cap = 0;
	int         rc;
	gc_err      rv = table_open(x, x->lg->malert, sizeof(*m->alert),
	    (void **)&m->alert, &cap, &cur);

	if (rv != GC_OK) {
		return rv;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	     rc == 0 && m->nalert < cap;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gc_malert *a = &m->alert[m->nalert];
		const char       *sa, *sb;
		size_t            la, lb;

		if (k.mv_size != 33 || v.mv_size < 66) {
			continue;
		}
		sa = (const char *)v.mv_data + 64;
		la = strnlen(sa, v.mv_size - 64);
		if (la + 1 >= v.mv_size - 64 || la >= sizeof(a->a)) {
			continue;
		}
		sb = sa + la + 1;
		lb = strnlen(sb, v.mv_size - 64 - la - 1);
		if (lb >= sizeof(a->b) || lb == v.mv_size - 64 - la - 1) {
			continue;
		}
		memset(a, 0, sizeof(*a));
		a->kind = ((const uint8_t *)k.mv_data)[0] == GC_ALERT_CODE ?
		    GC_ALERT_CODE : GC_ALERT_PHOTO;
		memcpy(a->hash, (const uint8_t *)k.mv_data + 1, 32);
		memcpy(a->cap_a, v.mv_data, 32);
		memcpy(a->cap_b, (const uint8_t *)v.mv_data + 32, 32);
		memcpy(a->a, sa, la);
		memcpy(a->b, sb, lb);
		m->nalert++;
	}
	mdb_cursor_close(cur);
	return GC_OK;
}

static gc_err
load_txn(struct lg_txn *x, void *arg)
{
	struct load_arg *a = arg;
	struct mstate    s;
	struct mparams   p;
	gc_err           rv;

	if (x->lg->no_merge || !state_get(x, &s) ||
	    memcmp(s.rank, a->rank, sizeof(s.rank)) != 0 ||
	    s.foreign != a->foreign) {
		return GC_ENOTFOUND;
	}
	params_of(x, &s, &p);
	a->m = gc_alloc(sizeof(*a->m));
	if (a->m == NULL) {
		return GC_ENOMEM;
	}
	memset(a->m, 0, sizeof(*a->m));
	rv = load_caps(x, &p, a->m);
	if (rv == GC_OK) {
		rv = load_students(x, &p, a->m);
	}
	if (rv == GC_OK) {
		rv = load_alerts(x, a->m);
	}
	memcpy(a->m->root, s.root, 32);
	return rv;
}

gc_err
gc_ledger_merge_load(gc_ledger *lg, const uint8_t *rank, bool foreign,
    struct gc_merge **out)
{
	struct load_arg a = { rank != NULL ? rank : gc_merge_default_rank,
		foreign, NULL, GC_OK };
	gc_err          rv = gc__lg_read(lg, load_txn, &a);

	if (rv != GC_OK) {
		gc_merge_free(a.m);
		a.m = NULL;
	}
	*out = a.m;
	return rv;
}

static gc_err
state_txn(struct lg_txn *x, void *arg)
{
	struct gc_merge_state *o = arg;
	struct mstate          s;

	if (x->lg->no_merge || !state_get(x, &s)) {
		return GC_ENOTFOUND;
	}
	memcpy(o->rank, s.rank, sizeof(o->rank));
	o->foreign = s.foreign;
	o->nst     = s.nst;
	for (int i = 0; i < GC_MS_END; i++) {
		o->counts[i] = s.counts[i];
	}
	o->unmatched = s.unmatched;
	o->nalert    = s.nalert;
	memcpy(o->root, s.root, 32);
	return GC_OK;
}

gc_err
gc_ledger_merge_state(gc_ledger *lg, struct gc_merge_state *out)
{
	memset(out, 0, sizeof(*out));
	return gc__lg_read(lg, state_txn, out);
}

struct params_arg {
	const uint8_t *rank;
	bool           foreign;
};

static gc_err
params_txn(struct lg_txn *x, void *arg)
{
	struct params_arg *a = arg;
	struct mstate      s;

	if (!state_get(x, &s)) {
		memset(&s, 0, sizeof(s));
	}
	memcpy(s.rank, a->rank, sizeof(s.rank));
	s.foreign = a->foreign;
	x->mfull  = true; /* redone at commit */
	return gc_err_from_mdb(state_put(x, &s));
}

gc_err
gc_ledger_merge_params(gc_ledger *lg, const uint8_t *rank, bool foreign,
    struct gc_diag *d)
{
	struct gc_merge_state st;
	struct params_arg     a = { rank != NULL ? rank : gc_merge_default_rank,
		foreign };

	if (gc_ledger_merge_state(lg, &st) == GC_OK &&
	    memcmp(st.rank, a.rank, sizeof(st.rank)) == 0 &&
	    st.foreign == foreign) {
		return GC_OK;
	}
	if (lg->no_merge || (lg->flags & GC_LEDGER_RDONLY)) {
		return GC_OK; /* the merge is then computed from the entries */
	}
	return gc__lg_write(lg, params_txn, &a, d);
}

static gc_err
rebuild_txn(struct lg_txn *x, void *arg)
{
	(void)arg;
	x->mfull = true;
	return GC_OK;
}

gc_err
gc_ledger_merge_rebuild(gc_ledger *lg, struct gc_diag *d)
{
	return gc__lg_write(lg, rebuild_txn, NULL, d);
}

uint64_t
gc_ledger_merge_last_ns(const gc_ledger *lg)
{
	return lg->merge_ns;
}

struct student_arg {
	const char      *key;
	enum gc_mstatus  status;
	struct capvec    cv;
};

static gc_err
student_txn(struct lg_txn *x, void *arg)
{
	struct student_arg *a = arg;
	struct mstate       s;
	struct mparams      p;
	MDB_cursor         *cur;
	MDB_val             v;
	size_t              n = strlen(a->key);
	int                 rc;

	if (x->lg->no_merge || !state_get(x, &s) || n == 0 || n >= KEYMAX) {
		return GC_ENOTFOUND;
	}
	if (gc__lg_get(x, x->lg->mleaf, a->key, n, &v) != 0 ||
	    v.mv_size != ML_LEN) {
		return GC_ENOTFOUND;
	}
	a->status = ((const uint8_t *)v.mv_data)[ML_STATUS] < GC_MS_END ?
	    (enum gc_mstatus)((const uint8_t *)v.mv_data)[ML_STATUS] :
	    GC_MS_MISSING;
	params_of(x, &s, &p);
	rc = mdb_cursor_open(x->t, x->lg->mcap, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	rc = student_caps(x, cur, a->key, &p, &a->cv);
	mdb_cursor_close(cur);
	if (rc == 0 && a->cv.n > 1) {
		qsort(a->cv.v, a->cv.n, sizeof(*a->cv.v), gc_mcap_cmp);
	}
	return rc == MDB_PANIC ? GC_ENOMEM : gc_err_from_mdb(rc);
}

gc_err
gc_ledger_merge_student(gc_ledger *lg, const char *key,
    enum gc_mstatus *status, struct gc_mcap **caps, size_t *ncap)
{
	struct student_arg a;
	gc_err             rv;

	memset(&a, 0, sizeof(a));
	a.key = key;
	rv    = gc__lg_read(lg, student_txn, &a);
	*caps = NULL;
	*ncap = 0;
	if (rv != GC_OK) {
		gc_free(a.cv.v);
		return rv;
	}
	*status = a.status;
	*caps   = a.cv.v;
	*ncap   = a.cv.n;
	return GC_OK;
}

struct winner_arg {
	const char      *key;
	enum gc_mstatus  status;
	struct gc_mcap  *win;
};

static gc_err
winner_txn(struct lg_txn *x, void *arg)
{
	struct winner_arg  *a  = arg;
	struct capvec       cv = { NULL, 0, 0 };
	struct gc_mdecision dc;
	struct mstate       s;
	struct mparams      p;
	MDB_cursor         *cur;
	MDB_val             v;
	const uint8_t      *res = NULL;
	size_t              n   = strlen(a->key);
	bool                exempt;
	int                 rc;

	if (x->lg->no_merge || !state_get(x, &s) || n == 0 || n >= KEYMAX ||
	    gc__lg_get(x, x->lg->mleaf, a->key, n, &v) != 0 ||
	    v.mv_size != ML_LEN) {
		return GC_ENOTFOUND;
	}
	params_of(x, &s, &p);
	rc = mdb_cursor_open(x->t, x->lg->mcap, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	rc = student_caps(x, cur, a->key, &p, &cv);
	mdb_cursor_close(cur);
	if (rc != 0) {
		gc_free(cv.v);
		return rc == MDB_PANIC ? GC_ENOMEM : gc_err_from_mdb(rc);
	}
	/* decided as the kept leaf was (finish_touched) */
	exempt = student_inputs(x, a->key, n, &res);
	gc_merge_decide(cv.v, cv.n, p.rank, res, exempt, &dc);
	a->status = dc.status;
	if (dc.winner >= 0) {
		*a->win = cv.v[dc.winner];
	}
	gc_free(cv.v);
	return dc.winner >= 0 ? GC_OK : GC_ENOTFOUND;
}

gc_err
gc_ledger_merge_winner(gc_ledger *lg, const char *key,
    enum gc_mstatus *status, struct gc_mcap *win)
{
	struct winner_arg a = { key, GC_MS_MISSING, win };
	gc_err            rv = gc__lg_read(lg, winner_txn, &a);

	*status = a.status;
	return rv;
}

struct bound_arg {
	uint8_t     kind;
	const uint8_t *hash;
	const char *except;
	char       *student;
	uint8_t    *capture;
};

static gc_err
bound_txn(struct lg_txn *x, void *arg)
{
	struct bound_arg *a = arg;
	MDB_cursor       *cur;
	MDB_val           k, v;
	int               rc;
	gc_err            rv = GC_ENOTFOUND;

	if (x->lg->no_merge) {
		return GC_ENOTFOUND;
	}
	rc = mdb_cursor_open(x->t, a->kind == GC_ALERT_PHOTO ? x->lg->mphoto :
	    x->lg->mcode, &cur);
	if (rc != 0) {
		return gc_err_from_mdb(rc);
	}
	k.mv_data = (void *)a->hash;
	k.mv_size = 32;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		uint8_t id[32], rec[MC_LEN];
		char    st[KEYMAX];

		if (v.mv_size != 32) {
			continue;
		}
		memcpy(id, v.mv_data, 32);
		if (cap_get(x, id, st, rec) && !(rec[MC_FLAGS] & MF_VOIDED) &&
		    strcmp(st, a->except) != 0) {
			snprintf(a->student, KEYMAX, "%s", st);
			memcpy(a->capture, id, 32);
			rv = GC_OK;
			break;
		}
	}
	mdb_cursor_close(cur);
	return rv;
}

gc_err
gc_ledger_merge_bound(gc_ledger *lg, int kind, const uint8_t hash[32],
    const char *except, char student[80], uint8_t capture[32])
{
	struct bound_arg a = { (uint8_t)kind, hash, except, student, capture };

	return gc__lg_read(lg, bound_txn, &a);
}
