/* portal_drafts: the students' unsubmitted photos (node/portal_drafts.h). */
#include "node/portal_drafts.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/gc_alloc.h"

struct gc_drafts {
	pthread_mutex_t  mtx; /* guards all below */
	struct gc_draft *v;   /* in order of making */
	size_t           n, cap;
	size_t           bytes, budget;
	uint32_t         next;
};

gc_drafts *
gc_drafts_new(size_t capacity, size_t byte_budget)
{
	gc_drafts *ds = gc_xzalloc(sizeof(*ds));

	ds->cap    = capacity > 0 ? capacity : 1;
	ds->v      = gc_xzalloc(ds->cap * sizeof(*ds->v));
	ds->budget = byte_budget;
	randombytes_buf(&ds->next, sizeof(ds->next)); /* ids not guessable
	                                               * from a restart */
	pthread_mutex_init(&ds->mtx, NULL);
	return ds;
}

static size_t
draft_bytes(const struct gc_draft *d)
{
	return d->orig_len + d->o.res.jpeg.len;
}

void
gc_draft_release(struct gc_draft *d)
{
	gc_free(d->orig);
	gc_pipeline_result_release(&d->o.res);
	memset(d, 0, sizeof(*d));
}

/* Drops draft i (ds->mtx held). */
static void
drop(gc_drafts *ds, size_t i)
{
	ds->bytes -= draft_bytes(&ds->v[i]);
	gc_draft_release(&ds->v[i]);
	memmove(&ds->v[i], &ds->v[i + 1], (ds->n - i - 1) * sizeof(*ds->v));
	ds->n--;
	memset(&ds->v[ds->n], 0, sizeof(*ds->v));
}

void
gc_drafts_free(gc_drafts *ds)
{
	if (ds == NULL) {
		return;
	}
	while (ds->n > 0) {
		drop(ds, ds->n - 1);
	}
	pthread_mutex_destroy(&ds->mtx);
	gc_free(ds->v);
	gc_free(ds);
}

uint32_t
gc_drafts_put(gc_drafts *ds, struct gc_draft *d)
{
	size_t   mine = 0, first = SIZE_MAX;
	uint32_t id;

	pthread_mutex_lock(&ds->mtx);
	for (size_t i = 0; i < ds->n; i++) {
		if (strcmp(ds->v[i].student, d->student) == 0) {
			first = mine++ == 0 ? i : first;
		}
	}
	if (mine >= GC_DRAFTS_PER_STUDENT) {
		drop(ds, first);
	}
	while (ds->n > 0 && (ds->n == ds->cap ||
	    ds->bytes + draft_bytes(d) > ds->budget)) {
		drop(ds, 0);
	}
	id = ++ds->next;
	if (id == 0) {
		id = ++ds->next;
	}
	d->id   = id;
	d->made = (uint64_t)time(NULL);
	ds->v[ds->n++] = *d;
	ds->bytes += draft_bytes(d);
	memset(d, 0, sizeof(*d));
	pthread_mutex_unlock(&ds->mtx);
	return id;
}

/* The student's draft id (ds->mtx held): its index, or SIZE_MAX. */
static size_t
find(gc_drafts *ds, const char *student, uint32_t id)
{
	for (size_t i = 0; i < ds->n; i++) {
		if (ds->v[i].id == id && strcmp(ds->v[i].student, student) == 0) {
			return i;
		}
	}
	return SIZE_MAX;
}

bool
gc_drafts_take(gc_drafts *ds, const char *student, uint32_t id,
    struct gc_draft *out)
{
	size_t i;

	pthread_mutex_lock(&ds->mtx);
	i = find(ds, student, id);
	if (i != SIZE_MAX) {
		*out       = ds->v[i];
		ds->bytes -= draft_bytes(out);
		memmove(&ds->v[i], &ds->v[i + 1], (ds->n - i - 1) *
		    sizeof(*ds->v));
		ds->n--;
		memset(&ds->v[ds->n], 0, sizeof(*ds->v));
	}
	pthread_mutex_unlock(&ds->mtx);
	return i != SIZE_MAX;
}

bool
gc_drafts_photo(gc_drafts *ds, const char *student, uint32_t id, bool before,
    struct gc_buf *out)
{
	size_t i;
	bool   ok = false;

	pthread_mutex_lock(&ds->mtx);
	i = find(ds, student, id);
	if (i != SIZE_MAX) {
		const struct gc_pipeline_result *res = &ds->v[i].o.res;
		const struct gc_buf             *src = before ?
		    &res->jpeg_before : &res->jpeg;

		if (!before || res->background_replaced) {
			gc_buf_put(out, src->data, src->len);
			ok = src->len > 0;
		}
	}
	pthread_mutex_unlock(&ds->mtx);
	return ok && gc_buf_status(out) == GC_OK;
}

void
gc_drafts_json(gc_drafts *ds, const char *student, struct gc_buf *b)
{
	size_t k = 0;

	pthread_mutex_lock(&ds->mtx);
	gc_buf_putc(b, '[');
	for (size_t i = ds->n; i-- > 0;) {
		const struct gc_draft  *d = &ds->v[i];
		const struct gc_report *rp = &d->o.res.report;
		size_t                  m = 0;

		if (strcmp(d->student, student) != 0) {
			continue;
		}
		gc_buf_printf(b, "%s{\"id\":%u,\"made\":%llu,\"verdict\":\"%s\","
		    "\"photo\":\"/api/draft?id=%u\",\"before\":", k++ ? "," : "",
		    d->id, (unsigned long long)d->made,
		    gc_verdict_name(rp->verdict), d->id);
		if (d->o.res.background_replaced) {
			gc_buf_printf(b, "\"/api/draft?id=%u&before=1\"", d->id);
		} else {
			gc_buf_puts(b, "null");
		}
		gc_buf_puts(b, ",\"problems\":[");
		for (int c = 0; c < rp->n; c++) {
			if (rp->c[c].verdict == GC_VERDICT_PASS) {
				continue;
			}
			gc_buf_printf(b, "%s{\"check\":", m++ ? "," : "");
			gc_json_str(b, rp->c[c].id);
			gc_buf_printf(b, ",\"verdict\":\"%s\",\"message\":",
			    gc_verdict_name(rp->c[c].verdict));
			gc_json_str(b, rp->c[c].msg_zh);
			gc_buf_putc(b, '}');
		}
		gc_buf_puts(b, "],\"guide\":");
		gc_json_str(b, rp->guide_zh[0] ? rp->guide_zh : NULL);
		gc_buf_printf(b, ",\"method\":\"%s\"", d->camera ? "camera" :
		    "upload");
		gc_buf_putc(b, '}');
	}
	gc_buf_putc(b, ']');
	pthread_mutex_unlock(&ds->mtx);
}
