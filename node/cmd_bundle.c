/* gradcap audit verify --bundle DIR --key VKEY: an export bundle checked
 * offline, without any ledger: MANIFEST against every file (and no file
 * outside it), its minisign signature by the key in minisign.pub, which
 * must be the school authority's (VKEY), the signed checkpoint, every
 * student's proof against it, and every photo against the photo hash its
 * proof's leaf commits to (APPROVED leaves only). */
#include <dirent.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "node/cli.h"
#include "common/merkle.h"
#include "sync/note.h"

struct vb {
	const char    *dir;
	struct gc_buf *out;
	bool           json;
	size_t         problems;
	char          *held;  /* "\n<证件号码>\n..." marked ALERT in roster.csv */
	size_t         nheld; /* approved photos held back by an alert */
	struct keynum *keys;  /* roster.csv's 学生键 → 证件号码, by key (NULL for
	                       * an export without the column) */
	size_t         nkeys;
};

static void bad(struct vb *v, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad(struct vb *v, const char *file, const char *fmt, ...)
{
	char    what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (v->problems >= 50) {
		v->problems++; /* counted, not listed */
		return;
	}
	if (v->json) {
		gc_buf_puts(v->out, v->problems ? "," : "");
		gc_buf_puts(v->out, "{\"file\":");
		gc_json_str(v->out, file);
		gc_buf_puts(v->out, ",\"problem\":");
		gc_json_str(v->out, what);
		gc_buf_puts(v->out, "}");
	} else {
		gc_buf_printf(v->out, "BAD %s: %s\n", file, what);
	}
	v->problems++;
}

static uint8_t *
slurp(struct vb *v, const char *rel, size_t *len)
{
	char     path[4300], why[128];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/%s", v->dir, rel);
	p = gc_file_read(path, (size_t)1 << 30, len, why, sizeof(why));
	if (p == NULL) {
		bad(v, rel, "%s", why);
	}
	return p;
}

/* minisign.pub → key id and key. */
static bool
minisign_pub_parse(const char *s, size_t n, uint8_t id[8], uint8_t pk[32])
{
	const char *l2 = memchr(s, '\n', n);
	uint8_t     raw[64];
	size_t      rl;

	if (l2 == NULL || sodium_base642bin(raw, sizeof(raw), l2 + 1,
	    strcspn(l2 + 1, "\r\n"), NULL, &rl, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || rl != 42 ||
	    raw[0] != 'E' || raw[1] != 'd') {
		return false;
	}
	memcpy(id, raw + 2, 8);
	memcpy(pk, raw + 10, 32);
	return true;
}

/* A prehashed minisign signature of data: the file's and the trusted
 * comment's. *trusted points into sig. */
static const char *
minisign_check(const char *sig, size_t sn, const uint8_t *data, size_t dn,
    const uint8_t id[8], const uint8_t pk[32], char *trusted, size_t tcap)
{
	char    l[4][1024];
	size_t  at = 0;
	uint8_t s[80], g[80], h[64], *tbs;
	size_t  sl, gl, tl;
	int     ok;

	for (int i = 0; i < 4; i++) {
		const char *e = memchr(sig + at, '\n', sn - at);
		size_t      k;

		if (e == NULL || (k = (size_t)(e - (sig + at))) >= sizeof(l[i])) {
			return "not a minisign signature file";
		}
		memcpy(l[i], sig + at, k);
		l[i][k] = '\0';
		at += k + 1;
	}
	if (sodium_base642bin(s, sizeof(s), l[1], strlen(l[1]), NULL, &sl,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || sl != 74 ||
	    s[0] != 'E' || s[1] != 'D' ||
	    strncmp(l[2], "trusted comment: ", 17) != 0 ||
	    sodium_base642bin(g, sizeof(g), l[3], strlen(l[3]), NULL, &gl,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || gl != 64) {
		return "not a prehashed (ED) minisign signature";
	}
	if (memcmp(s + 2, id, 8) != 0) {
		return "signed by another key than minisign.pub's";
	}
	crypto_generichash(h, 64, data, dn, NULL, 0);
	if (crypto_sign_verify_detached(s + 10, h, 64, pk) != 0) {
		return "the signature does not match MANIFEST (altered)";
	}
	tl  = strlen(l[2] + 17);
	tbs = malloc(64 + tl);
	if (tbs == NULL) {
		return "out of memory";
	}
	memcpy(tbs, s + 10, 64);
	memcpy(tbs + 64, l[2] + 17, tl);
	ok = crypto_sign_verify_detached(g, tbs, 64 + tl, pk);
	free(tbs);
	if (ok != 0) {
		return "the trusted comment was altered";
	}
	snprintf(trusted, tcap, "%s", l[2] + 17);
	return NULL;
}

struct mline {
	char    path[600];
	uint8_t sha[32];
	bool    seen;
};

static int
mline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mline *)a)->path,
	    ((const struct mline *)b)->path);
}

/* Every regular file under the bundle must be in MANIFEST (the MANIFEST
 * and its signature aside). */
static void
walk(struct vb *v, const char *rel, struct mline *m, size_t nm)
{
	char           path[4300];
	DIR           *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s%s%s", v->dir, rel[0] ? "/" : "", rel);
	d = opendir(path);
	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char         r[600];
		struct mline key, *hit;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue; /* a hidden file is a file: it must be listed */
		}
		snprintf(r, sizeof(r), "%s%s%s", rel, rel[0] ? "/" : "",
		    e->d_name);
		if (e->d_type == DT_DIR) {
			walk(v, r, m, nm);
			continue;
		}
		if (strcmp(r, "MANIFEST") == 0 ||
		    strcmp(r, "MANIFEST.minisig") == 0 ||
		    strcmp(r, "minisign.pub") == 0) {
			continue;
		}
		snprintf(key.path, sizeof(key.path), "%s", r);
		hit = nm > 0 ? bsearch(&key, m, nm, sizeof(*m), mline_cmp) :
		               NULL;
		if (hit == NULL) {
			bad(v, r, "not in MANIFEST (added after the export)");
		}
	}
	closedir(d);
}

/* The 证件号码 of roster.csv: every student's (*all) and those marked
 * ALERT (approved, but the photo or capture code is bound to another
 * student too: the export left the photo out), each "\n<id>\n"-joined;
 * and, where roster.csv has the 学生键 column, which 证件号码 each student
 * key goes out under (v->keys: a student keeps its first key through
 * corrections, so the key's own number may be an old one). roster.csv is
 * in MANIFEST, so what it says is signed. Columns are found by their
 * header; every cell is quoted. */
#define ROSTER_COLS 40
struct keynum {
	char key[80], id[64];
};

static int
keynum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keynum *)a)->key,
	    ((const struct keynum *)b)->key);
}

static void
roster_ids(struct vb *v, char **all, char **held)
{
	size_t        n;
	char         *csv = (char *)slurp(v, "roster.csv", &n), *line, *sv = NULL;
	struct gc_buf a, h;
	int           c_id = 3, c_st = 6, c_key = -1;
	size_t        kcap = 0;
	bool          header = true;

	*all = *held = NULL;
	if (csv == NULL) {
		return;
	}
	gc_buf_init(&a);
	gc_buf_init(&h);
	gc_buf_putc(&a, '\n');
	gc_buf_putc(&h, '\n');
	csv = gc_realloc(csv, n + 1);
	csv[n] = '\0';
	for (line = strtok_r(csv, "\r\n", &sv); line != NULL;
	     line = strtok_r(NULL, "\r\n", &sv)) {
		char *cell[ROSTER_COLS];
		int   nc = 0;
		char *p  = line;

		while (nc < ROSTER_COLS && (p = strchr(p, '"')) != NULL) {
			cell[nc++] = ++p;
			p = strchr(p, '"');
			if (p == NULL) {
				break;
			}
			*p++ = '\0';
		}
		if (header) {
			header = false;
			for (int i = 0; i < nc; i++) {
				const char *t = cell[i];

				if (i == 0 && strncmp(t, "\xef\xbb\xbf", 3) == 0) {
					t += 3;
				}
				c_id  = strcmp(t, "证件号码") == 0 ? i : c_id;
				c_st  = strcmp(t, "状态") == 0 ? i : c_st;
				c_key = strcmp(t, "学生键") == 0 ? i : c_key;
			}
			continue;
		}
		if (nc > c_id && nc > c_st && cell[c_id][0]) {
			gc_buf_printf(&a, "%s\n", cell[c_id]);
			if (strcmp(cell[c_st], "ALERT") == 0) {
				gc_buf_printf(&h, "%s\n", cell[c_id]);
			}
			if (c_key >= 0 && nc > c_key && cell[c_key][0]) {
				if (v->nkeys == kcap) {
					kcap = kcap ? 2 * kcap : 256;
					v->keys = gc_xrealloc(v->keys,
					    kcap * sizeof(*v->keys));
				}
				snprintf(v->keys[v->nkeys].key, 80, "%.79s",
				    cell[c_key]);
				snprintf(v->keys[v->nkeys++].id, 64, "%.63s",
				    cell[c_id]);
			}
		}
	}
	gc_free(csv);
	if (c_key >= 0 && v->keys == NULL) {
		v->keys = gc_xrealloc(NULL, sizeof(*v->keys)); /* the column, empty */
	}
	if (v->nkeys > 1) {
		qsort(v->keys, v->nkeys, sizeof(*v->keys), keynum_cmp);
	}
	if (gc_buf_status(&a) == GC_OK && gc_buf_status(&h) == GC_OK) {
		*all  = strdup(gc_buf_cstr(&a));
		*held = strdup(gc_buf_cstr(&h));
	}
	gc_buf_release(&a);
	gc_buf_release(&h);
}

/* The 证件号码 student key goes out under: from roster.csv's 学生键
 * column, else (an older export) the number inside the key. */
static bool
key_number(const struct vb *v, const char *key, char *out, size_t cap)
{
	char                 tmp[128], *sv = NULL, *id;
	struct keynum        q;
	const struct keynum *hit;

	if (v->keys != NULL) {
		snprintf(q.key, sizeof(q.key), "%.79s", key);
		hit = v->nkeys > 0 ? bsearch(&q, v->keys, v->nkeys,
		    sizeof(*v->keys), keynum_cmp) : NULL;
		if (hit == NULL) {
			return false;
		}
		snprintf(out, cap, "%s", hit->id);
		return true;
	}
	snprintf(tmp, sizeof(tmp), "%s", key);
	strtok_r(tmp, ":", &sv);
	strtok_r(NULL, ":", &sv);
	id = strtok_r(NULL, ":", &sv);
	if (id == NULL) {
		return false;
	}
	snprintf(out, cap, "%s", id);
	return true;
}

/* Checks one proof; for an APPROVED leaf, its photo. */
static void
check_proof(struct vb *v, const char *rel, const char *origin, uint64_t size,
    const uint8_t root[32], size_t *approved)
{
	char               *p, why[256], key[128], id[128], want[160];
	size_t              n, ll;
	uint8_t             leaf[4096];
	struct gc_cbor_cur  c;
	struct gc_cbor_item a, k, st, cid, ph;
	int                 rc;

	p = (char *)slurp(v, rel, &n);
	if (p == NULL) {
		return;
	}
	rc = gc_proof_check(p, n, origin, size, root, leaf, sizeof(leaf), &ll,
	    why, sizeof(why));
	gc_free(p);
	if (rc != 0) {
		bad(v, rel, "%s", why);
		return;
	}
	gc_cbor_cur_init(&c, leaf, ll);
	if (gc_cbor_next(&c, &a) != GC_OK || a.type != GC_CBOR_ARRAY ||
	    a.val != 4 || gc_cbor_next(&c, &k) != GC_OK ||
	    k.type != GC_CBOR_TEXT || gc_cbor_next(&c, &st) != GC_OK ||
	    st.type != GC_CBOR_TEXT || gc_cbor_next(&c, &cid) != GC_OK ||
	    gc_cbor_next(&c, &ph) != GC_OK) {
		bad(v, rel, "the leaf is not [key, status, capture, photo]");
		return;
	}
	if (k.val >= 128) {
		bad(v, rel, "the leaf's student key is too long");
		return;
	}
	memcpy(key, k.data, k.val);
	key[k.val] = '\0';
	/* the proof is named by the 证件号码 its student goes out under */
	if (!key_number(v, key, id, sizeof(id))) {
		bad(v, rel, "the leaf's student %s is not in roster.csv", key);
		return;
	}
	snprintf(want, sizeof(want), "proofs/%s.proof", id);
	if (strcmp(rel, want) != 0) {
		bad(v, rel, "the leaf is of another student (%s, %s)", key, id);
		return;
	}
	if (st.val == 8 && memcmp(st.data, "APPROVED", 8) == 0) {
		char           photo[300];
		const uint8_t *img;
		uint8_t        h[32];
		size_t         il;

		if (ph.type != GC_CBOR_BYTES || ph.val != 32) {
			bad(v, rel, "an APPROVED leaf without a photo hash");
			return;
		}
		snprintf(photo, sizeof(photo), "photos/%s.jpg", id);
		if (v->held != NULL) {
			char pat[140], path[4400];

			snprintf(pat, sizeof(pat), "\n%s\n", id);
			snprintf(path, sizeof(path), "%s/%s", v->dir, photo);
			if (strstr(v->held, pat) != NULL &&
			    access(path, F_OK) != 0) {
				v->nheld++; /* left out by the export: an alert */
				return;
			}
		}
		img = slurp(v, photo, &il);
		if (img == NULL) {
			return;
		}
		crypto_hash_sha256(h, img, il);
		gc_free((void *)img);
		if (memcmp(h, ph.data, 32) != 0) {
			bad(v, photo, "not the photo the signed checkpoint "
			    "approves for %s", key);
			return;
		}
		(*approved)++;
	}
}

/* The value of " name=" in the trusted comment, or -1 when absent or not
 * a number (an export before exported= was signed has none). */
static long long
trusted_count(const char *trusted, const char *name)
{
	char        pat[32];
	const char *p;
	char       *end;
	long long   n;

	snprintf(pat, sizeof(pat), " %s=", name);
	p = strstr(trusted, pat);
	if (p == NULL) {
		return -1;
	}
	p += strlen(pat);
	if (*p < '0' || *p > '9') {
		return -1;
	}
	n = strtoll(p, &end, 10);
	return *end == ' ' || *end == '\0' ? n : -1;
}

/* The signed counts against what the bundle holds: the checkpoint's size
 * (students=), the students of roster.csv and their proofs (exported=,
 * all of them unless a level was exported) and the photos (photos=). */
static void
check_counts(struct vb *v, const char *trusted, uint64_t size,
    const char *all_ids, size_t nproofs, size_t approved)
{
	long long   students = trusted_count(trusted, "students");
	long long   exported = trusted_count(trusted, "exported");
	long long   photos   = trusted_count(trusted, "photos");
	size_t      rows     = 0;
	const char *lv       = strstr(trusted, " level=");
	bool        one_level;

	for (const char *p = all_ids; p != NULL && (p = strchr(p + 1, '\n'));) {
		rows++;
	}
	if (students >= 0 && (uint64_t)students != size) {
		bad(v, "MANIFEST.minisig", "the signed comment says students=%lld, "
		    "checkpoint.note has %llu", students, (unsigned long long)size);
	}
	if (exported >= 0 && ((size_t)exported != rows ||
	    (size_t)exported != nproofs)) {
		bad(v, "MANIFEST.minisig", "the signed comment says exported=%lld, "
		    "the bundle has %zu students in roster.csv and %zu proofs",
		    exported, rows, nproofs);
	}
	/* every level (level=-, or an older export): the whole checkpoint */
	one_level = lv != NULL && !(lv[7] == '-' && (lv[8] == ' ' ||
	    lv[8] == '\0'));
	if (exported >= 0 && !one_level && (uint64_t)exported != size) {
		bad(v, "MANIFEST.minisig", "exported=%lld of students=%llu for "
		    "every level: students are missing", exported,
		    (unsigned long long)size);
	}
	if (photos >= 0 && (size_t)photos != approved) {
		bad(v, "MANIFEST.minisig", "the signed comment says photos=%lld, "
		    "%zu approved photos are in the bundle", photos, approved);
	}
}

int
gc_audit_bundle(const char *dir, const char *vkey, bool json)
{
	struct vb      v;
	struct gc_buf  out;
	char           name[128], origin[128], trusted[1024] = "";
	uint8_t        apk[32], mid[8], mpk[32], root[32];
	uint8_t       *man = NULL, *sig = NULL, *pub = NULL, *cp = NULL;
	size_t         manl, sigl, publ, cpl, tl, nm = 0, approved = 0;
	size_t         nproofs = 0;
	char          *all_ids = NULL;
	struct mline  *m = NULL;
	uint64_t       size = 0;
	const char    *why;
	bool           cp_ok = false;

	if (gc_note_vkey_parse(vkey, name, sizeof(name), apk) != GC_OK) {
		gc_cli_err("--key %s: not a verifier key ('gradcap audit key')",
		    vkey);
		return GC_EXIT_USAGE;
	}
	gc_buf_init(&out);
	v.held     = NULL;
	v.keys     = NULL;
	v.nkeys    = 0;
	v.nheld    = 0;
	v.dir      = dir;
	v.out      = &out;
	v.json     = json;
	v.problems = 0;
	gc_buf_puts(&out, json ? "{\"problems\":[" : "");
	/* the signature of MANIFEST, by the authority */
	man = slurp(&v, "MANIFEST", &manl);
	sig = slurp(&v, "MANIFEST.minisig", &sigl);
	pub = slurp(&v, "minisign.pub", &publ);
	if (pub != NULL && !minisign_pub_parse((char *)pub, publ, mid, mpk)) {
		bad(&v, "minisign.pub", "not a minisign public key");
	} else if (pub != NULL && memcmp(mpk, apk, 32) != 0) {
		bad(&v, "minisign.pub", "not the school authority's key "
		    "(--key)");
	} else if (man != NULL && sig != NULL && pub != NULL &&
	    (why = minisign_check((char *)sig, sigl, man, manl, mid, mpk,
	        trusted, sizeof(trusted))) != NULL) {
		bad(&v, "MANIFEST.minisig", "%s", why);
	} else if (strncmp(trusted, "gradcap export-school ", 22) == 0) {
		/* signed by the authority as the school's package, which has
		 * no proofs and names photos by 学号 */
		gc_cli_err("%s is the school's package (gradcap export --for "
		    "school), not a CHSI package: check it with 'minisign -V "
		    "-p %s/minisign.pub -m %s/MANIFEST' and '(cd %s && "
		    "sha256sum -c MANIFEST)' (docs/export.md)", dir, dir, dir,
		    dir);
		gc_buf_release(&out);
		gc_free(man);
		gc_free(sig);
		gc_free(pub);
		return GC_EXIT_FAIL;
	}
	/* every file against MANIFEST */
	for (size_t at = 0; man != NULL && at < manl;) {
		const char  *e = memchr(man + at, '\n', manl - at);
		size_t       k = e ? (size_t)(e - (char *)(man + at)) : 0;
		struct mline ml;

		char hex[65];

		if (e != NULL && k >= 64) {
			memcpy(hex, man + at, 64);
			hex[64] = '\0';
		}
		if (e == NULL || k < 67 || k - 66 >= sizeof(ml.path) ||
		    !gc_hex_decode(ml.sha, 32, hex) ||
		    man[at + 64] != ' ' || man[at + 65] != ' ') {
			bad(&v, "MANIFEST", "line %zu is not '<sha256>  <file>'",
			    nm + 1);
			break;
		}
		memcpy(ml.path, man + at + 66, k - 66);
		ml.path[k - 66] = '\0';
		ml.seen         = false;
		m = realloc(m, (nm + 1) * sizeof(*m));
		if (m == NULL) {
			abort();
		}
		m[nm++] = ml;
		at += k + 1;
	}
	if (nm > 0) {
		qsort(m, nm, sizeof(*m), mline_cmp);
	}
	for (size_t i = 0; i < nm; i++) {
		uint8_t *f;
		size_t   fl;
		uint8_t  h[32];

		if (strstr(m[i].path, "..") != NULL || m[i].path[0] == '/') {
			bad(&v, m[i].path, "a path outside the bundle");
			continue;
		}
		f = slurp(&v, m[i].path, &fl);
		if (f == NULL) {
			continue;
		}
		crypto_hash_sha256(h, f, fl);
		gc_free(f);
		if (memcmp(h, m[i].sha, 32) != 0) {
			bad(&v, m[i].path, "its SHA-256 differs from MANIFEST's "
			    "(altered after the export)");
		}
	}
	walk(&v, "", m, nm);
	/* the checkpoint, then each proof and photo */
	roster_ids(&v, &all_ids, &v.held);
	cp = slurp(&v, "checkpoint.note", &cpl);
	if (cp != NULL) {
		if (gc_note_verify((char *)cp, cpl, name, apk, &tl, NULL) !=
		    GC_OK || gc_checkpoint_parse((char *)cp, tl, origin,
		    sizeof(origin), &size, root) != GC_OK) {
			bad(&v, "checkpoint.note", "not a checkpoint signed by the "
			    "school authority");
		} else {
			cp_ok = true;
		}
	}
	for (size_t i = 0; cp_ok && i < nm; i++) {
		if (strncmp(m[i].path, "proofs/", 7) == 0) {
			check_proof(&v, m[i].path, origin, size, root, &approved);
			nproofs++;
		}
	}
	/* every student of roster.csv has its proof in MANIFEST */
	for (const char *p = all_ids; p != NULL && *p; ) {
		const char  *e = strchr(p + 1, '\n');
		struct mline key, *hit;

		if (e == NULL) {
			break;
		}
		if (e > p + 1) {
			snprintf(key.path, sizeof(key.path), "proofs/%.*s.proof",
			    (int)(e - p - 1), p + 1);
			hit = nm > 0 ? bsearch(&key, m, nm, sizeof(*m),
			    mline_cmp) : NULL;
			if (hit == NULL) {
				bad(&v, "roster.csv", "student %.*s has no proof in "
				    "MANIFEST", (int)(e - p - 1), p + 1);
			}
		}
		p = e;
	}
	if (cp_ok && trusted[0]) {
		check_counts(&v, trusted, size, all_ids, nproofs, approved);
	}
	if (json) {
		gc_buf_printf(&out, "],\"ok\":%s,\"problem_count\":%zu,"
		    "\"files\":%zu,\"proofs\":%zu,\"approved_photos\":%zu,"
		    "\"held_by_alert\":%zu,\"trusted_comment\":",
		    v.problems == 0 ? "true" : "false", v.problems, nm, nproofs,
		    approved, v.nheld);
		gc_json_str(&out, trusted[0] ? trusted : NULL);
		gc_buf_puts(&out, "}\n");
	} else {
		gc_buf_printf(&out, "%s: %zu files in MANIFEST, %zu proofs, %zu "
		    "approved photos checked against the signed checkpoint\n",
		    dir, nm, nproofs, approved);
		if (v.nheld > 0) {
			gc_buf_printf(&out, "%zu approved photos left out by the "
			    "export (ALERT in roster.csv: the photo or capture "
			    "code is bound to another student too)\n", v.nheld);
		}
		if (trusted[0]) {
			gc_buf_printf(&out, "signed: %s\n", trusted);
		}
		if (v.problems > 50) {
			gc_buf_printf(&out, "... and %zu more problems\n",
			    v.problems - 50);
		}
		gc_buf_puts(&out, v.problems == 0 ? "bundle: everything holds\n" :
		    "bundle: PROBLEMS FOUND (above)\n");
	}
	gc_cli_write(&out);
	gc_buf_release(&out);
	gc_free(man);
	gc_free(sig);
	gc_free(pub);
	gc_free(cp);
	free(v.held);
	gc_free(v.keys);
	free(all_ids);
	free(m);
	return v.problems == 0 ? GC_EXIT_OK : GC_EXIT_VERIFY;
}
