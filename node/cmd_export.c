/* gradcap export --out DIR [--allow-conflicts]: the CHSI package
 * (DESIGN §9, docs/export.md):
 *   photos/<证件号码>.jpg        every APPROVED student's photo, as captured
 *   sheets/<证件号码>.jpg        its print sheet (4 × 2寸 + 8 × 1寸 on 6-inch
 *                               paper by default; gradcap.ini [print])
 *   roster.csv (UTF-8, BOM), roster.xlsx   every student: status, file, ...
 *   checkpoint.note, proofs/<证件号码>.proof
 *   MANIFEST (SHA-256 of every file), MANIFEST.minisig, minisign.pub
 * The signature is minisign's (Ed25519 over BLAKE2b-512 of the file, a
 * trusted comment naming school, season and checkpoint) by the school
 * authority's key, so stock `minisign -V` verifies it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <xlsxwriter.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "common/records.h"
#include "capture/sheet.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/export.h"
#include "node/merge_view.h"
#include "node/node.h"
#include "sync/merge.h"

static const char export_usage[] =
    "usage: gradcap export --out DIR [--home DIR] [--allow-conflicts]\n"
    "                      [--level 层次] [--season TEXT] [--passphrase-file F]\n"
    "Writes the CHSI package to DIR (new or empty): the photos of every\n"
    "APPROVED student, the roster sheet (.csv and .xlsx), a new signed\n"
    "checkpoint with a proof per student, MANIFEST and its minisign\n"
    "signature. --level exports the students of one 层次 only (needed when\n"
    "one 证件号码 is on the roster at two levels). Unresolved conflicts, and\n"
    "alerts (one photo or capture code bound to two students), stop it\n"
    "unless --allow-conflicts, which leaves those students' photos out.\n";

/* What the export covers, checked before anything is written: the
 * students of the level asked for, no 证件号码 twice among them (the
 * photos are named by it), and no conflict or alert standing. */
struct scope {
	bool   *in;      /* per student: exported */
	bool   *blocked; /* per student: approved, but bound by an alert */
	size_t  nin, nconf, nblocked, nnot, nexempt;
};

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

static int
export_scope(struct gc_node *n, const struct gc_merge *m, const char *level,
    bool allow, struct scope *sc)
{
	struct idref  *ids = gc_alloc(sizeof(*ids) * (m->nst + 1));
	uint8_t      (*ah)[33] = gc_alloc(33 * (m->nalert + 1));
	struct gc_buf  arena; /* the in-scope 证件号码, NUL-separated */
	struct gc_row  row;
	size_t         nid = 0, ndup = 0;
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
		if (row.v[GC_ROW_ID_NUMBER][0] != '\0') {
			ids[nid].off = arena.len;
			ids[nid++].i = i;
			gc_buf_put(&arena, row.v[GC_ROW_ID_NUMBER],
			    strlen(row.v[GC_ROW_ID_NUMBER]) + 1);
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
	/* one 证件号码 twice: the photos would overwrite each other */
	for (size_t i = 0; i < nid; i++) {
		ids[i].id = (const char *)arena.data + ids[i].off;
	}
	if (nid > 1) {
		qsort(ids, nid, sizeof(*ids), idref_cmp);
	}
	for (size_t i = 1; i < nid; i++) {
		if (strcmp(ids[i].id, ids[i - 1].id) == 0 && ndup++ < 20) {
			struct gc_row other;

			gc_row_of(n->lg, m->st[ids[i - 1].i].key, &other);
			gc_row_of(n->lg, m->st[ids[i].i].key, &row);
			gc_cli_note("证件号码 %s: %s (%s) and %s (%s)",
			    ids[i].id, m->st[ids[i - 1].i].key,
			    other.v[GC_ROW_LEVEL], m->st[ids[i].i].key,
			    row.v[GC_ROW_LEVEL]);
		}
	}
	if (ndup > 0) {
		gc_cli_err("%zu 证件号码 are on the roster twice (listed above); "
		    "the photos are named by it: export each level on its own "
		    "with --level; nothing exported", ndup);
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
	struct gc_node *n;
	const char     *level;
	bool            allow;
	struct scope   *sc;
	int             ex; /* the refusal's exit code */
};

/* The export's checks on the merge the checkpoint is about to sign. */
static gc_err
export_vet(const struct gc_merge *m, void *arg)
{
	struct vet_arg *va = arg;

	va->ex = export_scope(va->n, m, va->level, va->allow, va->sc);
	return va->ex == GC_EXIT_OK ? GC_OK : GC_EINVAL;
}

/* The print sizes of the school profile (gradcap.ini [print] large,
 * small, paper in mm), checked to fit before anything is written. */
static int
print_spec(struct gc_node *n, struct gc_sheet_spec *sp)
{
	static const char *keys[] = { "large", "small", "paper" };
	struct gc_sheet_slot slot[12];
	char                 why[200];
	int                  pw, ph;

	*sp = gc_sheet_default;
	for (int i = 0; i < 3; i++) {
		const char *v = gc_config_get(n->cfg, "print", keys[i], NULL);
		double     *w = i == 0 ? &sp->large_w : i == 1 ? &sp->small_w :
		                                          &sp->paper_w;
		double     *h = i == 0 ? &sp->large_h : i == 1 ? &sp->small_h :
		                                          &sp->paper_h;

		if (v != NULL && !gc_sheet_size_parse(v, w, h)) {
			gc_cli_err("%s/gradcap.ini [print] %s = %s: give width x "
			    "height in mm, e.g. 35x49", n->home, keys[i], v);
			return GC_EXIT_FAIL;
		}
	}
	if (gc_sheet_layout(sp, slot, &pw, &ph, why, sizeof(why)) == 0) {
		gc_cli_err("%s/gradcap.ini [print]: %s", n->home, why);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

static void
scope_free(struct scope *sc)
{
	gc_free(sc->in);
	gc_free(sc->blocked);
}

/* One file of the bundle, for MANIFEST. */
struct mfile {
	char    path[200];
	uint8_t sha[32];
};

struct bundle {
	char          dir[4096];
	struct mfile *f;
	size_t        n;
};

/* Notes a file of the bundle and its SHA-256, for MANIFEST. */
static void
bundle_record(struct bundle *b, const char *rel, const void *data,
    size_t len)
{
	b->f = realloc(b->f, (b->n + 1) * sizeof(*b->f));
	if (b->f == NULL) {
		abort();
	}
	snprintf(b->f[b->n].path, sizeof(b->f[b->n].path), "%s", rel);
	crypto_hash_sha256(b->f[b->n].sha, data, len);
	b->n++;
}

static int
bundle_write(struct bundle *b, const char *rel, const void *data, size_t len)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s", b->dir, rel);
	if (gc_cli_write_file(path, data, len) != GC_EXIT_OK) {
		return -1;
	}
	bundle_record(b, rel, data, len);
	return 0;
}

/* Notes a file someone else wrote (the xlsx), as it is on disk. */
static int
bundle_add(struct bundle *b, const char *rel)
{
	char     path[4300], why[128];
	uint8_t *data;
	size_t   len;

	snprintf(path, sizeof(path), "%s/%s", b->dir, rel);
	data = gc_file_read(path, (size_t)1 << 30, &len, why, sizeof(why));
	if (data == NULL) {
		gc_cli_err("%s: %s", path, why);
		return -1;
	}
	bundle_record(b, rel, data, len);
	gc_free(data);
	return 0;
}

static int
mfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mfile *)a)->path,
	    ((const struct mfile *)b)->path);
}

/* minisign: keyid = the first 8 bytes of SHA-256 of the key. */
static void
minisign_keyid(uint8_t id[8], const uint8_t pk[32])
{
	uint8_t h[32];

	crypto_hash_sha256(h, pk, 32);
	memcpy(id, h, 8);
}

static void
minisign_pub(struct gc_buf *out, const uint8_t pk[32])
{
	uint8_t raw[42];
	char    b64[80];

	raw[0] = 'E';
	raw[1] = 'd';
	minisign_keyid(raw + 2, pk);
	memcpy(raw + 10, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "untrusted comment: minisign public key "
	    "%02X%02X%02X%02X%02X%02X%02X%02X (gradcap school authority)\n%s\n",
	    raw[9], raw[8], raw[7], raw[6], raw[5], raw[4], raw[3], raw[2], b64);
}

/* A prehashed ("ED") minisign signature of data with a trusted comment. */
static void
minisign_sign(struct gc_buf *out, const uint8_t *data, size_t len,
    const char *trusted, const struct gc_key *key)
{
	uint8_t hash[64], sig[74], global[64];
	char    b64[160];
	uint8_t *tbs;
	size_t   tl = strlen(trusted);

	crypto_generichash(hash, 64, data, len, NULL, 0);
	sig[0] = 'E';
	sig[1] = 'D';
	minisign_keyid(sig + 2, key->pk);
	crypto_sign_detached(sig + 10, NULL, hash, 64, key->sk);
	/* the global signature covers the signature and the comment */
	tbs = malloc(64 + tl);
	if (tbs == NULL) {
		abort();
	}
	memcpy(tbs, sig + 10, 64);
	memcpy(tbs + 64, trusted, tl);
	crypto_sign_detached(global, NULL, tbs, 64 + tl, key->sk);
	free(tbs);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "untrusted comment: signature from gradcap\n%s\n"
	    "trusted comment: %s\n", b64, trusted);
	sodium_bin2base64(b64, sizeof(b64), global, sizeof(global),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "%s\n", b64);
}

static const char *cols[] = { "学号", "姓名", "证件类型", "证件号码", "层次",
	"班级", "状态", "文件名", "拍摄时间", "采集点", "采集方式", "学生键",
	"采集码" };

/* A 采集码 cell: the code's text, or "base64:" and its bytes */
#define CODE_CELL_MAX (8 + (GC_CAPTURE_CODE_MAX + 2) / 3 * 4 + 1)

/* codes.csv: the capture code (采集码) of each exported photo, for 学信网 */
static const char *code_cols[] = { "证件号码", "姓名", "文件名", "采集码" };
#define NCODE_COLS (sizeof(code_cols) / sizeof(code_cols[0]))

/* The capture code bound to cap, as a cell: its text when it is printable
 * UTF-8, else "base64:" and its bytes in base64 (opaque either way, never
 * parsed); "" when cap has none. false when cap names a code whose blob
 * is not held here (a capture from before codes were kept whole). */
static bool
code_cell(gc_ledger *lg, const struct gc_mcap *cap, char *out, size_t cap_len)
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
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

int
gc_export_run(struct gc_node *np, const struct gc_export_opts *o,
    struct gc_export_progress *pg)
{
	const char      *out = o->out, *level = o->level, *season = o->season;
	bool             allow = o->allow;
	struct gc_merge *m = NULL;
	struct gc_diag   d;
	struct gc_buf    note, csv, codes, man, sig, pub, pf;
	struct bundle    bd;
	struct gc_names  nm = { NULL, NULL, 0 };
	uint8_t          cpid[32], (*hashes)[32] = NULL;
	char             path[4300], origin[64], root[65], trusted[512];
	size_t           nphotos = 0, nrow = 0, ncodes = 0, ncode_unheld = 0;
	lxw_workbook    *wb = NULL;
	lxw_worksheet   *ws = NULL;
	struct scope     sc;
	struct gc_sheet_spec spec;
	int              ex = GC_EXIT_OK;

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
	snprintf(path, sizeof(path), "%s/MANIFEST", out);
	if (access(path, F_OK) == 0) {
		gc_cli_err("%s already holds an export; give a new folder", out);
		return GC_EXIT_FAIL;
	}
	ex = print_spec(np, &spec);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	/* a checkpoint of exactly what is exported; the checks (level, one
	 * 证件号码, conflicts, alerts) run on its merge before it is signed:
	 * a refused export signs and writes nothing */
	gc_diag_clear(&d);
	gc_buf_init(&note);
	gc_buf_init(&csv);
	gc_buf_init(&codes);
	gc_buf_init(&man);
	gc_buf_init(&sig);
	gc_buf_init(&pub);
	gc_buf_init(&pf);
	memset(&bd, 0, sizeof(bd));
	snprintf(bd.dir, sizeof(bd.dir), "%s", out);
	{
		struct vet_arg va = { np, level, allow, &sc, GC_EXIT_OK };

		memset(&sc, 0, sizeof(sc));
		if (gc_checkpoint_make(np, &m, &note, cpid, export_vet, &va,
		    &d) != GC_OK) {
			if (va.ex == GC_EXIT_OK) {
				gc_cli_err("checkpoint: %s", d.msg);
			}
			ex = va.ex != GC_EXIT_OK ? va.ex : GC_EXIT_FAIL;
			goto done;
		}
	}
	if (mkdir(out, 0755) != 0 && errno != EEXIST) {
		gc_cli_err("%s: %s", out, strerror(errno));
		ex = GC_EXIT_FAIL;
		goto done;
	}
	if (pg != NULL) {
		atomic_store(&pg->total, sc.nin);
	}
	if (sc.nnot > 0) {
		gc_cli_note("note: %zu students are not APPROVED (pending "
		    "review, missing or to retake): listed in roster.csv "
		    "without a photo ('gradcap missing')", sc.nnot);
	}
	if (sc.nexempt > 0) {
		gc_cli_note("note: %zu students are EXEMPT (roster exempt: no "
		    "photo needed): listed in roster.csv as EXEMPT, without a "
		    "photo", sc.nexempt);
	}
	snprintf(path, sizeof(path), "%s/photos", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proofs", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sheets", out);
	mkdir(path, 0755);
	gc_checkpoint_origin(origin, sizeof(origin), np->info.school);
	gc_hex_encode(root, m->root, 32);
	hashes = gc_merge_leaf_hashes(m);
	gc_ledger_enrollments(np->lg, gc_names_cb, &nm);
	snprintf(path, sizeof(path), "%s/roster.xlsx", out);
	wb = workbook_new(path);
	ws = wb != NULL ? workbook_add_worksheet(wb, "学历照片") : NULL;
	if (hashes == NULL || ws == NULL) {
		gc_cli_err("%s: cannot start the workbook (or out of memory)",
		    path);
		ex = GC_EXIT_FAIL;
		goto done;
	}
	gc_buf_put(&csv, "\xef\xbb\xbf", 3);
	gc_buf_put(&codes, "\xef\xbb\xbf", 3);
	for (size_t k = 0; k < NCODE_COLS; k++) {
		gc_csv_cell(&codes, code_cols[k], k + 1 == NCODE_COLS);
	}
	for (size_t k = 0; k < NCOLS; k++) {
		gc_csv_cell(&csv, cols[k], k + 1 == NCOLS);
		worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k], NULL);
	}
	for (size_t i = 0; i < m->nst && ex == GC_EXIT_OK; i++) {
		const struct gc_mstudent *s = &m->st[i];
		struct gc_row             row;
		char                      file[160] = "", when[32] = "";
		char                      code[CODE_CELL_MAX] = "";
		const char               *site = "", *kind = "";
		const char               *v[NCOLS];

		if (!sc.in[i]) {
			continue; /* another level */
		}
		if (pg != NULL) {
			atomic_fetch_add(&pg->done, 1);
		}
		gc_row_of(np->lg, s->key, &row);
		if (s->status == GC_MS_APPROVED && s->winner >= 0 &&
		    !sc.blocked[i]) {
			const struct gc_mcap *cap = &m->cap[s->winner];
			uint64_t              len;
			uint8_t              *photo;
			size_t                got;
			time_t                t = (time_t)((cap->hlc >> 16) / 1000);
			struct tm             tm;
			char                  rel[200];

			snprintf(file, sizeof(file), "%s.jpg",
			    row.v[GC_ROW_ID_NUMBER]);
			snprintf(rel, sizeof(rel), "photos/%s", file);
			if (gc_ledger_blob_size(np->lg, cap->photo, &len) != GC_OK ||
			    (photo = gc_alloc((size_t)len + 1)) == NULL) {
				gc_cli_err("%s: the photo is not held here (sync "
				    "first)", s->key);
				ex = GC_EXIT_FAIL;
				break;
			}
			gc_ledger_blob_read(np->lg, cap->photo, 0, photo,
			    (size_t)len, &got, &len);
			if (bundle_write(&bd, rel, photo, got) != 0) {
				ex = GC_EXIT_FAIL;
			}
			/* the print sheet: 4 × 2寸 + 8 × 1寸 on 6-inch paper */
			gc_buf_reset(&pf);
			if (ex == GC_EXIT_OK &&
			    gc_sheet_render(&spec, photo, got, &pf, &d) == GC_OK) {
				snprintf(rel, sizeof(rel), "sheets/%s", file);
				if (bundle_write(&bd, rel, pf.data, pf.len) != 0) {
					ex = GC_EXIT_FAIL;
				}
			} else if (ex == GC_EXIT_OK) {
				gc_cli_err("%s: print sheet: %s", file,
				    gc_diag_msg(&d, GC_ECORRUPT));
				ex = GC_EXIT_FAIL;
			}
			gc_free(photo);
			nphotos++;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm);
			site = gc_name_of(&nm, cap->feed);
			kind = gc_session_kind_zh((enum gc_session_kind)cap->kind);
			if (!code_cell(np->lg, cap, code, sizeof(code))) {
				ncode_unheld++;
			} else if (code[0] != '\0') {
				const char *cv[NCODE_COLS] = { row.v[GC_ROW_ID_NUMBER],
					row.v[GC_ROW_NAME], file, code };

				for (size_t k = 0; k < NCODE_COLS; k++) {
					gc_csv_cell(&codes, cv[k], k + 1 == NCODE_COLS);
				}
				ncodes++;
			}
		}
		v[0]  = row.v[GC_ROW_STUDENT_NO];
		v[1]  = row.v[GC_ROW_NAME];
		v[2]  = row.v[GC_ROW_ID_TYPE];
		v[3]  = row.v[GC_ROW_ID_NUMBER];
		v[4]  = row.v[GC_ROW_LEVEL];
		v[5]  = row.v[GC_ROW_CLASS];
		v[6]  = sc.blocked[i] ? "ALERT" : gc_mstatus_name(s->status);
		nrow++;
		v[7]  = file;
		v[8]  = when;
		v[9]  = site;
		v[10] = kind;
		/* the leaf's key: the student's first identity, which a
		 * correction leaves as it was (the proof maps it to v[3]) */
		v[11] = s->key;
		v[12] = code;
		for (size_t k = 0; k < NCOLS; k++) {
			gc_csv_cell(&csv, v[k], k + 1 == NCOLS);
			/* text cells: an ID number must never become a number */
			worksheet_write_string(ws, (lxw_row_t)nrow, (lxw_col_t)k,
			    v[k], NULL);
		}
		if (row.v[GC_ROW_ID_NUMBER][0] != '\0') {
			char rel[200];

			gc_buf_reset(&pf);
			gc_proof_write(&pf, m, (const uint8_t (*)[32])hashes, i,
			    origin);
			snprintf(rel, sizeof(rel), "proofs/%s.proof",
			    row.v[GC_ROW_ID_NUMBER]);
			if (bundle_write(&bd, rel, pf.data, pf.len) != 0) {
				ex = GC_EXIT_FAIL;
			}
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		gc_cli_err("%s/roster.xlsx: cannot write", out);
		ex = GC_EXIT_FAIL;
	}
	wb = NULL;
	if (ex != GC_EXIT_OK || bundle_add(&bd, "roster.xlsx") != 0 ||
	    bundle_write(&bd, "roster.csv", csv.data, csv.len) != 0 ||
	    bundle_write(&bd, "codes.csv", codes.data, codes.len) != 0 ||
	    bundle_write(&bd, "checkpoint.note", note.data, note.len) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	/* MANIFEST: sha256sum's format, sorted; then its signature */
	qsort(bd.f, bd.n, sizeof(*bd.f), mfile_cmp);
	for (size_t i = 0; i < bd.n; i++) {
		char hex[65];

		gc_hex_encode(hex, bd.f[i].sha, 32);
		gc_buf_printf(&man, "%s  %s\n", hex, bd.f[i].path);
	}
	/* students= is the checkpoint's size, exported= the rows of
	 * roster.csv (each with its proof): fewer with --level */
	snprintf(trusted, sizeof(trusted), "gradcap export school=%s "
	    "season=%s checkpoint=%s students=%zu exported=%zu photos=%zu "
	    "level=%s", np->info.school, season != NULL ? season : "-", root,
	    m->nst, nrow, nphotos, level != NULL ? level : "-");
	minisign_sign(&sig, man.data, man.len, trusted, np->key);
	minisign_pub(&pub, np->key->pk);
	if (gc_buf_status(&man) != GC_OK || gc_buf_status(&sig) != GC_OK ||
	    bundle_write(&bd, "MANIFEST", man.data, man.len) != 0 ||
	    bundle_write(&bd, "MANIFEST.minisig", sig.data, sig.len) != 0 ||
	    bundle_write(&bd, "minisign.pub", pub.data, pub.len) != 0) {
		ex = GC_EXIT_FAIL;
		goto done;
	}
	if (!o->quiet) {
		printf("exported %zu photos of %zu students to %s\n"
		       "checkpoint %.16s; verify with:\n"
		       "  minisign -V -p %s/minisign.pub -m %s/MANIFEST\n"
		       "  (cd %s && sha256sum -c MANIFEST)\n",
		    nphotos, sc.nin, out, root, out, out, out);
		if (ncodes > 0) {
			printf("%zu capture codes (采集码) listed in %s/codes.csv\n",
			    ncodes, out);
		}
	}
	if (pg != NULL) {
		atomic_store(&pg->photos, nphotos);
	}
	if (ncode_unheld > 0) {
		gc_cli_note("note: %zu exported photos were taken with a capture "
		    "code of which only the hash is held (captured before codes "
		    "were kept whole, or not synced yet): their 采集码 cell is "
		    "empty", ncode_unheld);
	}
	if (sc.nconf > 0 || sc.nblocked > 0) {
		gc_cli_note("%zu conflicted students and %zu approved "
		    "students under an alert exported without a photo "
		    "(--allow-conflicts)", sc.nconf, sc.nblocked);
	}
done:
	if (wb != NULL) {
		workbook_close(wb);
	}
	free(bd.f);
	gc_names_free(&nm);
	gc_free(hashes);
	gc_buf_release(&note);
	gc_buf_release(&csv);
	gc_buf_release(&codes);
	gc_buf_release(&man);
	gc_buf_release(&sig);
	gc_buf_release(&pub);
	gc_buf_release(&pf);
	gc_merge_free(m);
	scope_free(&sc);
	return ex;
}

int
gc_cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		{ "allow-conflicts", no_argument, NULL, 'a' },
		{ "season", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *out = NULL, *passfile = NULL;
	const char      *season = NULL, *level = NULL;
	bool             allow = false;
	struct gc_node   n;
	struct gc_export_opts eo;
	char             path[4300];
	int              c, ex = GC_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'a':
			allow = true;
			break;
		case 's':
			season = optarg;
			break;
		case 'l':
			level = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, export_usage);
		}
	}
	if (out == NULL || optind != argc) {
		fputs(export_usage, stderr);
		return GC_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST", out);
	if (access(path, F_OK) == 0) {
		gc_cli_err("%s already holds an export; give a new folder", out);
		return GC_EXIT_FAIL;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	memset(&eo, 0, sizeof(eo));
	eo.out    = out;
	eo.level  = level;
	eo.season = season;
	eo.allow  = allow;
	ex = gc_export_run(&n, &eo, NULL);
	gc_node_close(&n);
	return ex;
}
