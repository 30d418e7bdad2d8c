/* The per-student decision of the merge (common/mergecore.h). */
#include "common/mergecore.h"

#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"

static const char *status_names[] = { "MISSING", "NEEDS_RETAKE",
	"PENDING_REVIEW", "APPROVED", "CONFLICT", "EXEMPT" };
_Static_assert(sizeof(status_names) / sizeof(status_names[0]) == GC_MS_END,
    "a name for every status");

const uint8_t gc_merge_default_rank[GC_SESSION_KIND_END] = { 0, 1, 2, 3 };

const char *
gc_mstatus_name(enum gc_mstatus s)
{
	return s < GC_MS_END ? status_names[s] : "?";
}

bool
gc_merge_rank_parse(const char *s, uint8_t rank[GC_SESSION_KIND_END])
{
	char  buf[256], *save = NULL, *tok;
	bool  seen[GC_SESSION_KIND_END] = { false };
	int   n = 0;

	if (strlen(s) >= sizeof(buf)) {
		return false;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		int k = gc_session_kind_parse(tok);

		if (k < 0 || seen[k] || n >= GC_SESSION_KIND_END) {
			return false;
		}
		seen[k] = true;
		rank[k] = (uint8_t)n++;
	}
	return n == GC_SESSION_KIND_END;
}

/* The four CAPTURE fields the merge needs (docs/formats.md keys 0, 2,
 * 4, 5), read without decoding the checks; the same acceptance as
 * gc_capture_decode for them. */
bool
gc_merge_capture_parse(const uint8_t *p, size_t n, struct gc_mcap *m)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[6];
	const uint8_t       *h;
	size_t               hl;
	char                 kind[16];
	int                  k;

	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 6) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], m->student, sizeof(m->student)) ||
	    m->student[0] == '\0' || f[1].p == NULL ||
	    !gc_cbor_field_strcpy(&f[2], kind, sizeof(kind)) ||
	    (k = gc_session_kind_parse(kind)) < 0 ||
	    !gc_cbor_field_bytes(&f[5], &h, &hl) || hl != 32) {
		return false;
	}
	m->kind = (uint8_t)k;
	memcpy(m->photo, h, 32);
	if (gc_cbor_field_bytes(&f[4], &h, &hl) && hl == 32) {
		m->has_code = true;
		memcpy(m->code, h, 32);
	}
	return true;
}

int
gc_mcap_cmp(const void *a, const void *b)
{
	const struct gc_mcap *x = a, *y = b;
	int                   r = strcmp(x->student, y->student);

	if (r != 0) {
		return r;
	}
	if (x->hlc != y->hlc) {
		return x->hlc < y->hlc ? -1 : 1;
	}
	return memcmp(x->id, y->id, 32);
}

/* The provisional order among several candidates: approved first, then
 * session-kind precedence, then the latest hlc, then the smallest id. */
static bool
better(const struct gc_mcap *a, const struct gc_mcap *b, const uint8_t *rank)
{
	bool aa = a->review == GC_REVIEW_APPROVE, ba = b->review ==
	    GC_REVIEW_APPROVE;

	if (aa != ba) {
		return aa;
	}
	if (rank[a->kind] != rank[b->kind]) {
		return rank[a->kind] < rank[b->kind];
	}
	if (a->hlc != b->hlc) {
		return a->hlc > b->hlc;
	}
	return memcmp(a->id, b->id, 32) < 0;
}

void
gc_merge_decide(const struct gc_mcap *cap, size_t n, const uint8_t *rank,
    const uint8_t *resolve_capture, bool exempt, struct gc_mdecision *out)
{
	int32_t  best = -1, only = -1;
	uint32_t live = 0, rejected = 0;

	if (rank == NULL) {
		rank = gc_merge_default_rank;
	}
	memset(out, 0, sizeof(*out));
	out->winner = -1;
	for (size_t i = 0; i < n; i++) {
		const struct gc_mcap *c = &cap[i];

		if (c->voided || !c->blob) {
			continue;
		}
		out->ncand++;
		if (resolve_capture != NULL &&
		    memcmp(resolve_capture, c->id, 32) == 0) {
			out->resolved = true;
			out->winner   = (int32_t)i;
		}
		if (c->review == GC_REVIEW_REJECT) {
			rejected++;
			continue;
		}
		live++;
		only = (int32_t)i;
		if (best < 0 || better(c, &cap[best], rank)) {
			best = (int32_t)i;
		}
	}
	if (exempt) {
		out->status   = GC_MS_EXEMPT;
		out->winner   = -1;
		out->resolved = false;
	} else if (out->resolved) {
		out->status = GC_MS_APPROVED;
	} else if (live == 0) {
		out->status = rejected > 0 ? GC_MS_NEEDS_RETAKE : GC_MS_MISSING;
	} else if (live == 1) {
		out->winner = only;
		out->status = cap[only].review == GC_REVIEW_APPROVE ?
		    GC_MS_APPROVED : GC_MS_PENDING_REVIEW;
	} else {
		out->winner = best;
		out->status = GC_MS_CONFLICT;
	}
}

void
gc_merge_leaf_encode(struct gc_buf *b, const char *key, enum gc_mstatus status,
    const struct gc_mcap *win)
{
	gc_cbor_array(b, 4);
	gc_cbor_text(b, key);
	gc_cbor_text(b, gc_mstatus_name(status));
	if (win != NULL && status != GC_MS_CONFLICT) {
		gc_cbor_bytes(b, win->id, 32);
		gc_cbor_bytes(b, win->photo, 32);
	} else {
		/* a conflict's pick is provisional: not in the signed set */
		gc_cbor_null(b);
		gc_cbor_null(b);
	}
}

void
gc_merge_free(struct gc_merge *m)
{
	if (m == NULL) {
		return;
	}
	gc_free(m->st);
	gc_free(m->cap);
	gc_free(m->alert);
	gc_free(m);
}

struct order_ix {
	uint32_t    order;
	const char *key;
	size_t      i;
};

static int
roster_order_cmp(const void *a, const void *b)
{
	const struct order_ix *x = a, *y = b;

	if (x->order != y->order) {
		return x->order < y->order ? -1 : 1;
	}
	return strcmp(x->key, y->key);
}

size_t *
gc_merge_roster_order(const struct gc_merge *m)
{
	size_t          *ix = gc_alloc(sizeof(*ix) * (m->nst + 1));
	struct order_ix *v  = gc_alloc(sizeof(*v) * (m->nst + 1));

	if (ix == NULL || v == NULL) {
		gc_free(ix);
		gc_free(v);
		return NULL;
	}
	for (size_t i = 0; i < m->nst; i++) {
		v[i].order = m->st[i].order ? m->st[i].order : UINT32_MAX;
		v[i].key   = m->st[i].key;
		v[i].i     = i;
	}
	if (m->nst > 1) {
		qsort(v, m->nst, sizeof(*v), roster_order_cmp);
	}
	for (size_t i = 0; i < m->nst; i++) {
		ix[i] = v[i].i;
	}
	gc_free(v);
	return ix;
}
