/* Checkpoints, inclusion and consistency proofs of the authoritative set:
 *   gradcap checkpoint [--out FILE]                 (coordinator)
 *   gradcap audit key
 *   gradcap audit prove STUDENT [--out FILE]
 *   gradcap audit check-proof PROOF --checkpoint FILE --key VKEY
 *   gradcap audit prove-consistency --old OLD [--new NEW] [--out FILE]
 *   gradcap audit check-consistency PROOF --old OLD --new NEW --key VKEY
 * The checkpoint is a C2SP signed note (Ed25519) over a tlog checkpoint
 * with one extension line, the checkpoint history log's size and root;
 * proofs are RFC 9162 inclusion and consistency proofs; Go's sumdb/note
 * and sumdb/tlog verify them all (tests/integration/proofs.sh). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/entry.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "node/cli.h"
#include "node/merge_view.h"
#include "node/node.h"
#include "sync/audit.h"
#include "sync/merge.h"
#include "common/merkle.h"
#include "sync/note.h"

#define PROOF_MAGIC "gradcap inclusion proof v1"
#define CONS_MAGIC  "gradcap consistency proof v1"
#define HIST_TAG    "history "

void
gc_checkpoint_origin(char *out, size_t cap, const char *school)
{
	snprintf(out, cap, "gradcap/%s", school);
}

uint8_t (*gc_merge_leaf_hashes(const struct gc_merge *m))[32]
{
	uint8_t (*h)[32] = gc_alloc(32 * (m->nst > 0 ? m->nst : 1));
	struct gc_buf b;

	if (h == NULL) {
		return NULL;
	}
	gc_buf_init(&b);
	for (size_t i = 0; i < m->nst; i++) {
		gc_buf_reset(&b);
		gc_merge_leaf(m, i, &b);
		gc_merkle_leaf_hash(h[i], b.data, b.len);
	}
	gc_buf_release(&b);
	return h;
}

void
gc_proof_write(struct gc_buf *pf, const struct gc_merge *m,
    const uint8_t (*h)[32], size_t idx, const char *origin)
{
	uint8_t       proof[64][32];
	size_t        len = 0;
	struct gc_buf leaf;
	char          b64[4096];

	gc_merkle_inclusion(proof, &len, h, m->nst, idx);
	gc_buf_init(&leaf);
	gc_merge_leaf(m, idx, &leaf);
	sodium_bin2base64(b64, sizeof(b64), leaf.data, leaf.len,
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(pf, PROOF_MAGIC "\n%s\n%zu\n%zu\n%s\n", origin, m->nst,
	    idx, b64);
	for (size_t i = 0; i < len; i++) {
		sodium_bin2base64(b64, sizeof(b64), proof[i], 32,
		    sodium_base64_VARIANT_ORIGINAL);
		gc_buf_printf(pf, "%s\n", b64);
	}
	gc_buf_release(&leaf);
}

/* ---- the checkpoint history log (docs/merge.md) ----
 * An append-only RFC 9162 tree whose leaf i is checkpoint number i of the
 * authority's feed (its CHECKPOINT entries in seq order): the CBOR array
 * [i, set size, set root]. Checkpoint k signs the history of size k + 1,
 * its own leaf included. */

static void
hist_leaf(struct gc_buf *b, uint64_t i, uint64_t size, const uint8_t root[32])
{
	gc_cbor_array(b, 3);
	gc_cbor_uint(b, i);
	gc_cbor_uint(b, size);
	gc_cbor_bytes(b, root, 32);
}

/* Decodes a history leaf (exactly one deterministic [uint, uint, bstr 32]);
 * false when it is anything else. */
static bool
hist_leaf_decode(const uint8_t *leaf, size_t len, uint64_t *i, uint64_t *size,
    uint8_t root[32])
{
	struct gc_cbor_cur  c;
	struct gc_cbor_item a, x, y, r;

	if (gc_cbor_scan(leaf, len, NULL) != GC_OK) {
		return false;
	}
	gc_cbor_cur_init(&c, leaf, len);
	if (gc_cbor_next(&c, &a) != GC_OK || a.type != GC_CBOR_ARRAY ||
	    a.val != 3 || gc_cbor_next(&c, &x) != GC_OK ||
	    x.type != GC_CBOR_UINT || gc_cbor_next(&c, &y) != GC_OK ||
	    y.type != GC_CBOR_UINT || gc_cbor_next(&c, &r) != GC_OK ||
	    r.type != GC_CBOR_BYTES || r.val != 32) {
		return false;
	}
	*i    = x.val;
	*size = y.val;
	memcpy(root, r.data, 32);
	return true;
}

/* A decimal number of n bytes: digits only, no sign, no leading zero. */
static bool
parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 19 || (s[0] == '0' && n > 1)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

/* One base64 (standard, padded) 32-byte hash of n bytes. */
static bool
parse_hash(const char *s, size_t n, uint8_t h[32])
{
	size_t hl;

	return sodium_base642bin(h, 32, s, n, NULL, &hl, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && hl == 32;
}

/* The history line among a checkpoint text's extension lines (those after
 * the root line, up to a blank line or the end): "history <size> <base64
 * root>". 1 found, 0 none, -1 malformed. */
static int
hist_line_parse(const char *text, size_t len, uint64_t *size, uint8_t root[32])
{
	const char *p = text, *end = text + len;
	int         line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp;

		if (eol == NULL) {
			eol = end;
		}
		if (eol == p) {
			break; /* the blank line before the signatures */
		}
		if (line >= 3 && (size_t)(eol - p) > strlen(HIST_TAG) &&
		    memcmp(p, HIST_TAG, strlen(HIST_TAG)) == 0) {
			p += strlen(HIST_TAG);
			sp = memchr(p, ' ', (size_t)(eol - p));
			return sp != NULL && parse_u64(p, (size_t)(sp - p),
			    size) && parse_hash(sp + 1, (size_t)(eol - sp - 1),
			    root) ? 1 : -1;
		}
		if (eol == end) {
			break;
		}
		p = eol + 1;
		line++;
	}
	return 0;
}

/* One CHECKPOINT entry as the history sees it. */
struct hist_cp {
	uint8_t  id[32];
	uint64_t seq;
	bool     leaf; /* keys 1 and 2 read: it has a leaf */
	uint64_t size;
	uint8_t  root[32];
	int      ext; /* keys 5 and 6: 1 both, 0 neither, -1 malformed */
	uint64_t hsize;
	uint8_t  hroot[32];
	int      line; /* the note's history line: 1, 0 or -1 */
	uint64_t lsize;
	uint8_t  lroot[32];
};

struct hist {
	struct hist_cp *cp;
	uint8_t (*lh)[32]; /* leaf hashes, while every leaf before is there */
	size_t          n, cap;
	bool            oom;
};

static bool
hist_grow(struct hist *h)
{
	if (h->n == h->cap) {
		size_t          cap = h->cap ? h->cap * 2 : 16;
		struct hist_cp *cp  = gc_realloc(h->cp, cap * sizeof(*cp));
		uint8_t (*lh)[32];

		if (cp == NULL) {
			return false;
		}
		h->cp = cp;
		lh    = gc_realloc(h->lh, cap * 32);
		if (lh == NULL) {
			return false;
		}
		h->lh  = lh;
		h->cap = cap;
	}
	return true;
}

static int
hist_cb(const struct gc_entry *e, void *arg)
{
	struct hist         *h = arg;
	struct hist_cp      *cp;
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[7];
	struct gc_buf        leaf;
	const uint8_t       *p;
	const char          *note;
	size_t               len;
	bool                 ok;

	if (e->kind != GC_KIND_CHECKPOINT) {
		return 0;
	}
	if (!hist_grow(h)) {
		h->oom = true;
		return 1;
	}
	cp = &h->cp[h->n];
	memset(cp, 0, sizeof(*cp));
	memcpy(cp->id, e->id, 32);
	cp->seq = e->seq;
	gc_cbor_cur_init(&c, e->body, e->body_len);
	ok = gc_cbor_map_fields(&c, f, 7) == GC_OK;
	if (ok && gc_cbor_field_uint(&f[1], &cp->size) &&
	    gc_cbor_field_bytes(&f[2], &p, &len) && len == 32) {
		cp->leaf = true;
		memcpy(cp->root, p, 32);
	}
	if (ok && f[5].p == NULL && f[6].p == NULL) {
		cp->ext = 0;
	} else if (ok && gc_cbor_field_uint(&f[5], &cp->hsize) &&
	    gc_cbor_field_bytes(&f[6], &p, &len) && len == 32) {
		cp->ext = 1;
		memcpy(cp->hroot, p, 32);
	} else {
		cp->ext = -1;
	}
	if (ok && gc_cbor_field_text(&f[3], &note, &len)) {
		cp->line = hist_line_parse(note, len, &cp->lsize, cp->lroot);
	}
	memset(h->lh[h->n], 0, 32);
	if (cp->leaf) {
		gc_buf_init(&leaf);
		hist_leaf(&leaf, h->n, cp->size, cp->root);
		if (gc_buf_status(&leaf) != GC_OK) {
			gc_buf_release(&leaf);
			h->oom = true;
			return 1;
		}
		gc_merkle_leaf_hash(h->lh[h->n], leaf.data, leaf.len);
		gc_buf_release(&leaf);
	}
	h->n++;
	return 0;
}

static void
hist_release(struct hist *h)
{
	gc_free(h->cp);
	gc_free(h->lh);
	memset(h, 0, sizeof(*h));
}

/* The CHECKPOINT entries of the authority's feed, in order (none when
 * this node knows no authority). GC_ENOMEM, or the ledger's error. */
static gc_err
hist_load(gc_ledger *lg, struct hist *h)
{
	struct gc_ledger_info info;
	gc_err                rv;

	memset(h, 0, sizeof(*h));
	rv = gc_ledger_info(lg, &info);
	if (rv == GC_OK && info.enrolled) {
		rv = gc_ledger_foreach(lg, info.authority, hist_cb, h);
	}
	if (rv == GC_OK && h->oom) {
		rv = GC_ENOMEM;
	}
	if (rv != GC_OK) {
		hist_release(h);
	}
	return rv;
}

/* How many checkpoints from the first have their leaf: the history can be
 * recomputed up to that size. */
static size_t
hist_whole(const struct hist *h)
{
	size_t i = 0;

	while (i < h->n && h->cp[i].leaf) {
		i++;
	}
	return i;
}

static void
hist_root(uint8_t out[32], const struct hist *h, size_t size)
{
	gc_merkle_root(out, (const uint8_t (*)[32])h->lh, size);
}


struct cut_arg {
	struct gc_merge_cut *v;
	size_t               n;
};

static int
cut_cb(const struct gc_head *h, void *arg)
{
	struct cut_arg *a = arg;

	a->v = realloc(a->v, (a->n + 1) * sizeof(*a->v));
	if (a->v == NULL) {
		abort(); /* one per feed: a few hundred */
	}
	memcpy(a->v[a->n].feed, h->feed, 32);
	a->v[a->n].seq = h->seq;
	a->n++;
	return 0;
}

static const char checkpoint_usage[] =
    "usage: gradcap checkpoint [--home DIR] [--out FILE] "
    "[--passphrase-file F]\n"
    "Signs the authoritative set: a CHECKPOINT entry, and the checkpoint\n"
    "as a C2SP signed note in FILE (default <home>/checkpoint.note).\n";

int
gc_cmd_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *out = NULL, *passfile = NULL;
	struct gc_node   n;
	struct gc_merge *m;
	struct gc_diag   d;
	struct gc_buf    note;
	char             path[4200], hex[65];
	uint8_t          id[32];
	int              c, ex;
	gc_err           rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, checkpoint_usage);
		}
	}
	if (optind != argc) {
		fputs(checkpoint_usage, stderr);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator signs checkpoints; this node is "
		    "a %s", gc_role_name(n.info.role));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_diag_clear(&d);
	gc_buf_init(&note);
	rv = gc_checkpoint_make(&n, &m, &note, id, NULL, NULL, &d);
	if (rv != GC_OK) {
		gc_cli_err("checkpoint: %s", gc_diag_msg(&d, rv));
		ex = GC_EXIT_FAIL;
	} else {
		snprintf(path, sizeof(path), "%s", out != NULL ? out : "");
		if (out == NULL) {
			snprintf(path, sizeof(path), "%s/checkpoint.note",
			    n.home);
		}
		ex = gc_cli_write_file(path, (const char *)note.data, note.len);
		gc_hex_encode(hex, id, 32);
		if (ex == GC_EXIT_OK) {
			ex = gc_cli_write(&note);
			fprintf(stderr, "signed CHECKPOINT entry %s over %zu "
			    "students; wrote %s\n", hex, m->nst, path);
		}
	}
	gc_buf_release(&note);
	gc_merge_free(m);
	gc_node_close(&n);
	return ex;
}

gc_err
gc_checkpoint_make(struct gc_node *n, struct gc_merge **mout,
    struct gc_buf *note, uint8_t id[32],
    gc_err (*vet)(const struct gc_merge *m, void *arg), void *vet_arg,
    struct gc_diag *d)
{
	struct gc_merge *m;
	struct gc_buf    text, body, leaf;
	struct cut_arg   cut = { NULL, 0 };
	struct hist      h;
	char             origin[64], b64[64], hex[65];
	uint8_t          hroot[32];
	size_t           k;
	gc_err           rv;

	*mout = NULL;
	/* the history so far: this checkpoint is its next leaf */
	rv = hist_load(n->lg, &h);
	if (rv != GC_OK) {
		gc_diag_set(d, "reading the checkpoint history: %s",
		    gc_strerror(rv));
		return rv;
	}
	k = h.n;
	if (hist_whole(&h) != k) {
		gc_hex_encode(hex, h.cp[hist_whole(&h)].id, 32);
		gc_diag_set(d, "CHECKPOINT entry %.16s lacks its set size or "
		    "root: the checkpoint history cannot be extended", hex);
		hist_release(&h);
		return GC_ECORRUPT;
	}
	if (!hist_grow(&h)) {
		hist_release(&h);
		return GC_ENOMEM;
	}
	/* the entries held now, and the merge over exactly those: what the
	 * checkpoint covers goes into it, so an auditor recomputes the same */
	gc_ledger_heads(n->lg, cut_cb, &cut);
	rv = gc_merge_node_cut(n, cut.v, cut.n, &m, d);
	if (rv == GC_OK && vet != NULL && (rv = vet(m, vet_arg)) != GC_OK) {
		gc_merge_free(m); /* refused: nothing signed, nothing stored */
	}
	if (rv != GC_OK) {
		hist_release(&h);
		free(cut.v);
		return rv;
	}
	gc_buf_init(&leaf);
	hist_leaf(&leaf, k, m->nst, m->root);
	gc_merkle_leaf_hash(h.lh[k], leaf.data, leaf.len);
	hist_root(hroot, &h, k + 1);
	gc_checkpoint_origin(origin, sizeof(origin), n->info.school);
	gc_buf_init(&text);
	gc_buf_init(&body);
	gc_checkpoint_text(&text, origin, m->nst, m->root);
	sodium_bin2base64(b64, sizeof(b64), hroot, 32,
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(&text, HIST_TAG "%zu %s\n", k + 1, b64);
	gc_note_sign(note, gc_buf_cstr(&text), origin, n->key);
	gc_cbor_map(&body, 7);
	gc_cbor_uint(&body, 0);
	gc_cbor_text(&body, origin);
	gc_cbor_uint(&body, 1);
	gc_cbor_uint(&body, m->nst);
	gc_cbor_uint(&body, 2);
	gc_cbor_bytes(&body, m->root, 32);
	gc_cbor_uint(&body, 3);
	gc_cbor_textn(&body, (const char *)note->data, note->len);
	gc_cbor_uint(&body, 4); /* what it covered: feed → seq */
	gc_cbor_array(&body, cut.n);
	for (size_t i = 0; i < cut.n; i++) {
		gc_cbor_array(&body, 2);
		gc_cbor_bytes(&body, cut.v[i].feed, 32);
		gc_cbor_uint(&body, cut.v[i].seq);
	}
	gc_cbor_uint(&body, 5); /* the checkpoint history: size, root */
	gc_cbor_uint(&body, k + 1);
	gc_cbor_uint(&body, 6);
	gc_cbor_bytes(&body, hroot, 32);
	rv = gc_buf_status(note);
	if (rv == GC_OK) {
		rv = gc_buf_status(&leaf);
	}
	if (rv == GC_OK) {
		rv = gc_ledger_append_body(n->lg, GC_KIND_CHECKPOINT, &body, id,
		    d);
	}
	gc_buf_release(&text);
	gc_buf_release(&body);
	gc_buf_release(&leaf);
	hist_release(&h);
	free(cut.v);
	if (rv != GC_OK) {
		gc_merge_free(m);
		return rv;
	}
	*mout = m;
	return GC_OK;
}

/* ---- audit ---- */

static const char audit_usage[] =
    "usage: gradcap audit verify [--home DIR] [--key VKEY] [--json]\n"
    "       gradcap audit verify --bundle DIR --key VKEY [--json]\n"
    "       gradcap audit key [--home DIR]\n"
    "       gradcap audit prove [--home DIR] STUDENT [--out FILE]\n"
    "       gradcap audit check-proof PROOF --checkpoint FILE --key VKEY\n"
    "       gradcap audit prove-consistency [--home DIR] --old OLD.note\n"
    "           [--new NEW.note] [--out FILE]\n"
    "       gradcap audit check-consistency PROOF --old OLD.note\n"
    "           --new NEW.note --key VKEY\n"
    "  verify       every signature, chain link, enrollment, revocation\n"
    "               and blob hash; forks; the latest checkpoint's signature\n"
    "               and its root recomputed (exit 4 naming each problem);\n"
    "               --key: the school's key the node's authority must be\n"
    "  --bundle     an export checked offline: MANIFEST and every file,\n"
    "               its minisign signature by the authority, the signed\n"
    "               checkpoint, every proof, every photo against its leaf\n"
    "  key          the verifier key of the school's checkpoints\n"
    "  prove        an RFC 9162 inclusion proof of STUDENT's leaf in the\n"
    "               latest checkpoint (the set must not have changed since)\n"
    "  check-proof  verifies a proof offline against a signed checkpoint\n"
    "  prove-consistency  RFC 9162 proofs that NEW's checkpoint history\n"
    "               extends OLD's and holds OLD (default NEW: the latest)\n"
    "  check-consistency  verifies such a proof offline against the two\n"
    "               signed checkpoints\n";

static int
audit_prove(const char *home, const char *ref, const char *out)
{
	struct gc_node   n;
	struct gc_merge *m;
	struct gc_diag   d;
	struct gc_checkpoint_info ci;
	struct gc_buf    pf;
	gc_err           rv;
	uint8_t (*h)[32] = NULL;
	char             origin[64], key[80];
	size_t           idx = SIZE_MAX;
	int              ex;

	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	if (gc_ledger_student_find(n.lg, ref, key, &d) != GC_OK) {
		gc_cli_err("student %s: %s", ref, d.msg);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (gc_checkpoint_latest(n.lg, &ci) != GC_OK || !ci.found) {
		gc_cli_err("no checkpoint yet: the coordinator runs 'gradcap "
		    "checkpoint'");
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	/* the set as the checkpoint covered it, whatever came since */
	rv = gc_merge_node_cut(&n, ci.cut, ci.ncut, &m, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		gc_checkpoint_info_release(&ci);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (m->nst != ci.size || memcmp(m->root, ci.root, 32) != 0) {
		gc_cli_err("this node's entries do not reproduce the latest "
		    "checkpoint (it may not hold all it covered: sync; or run "
		    "'gradcap audit verify')");
		gc_checkpoint_info_release(&ci);
		gc_merge_free(m);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_checkpoint_info_release(&ci);
	for (size_t i = 0; i < m->nst; i++) {
		if (strcmp(m->st[i].key, key) == 0) {
			idx = i;
		}
	}
	h = gc_merge_leaf_hashes(m);
	if (h == NULL || idx == SIZE_MAX) {
		gc_cli_err("student %s is not in the set", key);
		gc_free(h);
		gc_merge_free(m);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_checkpoint_origin(origin, sizeof(origin), n.info.school);
	gc_buf_init(&pf);
	gc_proof_write(&pf, m, (const uint8_t (*)[32])h, idx, origin);
	if (out != NULL) {
		ex = gc_cli_write_file(out, (const char *)pf.data, pf.len);
	} else {
		ex = gc_cli_write(&pf);
	}
	gc_buf_release(&pf);
	gc_free(h);
	gc_merge_free(m);
	gc_node_close(&n);
	return ex;
}

bool
gc_cli_next_line(const char *s, size_t len, size_t *at, char *out,
    size_t cap)
{
	const char *e;
	size_t      n;

	if (*at >= len) {
		return false;
	}
	e = memchr(s + *at, '\n', len - *at);
	if (e == NULL) {
		return false;
	}
	n = (size_t)(e - (s + *at));
	if (n >= cap) {
		return false;
	}
	memcpy(out, s + *at, n);
	out[n] = '\0';
	*at += n + 1;
	return true;
}

int
gc_proof_check(const char *pf, size_t pl, const char *origin, uint64_t size,
    const uint8_t root[32], uint8_t *leaf, size_t leafcap, size_t *ll,
    char *why, size_t whylen)
{
	char     line[4200], porigin[128];
	uint8_t  lh[32], hashes[64][32];
	size_t   at = 0, nh = 0, hl;
	uint64_t psize, idx;

	if (!gc_cli_next_line(pf, pl, &at, line, sizeof(line)) ||
	    strcmp(line, PROOF_MAGIC) != 0 ||
	    !gc_cli_next_line(pf, pl, &at, porigin, sizeof(porigin)) ||
	    !gc_cli_next_line(pf, pl, &at, line, sizeof(line)) ||
	    sscanf(line, "%" SCNu64, &psize) != 1 ||
	    !gc_cli_next_line(pf, pl, &at, line, sizeof(line)) ||
	    sscanf(line, "%" SCNu64, &idx) != 1 ||
	    !gc_cli_next_line(pf, pl, &at, line, sizeof(line)) ||
	    sodium_base642bin(leaf, leafcap, line, strlen(line), NULL, ll,
	        NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		snprintf(why, whylen, "not a gradcap inclusion proof");
		return -1;
	}
	while (gc_cli_next_line(pf, pl, &at, line, sizeof(line))) {
		if (nh == 64 || sodium_base642bin(hashes[nh], 32, line,
		    strlen(line), NULL, &hl, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0 || hl != 32) {
			snprintf(why, whylen, "not a gradcap inclusion proof "
			    "(a hash line is malformed)");
			return -1;
		}
		nh++;
	}
	if (strcmp(porigin, origin) != 0 || psize != size) {
		snprintf(why, whylen, "the proof is for %s of size %" PRIu64
		    ", the checkpoint is %s of size %" PRIu64, porigin, psize,
		    origin, size);
		return -1;
	}
	gc_merkle_leaf_hash(lh, leaf, *ll);
	if (gc_merkle_verify_inclusion(lh, (size_t)idx, (size_t)size,
	    (const uint8_t (*)[32])hashes, nh, root) != 0) {
		snprintf(why, whylen, "the leaf is not in the checkpointed tree");
		return -1;
	}
	return 0;
}

static int
audit_check(const char *proof_path, const char *cp_path, const char *vkey)
{
	char          *pf, *cp, why[256], name[128], origin[128];
	uint8_t        pk[32], root[32], leaf[4096];
	size_t         pl, cl, tl, ll;
	uint64_t       size;
	struct gc_diag d;
	gc_err         rv;
	int            ex = GC_EXIT_VERIFY;

	gc_diag_clear(&d);
	if (gc_note_vkey_parse(vkey, name, sizeof(name), pk) != GC_OK) {
		gc_cli_err("--key %s: not a verifier key (name+hash+key, as "
		    "'gradcap audit key' prints)", vkey);
		return GC_EXIT_USAGE;
	}
	pf = (char *)gc_file_read(proof_path, 1 << 20, &pl, why, sizeof(why));
	if (pf == NULL) {
		gc_cli_err("%s: %s", proof_path, why);
		return GC_EXIT_FAIL;
	}
	cp = (char *)gc_file_read(cp_path, 1 << 16, &cl, why, sizeof(why));
	if (cp == NULL) {
		gc_cli_err("%s: %s", cp_path, why);
		gc_free(pf);
		return GC_EXIT_FAIL;
	}
	rv = gc_note_verify(cp, cl, name, pk, &tl, &d);
	if (rv == GC_OK && gc_checkpoint_parse(cp, tl, origin, sizeof(origin),
	    &size, root) != GC_OK) {
		rv = GC_ECORRUPT;
		gc_diag_set(&d, "the signed text is not a checkpoint");
	}
	if (rv != GC_OK) {
		printf("FAIL %s: %s\n", cp_path, gc_diag_msg(&d, rv));
	} else if (gc_proof_check(pf, pl, origin, size, root, leaf,
	    sizeof(leaf), &ll, why, sizeof(why)) != 0) {
		printf("FAIL %s: %s\n", proof_path, why);
	} else {
		struct gc_cbor_cur  c;
		struct gc_cbor_item a, k, s;

		gc_cbor_cur_init(&c, leaf, ll);
		if (gc_cbor_next(&c, &a) == GC_OK && gc_cbor_next(&c, &k) ==
		    GC_OK && k.type == GC_CBOR_TEXT && gc_cbor_next(&c, &s) ==
		    GC_OK && s.type == GC_CBOR_TEXT) {
			printf("OK %.*s is %.*s in checkpoint %s of %" PRIu64
			       " students\n", (int)k.val, (const char *)k.data,
			    (int)s.val, (const char *)s.data, origin, size);
		} else {
			printf("OK the leaf is in checkpoint %s of %" PRIu64
			       "\n", origin, size);
		}
		ex = GC_EXIT_OK;
	}
	gc_free(pf);
	gc_free(cp);
	return ex;
}

/* ---- consistency proofs between two checkpoints ---- */

/* A signed checkpoint read from a file. */
struct cp_note {
	char     origin[128];
	uint64_t size, hsize;
	uint8_t  root[32], hroot[32];
};

enum cp_note_res {
	CPN_OK,
	CPN_UNREADABLE,
	CPN_MALFORMED, /* not a signed note, not a checkpoint, bad history */
	CPN_BADSIG,    /* no valid signature by the key */
	CPN_NOHIST,    /* a checkpoint signed before the history existed */
};

/* Reads path, verifies its signature by (name, pk) and parses the signed
 * checkpoint with its history line; the reason into why otherwise. */
static enum cp_note_res
cp_note_load(const char *path, const char *name, const uint8_t pk[32],
    struct cp_note *cn, char *why, size_t whylen)
{
	struct gc_diag   d;
	enum cp_note_res res = CPN_OK;
	char            *note;
	size_t           len, tl;
	gc_err           rv;

	note = (char *)gc_file_read(path, 1 << 16, &len, why, whylen);
	if (note == NULL) {
		return CPN_UNREADABLE;
	}
	gc_diag_clear(&d);
	rv = gc_note_verify(note, len, name, pk, &tl, &d);
	if (rv != GC_OK) {
		snprintf(why, whylen, "%s", gc_diag_msg(&d, rv));
		res = rv == GC_ECORRUPT ? CPN_MALFORMED : CPN_BADSIG;
	} else if (gc_checkpoint_parse(note, tl, cn->origin,
	    sizeof(cn->origin), &cn->size, cn->root) != GC_OK) {
		snprintf(why, whylen, "the signed text is not a checkpoint");
		res = CPN_MALFORMED;
	} else {
		switch (hist_line_parse(note, tl, &cn->hsize, cn->hroot)) {
		case 1:
			if (cn->hsize == 0) {
				snprintf(why, whylen, "its history line says "
				    "size 0 (a checkpoint is in its own "
				    "history)");
				res = CPN_MALFORMED;
			}
			break;
		case 0:
			snprintf(why, whylen, "the checkpoint has no history "
			    "line: it was signed before consistency proofs "
			    "(use a later one)");
			res = CPN_NOHIST;
			break;
		default:
			snprintf(why, whylen, "its history line is malformed "
			    "(want 'history <size> <base64 root>')");
			res = CPN_MALFORMED;
			break;
		}
	}
	gc_free(note);
	return res;
}

/* What a note's load result means as an exit code: a file that cannot be
 * read or is no signed checkpoint is a usage error, the rest failed
 * verification. */
static int
cp_note_exit(enum cp_note_res res)
{
	switch (res) {
	case CPN_OK:
		return GC_EXIT_OK;
	case CPN_UNREADABLE:
	case CPN_MALFORMED:
		return GC_EXIT_USAGE;
	default:
		return GC_EXIT_VERIFY;
	}
}

/* The history on this node agrees with a signed note: its checkpoint
 * number hsize - 1 signs the note's set, and the first hsize leaves give
 * the note's history root. Else the reason in why and GC_EXIT_FAIL (this
 * node cannot tell: it does not hold it) or GC_EXIT_VERIFY (it differs). */
static int
hist_matches(const struct hist *h, size_t whole, const struct cp_note *cn,
    char *why, size_t whylen)
{
	const struct hist_cp *cp;
	uint8_t               r[32];

	if (cn->hsize > h->n) {
		snprintf(why, whylen, "it is checkpoint number %" PRIu64 " of "
		    "the history; this node holds %zu checkpoints (sync)",
		    cn->hsize - 1, h->n);
		return GC_EXIT_FAIL;
	}
	if (cn->hsize > whole) {
		snprintf(why, whylen, "the history cannot be recomputed that "
		    "far ('gradcap audit verify' names the entry)");
		return GC_EXIT_FAIL;
	}
	cp = &h->cp[cn->hsize - 1];
	hist_root(r, h, (size_t)cn->hsize);
	if (cp->size != cn->size || memcmp(cp->root, cn->root, 32) != 0 ||
	    memcmp(r, cn->hroot, 32) != 0) {
		snprintf(why, whylen, "signed by the school authority, but "
		    "not checkpoint number %" PRIu64 " of this node's history "
		    "(two histories were signed: keep this note as evidence)",
		    cn->hsize - 1);
		return GC_EXIT_VERIFY;
	}
	return GC_EXIT_OK;
}

/* Opens the node read-only; it must know its coordinator, whose
 * checkpoints' origin goes into origin. An exit code; the node is open
 * only on GC_EXIT_OK. */
static int
audit_node_open(struct gc_node *n, const char *home, char *origin,
    size_t cap)
{
	int ex = gc_node_open(n, home, GC_NODE_RDONLY, NULL);

	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (!n->info.enrolled) {
		gc_cli_err("this node knows no coordinator yet");
		gc_node_close(n);
		return GC_EXIT_FAIL;
	}
	gc_checkpoint_origin(origin, cap, n->info.school);
	return GC_EXIT_OK;
}

static void
put_hashes(struct gc_buf *b, const uint8_t (*p)[32], size_t n)
{
	char b64[64];

	for (size_t i = 0; i < n; i++) {
		sodium_bin2base64(b64, sizeof(b64), p[i], 32,
		    sodium_base64_VARIANT_ORIGINAL);
		gc_buf_printf(b, "%s\n", b64);
	}
}

static int
audit_prove_consistency(const char *home, const char *oldp, const char *newp,
    const char *out)
{
	struct gc_node   n;
	struct hist      h;
	struct cp_note   on, nn;
	struct gc_buf    pf, leaf;
	char             origin[64], why[512], b64[128];
	uint8_t          cons[64][32], incl[64][32];
	size_t           whole, m, sz, nc, ni;
	int              ex;
	gc_err           rv;

	ex = audit_node_open(&n, home, origin, sizeof(origin));
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	rv = hist_load(n.lg, &h);
	if (rv != GC_OK) {
		gc_cli_err("reading the checkpoint history: %s",
		    gc_strerror(rv));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	whole = hist_whole(&h);
	ex    = cp_note_exit(cp_note_load(oldp, origin, n.info.authority, &on,
	       why, sizeof(why)));
	if (ex == GC_EXIT_OK) {
		ex = hist_matches(&h, whole, &on, why, sizeof(why));
	}
	if (ex != GC_EXIT_OK) {
		gc_cli_err("%s: %s", oldp, why);
		goto done;
	}
	if (newp != NULL) {
		ex = cp_note_exit(cp_note_load(newp, origin, n.info.authority,
		    &nn, why, sizeof(why)));
		if (ex == GC_EXIT_OK) {
			ex = hist_matches(&h, whole, &nn, why, sizeof(why));
		}
		if (ex != GC_EXIT_OK) {
			gc_cli_err("%s: %s", newp, why);
			goto done;
		}
		sz = (size_t)nn.hsize;
	} else {
		/* the latest checkpoint, which must carry its history */
		const struct hist_cp *cp = h.n ? &h.cp[h.n - 1] : NULL;
		uint8_t               r[32];

		sz = h.n;
		ex = GC_EXIT_FAIL;
		if (sz == 0 || whole != sz || cp->ext != 1 ||
		    cp->hsize != sz) {
			gc_cli_err("the latest checkpoint has no history to "
			    "prove against (sign one: 'gradcap checkpoint'; "
			    "'gradcap audit verify' names any problem)");
			goto done;
		}
		hist_root(r, &h, sz);
		if (memcmp(r, cp->hroot, 32) != 0) {
			gc_cli_err("the latest checkpoint's history root is "
			    "not the one its CHECKPOINT entries give ('gradcap "
			    "audit verify')");
			ex = GC_EXIT_VERIFY;
			goto done;
		}
	}
	m = (size_t)on.hsize;
	if (m > sz) {
		gc_cli_err("the old checkpoint (history size %zu) is newer than "
		    "the new one (history size %zu)", m, sz);
		ex = GC_EXIT_USAGE;
		goto done;
	}
	gc_merkle_consistency(cons, &nc, (const uint8_t (*)[32])h.lh, sz, m);
	gc_merkle_inclusion(incl, &ni, (const uint8_t (*)[32])h.lh, sz, m - 1);
	gc_buf_init(&leaf);
	hist_leaf(&leaf, m - 1, on.size, on.root);
	gc_buf_init(&pf);
	if (gc_buf_status(&leaf) != GC_OK) {
		gc_cli_err("%s", gc_strerror(gc_buf_status(&leaf)));
		ex = GC_EXIT_FAIL;
	} else {
		sodium_bin2base64(b64, sizeof(b64), leaf.data, leaf.len,
		    sodium_base64_VARIANT_ORIGINAL);
		gc_buf_printf(&pf, CONS_MAGIC "\n%s\n%zu\n%zu\n%s\n"
		    "consistency\n", origin, m, sz, b64);
		put_hashes(&pf, (const uint8_t (*)[32])cons, nc);
		gc_buf_puts(&pf, "inclusion\n");
		put_hashes(&pf, (const uint8_t (*)[32])incl, ni);
		ex = out != NULL ? gc_cli_write_file(out,
		    (const char *)pf.data, pf.len) : gc_cli_write(&pf);
	}
	gc_buf_release(&pf);
	gc_buf_release(&leaf);
done:
	hist_release(&h);
	gc_node_close(&n);
	return ex;
}

/* A consistency proof file, parsed. */
struct cons_proof {
	char     origin[128];
	uint64_t m, n;
	uint64_t li, lsize; /* the leaf: [index, set size, set root] */
	uint8_t  lroot[32];
	uint8_t  leaf[128];
	size_t   ll;
	uint8_t  cons[64][32], incl[64][32];
	size_t   nc, ni;
};

/* Parses the text of a consistency proof (docs/merge.md); -1 with the
 * line and the reason in why when it is malformed. */
static int
cons_parse(const char *pf, size_t pl, struct cons_proof *p, char *why,
    size_t whylen)
{
	char   line[512];
	size_t at = 0, ln = 0, hl;
	int    sect = 0; /* 0 consistency, 1 inclusion */

#define BAD(...)                                                     \
	do {                                                         \
		int o_ = snprintf(why, whylen, "line %zu: ", ln);    \
		snprintf(why + o_, whylen - (size_t)o_, __VA_ARGS__); \
		return -1;                                           \
	} while (0)

	memset(p, 0, sizeof(*p));
	for (ln = 1; at < pl; ln++) {
		size_t len, from = at;

		if (!gc_cli_next_line(pf, pl, &at, line, sizeof(line))) {
			BAD("too long, or the file does not end in a "
			    "newline");
		}
		len = strlen(line);
		if (len != at - from - 1 || len != strcspn(line, "\r")) {
			BAD("a NUL byte or a carriage return (plain text "
			    "with newlines only)");
		}
		switch (ln) {
		case 1:
			if (strcmp(line, CONS_MAGIC) != 0) {
				BAD("not a gradcap consistency proof (want '"
				    CONS_MAGIC "')");
			}
			continue;
		case 2:
			if (len == 0 || len >= sizeof(p->origin)) {
				BAD("the origin is empty or too long");
			}
			memcpy(p->origin, line, len + 1);
			continue;
		case 3:
		case 4:
			if (!parse_u64(line, len, ln == 3 ? &p->m : &p->n) ||
			    (ln == 3 ? p->m : p->n) == 0) {
				BAD("the %s history size is not a number from 1",
				    ln == 3 ? "old" : "new");
			}
			continue;
		case 5:
			if (sodium_base642bin(p->leaf, sizeof(p->leaf), line,
			    len, NULL, &p->ll, NULL,
			    sodium_base64_VARIANT_ORIGINAL) != 0 ||
			    !hist_leaf_decode(p->leaf, p->ll, &p->li,
			        &p->lsize, p->lroot)) {
				BAD("not the base64 of a history leaf [index, "
				    "set size, set root]");
			}
			continue;
		case 6:
			if (strcmp(line, "consistency") != 0) {
				BAD("want 'consistency'");
			}
			continue;
		default:
			break;
		}
		if (sect == 0 && strcmp(line, "inclusion") == 0) {
			sect = 1;
			continue;
		}
		if ((sect == 0 ? p->nc : p->ni) == 64) {
			BAD("more than 64 hashes in the %s proof",
			    sect == 0 ? "consistency" : "inclusion");
		}
		if (sodium_base642bin(sect == 0 ? p->cons[p->nc] :
		    p->incl[p->ni], 32, line, len, NULL, &hl, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0 || hl != 32) {
			BAD("not a base64 SHA-256 hash%s", sect == 0 ?
			    " (or the 'inclusion' line)" : "");
		}
		if (sect == 0) {
			p->nc++;
		} else {
			p->ni++;
		}
	}
	if (ln <= 6 || sect == 0) {
		BAD("the proof ends early (no '%s' line)", ln <= 6 ?
		    "consistency" : "inclusion");
	}
#undef BAD
	return 0;
}

static int
audit_check_consistency(const char *proof_path, const char *oldp,
    const char *newp, const char *vkey)
{
	struct cons_proof *p;
	struct cp_note     on, nn;
	enum cp_note_res   res = CPN_OK;
	const char        *bad = NULL;
	char              *pf, why[512], name[128];
	uint8_t            pk[32], lh[32];
	size_t             pl;
	int                ex = GC_EXIT_VERIFY;

	if (gc_note_vkey_parse(vkey, name, sizeof(name), pk) != GC_OK) {
		gc_cli_err("--key %s: not a verifier key (name+hash+key, as "
		    "'gradcap audit key' prints)", vkey);
		return GC_EXIT_USAGE;
	}
	pf = (char *)gc_file_read(proof_path, 1 << 16, &pl, why, sizeof(why));
	if (pf == NULL) {
		gc_cli_err("%s: %s", proof_path, why);
		return GC_EXIT_USAGE;
	}
	p = gc_alloc(sizeof(*p));
	if (p == NULL) {
		gc_cli_err("%s", gc_strerror(GC_ENOMEM));
		gc_free(pf);
		return GC_EXIT_FAIL;
	}
	if (cons_parse(pf, pl, p, why, sizeof(why)) != 0) {
		gc_cli_err("%s: %s", proof_path, why);
		ex = GC_EXIT_USAGE;
		goto done;
	}
	/* the two notes: readable, well-formed, then signed */
	res = cp_note_load(oldp, name, pk, &on, why, sizeof(why));
	bad = oldp;
	if (res == CPN_OK) {
		res = cp_note_load(newp, name, pk, &nn, why, sizeof(why));
		bad = newp;
	}
	if (cp_note_exit(res) == GC_EXIT_USAGE) {
		gc_cli_err("%s: %s", bad, why);
		ex = GC_EXIT_USAGE;
		goto done;
	}
	if (res != CPN_OK) {
		printf("FAIL %s: %s\n", bad, why);
		goto done;
	}
	if (strcmp(on.origin, nn.origin) != 0) {
		printf("FAIL the checkpoints are of two origins: %s (%s) and "
		       "%s (%s)\n", on.origin, oldp, nn.origin, newp);
	} else if (strcmp(p->origin, on.origin) != 0) {
		printf("FAIL %s: the proof is for %s, the checkpoints are of "
		       "%s\n", proof_path, p->origin, on.origin);
	} else if (on.hsize > nn.hsize) {
		printf("FAIL the old checkpoint (history size %" PRIu64 ") is "
		       "newer than the new one (history size %" PRIu64 "): "
		       "swapped?\n", on.hsize, nn.hsize);
	} else if (p->m != on.hsize || p->n != nn.hsize) {
		printf("FAIL %s: the proof is from history size %" PRIu64
		       " to %" PRIu64 ", the checkpoints are at %" PRIu64
		       " and %" PRIu64 "\n", proof_path, p->m, p->n, on.hsize,
		    nn.hsize);
	} else if (p->li != on.hsize - 1 || p->lsize != on.size ||
	    memcmp(p->lroot, on.root, 32) != 0) {
		printf("FAIL %s: the leaf is not the old checkpoint's "
		       "(history leaf %" PRIu64 " of %" PRIu64 " students, "
		       "want leaf %" PRIu64 " of %" PRIu64 ")\n", proof_path,
		    p->li, p->lsize, on.hsize - 1, on.size);
	} else if (gc_merkle_verify_consistency((size_t)on.hsize, on.hroot,
	    (size_t)nn.hsize, nn.hroot, (const uint8_t (*)[32])p->cons,
	    p->nc) != 0) {
		printf("FAIL %s: the consistency proof does not hold: the new "
		       "history does not extend the old one\n", proof_path);
	} else {
		gc_merkle_leaf_hash(lh, p->leaf, p->ll);
		if (gc_merkle_verify_inclusion(lh, (size_t)on.hsize - 1,
		    (size_t)nn.hsize, (const uint8_t (*)[32])p->incl, p->ni,
		    nn.hroot) != 0) {
			printf("FAIL %s: the inclusion proof does not hold: "
			       "the old checkpoint is not leaf %" PRIu64
			       " of the new history\n", proof_path,
			    on.hsize - 1);
		} else {
			printf("OK %s: the history of size %" PRIu64 " extends "
			       "that of size %" PRIu64 ", and holds the old "
			       "checkpoint (%" PRIu64 " students) as leaf %"
			       PRIu64 "\n", on.origin, nn.hsize, on.hsize,
			    on.size, on.hsize - 1);
			ex = GC_EXIT_OK;
		}
	}
done:
	gc_free(p);
	gc_free(pf);
	return ex;
}

/* Recomputes the checkpoint history from the authority's CHECKPOINT
 * entries and reports (kind "checkpoint") each whose history fields or
 * history line disagree. *size gets how many checkpoints, root the
 * history's root. */
static gc_err
hist_audit(gc_ledger *lg, gc_verify_cb cb, void *arg, size_t *size,
    uint8_t root[32], bool *ok)
{
	struct gc_ledger_info    info;
	struct gc_verify_problem pr;
	struct hist              h;
	uint8_t                  r[32];
	char                     want[65], got[65];
	gc_err                   rv;

	*size = 0;
	*ok   = true;
	rv    = gc_ledger_info(lg, &info);
	if (rv == GC_OK) {
		rv = hist_load(lg, &h);
	}
	if (rv != GC_OK) {
		return rv;
	}
	for (size_t k = 0; k < h.n; k++) {
		const struct hist_cp *cp = &h.cp[k];

		memset(&pr, 0, sizeof(pr));
		memcpy(pr.id, cp->id, 32);
		memcpy(pr.feed, info.authority, 32);
		pr.seq  = cp->seq;
		pr.kind = "checkpoint";
		if (!cp->leaf) {
			snprintf(pr.what, sizeof(pr.what), "checkpoint number "
			    "%zu lacks its set size or root: the checkpoint "
			    "history cannot be recomputed from here on", k);
			cb(&pr, arg);
			*ok = false;
			break;
		}
		hist_root(r, &h, k + 1);
		gc_hex_encode(want, r, 32);
		if (cp->ext < 0) {
			snprintf(pr.what, sizeof(pr.what), "checkpoint number "
			    "%zu: its history fields (5: size, 6: root) are "
			    "malformed", k);
		} else if (cp->ext == 1 && (cp->hsize != k + 1 ||
		    memcmp(cp->hroot, r, 32) != 0)) {
			gc_hex_encode(got, cp->hroot, 32);
			snprintf(pr.what, sizeof(pr.what), "checkpoint number "
			    "%zu signs the history of size %" PRIu64 " and root "
			    "%.16s, but the CHECKPOINT entries give size %zu "
			    "and root %.16s", k, cp->hsize, got, k + 1, want);
		} else if (cp->line != cp->ext || (cp->ext == 1 &&
		    (cp->lsize != cp->hsize ||
		        memcmp(cp->lroot, cp->hroot, 32) != 0))) {
			snprintf(pr.what, sizeof(pr.what), "checkpoint number "
			    "%zu: the history line of its signed note and its "
			    "history fields disagree", k);
		} else {
			continue;
		}
		cb(&pr, arg);
		*ok = false;
	}
	*size = h.n;
	if (h.n > 0 && hist_whole(&h) == h.n) {
		hist_root(root, &h, h.n);
	} else {
		memset(root, 0, 32);
	}
	hist_release(&h);
	return GC_OK;
}

static int
audit_verify(const char *home, const char *vkey, bool json)
{
	struct gc_node            n;
	struct gc_buf             b;
	struct gc_cli_verify      vp;
	struct gc_verify_stats    st;
	struct gc_audit_cp        cp;
	struct gc_merge_opts      o;
	struct gc_diag            d;
	uint8_t                   rank[GC_SESSION_KIND_END], hroot[32];
	char                      hex[65], hhex[65];
	size_t                    hsize;
	bool                      hok;
	gc_err                    rv, rc, rh;
	int                       ex;

	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	if (gc_merge_opts_node(&n, &o, rank, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_buf_init(&b);
	vp.b    = &b;
	vp.json = json;
	vp.n    = 0;
	gc_buf_puts(&b, json ? "{\"problems\":[" : "");
	/* the authority this copy names must be the one the auditor trusts:
	 * a forged copy signs its own checkpoints */
	if (vkey != NULL) {
		char    name[128];
		uint8_t apk[32];

		if (gc_note_vkey_parse(vkey, name, sizeof(name), apk) != GC_OK) {
			gc_cli_err("--key %s: not a verifier key ('gradcap audit "
			    "key')", vkey);
			gc_buf_release(&b);
			gc_node_close(&n);
			return GC_EXIT_USAGE;
		}
		if (!n.info.enrolled ||
		    sodium_memcmp(apk, n.info.authority, 32) != 0) {
			struct gc_verify_problem pr;

			memset(&pr, 0, sizeof(pr));
			pr.kind = "authority";
			snprintf(pr.what, sizeof(pr.what), "this node's school "
			    "authority is not the key given (--key): its "
			    "checkpoints are not the school's");
			gc_cli_verify_cb(&pr, &vp);
		}
	}
	rv = gc_ledger_verify(n.lg, gc_cli_verify_cb, &vp, &st);
	rc = gc_audit_checkpoint(n.lg, &o, gc_cli_verify_cb, &vp, &cp);
	rh = hist_audit(n.lg, gc_cli_verify_cb, &vp, &hsize, hroot, &hok);
	if ((rv != GC_OK && rv != GC_ECORRUPT) ||
	    (rc != GC_OK && rc != GC_ECORRUPT) || rh != GC_OK) {
		gc_cli_err("audit: %s", gc_strerror(rv != GC_OK &&
		    rv != GC_ECORRUPT ? rv : rc != GC_OK && rc != GC_ECORRUPT ?
		    rc : rh));
		gc_buf_release(&b);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(hex, cp.root, 32);
	gc_hex_encode(hhex, hroot, 32);
	if (json) {
		gc_buf_printf(&b, "],\"ok\":%s,\"entries\":%" PRIu64
		    ",\"feeds\":%" PRIu64 ",\"blobs\":%" PRIu64 ",\"forks\":%"
		    PRIu64 ",\"checkpoint\":", vp.n == 0 ? "true" : "false",
		    st.entries, st.feeds, st.blobs, st.forks);
		if (cp.found) {
			gc_buf_printf(&b, "{\"students\":%" PRIu64 ",\"root\":"
			    "\"%s\",\"reproduced\":%s}", cp.size, hex,
			    cp.ok ? "true" : "false");
		} else {
			gc_buf_puts(&b, "null");
		}
		gc_buf_puts(&b, ",\"history\":");
		if (hsize > 0) {
			gc_buf_printf(&b, "{\"size\":%zu,\"root\":\"%s\","
			    "\"ok\":%s}", hsize, hhex, hok ? "true" : "false");
		} else {
			gc_buf_puts(&b, "null");
		}
		gc_buf_puts(&b, "}");
	} else {
		gc_buf_printf(&b, "%s: %" PRIu64 " entries in %" PRIu64 " feeds, %"
		    PRIu64 " blobs, %" PRIu64 " forks\n", n.home, st.entries,
		    st.feeds, st.blobs, st.forks);
		if (cp.found) {
			gc_buf_printf(&b, "latest checkpoint: %" PRIu64 " students, "
			    "root %.16s: %s\n", cp.size, hex, cp.ok ?
			    "signed by the school authority, and the merge of "
			    "the entries it covered gives the same root" :
			    "DOES NOT HOLD (above)");
			gc_buf_printf(&b, "checkpoint history: %zu checkpoints, "
			    "root %.16s: %s\n", hsize, hhex, hok ?
			    "each one's history recomputed from the CHECKPOINT "
			    "entries" : "DOES NOT HOLD (above)");
		} else {
			gc_buf_puts(&b, "no checkpoint yet\n");
		}
		gc_buf_puts(&b, vp.n == 0 ? "audit: everything holds\n" :
		    "audit: PROBLEMS FOUND (above)\n");
	}
	ex = json ? gc_cli_print(&b) : gc_cli_write(&b);
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex == GC_EXIT_OK && vp.n > 0 ? GC_EXIT_VERIFY : ex;
}

int
gc_cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "old", required_argument, NULL, 'O' },
		{ "new", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *out = NULL, *cp = NULL, *key = NULL;
	const char *bundle = NULL, *oldp = NULL, *newp = NULL;
	bool        json = false;
	int         c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			cp = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'b':
			bundle = optarg;
			break;
		case 'O':
			oldp = optarg;
			break;
		case 'N':
			newp = optarg;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, audit_usage);
		}
	}
	if (optind < argc && strcmp(argv[optind], "key") == 0 &&
	    optind + 1 == argc) {
		struct gc_node n;
		struct gc_buf  b;
		char           origin[64];
		int            ex = audit_node_open(&n, home, origin,
		               sizeof(origin));

		if (ex != GC_EXIT_OK) {
			return ex;
		}
		gc_buf_init(&b);
		gc_note_vkey(&b, origin, n.info.authority);
		ex = gc_cli_print(&b);
		gc_buf_release(&b);
		gc_node_close(&n);
		return ex;
	}
	if (optind + 1 == argc && strcmp(argv[optind], "verify") == 0 &&
	    bundle != NULL) {
		if (key == NULL) {
			gc_cli_err("audit verify --bundle needs --key (the "
			    "school's verifier key: 'gradcap audit key')");
			return GC_EXIT_USAGE;
		}
		return gc_audit_bundle(bundle, key, json);
	}
	if (optind + 1 == argc && strcmp(argv[optind], "verify") == 0) {
		return audit_verify(home, key, json);
	}
	if (optind + 2 == argc && strcmp(argv[optind], "prove") == 0) {
		return audit_prove(home, argv[optind + 1], out);
	}
	if (optind + 2 == argc && strcmp(argv[optind], "check-proof") == 0 &&
	    cp != NULL && key != NULL) {
		return audit_check(argv[optind + 1], cp, key);
	}
	if (optind + 1 == argc && strcmp(argv[optind],
	    "prove-consistency") == 0 && oldp != NULL) {
		return audit_prove_consistency(home, oldp, newp, out);
	}
	if (optind + 2 == argc && strcmp(argv[optind],
	    "check-consistency") == 0 && oldp != NULL && newp != NULL &&
	    key != NULL) {
		return audit_check_consistency(argv[optind + 1], oldp, newp,
		    key);
	}
	fputs(audit_usage, stderr);
	return GC_EXIT_USAGE;
}
