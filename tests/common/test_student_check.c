/* student_check: the STUDENT_CHECK body (what a student may type, the
 * bytes, malformed bodies of every kind) and on real ledgers which check
 * is a student's: the latest, in whatever order the entries arrive, also
 * after a reindex; only the online node and the coordinator sign them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/ledger.h"
#include "common/student_check.h"
#include "tests/testutil.h"

#define KA "10335:1:11010519491231002X:05"
#define KB "10335:1:360426199101010071:05"

static void
fill(struct gc_student_check *c, const char *key, enum gc_check_verdict v,
    const char *text)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->student, sizeof(c->student), "%s", key);
	memset(c->capture, 0xab, 32);
	c->verdict = v;
	snprintf(c->text, sizeof(c->text), "%s", text);
}

/* s into dst of cap bytes; a longer s fills dst without a NUL, as the
 * portal does with what a student typed (the check names it too long). */
static void
put(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	memcpy(dst, s, n < cap ? n + 1 : cap);
}

static void
with_addr(struct gc_student_check *c, const char *name, const char *phone,
    const char *addr)
{
	c->has_addr = true;
	put(c->name, sizeof(c->name), name);
	put(c->phone, sizeof(c->phone), phone);
	put(c->addr, sizeof(c->addr), addr);
}

static void
test_roundtrip(void **state)
{
	struct gc_student_check c, o;
	struct gc_buf           b;
	struct gc_diag          d;

	(void)state;
	gc_buf_init(&b);
	fill(&c, KA, GC_CHECK_OK, "");
	assert_int_equal(gc_student_check_encode(&b, &c, NULL), GC_OK);
	assert_int_equal(gc_cbor_scan(b.data, b.len, NULL), GC_OK);
	assert_int_equal(gc_student_check_decode(b.data, b.len, &o, NULL),
	    GC_OK);
	assert_string_equal(o.student, KA);
	assert_memory_equal(o.capture, c.capture, 32);
	assert_int_equal(o.verdict, GC_CHECK_OK);
	assert_string_equal(o.text, "");
	assert_false(o.has_addr);

	gc_buf_reset(&b);
	fill(&c, KB, GC_CHECK_REPORT, "出生日期不对，应为1991年1月2日\n姓名无误");
	with_addr(&c, "张三", "+86 138-0013-8000", "北京市海淀区某路1号 100080");
	assert_int_equal(gc_student_check_encode(&b, &c, NULL), GC_OK);
	gc_diag_clear(&d);
	assert_int_equal(gc_student_check_decode(b.data, b.len, &o, &d), GC_OK);
	assert_int_equal(o.verdict, GC_CHECK_REPORT);
	assert_string_equal(o.text, c.text);
	assert_true(o.has_addr);
	assert_string_equal(o.name, "张三");
	assert_string_equal(o.phone, "+86 138-0013-8000");
	assert_string_equal(o.addr, c.addr);
	gc_buf_release(&b);

	assert_string_equal(gc_check_verdict_name(GC_CHECK_OK), "ok");
	assert_string_equal(gc_check_verdict_name(7), "?");
	assert_string_equal(gc_check_verdict_zh(GC_CHECK_REPORT), "报告错误");
	{
		enum gc_check_verdict v;

		assert_true(gc_check_verdict_parse("report", &v));
		assert_int_equal(v, GC_CHECK_REPORT);
		assert_false(gc_check_verdict_parse("OK", &v));
		assert_false(gc_check_verdict_parse("", &v));
	}
}

/* c is refused with a message holding en and a Chinese one, and encodes
 * to nothing. */
static void
refused(const struct gc_student_check *c, const char *en)
{
	struct gc_check_problem why;
	struct gc_buf           b;
	struct gc_diag          d;

	assert_false(gc_student_check_valid(c, &why));
	if (strstr(why.en, en) == NULL) {
		fail_msg("expected \"%s\" in \"%s\"", en, why.en);
	}
	assert_true(why.zh[0] != '\0');
	gc_buf_init(&b);
	gc_diag_clear(&d);
	assert_int_equal(gc_student_check_encode(&b, c, &d), GC_EINVAL);
	assert_int_equal(b.len, 0);
	assert_non_null(strstr(d.msg, en));
	gc_buf_release(&b);
}

/* Report texts refused, and why. */
static const struct {
	const char *text, *why;
} bad_texts[] = {
	{ "", "report text is empty" },
	{ "   ", "report text is empty" },
	{ "bad \xff byte", "not valid UTF-8" },
	{ "a\tb", "control character" },
	{ "a\rb", "control character" },
	{ "C1 \xc2\x85 next line", "control character" },
	/* unseen characters that change what is read: RLO, zero-width
	 * space, line separator, an isolate, the BOM */
	{ "姓名\xe2\x80\xae错了", "control character" },
	{ "a\xe2\x80\x8b" "b", "control character" },
	{ "a\xe2\x80\xa8" "b", "control character" },
	{ "a\xe2\x81\xa6" "b", "control character" },
	{ "\xef\xbb\xbf姓名错了", "control character" },
};

/* Mailing addresses refused, and why. */
static const struct {
	const char *name, *phone, *addr, *why;
} bad_addrs[] = {
	{ "", "13800138000", "北京", "name is empty" },
	{ "张三\n", "13800138000", "北京", "control character" },
	{ "张三", "13800138000", "", "address is empty" },
	{ "张三", "1380", "北京", "phone number" },
	{ "张三", "138001380001380013800", "北京", "5 to 20 digits" },
	{ "张三", "138-abc-8000", "北京", "phone number" },
	{ "张三", "86+13800138000", "北京", "phone number" },
	{ "张三", "- - - - -", "北京", "phone number" },
};

static void
test_typed_refused(void **state)
{
	struct gc_student_check c;
	char                    big[GC_CHECK_TEXT_MAX + 1];

	(void)state;
	fill(&c, "", GC_CHECK_OK, "");
	refused(&c, "student key");
	fill(&c, KA, GC_CHECK_OK, "");
	c.verdict = (enum gc_check_verdict)2;
	refused(&c, "verdict");
	fill(&c, KA, GC_CHECK_OK, "姓名错了");
	refused(&c, "no report text");
	for (size_t i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		fill(&c, KA, GC_CHECK_REPORT, bad_texts[i].text);
		refused(&c, bad_texts[i].why);
	}
	fill(&c, KA, GC_CHECK_REPORT, "生日应为 2000—01—02 “全角”");
	assert_true(gc_student_check_valid(&c, NULL)); /* dashes, quotes */
	memset(big, 'x', GC_CHECK_TEXT_MAX);
	big[GC_CHECK_TEXT_MAX] = '\0';
	fill(&c, KA, GC_CHECK_REPORT, big);
	assert_true(gc_student_check_valid(&c, NULL)); /* at the limit */
	memcpy(c.text, big, GC_CHECK_TEXT_MAX);
	c.text[GC_CHECK_TEXT_MAX] = 'y'; /* no NUL left */
	refused(&c, "is too long (at most");

	fill(&c, KA, GC_CHECK_OK, "");
	for (size_t i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		with_addr(&c, bad_addrs[i].name, bad_addrs[i].phone,
		    bad_addrs[i].addr);
		refused(&c, bad_addrs[i].why);
	}
	with_addr(&c, "张三", "1 3 8 0 0 1 3 8 0 0", "北京");
	assert_true(gc_student_check_valid(&c, NULL)); /* 19 characters */
	memset(c.addr, 'x', sizeof(c.addr));
	refused(&c, "is too long (at most");
	with_addr(&c, "张三", "13800138000", "北京");
	assert_true(gc_student_check_valid(&c, NULL));
}

/* A body built by hand: the map of n fields. */
static gc_err
decode_raw(const struct gc_buf *b, struct gc_diag *d)
{
	struct gc_student_check o;

	gc_diag_clear(d);
	return gc_student_check_decode(b->data, b->len, &o, d);
}

/* The head of a hand-made body: a map of n fields starting with the
 * student (0), a capture id of caplen bytes (1) and the verdict (2). */
static void
head3(struct gc_buf *b, size_t n, size_t caplen, uint64_t verdict)
{
	static const uint8_t cap[32] = { 1 };

	gc_buf_reset(b);
	gc_cbor_map(b, n);
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, KA);
	gc_cbor_uint(b, 1);
	gc_cbor_bytes(b, cap, caplen);
	gc_cbor_uint(b, 2);
	gc_cbor_uint(b, verdict);
}

static void
test_body_malformed(void **state)
{
	struct gc_student_check c, o;
	struct gc_buf           b, g;
	struct gc_diag          d;
	uint8_t                 cap[32] = { 1 };

	(void)state;
	gc_buf_init(&g);
	fill(&c, KA, GC_CHECK_REPORT, "专业不对");
	with_addr(&c, "张三", "13800138000", "北京");
	assert_int_equal(gc_student_check_encode(&g, &c, NULL), GC_OK);
	/* every cut of a good body is refused, never read past */
	for (size_t cut = 0; cut < g.len; cut++) {
		assert_int_equal(gc_student_check_decode(g.data, cut, &o, NULL),
		    GC_ECORRUPT);
	}
	/* every flipped byte either still decodes to a valid check or is
	 * refused */
	for (size_t i = 0; i < g.len; i++) {
		uint8_t save = g.data[i];

		g.data[i] ^= 0x5a;
		if (gc_student_check_decode(g.data, g.len, &o, NULL) == GC_OK) {
			assert_true(gc_student_check_valid(&o, NULL));
		}
		g.data[i] = save;
	}
	gc_buf_release(&g);

	gc_buf_init(&b);
	gc_cbor_array(&b, 0);
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "not a map"));

	gc_buf_reset(&b); /* no student */
	gc_cbor_map(&b, 2);
	gc_cbor_uint(&b, 1);
	gc_cbor_bytes(&b, cap, 32);
	gc_cbor_uint(&b, 2);
	gc_cbor_uint(&b, 0);
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "field 0"));

	head3(&b, 3, 31, 0); /* a short capture id */
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "field 1"));

	head3(&b, 3, 32, 2); /* an unknown verdict */
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "field 2"));

	head3(&b, 3, 32, 1); /* a report without its text */
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "report text is empty"));

	head3(&b, 4, 32, 1); /* a text with a NUL inside */
	gc_cbor_uint(&b, 3);
	gc_cbor_textn(&b, "a\0b", 3);
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "field 3"));

	head3(&b, 4, 32, 0); /* an address without its phone */
	gc_cbor_uint(&b, 4);
	gc_cbor_map(&b, 2);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "张三");
	gc_cbor_uint(&b, 2);
	gc_cbor_text(&b, "北京");
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "field 4"));

	gc_buf_reset(&b); /* not deterministic CBOR: a long-form head */
	gc_buf_putc(&b, 0xb8);
	gc_buf_putc(&b, 0x03);
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);

	gc_buf_reset(&b); /* trailing bytes after the map */
	gc_cbor_map(&b, 0);
	gc_cbor_uint(&b, 0);
	assert_int_equal(decode_raw(&b, &d), GC_ECORRUPT);
	gc_buf_release(&b);
}

/* A STUDENT_CHECK of key on lg: its entry id in id. */
static gc_err
check(gc_ledger *lg, const char *key, enum gc_check_verdict v,
    const char *text, uint8_t id[32])
{
	struct gc_student_check c;
	struct gc_buf           b;
	gc_err                  rv;

	fill(&c, key, v, text);
	gc_buf_init(&b);
	assert_int_equal(gc_student_check_encode(&b, &c, NULL), GC_OK);
	rv = gc_ledger_append_body(lg, GC_KIND_STUDENT_CHECK, &b, id, NULL);
	gc_buf_release(&b);
	return rv;
}

/* The verdict and text of key's latest check on lg; -1 when none. */
static int
latest(gc_ledger *lg, const char *key, char *text)
{
	struct gc_student_check c;
	struct gc_entry         e;
	uint8_t                *bytes;
	size_t                  len;
	int                     v;

	if (gc_ledger_check_latest(lg, key, &bytes, &len) != GC_OK) {
		return -1;
	}
	assert_int_equal(gc_entry_parse(&e, bytes, len, NULL), GC_OK);
	assert_int_equal(e.kind, GC_KIND_STUDENT_CHECK);
	assert_int_equal(gc_student_check_decode(e.body, e.body_len, &c, NULL),
	    GC_OK);
	assert_string_equal(c.student, key);
	if (text != NULL) {
		strcpy(text, c.text);
	}
	v = (int)c.verdict;
	gc_free(bytes);
	return v;
}

static int
count_cb(const struct gc_entry *e, void *arg)
{
	size_t *n = arg;

	assert_int_equal(e->kind, GC_KIND_STUDENT_CHECK);
	(*n)++;
	return 0;
}

static void
test_latest_stands(void **state)
{
	char               *dc, *dn, *ds;
	struct gc_key      *kc = gc_test_key(1), *kn = gc_test_key(2);
	struct gc_key      *ks = gc_test_key(3);
	gc_ledger          *lc, *ln, *ls;
	struct gc_test_dump dump;
	char                text[GC_CHECK_TEXT_MAX + 1];
	size_t              n = 0;

	(void)state;
	dc = strdup(gc_test_tmpdir("check_c"));
	assert_int_equal(gc_ledger_create(dc, kc, GC_ROLE_COORDINATOR, "10335",
	    "c", NULL, 0, NULL), GC_OK);
	lc = gc_test_ledger_open(dc, kc);
	gc_test_enroll(lc, kn, GC_ROLE_ONLINE, "o");
	gc_test_enroll(lc, ks, GC_ROLE_SITE, "s");
	dn = strdup(gc_test_tmpdir("check_n"));
	assert_int_equal(gc_ledger_create(dn, kn, GC_ROLE_ONLINE, "10335", "o",
	    NULL, 0, NULL), GC_OK);
	ln = gc_test_ledger_open(dn, kn);
	gc_test_install(ln, lc, kc->pk);
	ds = strdup(gc_test_tmpdir("check_s"));
	assert_int_equal(gc_ledger_create(ds, ks, GC_ROLE_SITE, "10335", "s",
	    NULL, 0, NULL), GC_OK);
	ls = gc_test_ledger_open(ds, ks);
	gc_test_install(ls, lc, kc->pk);

	/* a site signs no students' checks */
	assert_int_equal(check(ls, KA, GC_CHECK_OK, "", NULL), GC_EPERM);

	assert_int_equal(latest(ln, KA, NULL), -1);
	assert_int_equal(check(ln, KA, GC_CHECK_REPORT, "姓名错了", NULL), GC_OK);
	assert_int_equal(latest(ln, KA, text), GC_CHECK_REPORT);
	assert_string_equal(text, "姓名错了");
	assert_int_equal(check(ln, KA, GC_CHECK_OK, "", NULL), GC_OK);
	assert_int_equal(check(ln, KB, GC_CHECK_OK, "", NULL), GC_OK);
	assert_int_equal(latest(ln, KA, text), GC_CHECK_OK);
	assert_int_equal(latest(ln, KB, NULL), GC_CHECK_OK);

	/* the coordinator, taking the online node's feed, knows the same;
	 * and a check it signs itself (serving the portal) later wins */
	gc_test_dump_feed(ln, kn->pk, &dump);
	{
		struct gc_ingest_result *res = calloc(dump.n, sizeof(*res));

		assert_int_equal(gc_ledger_ingest(lc, (const uint8_t *const *)
		    dump.bytes, dump.lens, dump.n, res, NULL), GC_OK);
		for (size_t i = 0; i < dump.n; i++) {
			assert_true(res[i].status == GC_INGEST_ADDED ||
			    res[i].status == GC_INGEST_DUPLICATE);
		}
		free(res);
	}
	gc_test_dump_free(&dump);
	assert_int_equal(latest(lc, KA, NULL), GC_CHECK_OK);
	assert_int_equal(check(lc, KB, GC_CHECK_REPORT, "专业不对", NULL),
	    GC_OK);
	assert_int_equal(latest(lc, KB, text), GC_CHECK_REPORT);
	assert_string_equal(text, "专业不对");
	assert_int_equal(gc_ledger_checks(lc, count_cb, &n), GC_OK);
	assert_int_equal(n, 2);
	/* a reindex gives the same */
	assert_int_equal(gc_ledger_reindex(lc, NULL), GC_OK);
	assert_int_equal(latest(lc, KA, NULL), GC_CHECK_OK);
	assert_int_equal(latest(lc, KB, NULL), GC_CHECK_REPORT);
	n = 0;
	assert_int_equal(gc_ledger_checks(lc, count_cb, &n), GC_OK);
	assert_int_equal(n, 2);
	/* and the whole ledger still verifies (roles, signatures) */
	assert_int_equal(gc_ledger_verify(lc, NULL, NULL, NULL), GC_OK);

	gc_ledger_close(ls);
	gc_ledger_close(ln);
	gc_ledger_close(lc);
	gc_test_rmrf(ds);
	gc_test_rmrf(dn);
	gc_test_rmrf(dc);
	free(ds);
	free(dn);
	free(dc);
	gc_key_free(kc);
	gc_key_free(kn);
	gc_key_free(ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_typed_refused),
		cmocka_unit_test(test_body_malformed),
		cmocka_unit_test(test_latest_stands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
