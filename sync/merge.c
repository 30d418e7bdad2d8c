/* The merge (sync/merge.h): one pass over the held entries, then sorts
 * and joins; no state but the entries, so every node holding the same
 * entries computes the same set and root. */
#include "sync/merge.h"

#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/rosterdb.h"
#include "common/merkle.h"

/* ---- collection ---- */

struct mvoid {
	uint8_t capture[32], feed[32];
};
struct mreview {
	uint8_t  capture[32], id[32];
	uint64_t hlc;
	int8_t   decision;
};
struct mresolve {
	char     student[80];
	uint8_t  capture[32], id[32];
	uint64_t hlc;
};
struct qfeed {
	uint8_t  feed[32];
	uint64_t qseq;
};

#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_PUSH(vec, x, failed)                                           \
	do {                                                               \
		if ((vec).n == (vec).cap) {                                \
			size_t nc = (vec).cap ? (vec).cap * 2 : 256;       \
			void  *nv = gc_realloc((vec).v, nc * sizeof(*(vec).v)); \
			if (nv == NULL) {                                  \
				(failed) = true;                           \
				break;                                     \
			}                                                  \
			(vec).v   = nv;                                    \
			(vec).cap = nc;                                    \
		}                                                          \
		(vec).v[(vec).n++] = (x);                                  \
	} while (0)

struct mrow {
	char     key[80], klass[64];
	uint64_t hlc;
	uint8_t  id[32];
	bool     exempt, removed;
	uint32_t order;
};

struct collect {
	const struct gc_merge_opts *o;
	VEC(struct mrow) rows;
	VEC(struct gc_mcap) caps;
	VEC(struct mvoid) voids;
	VEC(struct mreview) reviews;
	VEC(struct mresolve) resolves;
	VEC(struct qfeed) quar;
	bool failed;
};

static int
quar_cb(const struct gc_head *h, void *arg)
{
	struct collect *c = arg;
	struct qfeed    q;

	if (h->quarantined) {
		memcpy(q.feed, h->feed, 32);
		q.qseq = h->qseq;
		VEC_PUSH(c->quar, q, c->failed);
	}
	return c->failed;
}

/* Past a proved fork a feed's entries are kept, not believed. */
static bool
believed(const struct collect *c, const struct gc_entry *e)
{
	for (size_t i = 0; i < c->quar.n; i++) {
		if (memcmp(c->quar.v[i].feed, e->feed, 32) == 0) {
			return e->seq < c->quar.v[i].qseq;
		}
	}
	return true;
}

/* Within the cut (when there is one)? */
static bool
in_cut(const struct collect *c, const struct gc_entry *e)
{
	if (c->o == NULL || c->o->cut == NULL) {
		return true;
	}
	for (size_t i = 0; i < c->o->ncut; i++) {
		if (memcmp(c->o->cut[i].feed, e->feed, 32) == 0) {
			return e->seq <= c->o->cut[i].seq;
		}
	}
	return false;
}

/* A row's roster order (key 16), 0 when none. */
static uint32_t
row_order(const struct gc_cbor_field *f)
{
	uint64_t v;

	return gc_cbor_field_uint(f, &v) && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* The rows of a ROSTER entry, for a merge at a cut. */
static void
roster_rows(struct collect *c, const struct gc_entry *e)
{
	struct gc_cbor_cur   cur;
	struct gc_cbor_field f[3];
	struct gc_cbor_item  arr;

	gc_cbor_cur_init(&cur, e->body, e->body_len);
	if (gc_cbor_map_fields(&cur, f, 3) != GC_OK || f[2].p == NULL) {
		return;
	}
	gc_cbor_cur_init(&cur, f[2].p, f[2].len);
	if (gc_cbor_next(&cur, &arr) != GC_OK || arr.type != GC_CBOR_ARRAY) {
		return;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		struct gc_cbor_field rf[GC_ROW_NKEYS];
		struct mrow          r;

		memset(&r, 0, sizeof(r));
		if (gc_cbor_map_fields(&cur, rf, GC_ROW_NKEYS) != GC_OK) {
			return;
		}
		if (!gc_cbor_field_strcpy(&rf[GC_ROW_KEY], r.key, sizeof(r.key)) ||
		    r.key[0] == '\0') {
			continue;
		}
		gc_cbor_field_strcpy(&rf[GC_ROW_CLASS], r.klass,
		    sizeof(r.klass));
		r.exempt  = rf[GC_ROW_EXEMPT].p != NULL;
		r.order   = row_order(&rf[GC_ROW_ORDER]);
		r.removed = rf[GC_ROW_REMOVED].p != NULL;
		r.hlc     = e->hlc;
		memcpy(r.id, e->id, 32);
		VEC_PUSH(c->rows, r, c->failed);
	}
}

static int
entry_cb(const struct gc_entry *e, void *arg)
{
	struct collect *c = arg;

	if (e->kind == 0 || !believed(c, e) || !in_cut(c, e)) {
		return 0;
	}
	switch (e->kind) {
	case GC_KIND_ROSTER:
		if (c->o != NULL && c->o->cut != NULL &&
		    gc_role_may_write(GC_ROLE_COORDINATOR, e->kind)) {
			roster_rows(c, e);
		}
		break;
	case GC_KIND_CAPTURE: {
		struct gc_mcap m;

		memset(&m, 0, sizeof(m));
		if (!gc_merge_capture_parse(e->body, e->body_len, &m)) {
			return 0; /* kept, not indexed (as the ledger does) */
		}
		memcpy(m.id, e->id, 32);
		memcpy(m.feed, e->feed, 32);
		m.hlc    = e->hlc;
		m.review = -1;
		m.st     = -1;
		m.blob   = true;
		VEC_PUSH(c->caps, m, c->failed);
		break;
	}
	case GC_KIND_VOID: {
		struct gc_void_rec v;
		struct mvoid       m;

		if (gc_void_decode(e->body, e->body_len, &v) == GC_OK) {
			memcpy(m.capture, v.capture, 32);
			memcpy(m.feed, e->feed, 32);
			VEC_PUSH(c->voids, m, c->failed);
		}
		break;
	}
	case GC_KIND_REVIEW: {
		struct gc_review_rec r;
		struct mreview       m;

		if (gc_review_decode(e->body, e->body_len, &r) == GC_OK) {
			memcpy(m.capture, r.capture, 32);
			memcpy(m.id, e->id, 32);
			m.hlc      = e->hlc;
			m.decision = (int8_t)r.decision;
			VEC_PUSH(c->reviews, m, c->failed);
		}
		break;
	}
	case GC_KIND_RESOLVE: {
		struct gc_resolve_rec r;
		struct mresolve       m;

		if (gc_resolve_decode(e->body, e->body_len, &r) == GC_OK) {
			memcpy(m.student, r.student, sizeof(m.student));
			memcpy(m.capture, r.capture, 32);
			memcpy(m.id, e->id, 32);
			m.hlc = e->hlc;
			VEC_PUSH(c->resolves, m, c->failed);
		}
		break;
	}
	default:
		break;
	}
	return c->failed;
}

/* ---- ordering ---- */

/* qsort and bsearch, safe for an empty (NULL) array */
static void
sort(void *v, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	if (n > 1) {
		qsort(v, n, sz, cmp);
	}
}

static void *
find(const void *k, const void *v, size_t n, size_t sz,
    int (*cmp)(const void *, const void *))
{
	return n > 0 ? bsearch(k, v, n, sz, cmp) : NULL;
}

static int
cap_by_id(const void *a, const void *b)
{
	return memcmp(((const struct gc_mcap *)a)->id,
	    ((const struct gc_mcap *)b)->id, 32);
}

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* (hlc, id) later than (h2, id2)? */
static bool
later(uint64_t h1, const uint8_t *id1, uint64_t h2, const uint8_t *id2)
{
	return h1 != h2 ? h1 > h2 : memcmp(id1, id2, 32) > 0;
}

static struct gc_mcap *
cap_find(struct gc_mcap *v, size_t n, const uint8_t id[32])
{
	struct gc_mcap key;

	memcpy(key.id, id, 32);
	return find(&key, v, n, sizeof(*v), cap_by_id);
}

/* ---- students ---- */

struct gone_key {
	char k[80];
};
struct st_collect {
	VEC(struct gc_mstudent) st;
	VEC(struct gone_key) gone; /* removed from the roster: key order */
	bool failed;
};

static int
student_cb(const struct gc_student_rec *r, void *arg)
{
	struct st_collect *c = arg;
	struct gc_mstudent s;
	struct gc_cbor_cur cur;
	struct gc_cbor_field f[GC_ROW_NKEYS];

	memset(&s, 0, sizeof(s));
	if (r->key_len == 0 || r->key_len >= sizeof(s.key)) {
		return 0;
	}
	memcpy(s.key, r->key, r->key_len);
	gc_cbor_cur_init(&cur, r->row, r->row_len);
	if (gc_cbor_map_fields(&cur, f, GC_ROW_NKEYS) == GC_OK) {
		gc_cbor_field_strcpy(&f[GC_ROW_CLASS], s.klass, sizeof(s.klass));
		s.exempt = f[GC_ROW_EXEMPT].p != NULL;
		s.order  = row_order(&f[GC_ROW_ORDER]);
	}
	s.winner = -1;
	VEC_PUSH(c->st, s, c->failed);
	return c->failed;
}

static int
gone_cb(const struct gc_student_rec *r, void *arg)
{
	struct st_collect *c = arg;
	struct gone_key    g;

	if (r->key_len == 0 || r->key_len >= sizeof(g.k)) {
		return 0;
	}
	memset(&g, 0, sizeof(g));
	memcpy(g.k, r->key, r->key_len);
	VEC_PUSH(c->gone, g, c->failed);
	return c->failed;
}

/* Whether the captures of student key leave the merge: removed from the
 * roster, so neither a student's nor unmatched. */
static bool
gone(const struct st_collect *c, const char *key)
{
	size_t lo = 0, hi = c->gone.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int    cmp = strcmp(c->gone.v[mid].k, key);

		if (cmp == 0) {
			return true;
		}
		if (cmp < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return false;
}

/* missing blobs, sorted, for "blob held" */
struct hash32 {
	uint8_t b[32];
};
struct miss_collect {
	VEC(struct hash32) h;
	bool failed;
};

static int
miss_cb(const struct gc_missing *m, void *arg)
{
	struct miss_collect *c = arg;

	if (c->h.n == c->h.cap) {
		size_t nc = c->h.cap ? c->h.cap * 2 : 256;
		void  *nv = gc_realloc(c->h.v, nc * 32);

		if (nv == NULL) {
			c->failed = true;
			return 1;
		}
		c->h.v   = nv;
		c->h.cap = nc;
	}
	memcpy(c->h.v[c->h.n++].b, m->hash, 32);
	return 0;
}

static void
decide(struct gc_merge *m, struct gc_mstudent *s, const uint8_t *rank,
    const struct mresolve *res)
{
	struct gc_mdecision dc;

	gc_merge_decide(&m->cap[s->first], s->ncap, rank,
	    res != NULL ? res->capture : NULL, s->exempt, &dc);
	s->status   = dc.status;
	s->winner   = dc.winner >= 0 ? (int32_t)s->first + dc.winner : -1;
	s->ncand    = dc.ncand;
	s->resolved = dc.resolved;
	m->counts[s->status]++;
}

static int
cap_by_photo(const void *a, const void *b)
{
	const struct gc_mcap *const *x = a, *const *y = b;
	int r = memcmp((*x)->photo, (*y)->photo, 32);

	if (r == 0) {
		r = strcmp((*x)->student, (*y)->student);
	}
	return r != 0 ? r : memcmp((*x)->id, (*y)->id, 32);
}

static int
cap_by_code(const void *a, const void *b)
{
	const struct gc_mcap *const *x = a, *const *y = b;
	int r = memcmp((*x)->code, (*y)->code, 32);

	if (r == 0) {
		r = strcmp((*x)->student, (*y)->student);
	}
	return r != 0 ? r : memcmp((*x)->id, (*y)->id, 32);
}

/* One photo, or one capture code, bound to two students. */
static gc_err
alerts(struct gc_merge *m, enum gc_malert_kind kind)
{
	struct gc_mcap **p;
	size_t           n = 0;

	p = gc_alloc(sizeof(*p) * (m->ncap > 0 ? m->ncap : 1));
	if (p == NULL) {
		return GC_ENOMEM;
	}
	for (size_t i = 0; i < m->ncap; i++) {
		if (!m->cap[i].voided &&
		    (kind == GC_ALERT_PHOTO || m->cap[i].has_code)) {
			p[n++] = &m->cap[i];
		}
	}
	sort(p, n, sizeof(*p), kind == GC_ALERT_PHOTO ? cap_by_photo :
	                                                 cap_by_code);
	for (size_t i = 1; i < n; i++) {
		const uint8_t *h0 = kind == GC_ALERT_PHOTO ? p[i - 1]->photo :
		                                             p[i - 1]->code;
		const uint8_t *h1 = kind == GC_ALERT_PHOTO ? p[i]->photo :
		                                             p[i]->code;
		struct gc_malert *na;

		if (memcmp(h0, h1, 32) != 0 ||
		    strcmp(p[i - 1]->student, p[i]->student) == 0) {
			continue;
		}
		/* one alert per hash: the first pair of students */
		if (m->nalert > 0 && m->alert[m->nalert - 1].kind == kind &&
		    memcmp(m->alert[m->nalert - 1].hash, h1, 32) == 0) {
			continue;
		}
		na = gc_realloc(m->alert, (m->nalert + 1) * sizeof(*na));
		if (na == NULL) {
			gc_free(p);
			return GC_ENOMEM;
		}
		m->alert = na;
		na       = &m->alert[m->nalert++];
		na->kind = kind;
		memcpy(na->hash, h1, 32);
		memcpy(na->a, p[i - 1]->student, sizeof(na->a));
		memcpy(na->b, p[i]->student, sizeof(na->b));
		memcpy(na->cap_a, p[i - 1]->id, 32);
		memcpy(na->cap_b, p[i]->id, 32);
	}
	gc_free(p);
	return GC_OK;
}

void
gc_merge_leaf(const struct gc_merge *m, size_t i, struct gc_buf *b)
{
	const struct gc_mstudent *s = &m->st[i];

	gc_merge_leaf_encode(b, s->key, s->status,
	    s->winner >= 0 ? &m->cap[s->winner] : NULL);
}

static gc_err
root(struct gc_merge *m)
{
	uint8_t (*h)[32];
	struct gc_buf b;

	h = gc_alloc(32 * (m->nst > 0 ? m->nst : 1));
	if (h == NULL) {
		return GC_ENOMEM;
	}
	gc_buf_init(&b);
	for (size_t i = 0; i < m->nst; i++) {
		gc_buf_reset(&b);
		gc_merge_leaf(m, i, &b);
		if (gc_buf_status(&b) != GC_OK) {
			gc_buf_release(&b);
			gc_free(h);
			return GC_ENOMEM;
		}
		gc_merkle_leaf_hash(h[i], b.data, b.len);
	}
	gc_buf_release(&b);
	gc_merkle_root(m->root, (const uint8_t (*)[32])h, m->nst);
	gc_free(h);
	return GC_OK;
}

static int
row_by_key(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;
	int                r = strcmp(x->key, y->key);

	if (r != 0) {
		return r;
	}
	if (x->hlc != y->hlc) {
		return x->hlc < y->hlc ? -1 : 1;
	}
	return memcmp(x->id, y->id, 32);
}

/* The roster as the ROSTER entries within the cut make it: per key, the
 * row of the greatest (hlc, entry id), as the ledger's index does. */
static gc_err
rows_students(struct collect *c, struct st_collect *sc,
    const uint8_t authority[32])
{
	(void)authority; /* only the coordinator writes ROSTER (ingest) */
	if (c->failed) {
		return GC_ENOMEM;
	}
	sort(c->rows.v, c->rows.n, sizeof(*c->rows.v), row_by_key);
	for (size_t i = 0; i < c->rows.n; i++) {
		struct gc_mstudent s;

		if (i + 1 < c->rows.n &&
		    strcmp(c->rows.v[i].key, c->rows.v[i + 1].key) == 0) {
			continue; /* a later row of the same student follows */
		}
		if (c->rows.v[i].removed) {
			struct gone_key g;

			memcpy(g.k, c->rows.v[i].key, sizeof(g.k));
			VEC_PUSH(sc->gone, g, sc->failed);
			continue;
		}
		memset(&s, 0, sizeof(s));
		memcpy(s.key, c->rows.v[i].key, sizeof(s.key));
		memcpy(s.klass, c->rows.v[i].klass, sizeof(s.klass));
		s.exempt = c->rows.v[i].exempt;
		s.order  = c->rows.v[i].order;
		s.winner = -1;
		VEC_PUSH(sc->st, s, sc->failed);
	}
	return sc->failed ? GC_ENOMEM : GC_OK;
}

gc_err
gc_merge_compute(gc_ledger *lg, const struct gc_merge_opts *o,
    struct gc_merge **out, struct gc_diag *d)
{
	const uint8_t        *rank = o != NULL ? o->rank : NULL;
	struct collect        c;
	struct st_collect     sc;
	struct miss_collect   mc;
	struct gc_ledger_info info;
	struct gc_merge      *m;
	gc_err                rv;

	*out = NULL;
	if (rank == NULL) {
		rank = gc_merge_default_rank;
	}
	memset(&c, 0, sizeof(c));
	c.o = o;
	memset(&sc, 0, sizeof(sc));
	memset(&mc, 0, sizeof(mc));
	m  = gc_xzalloc(sizeof(*m));
	rv = gc_ledger_info(lg, &info);
	if (rv == GC_OK) {
		rv = gc_ledger_heads(lg, quar_cb, &c);
	}
	if (rv == GC_OK) {
		rv = gc_ledger_foreach(lg, NULL, entry_cb, &c);
	}
	if (rv == GC_OK && (o == NULL || o->cut == NULL)) {
		rv = gc_ledger_students(lg, student_cb, &sc);
		if (rv == GC_OK) {
			rv = gc_ledger_removed_students(lg, gone_cb, &sc);
		}
	} else if (rv == GC_OK) {
		rv = rows_students(&c, &sc, info.authority);
	}
	if (rv == GC_OK) {
		rv = gc_ledger_missing(lg, miss_cb, &mc);
	}
	if (rv == GC_OK && (c.failed || sc.failed || mc.failed)) {
		rv = GC_ENOMEM;
	}
	if (rv != GC_OK) {
		gc_diag_set(d, "merge: reading the ledger: %s", gc_strerror(rv));
		goto out;
	}
	m->cap  = c.caps.v;
	m->ncap = c.caps.n;
	m->st   = sc.st.v;
	m->nst  = sc.st.n;
	c.caps.v  = NULL;
	sc.st.v   = NULL;
	/* by id: voids, reviews, blobs */
	sort(mc.h.v, mc.h.n, 32, hash_cmp);
	sort(m->cap, m->ncap, sizeof(*m->cap), cap_by_id);
	for (size_t i = 0; i < m->ncap; i++) {
		m->cap[i].blob = find(m->cap[i].photo, mc.h.v, mc.h.n, 32,
		    hash_cmp) == NULL;
		if (!m->cap[i].blob && o != NULL && o->foreign_blobs_optional &&
		    memcmp(m->cap[i].feed, info.self, 32) != 0 &&
		    memcmp(m->cap[i].feed, info.authority, 32) != 0) {
			m->cap[i].blob = true; /* not fetched here by policy */
		}
	}
	for (size_t i = 0; i < c.voids.n; i++) {
		struct gc_mcap *cap = cap_find(m->cap, m->ncap,
		    c.voids.v[i].capture);

		/* a site voids its own captures, the coordinator any */
		if (cap != NULL && (memcmp(cap->feed, c.voids.v[i].feed, 32) ==
		    0 || memcmp(c.voids.v[i].feed, info.authority, 32) == 0)) {
			cap->voided = true;
		}
	}
	for (size_t i = 0; i < c.reviews.n; i++) {
		const struct mreview *r   = &c.reviews.v[i];
		struct gc_mcap       *cap = cap_find(m->cap, m->ncap, r->capture);

		if (cap != NULL && (cap->review < 0 ||
		    later(r->hlc, r->id, cap->rv_hlc, cap->rv_id))) {
			cap->review = r->decision;
			cap->rv_hlc = r->hlc;
			memcpy(cap->rv_id, r->id, 32);
		}
	}
	/* by student: join with the roster (both in key order) */
	sort(m->cap, m->ncap, sizeof(*m->cap), gc_mcap_cmp);
	{
		size_t j = 0;

		for (size_t i = 0; i < m->nst; i++) {
			struct gc_mstudent *s = &m->st[i];

			while (j < m->ncap &&
			    strcmp(m->cap[j].student, s->key) < 0) {
				m->unmatched += !gone(&sc, m->cap[j].student);
				j++;
			}
			s->first = (uint32_t)j;
			while (j < m->ncap &&
			    strcmp(m->cap[j].student, s->key) == 0) {
				m->cap[j].st = (int32_t)i;
				j++;
			}
			s->ncap = (uint32_t)(j - s->first);
		}
		for (; j < m->ncap; j++) {
			m->unmatched += !gone(&sc, m->cap[j].student);
		}
	}
	/* the coordinator's latest RESOLVE per student */
	{
		const struct mresolve **per = gc_alloc(sizeof(*per) *
		    (m->nst > 0 ? m->nst : 1));

		if (per == NULL) {
			rv = GC_ENOMEM;
			goto out;
		}
		memset(per, 0, sizeof(*per) * (m->nst > 0 ? m->nst : 1));
		for (size_t i = 0; i < c.resolves.n; i++) {
			const struct mresolve *r = &c.resolves.v[i];
			size_t                 lo = 0, hi = m->nst;

			while (lo < hi) { /* students are in key order */
				size_t mid = (lo + hi) / 2;
				int    cmp = strcmp(m->st[mid].key, r->student);

				if (cmp == 0) {
					lo = mid;
					break;
				}
				if (cmp < 0) {
					lo = mid + 1;
				} else {
					hi = mid;
				}
			}
			if (lo < m->nst && strcmp(m->st[lo].key, r->student) == 0 &&
			    (per[lo] == NULL || later(r->hlc, r->id, per[lo]->hlc,
			        per[lo]->id))) {
				per[lo] = r;
			}
		}
		for (size_t i = 0; i < m->nst; i++) {
			decide(m, &m->st[i], rank, per[i]);
		}
		gc_free(per);
	}
	rv = alerts(m, GC_ALERT_PHOTO);
	if (rv == GC_OK) {
		rv = alerts(m, GC_ALERT_CODE);
	}
	if (rv == GC_OK) {
		rv = root(m);
	}
out:
	gc_free(c.caps.v);
	gc_free(c.rows.v);
	gc_free(c.voids.v);
	gc_free(c.reviews.v);
	gc_free(c.resolves.v);
	gc_free(c.quar.v);
	gc_free(sc.st.v);
	gc_free(sc.gone.v);
	gc_free(mc.h.v);
	if (rv != GC_OK) {
		gc_merge_free(m);
		return rv;
	}
	*out = m;
	return GC_OK;
}
