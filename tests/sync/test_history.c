/* The checkpoint history log (docs/merge.md) as the real binary ($GC_BIN)
 * judges it: a coordinator signs honest checkpoints with `gradcap
 * checkpoint`, then this test appends CHECKPOINT entries with its key
 * whose history does not hold, and `gradcap audit verify` must name each
 * one, `audit prove-consistency` refuse, and `gradcap checkpoint` refuse
 * to extend a history it cannot recompute. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/entry.h"
#include "common/gc_alloc.h"
#include "common/keys.h"
#include "common/ledger.h"
#include "common/merkle.h"
#include "sync/note.h"
#include "tests/testutil.h"

#define ORIGIN "gradcap/10335"

struct fx {
	char       home[700];
	char       dir[600];
	const char *bin;
	char       out[16384];
	/* the sets of the checkpoints signed so far, in order */
	uint64_t size[8];
	uint8_t  root[8][32];
	size_t   ncp;
};

/* Runs the formatted command with stderr joined to stdout into f->out;
 * returns its exit status. */
static int run(struct fx *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
run(struct fx *f, const char *fmt, ...)
{
	char    cmd[4096];
	FILE   *p;
	size_t  n;
	int     st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(f->out, 1, sizeof(f->out) - 1, p);
	f->out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The set size and root of a checkpoint note file, appended to the list. */
static void
note_set(struct fx *f, const char *name)
{
	char     path[700], origin[128];
	uint8_t *b;
	size_t   len;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	b = gc_test_read_file(path, &len);
	assert_non_null(b);
	assert_int_equal(gc_checkpoint_parse((const char *)b, len, origin,
	    sizeof(origin), &f->size[f->ncp], f->root[f->ncp]), GC_OK);
	f->ncp++;
	free(b);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || sodium_init() < 0) {
		return -1;
	}
	f->bin = getenv("GC_BIN");
	if (f->bin == NULL) {
		fprintf(stderr, "GC_BIN is not set\n");
		free(f);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "%s", gc_test_tmpdir("history"));
	snprintf(f->home, sizeof(f->home), "%s/c", f->dir);
	*state = f;
	if (run(f, "'%s' init --home '%s' --role coordinator --school 10335 "
	    "--name x", f->bin, f->home) != 0 ||
	    run(f, "'%s' sample roster --count 5 --out '%s/r.csv'", f->bin,
	        f->dir) != 0 ||
	    run(f, "'%s' roster import --home '%s' '%s/r.csv'", f->bin, f->home,
	        f->dir) != 0 ||
	    run(f, "'%s' checkpoint --home '%s' --out '%s/cp0.note'", f->bin,
	        f->home, f->dir) != 0 ||
	    run(f, "'%s' checkpoint --home '%s' --out '%s/cp1.note'", f->bin,
	        f->home, f->dir) != 0) {
		fprintf(stderr, "%s\n", f->out);
		return -1;
	}
	note_set(f, "cp0.note");
	note_set(f, "cp1.note");
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	gc_test_rmrf(f->dir);
	free(f);
	return 0;
}

/* The root of the history of the first n checkpoints, from f's sets. */
static void
history_root(const struct fx *f, size_t n, uint8_t out[32])
{
	uint8_t       lh[8][32];
	struct gc_buf b;

	gc_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		gc_buf_reset(&b);
		gc_cbor_array(&b, 3);
		gc_cbor_uint(&b, i);
		gc_cbor_uint(&b, f->size[i]);
		gc_cbor_bytes(&b, f->root[i], 32);
		gc_merkle_leaf_hash(lh[i], b.data, b.len);
	}
	gc_buf_release(&b);
	gc_merkle_root(out, (const uint8_t (*)[32])lh, n);
}

/* What a forged CHECKPOINT (of the same set as the last) says. */
struct forgery {
	bool        noleaf; /* without keys 1 and 2 */
	int         fields; /* keys 5/6: 0 none, 1 both, 2 only 5 */
	uint64_t    hsize;
	uint8_t     hroot[32];
	bool        line; /* the note's history line */
	uint64_t    lsize;
	uint8_t     lroot[32];
	const char *note_file; /* write the note there, append nothing */
};

struct heads {
	uint8_t  feed[16][32];
	uint64_t seq[16];
	size_t   n;
};

static int
heads_cb(const struct gc_head *h, void *arg)
{
	struct heads *a = arg;

	assert_true(a->n < 16);
	memcpy(a->feed[a->n], h->feed, 32);
	a->seq[a->n++] = h->seq;
	return 0;
}

static void
forge(struct fx *f, const struct forgery *g)
{
	gc_ledger     *lg;
	struct gc_key *key;
	struct gc_buf  text, note, body;
	struct heads   hd;
	char           path[800], b64[64];
	uint8_t        id[32];
	uint64_t       size = f->size[f->ncp - 1];
	const uint8_t *root = f->root[f->ncp - 1];

	snprintf(path, sizeof(path), "%s/node.key", f->home);
	assert_int_equal(gc_key_load(&key, path, NULL, NULL), GC_OK);
	gc_buf_init(&text);
	gc_buf_init(&note);
	gc_buf_init(&body);
	gc_checkpoint_text(&text, ORIGIN, size, root);
	if (g->line) {
		sodium_bin2base64(b64, sizeof(b64), g->lroot, 32,
		    sodium_base64_VARIANT_ORIGINAL);
		gc_buf_printf(&text, "history %" PRIu64 " %s\n", g->lsize, b64);
	}
	gc_note_sign(&note, gc_buf_cstr(&text), ORIGIN, key);
	if (g->note_file != NULL) {
		free(gc_test_write_file(f->dir, g->note_file, note.data,
		    note.len));
		goto out;
	}
	assert_int_equal(gc_ledger_open(&lg, f->home, 0, NULL), GC_OK);
	assert_int_equal(gc_ledger_set_key(lg, key), GC_OK);
	memset(&hd, 0, sizeof(hd));
	assert_int_equal(gc_ledger_heads(lg, heads_cb, &hd), GC_OK);
	gc_cbor_map(&body, (g->noleaf ? 3 : 5) + (g->fields == 1 ? 2 :
	    g->fields == 2 ? 1 : 0));
	gc_cbor_uint(&body, 0);
	gc_cbor_text(&body, ORIGIN);
	if (!g->noleaf) {
		gc_cbor_uint(&body, 1);
		gc_cbor_uint(&body, size);
		gc_cbor_uint(&body, 2);
		gc_cbor_bytes(&body, root, 32);
	}
	gc_cbor_uint(&body, 3);
	gc_cbor_textn(&body, (const char *)note.data, note.len);
	gc_cbor_uint(&body, 4);
	gc_cbor_array(&body, hd.n);
	for (size_t i = 0; i < hd.n; i++) {
		gc_cbor_array(&body, 2);
		gc_cbor_bytes(&body, hd.feed[i], 32);
		gc_cbor_uint(&body, hd.seq[i]);
	}
	if (g->fields >= 1) {
		gc_cbor_uint(&body, 5);
		gc_cbor_uint(&body, g->hsize);
	}
	if (g->fields == 1) {
		gc_cbor_uint(&body, 6);
		gc_cbor_bytes(&body, g->hroot, 32);
	}
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_CHECKPOINT, &body,
	    id, NULL), GC_OK);
	gc_ledger_close(lg);
	if (!g->noleaf) {
		f->size[f->ncp] = size;
		memcpy(f->root[f->ncp], root, 32);
		f->ncp++;
	}
out:
	gc_buf_release(&text);
	gc_buf_release(&note);
	gc_buf_release(&body);
	gc_key_free(key);
}

static void
assert_out_has(const struct fx *f, const char *s)
{
	if (strstr(f->out, s) == NULL) {
		fprintf(stderr, "--- output\n%s--- wanted: %s\n", f->out, s);
		fail();
	}
}

static void
test_history_honest_checkpoints_hold(void **state)
{
	struct fx *f = *state;
	uint8_t    r[32];
	char       hex[65];

	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 0);
	history_root(f, 2, r);
	gc_hex_encode(hex, r, 32);
	hex[16] = '\0';
	assert_out_has(f, "checkpoint history: 2 checkpoints, root ");
	assert_out_has(f, hex);
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/cp0.note' --out '%s/p'", f->bin, f->home, f->dir,
	    f->dir), 0);
}

static void
test_history_a_wrong_root_is_named(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .fields = 1, .hsize = 3, .line = true,
		.lsize = 3 };

	memset(g.hroot, 0x5a, 32);
	memset(g.lroot, 0x5a, 32);
	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 4);
	assert_out_has(f, "checkpoint number 2 signs the history of size 3 "
	    "and root 5a5a5a5a5a5a5a5a, but the CHECKPOINT entries give size "
	    "3 and root");
	assert_out_has(f, "checkpoint history: 3 checkpoints");
	assert_out_has(f, "DOES NOT HOLD");
	/* nothing is proved against it, and the earlier ones still hold */
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/cp0.note'", f->bin, f->home, f->dir), 4);
	assert_out_has(f, "the latest checkpoint's history root is not the "
	    "one its CHECKPOINT entries give");
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/cp0.note' --new '%s/cp1.note'", f->bin, f->home,
	    f->dir, f->dir), 0);
	/* the next honest checkpoint recomputes, so the history goes on */
	assert_int_equal(run(f, "'%s' checkpoint --home '%s' --out "
	    "'%s/cp3.note'", f->bin, f->home, f->dir), 0);
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 4);
	assert_out_has(f, "checkpoint number 2 signs");
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/cp0.note' --new '%s/cp3.note'", f->bin, f->home,
	    f->dir, f->dir), 0);
}

static void
test_history_a_wrong_size_is_named(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .fields = 1, .hsize = 7, .line = true,
		.lsize = 7 };

	history_root(f, 2, g.hroot); /* the size alone is wrong */
	memcpy(g.lroot, g.hroot, 32);
	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 4);
	assert_out_has(f, "checkpoint number 2 signs the history of size 7");
}

static void
test_history_note_and_fields_must_agree(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .fields = 1, .hsize = 3 };

	f->size[2] = f->size[1];
	memcpy(f->root[2], f->root[1], 32);
	history_root(f, 3, g.hroot); /* the fields hold; the note has no line */
	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 4);
	assert_out_has(f, "checkpoint number 2: the history line of its "
	    "signed note and its history fields disagree");
}

static void
test_history_malformed_fields_are_named(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .fields = 2, .hsize = 3 };

	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 4);
	assert_out_has(f, "checkpoint number 2: its history fields (5: size, "
	    "6: root) are malformed");
}

static void
test_history_a_checkpoint_without_its_set_stops_it(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .noleaf = true };

	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 4);
	assert_out_has(f, "checkpoint number 2 lacks its set size or root");
	assert_int_equal(run(f, "'%s' checkpoint --home '%s' --out '%s/x'",
	    f->bin, f->home, f->dir), 1);
	assert_out_has(f, "lacks its set size or root: the checkpoint history "
	    "cannot be extended");
}

/* A checkpoint signed before the history existed (no fields, no line)
 * still counts as a leaf; it cannot be the old end of a proof. */
static void
test_history_counts_checkpoints_from_before_it(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .fields = 0 };

	forge(f, &g);
	g.note_file = "old.note";
	forge(f, &g);
	assert_int_equal(run(f, "'%s' checkpoint --home '%s' --out "
	    "'%s/cp3.note'", f->bin, f->home, f->dir), 0);
	assert_out_has(f, "history 4 ");
	assert_int_equal(run(f, "'%s' audit verify --home '%s'", f->bin,
	    f->home), 0);
	assert_out_has(f, "checkpoint history: 4 checkpoints");
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/cp1.note'", f->bin, f->home, f->dir), 0);
	assert_out_has(f, "gradcap consistency proof v1\n" ORIGIN "\n2\n4\n");
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/old.note'", f->bin, f->home, f->dir), 4);
	assert_out_has(f, "no history line");
}

/* A note the authority signed that this node's history does not hold:
 * two histories, which prove-consistency names instead of proving. */
static void
test_history_a_second_history_is_refused(void **state)
{
	struct fx     *f = *state;
	struct forgery g = { .line = true, .lsize = 1,
		.note_file = "fork.note" };

	memset(g.lroot, 0x11, 32);
	f->ncp = 1; /* the set of checkpoint 0 */
	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/fork.note'", f->bin, f->home, f->dir), 4);
	assert_out_has(f, "not checkpoint number 0 of this node's history "
	    "(two histories were signed");
	g.lsize     = 5;
	g.note_file = "ahead.note";
	forge(f, &g);
	assert_int_equal(run(f, "'%s' audit prove-consistency --home '%s' "
	    "--old '%s/ahead.note'", f->bin, f->home, f->dir), 1);
	assert_out_has(f, "this node holds 2 checkpoints (sync)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_history_honest_checkpoints_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_a_wrong_root_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_a_wrong_size_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_note_and_fields_must_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_malformed_fields_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_a_checkpoint_without_its_set_stops_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_counts_checkpoints_from_before_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_a_second_history_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests_name("sync.history", tests, NULL, NULL);
}
