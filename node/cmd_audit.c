/* Checkpoints and inclusion proofs of the authoritative set:
 *   gradcap checkpoint [--out FILE]                 (coordinator)
 *   gradcap audit key
 *   gradcap audit prove STUDENT [--out FILE]
 *   gradcap audit check-proof PROOF --checkpoint FILE --key VKEY
 * The checkpoint is a C2SP signed note (Ed25519) over a tlog checkpoint;
 * proofs are RFC 9162 inclusion proofs; Go's sumdb/note and sumdb/tlog
 * verify both (tests/integration/proofs.sh). */
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
#include "sync/merkle.h"
#include "sync/note.h"

#define PROOF_MAGIC "gradcap inclusion proof v1"

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
	rv = gc_checkpoint_make(&n, &m, &note, id, &d);
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
    struct gc_buf *note, uint8_t id[32], struct gc_diag *d)
{
	struct gc_merge *m;
	struct gc_buf    text, body;
	struct cut_arg   cut = { NULL, 0 };
	char             origin[64];
	gc_err           rv;

	*mout = NULL;
	/* the entries held now, and the merge over exactly those: what the
	 * checkpoint covers goes into it, so an auditor recomputes the same */
	gc_ledger_heads(n->lg, cut_cb, &cut);
	rv = gc_merge_node_cut(n, cut.v, cut.n, &m, d);
	if (rv != GC_OK) {
		free(cut.v);
		return rv;
	}
	gc_checkpoint_origin(origin, sizeof(origin), n->info.school);
	gc_buf_init(&text);
	gc_buf_init(&body);
	gc_checkpoint_text(&text, origin, m->nst, m->root);
	gc_note_sign(note, gc_buf_cstr(&text), origin, n->key);
	gc_cbor_map(&body, 5);
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
	rv = gc_buf_status(note);
	if (rv == GC_OK) {
		rv = gc_ledger_append_body(n->lg, GC_KIND_CHECKPOINT, &body, id,
		    d);
	}
	gc_buf_release(&text);
	gc_buf_release(&body);
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
    "usage: gradcap audit verify [--home DIR] [--json]\n"
    "       gradcap audit verify --bundle DIR --key VKEY [--json]\n"
    "       gradcap audit key [--home DIR]\n"
    "       gradcap audit prove [--home DIR] STUDENT [--out FILE]\n"
    "       gradcap audit check-proof PROOF --checkpoint FILE --key VKEY\n"
    "  verify       every signature, chain link, enrollment, revocation\n"
    "               and blob hash; forks; the latest checkpoint's signature\n"
    "               and its root recomputed (exit 4 naming each problem)\n"
    "  --bundle     an export checked offline: MANIFEST and every file,\n"
    "               its minisign signature by the authority, the signed\n"
    "               checkpoint, every proof, every photo against its leaf\n"
    "  key          the verifier key of the school's checkpoints\n"
    "  prove        an RFC 9162 inclusion proof of STUDENT's leaf in the\n"
    "               latest checkpoint (the set must not have changed since)\n"
    "  check-proof  verifies a proof offline against a signed checkpoint\n";

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

static int
audit_verify(const char *home, bool json)
{
	struct gc_node            n;
	struct gc_buf             b;
	struct gc_cli_verify      vp;
	struct gc_verify_stats    st;
	struct gc_audit_cp        cp;
	struct gc_merge_opts      o;
	struct gc_diag            d;
	uint8_t                   rank[GC_SESSION_KIND_END];
	char                      hex[65];
	gc_err                    rv, rc;
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
	rv = gc_ledger_verify(n.lg, gc_cli_verify_cb, &vp, &st);
	rc = gc_audit_checkpoint(n.lg, &o, gc_cli_verify_cb, &vp, &cp);
	if ((rv != GC_OK && rv != GC_ECORRUPT) ||
	    (rc != GC_OK && rc != GC_ECORRUPT)) {
		gc_cli_err("audit: %s", gc_strerror(rv != GC_OK &&
		    rv != GC_ECORRUPT ? rv : rc));
		gc_buf_release(&b);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_hex_encode(hex, cp.root, 32);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *out = NULL, *cp = NULL, *key = NULL;
	const char *bundle = NULL;
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
		default:
			return gc_cli_help_or_usage(c, argv, audit_usage);
		}
	}
	if (optind < argc && strcmp(argv[optind], "key") == 0 &&
	    optind + 1 == argc) {
		struct gc_node n;
		struct gc_buf  b;
		char           origin[64];
		int            ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);

		if (ex != GC_EXIT_OK) {
			return ex;
		}
		if (!n.info.enrolled) {
			gc_cli_err("this node knows no coordinator yet");
			gc_node_close(&n);
			return GC_EXIT_FAIL;
		}
		gc_checkpoint_origin(origin, sizeof(origin), n.info.school);
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
		return audit_verify(home, json);
	}
	if (optind + 2 == argc && strcmp(argv[optind], "prove") == 0) {
		return audit_prove(home, argv[optind + 1], out);
	}
	if (optind + 2 == argc && strcmp(argv[optind], "check-proof") == 0 &&
	    cp != NULL && key != NULL) {
		return audit_check(argv[optind + 1], cp, key);
	}
	fputs(audit_usage, stderr);
	return GC_EXIT_USAGE;
}
