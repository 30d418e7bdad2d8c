/* The checkpoint part of an audit (sync/audit.h). */
#include "sync/audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "sync/note.h"

struct last {
	uint8_t *bytes;
	size_t   len;
};

static int
last_cb(const struct gc_entry *e, void *arg)
{
	struct last *l = arg;

	if (e->kind == GC_KIND_CHECKPOINT) {
		uint8_t *c = gc_alloc(e->len);

		if (c == NULL) {
			return 1;
		}
		memcpy(c, e->bytes, e->len);
		gc_free(l->bytes);
		l->bytes = c;
		l->len   = e->len;
	}
	return 0;
}

static void problem(gc_verify_cb cb, void *arg, const struct gc_entry *e,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
problem(gc_verify_cb cb, void *arg, const struct gc_entry *e,
    const char *fmt, ...)
{
	struct gc_verify_problem p;
	va_list                  ap;

	memset(&p, 0, sizeof(p));
	memcpy(p.id, e->id, 32);
	memcpy(p.feed, e->feed, 32);
	p.seq  = e->seq;
	p.kind = "checkpoint";
	va_start(ap, fmt);
	vsnprintf(p.what, sizeof(p.what), fmt, ap);
	va_end(ap);
	cb(&p, arg);
}

gc_err
gc_audit_checkpoint(gc_ledger *lg, const struct gc_merge_opts *o,
    gc_verify_cb cb, void *arg, struct gc_audit_cp *out)
{
	struct gc_ledger_info     info;
	struct gc_checkpoint_info ci;
	struct gc_entry           e; /* only id, feed, seq: for problem() */
	struct gc_merge_opts      mo;
	struct gc_merge          *m = NULL;
	char                      corigin[128];
	uint64_t                  csize;
	uint8_t                   croot[32];
	size_t                    tl;
	gc_err                    rv;
	bool                      bad = false;

	memset(out, 0, sizeof(*out));
	rv = gc_ledger_info(lg, &info);
	if (rv == GC_OK) {
		rv = gc_checkpoint_latest(lg, &ci);
	}
	if (rv == GC_ECORRUPT) {
		struct gc_verify_problem p;

		memset(&p, 0, sizeof(p));
		p.kind = "checkpoint";
		snprintf(p.what, sizeof(p.what), "the latest CHECKPOINT entry "
		    "lacks origin, size, root, note or the entries it covered");
		cb(&p, arg);
		return GC_ECORRUPT;
	}
	if (rv != GC_OK || !ci.found) {
		return rv;
	}
	memset(&e, 0, sizeof(e));
	memcpy(e.id, ci.entry, 32);
	e.feed = ci.feed;
	e.seq  = ci.seq;
	out->found = true;
	out->size  = ci.size;
	memcpy(out->entry, ci.entry, 32);
	memcpy(out->root, ci.root, 32);
	/* the note: signed by the authority, saying what the entry says */
	if (gc_note_verify(ci.note, ci.note_len, ci.origin, info.authority, &tl,
	    NULL) != GC_OK) {
		problem(cb, arg, &e, "%s: the signed note does not verify with "
		    "the school authority's key", ci.origin);
		bad = true;
	} else if (gc_checkpoint_parse(ci.note, tl, corigin, sizeof(corigin),
	    &csize, croot) != GC_OK || strcmp(corigin, ci.origin) != 0 ||
	    csize != ci.size || memcmp(croot, ci.root, 32) != 0) {
		problem(cb, arg, &e, "%s: the signed note and the entry disagree "
		    "on the size or root", ci.origin);
		bad = true;
	}
	if (o != NULL) {
		mo = *o;
	} else {
		memset(&mo, 0, sizeof(mo));
	}
	mo.cut  = ci.cut;
	mo.ncut = ci.ncut;
	rv      = gc_merge_compute(lg, &mo, &m, NULL);
	if (rv == GC_OK) {
		out->got_size = m->nst;
		memcpy(out->got_root, m->root, 32);
		if (m->nst != ci.size || memcmp(m->root, ci.root, 32) != 0) {
			problem(cb, arg, &e, "%s: the merge recomputed over the "
			    "entries it covered gives %zu students and another "
			    "root than the signed one (%" PRIu64 " students)",
			    ci.origin, m->nst, ci.size);
			bad = true;
		}
	}
	gc_merge_free(m);
	gc_checkpoint_info_release(&ci);
	if (rv != GC_OK) {
		return rv;
	}
	out->ok = !bad;
	return bad ? GC_ECORRUPT : GC_OK;
}

gc_err
gc_checkpoint_latest(gc_ledger *lg, struct gc_checkpoint_info *ci)
{
	struct gc_ledger_info info;
	struct last           l = { NULL, 0 };
	struct gc_entry       e;
	struct gc_cbor_cur    c;
	struct gc_cbor_field  f[5];
	struct gc_cbor_item   arr, it, x;
	const uint8_t        *p;
	const char           *note;
	size_t                n;
	gc_err                rv;

	memset(ci, 0, sizeof(*ci));
	rv = gc_ledger_info(lg, &info);
	if (rv == GC_OK && info.enrolled) {
		rv = gc_ledger_foreach(lg, info.authority, last_cb, &l);
	}
	if (rv != GC_OK || l.bytes == NULL) {
		return rv;
	}
	rv = GC_ECORRUPT;
	if (gc_entry_parse(&e, l.bytes, l.len, NULL) == GC_OK) {
		gc_cbor_cur_init(&c, e.body, e.body_len);
		if (gc_cbor_map_fields(&c, f, 5) == GC_OK &&
		    gc_cbor_field_strcpy(&f[0], ci->origin, sizeof(ci->origin)) &&
		    gc_cbor_field_uint(&f[1], &ci->size) &&
		    gc_cbor_field_bytes(&f[2], &p, &n) && n == 32 &&
		    gc_cbor_field_text(&f[3], &note, &ci->note_len) &&
		    f[4].p != NULL &&
		    (ci->note = gc_alloc(ci->note_len + 1)) != NULL) {
			memcpy(ci->note, note, ci->note_len);
			ci->note[ci->note_len] = '\0';
			memcpy(ci->root, p, 32);
			memcpy(ci->entry, e.id, 32);
			memcpy(ci->feed, e.feed, 32);
			ci->seq = e.seq;
			gc_cbor_cur_init(&c, f[4].p, f[4].len);
			if (gc_cbor_next(&c, &arr) == GC_OK &&
			    arr.type == GC_CBOR_ARRAY && arr.val <= 100000) {
				ci->cut = gc_alloc(sizeof(*ci->cut) *
				    (arr.val ? arr.val : 1));
				rv = ci->cut == NULL ? GC_ENOMEM : GC_OK;
				for (uint64_t i = 0; rv == GC_OK && i < arr.val;
				     i++) {
					if (gc_cbor_next(&c, &it) != GC_OK ||
					    it.type != GC_CBOR_ARRAY ||
					    it.val != 2 ||
					    gc_cbor_next(&c, &x) != GC_OK ||
					    x.type != GC_CBOR_BYTES ||
					    x.val != 32) {
						rv = GC_ECORRUPT;
						break;
					}
					memcpy(ci->cut[i].feed, x.data, 32);
					if (gc_cbor_next(&c, &x) != GC_OK ||
					    x.type != GC_CBOR_UINT) {
						rv = GC_ECORRUPT;
						break;
					}
					ci->cut[i].seq = x.val;
					ci->ncut       = (size_t)i + 1;
				}
			}
		}
	}
	gc_free(l.bytes);
	if (rv != GC_OK) {
		gc_checkpoint_info_release(ci);
		return rv;
	}
	ci->found = true;
	return GC_OK;
}

void
gc_checkpoint_info_release(struct gc_checkpoint_info *ci)
{
	if (ci != NULL) {
		gc_free(ci->cut);
		gc_free(ci->note);
		ci->cut  = NULL;
		ci->note = NULL;
		ci->ncut = 0;
	}
}
