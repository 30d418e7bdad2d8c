/* invite: online sign-in codes (their form, their hash, the INVITE body),
 * and on real ledgers which code is a student's: the latest invitation,
 * whatever order the entries arrive in, and none once replaced. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/invite.h"
#include "common/ledger.h"
#include "tests/testutil.h"

#define KA "10335:1:11010519491231002X:05"
#define KB "10335:1:360426199101010071:05"

static void
test_code_form(void **state)
{
	char    a[GC_INVITE_CODE_LEN], b[GC_INVITE_CODE_LEN];
	uint8_t ha[32], hb[32];

	(void)state;
	gc_invite_code_new(a);
	gc_invite_code_new(b);
	assert_int_equal(strlen(a), 24);
	for (int i = 0; i < 24; i++) {
		if (i % 5 == 4) {
			assert_int_equal(a[i], '-');
		} else {
			assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
			    a[i]));
		}
	}
	assert_string_not_equal(a, b);
	assert_true(gc_invite_code_hash(a, strlen(a), ha));
	assert_true(gc_invite_code_hash(b, strlen(b), hb));
	assert_memory_not_equal(ha, hb, 32);
}

static void
test_code_lenient(void **state)
{
	uint8_t h[32], g[32];

	(void)state;
	assert_true(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GHJK", 24, h));
	/* case, spaces, dashes and the look-alikes read the same */
	assert_true(gc_invite_code_hash("7kq2 m9xd oiab cdef ghjk", 24, g));
	assert_memory_equal(h, g, 32);
	assert_true(gc_invite_code_hash("7KQ2M9XD0LABCDEFGHJK", 20, g));
	assert_memory_equal(h, g, 32);
	/* another code */
	assert_true(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GHJM", 24, g));
	assert_memory_not_equal(h, g, 32);
	/* not codes */
	assert_false(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GHJ", 23, g));
	assert_false(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GHJKK", 25, g));
	assert_false(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GHJU", 24, g));
	assert_false(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GH*K", 24, g));
	assert_false(gc_invite_code_hash("7KQ2-M9XD-01AB-CDEF-GH\0K", 24, g));
	assert_false(gc_invite_code_hash("", 0, g));
	assert_false(gc_invite_code_hash("南字第0123456号南字第0123456号", 40, g));
}

struct seen {
	struct gc_invite_row r[4];
	size_t               n;
};

static int
seen_cb(const struct gc_invite_row *r, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4) {
		s->r[s->n] = *r;
	}
	s->n++;
	return 0;
}

static void
test_body(void **state)
{
	struct gc_invite_row rows[2];
	struct gc_buf        b;
	struct seen          s = { .n = 0 };
	char                 src[16];

	(void)state;
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].student, sizeof(rows[0].student), "%s", KA);
	snprintf(rows[1].student, sizeof(rows[1].student), "%s", KB);
	memset(rows[0].hash, 0xaa, 32);
	memset(rows[1].hash, 0xbb, 32);
	gc_buf_init(&b);
	gc_invite_encode(&b, "班级 软工2101 和其他", rows, 2);
	assert_int_equal(gc_invite_decode(b.data, b.len, src, sizeof(src),
	    seen_cb, &s), GC_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.r[1].student, KB);
	assert_memory_equal(s.r[0].hash, rows[0].hash, 32);
	/* the source, cut short at a character boundary */
	assert_string_equal(src, "班级 软工21");
	/* every cut of the body is refused, never read past */
	for (size_t cut = 0; cut < b.len; cut++) {
		s.n = 0;
		assert_int_equal(gc_invite_decode(b.data, cut, NULL, 0, seen_cb,
		    &s), GC_ECORRUPT);
		assert_int_equal(s.n, 0);
	}
	gc_buf_release(&b);
}

static void
test_body_malformed(void **state)
{
	struct gc_buf b;
	struct seen   s = { .n = 0 };
	uint8_t       h31[31] = { 0 }, h32[32] = { 0 };

	(void)state;
	/* a good row, then a bad one: nothing is reported */
	gc_buf_init(&b);
	gc_cbor_map(&b, 2);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "x");
	gc_cbor_uint(&b, 1);
	gc_cbor_array(&b, 2);
	gc_cbor_array(&b, 2);
	gc_cbor_text(&b, KA);
	gc_cbor_bytes(&b, h32, 32);
	gc_cbor_array(&b, 2);
	gc_cbor_text(&b, KB);
	gc_cbor_bytes(&b, h31, 31);
	assert_int_equal(gc_invite_decode(b.data, b.len, NULL, 0, seen_cb, &s),
	    GC_ECORRUPT);
	assert_int_equal(s.n, 0);
	/* no rows field; rows not an array; an empty key; a key with NUL */
	gc_buf_reset(&b);
	gc_cbor_map(&b, 1);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "x");
	assert_int_equal(gc_invite_decode(b.data, b.len, NULL, 0, NULL, NULL),
	    GC_ECORRUPT);
	gc_buf_reset(&b);
	gc_cbor_map(&b, 2);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "x");
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "rows");
	assert_int_equal(gc_invite_decode(b.data, b.len, NULL, 0, NULL, NULL),
	    GC_ECORRUPT);
	gc_buf_reset(&b);
	gc_cbor_map(&b, 2);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "x");
	gc_cbor_uint(&b, 1);
	gc_cbor_array(&b, 1);
	gc_cbor_array(&b, 2);
	gc_cbor_textn(&b, "a\0b", 3);
	gc_cbor_bytes(&b, h32, 32);
	assert_int_equal(gc_invite_decode(b.data, b.len, NULL, 0, NULL, NULL),
	    GC_ECORRUPT);
	/* too many rows claimed */
	gc_buf_reset(&b);
	gc_cbor_map(&b, 2);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "x");
	gc_cbor_uint(&b, 1);
	gc_cbor_array(&b, GC_INVITE_MAX_ROWS + 1);
	assert_int_equal(gc_invite_decode(b.data, b.len, NULL, 0, NULL, NULL),
	    GC_ECORRUPT);
	gc_buf_release(&b);
}

/* An INVITE of one student with the code's hash, on the coordinator. */
static void
invite(gc_ledger *lg, const char *key, const char *code)
{
	struct gc_invite_row r;
	struct gc_buf        b;

	memset(&r, 0, sizeof(r));
	snprintf(r.student, sizeof(r.student), "%s", key);
	assert_true(gc_invite_code_hash(code, strlen(code), r.hash));
	gc_buf_init(&b);
	gc_invite_encode(&b, "test", &r, 1);
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_INVITE, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

static gc_err
find(gc_ledger *lg, const char *code, char *key)
{
	uint8_t h[32];

	assert_true(gc_invite_code_hash(code, strlen(code), h));
	return gc_ledger_invite_find(lg, h, key, 80);
}

static void
test_latest_stands(void **state)
{
	char           *dc, *dr, *dd;
	struct gc_key  *kc = gc_test_key(1), *ks = gc_test_key(2);
	struct gc_key  *kx = gc_test_key(3);
	gc_ledger      *lc, *lr, *ld;
	char            key[80];
	struct gc_test_dump dump;
	const char     *c1 = "AAAA-AAAA-AAAA-AAAA-AAAA";
	const char     *c2 = "BBBB-BBBB-BBBB-BBBB-BBBB";
	const char     *c3 = "CCCC-CCCC-CCCC-CCCC-CCCC";

	(void)state;
	dc = strdup(gc_test_tmpdir("invite_c"));
	assert_int_equal(gc_ledger_create(dc, kc, GC_ROLE_COORDINATOR, "10335",
	    "c", NULL, 0, NULL), GC_OK);
	lc = gc_test_ledger_open(dc, kc);
	invite(lc, KA, c1);
	invite(lc, KB, c3);
	assert_int_equal(find(lc, c1, key), GC_OK);
	assert_string_equal(key, KA);
	/* a new invitation replaces the old code */
	invite(lc, KA, c2);
	assert_int_equal(find(lc, c1, key), GC_ENOTFOUND);
	assert_int_equal(find(lc, c2, key), GC_OK);
	assert_string_equal(key, KA);
	assert_int_equal(find(lc, c3, key), GC_OK);
	assert_string_equal(key, KB);
	assert_int_equal(find(lc, "DDDD-DDDD-DDDD-DDDD-DDDD", key),
	    GC_ENOTFOUND);
	/* a reindex gives the same */
	assert_int_equal(gc_ledger_reindex(lc, NULL), GC_OK);
	assert_int_equal(find(lc, c1, key), GC_ENOTFOUND);
	assert_int_equal(find(lc, c2, key), GC_OK);

	/* the online node, taking the coordinator's feed, knows the same */
	gc_test_enroll(lc, ks, GC_ROLE_ONLINE, "o");
	dr = strdup(gc_test_tmpdir("invite_r"));
	assert_int_equal(gc_ledger_create(dr, ks, GC_ROLE_ONLINE, "10335", "o",
	    NULL, 0, NULL), GC_OK);
	lr = gc_test_ledger_open(dr, ks);
	gc_test_install(lr, lc, kc->pk);
	assert_int_equal(find(lr, c1, key), GC_ENOTFOUND);
	assert_int_equal(find(lr, c2, key), GC_OK);
	assert_string_equal(key, KA);

	/* an INVITE signed by anyone but the school authority counts for
	 * nothing */
	dd = strdup(gc_test_tmpdir("invite_d"));
	assert_int_equal(gc_ledger_create(dd, kx, GC_ROLE_COORDINATOR, "10335",
	    "rogue", NULL, 0, NULL), GC_OK);
	ld = gc_test_ledger_open(dd, kx);
	invite(ld, KA, c1);
	gc_test_dump_feed(ld, NULL, &dump);
	{
		struct gc_ingest_result *res = calloc(dump.n, sizeof(*res));

		gc_ledger_ingest(lr, (const uint8_t *const *)dump.bytes,
		    dump.lens, dump.n, res, NULL);
		free(res);
	}
	assert_int_equal(find(lr, c1, key), GC_ENOTFOUND);
	gc_test_dump_free(&dump);

	gc_ledger_close(ld);
	gc_ledger_close(lr);
	gc_ledger_close(lc);
	gc_test_rmrf(dd);
	gc_test_rmrf(dr);
	gc_test_rmrf(dc);
	free(dd);
	free(dr);
	free(dc);
	gc_key_free(kc);
	gc_key_free(ks);
	gc_key_free(kx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_form),
		cmocka_unit_test(test_code_lenient),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_body_malformed),
		cmocka_unit_test(test_latest_stands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
