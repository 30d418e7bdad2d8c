/* Deterministic CBOR: writer, strict scanner, cursor. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"

static void
hex_eq(const struct gc_buf *b, const char *hex)
{
	char got[512];

	assert_true(b->len * 2 < sizeof(got));
	gc_hex_encode(got, b->data, b->len);
	assert_string_equal(got, hex);
}

static void
test_cbor_writer_uses_shortest_form(void **state)
{
	struct gc_buf b;

	(void)state;
	gc_buf_init(&b);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, 23);
	gc_cbor_uint(&b, 24);
	gc_cbor_uint(&b, 255);
	gc_cbor_uint(&b, 256);
	gc_cbor_uint(&b, 65536);
	gc_cbor_uint(&b, 4294967296ull);
	gc_cbor_int(&b, -1);
	gc_cbor_int(&b, -8);
	hex_eq(&b, "00171818" "18ff" "190100" "1a00010000"
	    "1b0000000100000000" "20" "27");
	gc_buf_reset(&b);
	gc_cbor_text(&b, "a");
	gc_cbor_bytes(&b, "\x01\x02", 2);
	gc_cbor_map(&b, 1);
	gc_cbor_uint(&b, 1);
	gc_cbor_array(&b, 0);
	gc_cbor_tag(&b, 18);
	gc_cbor_bool(&b, true);
	gc_cbor_null(&b);
	hex_eq(&b, "6161420102a10180d2f5f6");
	gc_buf_release(&b);
}

static void
scan_ok(const char *hex)
{
	uint8_t        buf[256];
	size_t         n = strlen(hex) / 2;
	struct gc_diag d;

	assert_true(gc_hex_decode(buf, n, hex));
	gc_diag_clear(&d);
	if (gc_cbor_scan(buf, n, &d) != GC_OK) {
		fail_msg("%s rejected: %s", hex, d.msg);
	}
}

static void
scan_bad(const char *hex, const char *why)
{
	uint8_t        buf[256];
	size_t         n = strlen(hex) / 2;
	struct gc_diag d;

	assert_true(gc_hex_decode(buf, n, hex));
	gc_diag_clear(&d);
	assert_int_equal(gc_cbor_scan(buf, n, &d), GC_ECORRUPT);
	if (strstr(d.msg, why) == NULL) {
		fail_msg("%s: expected '%s' in '%s'", hex, why, d.msg);
	}
}

static void
test_cbor_scan_accepts_deterministic_items(void **state)
{
	(void)state;
	scan_ok("00");
	scan_ok("1818");
	scan_ok("a201020304");             /* {1:2, 3:4} */
	scan_ok("a2016161026162");         /* {1:"a", 2:"b"} */
	scan_ok("d28443a10127a04100" "5840" "00000000000000000000000000000000"
	        "00000000000000000000000000000000"
	        "00000000000000000000000000000000"
	        "00000000000000000000000000000000");
	scan_ok("82f4f5");
	scan_ok("a2616101616202"); /* text keys in bytewise order */
}

static void
test_cbor_scan_rejects_non_canonical_and_malformed(void **state)
{
	(void)state;
	scan_bad("1801", "shortest");          /* 1 in two bytes */
	scan_bad("190001", "shortest");
	scan_bad("5f4101ff", "indefinite");     /* indefinite bytes */
	scan_bad("9f01ff", "indefinite");
	scan_bad("a203040102", "order");        /* {3:4, 1:2} */
	scan_bad("a201020103", "order");        /* repeated key */
	scan_bad("f93c00", "floating");         /* half float */
	scan_bad("fb3ff0000000000000", "floating");
	scan_bad("f7", "simple");               /* undefined */
	scan_bad("0000", "trailing");
	scan_bad("62", "past the end");
	scan_bad("19", "truncated");
	scan_bad("a101", "exceeds");
	scan_bad("a20102", "exceeds");
	scan_bad("a2011a0000", "truncated");
	scan_bad("6261", "past the end");
	scan_bad("83", "exceeds");
	scan_bad("1c", "reserved");
	scan_bad("62c328", "UTF-8");            /* invalid UTF-8 text */
	scan_bad("62c0af", "UTF-8");            /* overlong */
	scan_bad("9b0000000100000000", "exceeds");
	scan_bad("9affffffff", "exceeds");
	scan_bad("bbffffffffffffffff", "exceeds");
	scan_bad("", "truncated");
}

static void
test_cbor_scan_bounds_hostile_nesting(void **state)
{
	size_t         n = 1 << 20;
	uint8_t       *p = malloc(n);
	struct gc_diag d;

	(void)state;
	/* a million nested one-element arrays: must fail fast, no recursion */
	memset(p, 0x81, n - 1);
	p[n - 1] = 0x00;
	gc_diag_clear(&d);
	assert_int_equal(gc_cbor_scan(p, n, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "nested deeper"));
	/* nested maps as keys */
	memset(p, 0xa1, n - 1);
	assert_int_equal(gc_cbor_scan(p, n, NULL), GC_ECORRUPT);
	free(p);
}

static void
test_cbor_scan_survives_random_bytes(void **state)
{
	uint8_t  buf[64];
	uint64_t s = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)(s % sizeof(buf));

		for (size_t k = 0; k < n; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			buf[k] = (uint8_t)s;
		}
		(void)gc_cbor_scan(buf, n, NULL); /* never crashes */
		s += 0x9e37;
	}
}

static void
test_cbor_map_fields_reads_values(void **state)
{
	struct gc_buf        b;
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[4];
	uint64_t             v;
	const char          *t;
	size_t               n;
	char                 s[8];

	(void)state;
	gc_buf_init(&b);
	gc_cbor_map(&b, 3);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, 300);
	gc_cbor_uint(&b, 2);
	gc_cbor_text(&b, "学号");
	gc_cbor_uint(&b, 9); /* beyond the table: ignored */
	gc_cbor_array(&b, 2);
	gc_cbor_uint(&b, 1);
	gc_cbor_uint(&b, 2);
	assert_int_equal(gc_cbor_scan(b.data, b.len, NULL), GC_OK);
	gc_cbor_cur_init(&c, b.data, b.len);
	assert_int_equal(gc_cbor_map_fields(&c, f, 4), GC_OK);
	assert_true(gc_cbor_field_uint(&f[0], &v));
	assert_int_equal(v, 300);
	assert_null(f[1].p);
	assert_false(gc_cbor_field_uint(&f[2], &v)); /* mistyped */
	assert_true(gc_cbor_field_text(&f[2], &t, &n));
	assert_int_equal(n, 6);
	assert_false(gc_cbor_field_strcpy(&f[2], s, 6)); /* too long */
	assert_true(gc_cbor_field_strcpy(&f[2], s, 7));
	assert_string_equal(s, "学号");
	gc_buf_reset(&b);
	gc_cbor_json(&b, f[0].p, f[0].len, NULL, 0);
	assert_string_equal(gc_buf_cstr(&b), "300");
	gc_buf_release(&b);
}

static void
test_cbor_json_names_and_escapes(void **state)
{
	struct gc_buf      b, j;
	static const char *names[] = { "a", "b" };

	(void)state;
	gc_buf_init(&b);
	gc_buf_init(&j);
	gc_cbor_map(&b, 3);
	gc_cbor_uint(&b, 0);
	gc_cbor_text(&b, "x\"y\n");
	gc_cbor_uint(&b, 1);
	gc_cbor_bytes(&b, "\xab\xcd", 2);
	gc_cbor_uint(&b, 5);
	gc_cbor_int(&b, -3);
	gc_cbor_json(&j, b.data, b.len, names, 2);
	assert_string_equal(gc_buf_cstr(&j),
	    "{\"a\":\"x\\\"y\\n\",\"b\":\"abcd\",\"5\":-3}");
	gc_buf_release(&b);
	gc_buf_release(&j);
}

static void
test_buf_fails_sticky_under_allocation_failure(void **state)
{
	struct gc_buf b;

	(void)state;
	gc_buf_init(&b);
	gc_alloc_fail_after(1);
	gc_cbor_text(&b, "hello");
	gc_alloc_fail_after(0);
	gc_cbor_text(&b, "more"); /* no-op once failed */
	assert_int_equal(gc_buf_status(&b), GC_ENOMEM);
	assert_int_equal(b.len, 0);
	gc_buf_release(&b);
	b.max = 4;
	gc_buf_puts(&b, "12345");
	assert_int_equal(gc_buf_status(&b), GC_ENOMEM);
	gc_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cbor_writer_uses_shortest_form),
		cmocka_unit_test(test_cbor_scan_accepts_deterministic_items),
		cmocka_unit_test(
		    test_cbor_scan_rejects_non_canonical_and_malformed),
		cmocka_unit_test(test_cbor_scan_bounds_hostile_nesting),
		cmocka_unit_test(test_cbor_scan_survives_random_bytes),
		cmocka_unit_test(test_cbor_map_fields_reads_values),
		cmocka_unit_test(test_cbor_json_names_and_escapes),
		cmocka_unit_test(test_buf_fails_sticky_under_allocation_failure),
	};
	return cmocka_run_group_tests_name("common.cbor", tests, NULL, NULL);
}
