/* export: the entry point of both exports and what they share
 * (export.h, export_int.h). */
#include "node/export_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <xlsxwriter.h>

#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "node/cli.h"
#include "node/merge_view.h"

int
gc_export_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg)
{
	return o->target == GC_EXPORT_SCHOOL ? gc_export_school_run(np, o, pg) :
	                                       gc_export_chsi_run(np, o, pg);
}

bool
gc_export_target_parse(const char *s, enum gc_export_target *out)
{
	if (strcmp(s, "chsi") == 0) {
		*out = GC_EXPORT_CHSI;
	} else if (strcmp(s, "school") == 0) {
		*out = GC_EXPORT_SCHOOL;
	} else {
		return false;
	}
	return true;
}

int
gc__export_check(struct gc_node *np, const struct gc_export_opts *o)
{
	const char *season = o->season, *level = o->level;
	char        path[4300];

	if (np->info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator exports; this node is a %s",
		    gc_role_name(np->info.role));
		return GC_EXIT_FAIL;
	}
	/* the season goes into the signed trusted comment as season=X: a
	 * space or '=' in it could pass for another field */
	if (season != NULL && (season[0] == '\0' || strlen(season) > 48 ||
	    strpbrk(season, " \t\r\n=") != NULL ||
	    !gc_utf8_valid((const uint8_t *)season, strlen(season)))) {
		gc_cli_err("--season '%s': one word of at most 48 bytes, without "
		    "spaces or '=' (e.g. 2026届)", season);
		return GC_EXIT_USAGE;
	}
	if (level != NULL && (level[0] == '\0' ||
	    strpbrk(level, " \t\r\n=") != NULL)) {
		gc_cli_err("--level '%s': a 层次 of the roster, without spaces "
		    "or '='", level);
		return GC_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST", o->out);
	if (access(path, F_OK) == 0) {
		gc_cli_err("%s already holds an export; give a new folder",
		    o->out);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

struct idref {
	const char *id;  /* into the arena, once it has stopped growing */
	size_t      off; /* in the arena */
	size_t      i;
};

static int
idref_cmp(const void *a, const void *b)
{
	const struct idref *x = a, *y = b;
	int                 r = strcmp(x->id, y->id);

	return r != 0 ? r : (x->i > y->i) - (x->i < y->i);
}

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 33);
}

static bool
alerted(const uint8_t (*ah)[33], size_t n, uint8_t kind,
    const uint8_t hash[32])
{
	uint8_t k[33];

	k[0] = kind;
	memcpy(k + 1, hash, 32);
	return n > 0 && bsearch(k, ah, n, 33, hash_cmp) != NULL;
}

/* name can be a file's name in photos/ as it is */
static bool
file_name_ok(const char *name)
{
	if (name[0] == '.') {
		return false;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 ||
		    *p == 0x7f) {
			return false;
		}
	}
	return true;
}

/* A student named in a refusal without its full 证件号码: roster row,
 * name and the number masked. */
static void
scope_who(const struct gc_row *row, char *out, size_t cap)
{
	char masked[GC_ROW_VALUE_MAX];

	gc_idnum_mask(masked, sizeof(masked), row->v[GC_ROW_ID_NUMBER]);
	snprintf(out, cap, "%s (roster row %s, 证件号码 %s)",
	    row->v[GC_ROW_NAME], row->v[GC_ROW_ORDER][0] ? row->v[GC_ROW_ORDER] :
	    "?", masked);
}

/* Two exported students with one name_by value, listed; the count. */
static size_t
scope_dups(struct gc_node *n, const struct gc_merge *m, struct idref *ids,
    size_t nid, const struct gc_buf *arena, enum gc_row_key name_by)
{
	size_t ndup = 0;

	for (size_t i = 0; i < nid; i++) {
		ids[i].id = (const char *)arena->data + ids[i].off;
	}
	if (nid > 1) {
		qsort(ids, nid, sizeof(*ids), idref_cmp);
	}
	for (size_t i = 1; i < nid; i++) {
		struct gc_row other, row;

		if (strcmp(ids[i].id, ids[i - 1].id) != 0 || ndup++ >= 20) {
			continue;
		}
		gc_row_of(n->lg, m->st[ids[i - 1].i].key, &other);
		gc_row_of(n->lg, m->st[ids[i].i].key, &row);
		if (name_by == GC_ROW_ID_NUMBER) {
			gc_cli_note("证件号码 %s: %s (%s) and %s (%s)",
			    ids[i].id, m->st[ids[i - 1].i].key,
			    other.v[GC_ROW_LEVEL], m->st[ids[i].i].key,
			    row.v[GC_ROW_LEVEL]);
		} else {
			char a[512], b[512];

			scope_who(&other, a, sizeof(a));
			scope_who(&row, b, sizeof(b));
			gc_cli_note("学号 %s: %s and %s", ids[i].id, a, b);
		}
	}
	return ndup;
}

static int
export_scope(struct gc_node *n, const struct gc_merge *m, const char *level,
    bool allow, enum gc_row_key name_by, bool need_name,
    struct gc__export_scope *sc)
{
	struct idref  *ids = gc_alloc(sizeof(*ids) * (m->nst + 1));
	uint8_t      (*ah)[33] = gc_alloc(33 * (m->nalert + 1));
	struct gc_buf  arena; /* the in-scope names, NUL-separated */
	struct gc_row  row;
	const char    *label = name_by == GC_ROW_ID_NUMBER ? "证件号码" : "学号";
	size_t         nid = 0, ndup, nnone = 0;
	int            ex  = GC_EXIT_OK;

	memset(sc, 0, sizeof(*sc));
	gc_buf_init(&arena);
	sc->in      = gc_alloc(m->nst + 1);
	sc->blocked = gc_alloc(m->nst + 1);
	if (ids == NULL || ah == NULL || sc->in == NULL || sc->blocked == NULL) {
		gc_cli_err("export: out of memory");
		ex = GC_EXIT_FAIL;
		goto out;
	}
	memset(sc->blocked, 0, m->nst + 1);
	for (size_t i = 0; i < m->nalert; i++) {
		ah[i][0] = (uint8_t)m->alert[i].kind;
		memcpy(ah[i] + 1, m->alert[i].hash, 32);
	}
	if (m->nalert > 1) {
		qsort(ah, m->nalert, 33, hash_cmp);
	}
	for (size_t i = 0; i < m->nst; i++) {
		const struct gc_mstudent *s = &m->st[i];

		gc_row_of(n->lg, s->key, &row);
		sc->in[i] = level == NULL ||
		    strcmp(row.v[GC_ROW_LEVEL], level) == 0;
		if (!sc->in[i]) {
			continue;
		}
		sc->nin++;
		if (row.v[name_by][0] != '\0') {
			ids[nid].off = arena.len;
			ids[nid++].i = i;
			gc_buf_put(&arena, row.v[name_by],
			    strlen(row.v[name_by]) + 1);
		} else if (need_name && nnone++ < 20) {
			char who[512];

			scope_who(&row, who, sizeof(who));
			gc_cli_note("%s: no %s", who, label);
		}
		if (need_name && row.v[name_by][0] != '\0' &&
		    !file_name_ok(row.v[name_by]) && nnone++ < 20) {
			char who[512];

			scope_who(&row, who, sizeof(who));
			gc_cli_note("%s: %s '%s' cannot name a file (a '/', "
			    "'\\', control character or leading '.')", who,
			    label, row.v[name_by]);
		}
		if (s->status == GC_MS_CONFLICT) {
			if (sc->nconf++ < 20) {
				gc_cli_note("CONFLICT %s", s->key);
			}
		} else if (s->status == GC_MS_APPROVED && s->winner >= 0) {
			const struct gc_mcap *c = &m->cap[s->winner];
			bool p = alerted((const uint8_t (*)[33])ah, m->nalert,
			    GC_ALERT_PHOTO, c->photo);
			bool q = c->has_code && alerted((const uint8_t (*)[33])ah,
			    m->nalert, GC_ALERT_CODE, c->code);

			if (p || q) {
				sc->blocked[i] = true;
				if (sc->nblocked++ < 20) {
					gc_cli_note("ALERT %s: its %s is bound "
					    "to another student too", s->key,
					    p ? "photo" : "capture code");
				}
			}
		} else if (s->status == GC_MS_EXEMPT) {
			sc->nexempt++;
		} else if (s->status != GC_MS_APPROVED) {
			sc->nnot++;
		}
	}
	if (gc_buf_status(&arena) != GC_OK) {
		gc_cli_err("export: out of memory");
		ex = GC_EXIT_FAIL;
		goto out;
	}
	if (level != NULL && sc->nin == 0) {
		gc_cli_err("no student on the roster has 层次 '%s'", level);
		ex = GC_EXIT_FAIL;
		goto out;
	}
	if (nnone > 0) {
		gc_cli_err("%zu students have no usable %s (listed above); the "
		    "photos are named by it: correct the roster (gradcap roster "
		    "import); nothing exported", nnone, label);
		ex = GC_EXIT_FAIL;
		goto out;
	}
	/* one name twice: the photos would overwrite each other */
	ndup = scope_dups(n, m, ids, nid, &arena, name_by);
	if (ndup > 0 && name_by == GC_ROW_ID_NUMBER) {
		gc_cli_err("%zu 证件号码 are on the roster twice (listed above); "
		    "the photos are named by it: export each level on its own "
		    "with --level; nothing exported", ndup);
		ex = GC_EXIT_FAIL;
		goto out;
	} else if (ndup > 0) {
		gc_cli_err("%zu %s are on the roster twice (listed above); the "
		    "photos are named by it: correct the roster (or export "
		    "each level on its own with --level); nothing exported",
		    ndup, label);
		ex = GC_EXIT_FAIL;
		goto out;
	}
	if ((sc->nconf > 0 || sc->nblocked > 0) && !allow) {
		gc_cli_err("%zu students have unresolved conflicts and %zu "
		    "approved photos are bound to another student too (listed "
		    "above; 'gradcap conflicts', then 'gradcap resolve' or "
		    "'gradcap void'); nothing exported (--allow-conflicts "
		    "exports without their photos)", sc->nconf, sc->nblocked);
		ex = GC_EXIT_FAIL;
	}
out:
	gc_buf_release(&arena);
	gc_free(ids);
	gc_free(ah);
	return ex;
}

struct vet_arg {
	struct gc_node          *n;
	const char              *level;
	bool                     allow, need_name;
	enum gc_row_key          name_by;
	struct gc__export_scope *sc;
	int                      ex; /* the refusal's exit code */
};

/* The export's checks on the merge the checkpoint is about to sign. */
static gc_err
export_vet(const struct gc_merge *m, void *arg)
{
	struct vet_arg *va = arg;

	va->ex = export_scope(va->n, m, va->level, va->allow, va->name_by,
	    va->need_name, va->sc);
	return va->ex == GC_EXIT_OK ? GC_OK : GC_EINVAL;
}

int
gc__export_open(struct gc_node *np, const struct gc_export_opts *o,
    enum gc_row_key name_by, bool need_name, struct gc__export *x)
{
	struct vet_arg va = { np, o->level, o->allow, need_name, name_by,
		&x->sc, GC_EXIT_OK };
	struct gc_diag d;

	memset(x, 0, sizeof(*x));
	gc_buf_init(&x->note);
	gc_diag_clear(&d);
	/* a checkpoint of exactly what is exported; the checks run on its
	 * merge before it is signed: a refused export signs nothing */
	if (gc_checkpoint_make(np, &x->m, &x->note, x->cpid, export_vet, &va,
	    &d) != GC_OK) {
		if (va.ex == GC_EXIT_OK) {
			gc_cli_err("checkpoint: %s", d.msg);
		}
		return va.ex != GC_EXIT_OK ? va.ex : GC_EXIT_FAIL;
	}
	if (gc_checks_load(np->lg, &x->ck) != GC_OK) {
		gc_cli_err("the students' checks: out of memory");
		return GC_EXIT_FAIL;
	}
	if (mkdir(o->out, 0755) != 0 && errno != EEXIST) {
		gc_cli_err("%s: %s", o->out, strerror(errno));
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

const char *
gc__export_check_cell(const struct gc__export *x, size_t i)
{
	const struct gc_mstudent *s = &x->m->st[i];

	if (s->status != GC_MS_APPROVED || s->winner < 0 || x->sc.blocked[i]) {
		return "";
	}
	return gc_checks_cell(&x->ck, s->key, &x->m->cap[s->winner]);
}

void
gc__export_release(struct gc__export *x)
{
	gc_buf_release(&x->note);
	gc_merge_free(x->m);
	x->m = NULL;
	gc_free(x->sc.in);
	gc_free(x->sc.blocked);
	x->sc.in = x->sc.blocked = NULL;
	gc_checks_release(&x->ck);
}

bool
gc__export_code_cell(gc_ledger *lg, const struct gc_mcap *cap, char *out,
    size_t cap_len)
{
	uint8_t  raw[GC_CAPTURE_CODE_MAX];
	uint64_t len;
	size_t   got;
	bool     text;

	out[0] = '\0';
	if (!cap->has_code) {
		return true;
	}
	if (gc_ledger_blob_size(lg, cap->code, &len) != GC_OK ||
	    len > sizeof(raw) || gc_ledger_blob_read(lg, cap->code, 0, raw,
	    (size_t)len, &got, &len) != GC_OK || got != len) {
		return false;
	}
	text = gc_utf8_valid(raw, got);
	for (size_t i = 0; text && i < got; i++) {
		text = raw[i] >= 0x20 && raw[i] != 0x7f;
	}
	if (text && got < cap_len) {
		memcpy(out, raw, got);
		out[got] = '\0';
	} else if (cap_len > 8 + sodium_base64_ENCODED_LEN(got,
	    sodium_base64_VARIANT_ORIGINAL)) {
		memcpy(out, "base64:", 7);
		sodium_bin2base64(out + 7, cap_len - 7, raw, got,
		    sodium_base64_VARIANT_ORIGINAL);
	}
	return true;
}

void
gc__export_when(const struct gc_mcap *cap, char *out, size_t len)
{
	time_t    t = (time_t)((cap->hlc >> 16) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

uint8_t *
gc__export_photo(struct gc_node *np, const struct gc_mstudent *s,
    const struct gc_mcap *cap, size_t *len)
{
	uint64_t size;
	uint8_t *photo;

	*len = 0;
	if (gc_ledger_blob_size(np->lg, cap->photo, &size) != GC_OK ||
	    (photo = gc_alloc((size_t)size + 1)) == NULL) {
		gc_cli_err("%s: the photo is not held here (sync first)",
		    s->key);
		return NULL;
	}
	gc_ledger_blob_read(np->lg, cap->photo, 0, photo, (size_t)size, len,
	    &size);
	return photo;
}

void
gc__export_row(struct gc_buf *csv, struct lxw_worksheet *ws, uint32_t r,
    const char *const *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (csv != NULL) {
			gc_csv_cell(csv, v[k], k + 1 == n);
		}
		if (ws != NULL) {
			worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)k,
			    v[k], NULL);
		}
	}
}
