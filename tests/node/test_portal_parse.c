/* The student portal's parsers (node/portal_parse.h): the trusted proxies,
 * the address a student is counted by, the Origin check, the bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "node/portal_parse.h"

static struct gc_portal_proxies
proxies(const char *list)
{
	struct gc_portal_proxies tp;

	assert_int_equal(gc_portal_proxies_parse(&tp, list, NULL), GC_OK);
	return tp;
}

static void
test_proxies_name_what_is_not_an_address(void **state)
{
	struct gc_portal_proxies tp;
	struct gc_diag           d;

	(void)state;
	tp = proxies(GC_PORTAL_PROXIES_DEFAULT);
	assert_int_equal(tp.n, 2);
	tp = proxies(" 127.0.0.1,::1  10.0.0.5 ,");
	assert_int_equal(tp.n, 3);
	gc_diag_clear(&d);
	assert_int_equal(gc_portal_proxies_parse(&tp, "127.0.0.1, nginx", &d),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "\"nginx\" is not an IP address"));
	gc_diag_clear(&d);
	assert_int_equal(gc_portal_proxies_parse(&tp, "10.0.0.0/8", &d),
	    GC_EINVAL);
	assert_int_equal(gc_portal_proxies_parse(&tp, " , ", &d), GC_EINVAL);
	assert_int_equal(gc_portal_proxies_parse(&tp, "1.1.1.1 1.1.1.2 "
	    "1.1.1.3 1.1.1.4 1.1.1.5 1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 "
	    "1.1.1.11 1.1.1.12 1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 1.1.1.17",
	    NULL), GC_EINVAL);
}

static void
test_client_addr_trusts_only_the_proxy(void **state)
{
	struct gc_portal_proxies tp = proxies("127.0.0.1, ::1");
	char                     a[GC_PORTAL_ADDR_MAX];

	(void)state;
	/* from the proxy: X-Real-IP, else the last X-Forwarded-For hop */
	assert_true(gc_portal_client_addr(&tp, "127.0.0.1", "203.0.113.9",
	    "198.51.100.1", a, sizeof(a)));
	assert_string_equal(a, "203.0.113.9");
	assert_true(gc_portal_client_addr(&tp, "127.0.0.1", NULL,
	    "10.9.9.9, 198.51.100.1", a, sizeof(a)));
	assert_string_equal(a, "198.51.100.1");
	assert_true(gc_portal_client_addr(&tp, "::1", "junk",
	    " 198.51.100.2 ", a, sizeof(a)));
	assert_string_equal(a, "198.51.100.2");
	/* the proxy sends nothing usable: its own address */
	assert_false(gc_portal_client_addr(&tp, "127.0.0.1", "", "1.2.3.4, ",
	    a, sizeof(a)));
	assert_string_equal(a, "127.0.0.1");
	/* any other peer is counted by its own address, whatever it says */
	assert_false(gc_portal_client_addr(&tp, "127.0.0.2", "203.0.113.9",
	    "203.0.113.9", a, sizeof(a)));
	assert_string_equal(a, "127.0.0.2");
	assert_false(gc_portal_client_addr(&tp, "", "203.0.113.9", NULL, a,
	    sizeof(a)));
	assert_string_equal(a, "unknown");
	/* a mapped IPv4 is IPv4; IPv6 counts by its /64 */
	assert_true(gc_portal_client_addr(&tp, "127.0.0.1",
	    "::ffff:203.0.113.9", NULL, a, sizeof(a)));
	assert_string_equal(a, "203.0.113.9");
	assert_true(gc_portal_client_addr(&tp, "127.0.0.1",
	    "2001:db8:1:2:aaaa:bbbb:cccc:dddd", NULL, a, sizeof(a)));
	assert_string_equal(a, "2001:db8:1:2::/64");
	assert_true(gc_portal_proxy_trusted(&tp, "::ffff:127.0.0.1"));
	assert_false(gc_portal_proxy_trusted(&tp, "127.0.0.1 x"));
}

static void
test_same_origin_wants_the_host_exactly(void **state)
{
	(void)state;
	assert_true(gc_portal_same_origin("", "photo.example.edu.cn"));
	assert_true(gc_portal_same_origin("https://Photo.example.edu.cn",
	    "photo.example.edu.cn"));
	assert_false(gc_portal_same_origin("https://evil.example",
	    "photo.example.edu.cn"));
	assert_false(gc_portal_same_origin("https://photo.example.edu.cn.evil",
	    "photo.example.edu.cn"));
	assert_false(gc_portal_same_origin("null", "photo.example.edu.cn"));
	assert_false(gc_portal_same_origin("https://", ""));
}

static void
test_signin_and_confirm_bodies(void **state)
{
	char     code[32], idn[20];
	uint32_t id;
	char     longcode[80];
	char     body[128];

	(void)state;
#define PARSE(b) gc_portal_signin_parse((b), strlen(b), code, sizeof(code), \
	idn, sizeof(idn))
	assert_int_equal(PARSE("{\"code\":\"AB-CD\",\"id_number\":\"1101\"}"),
	    GC_OK);
	assert_string_equal(code, "AB-CD");
	assert_string_equal(idn, "1101");
	assert_int_equal(PARSE("{\"code\":\"AB\",\"id_number\":7}"), GC_OK);
	assert_string_equal(idn, "");
	assert_int_equal(PARSE("{\"id_number\":\"1101\"}"), GC_EINVAL);
	assert_int_equal(PARSE("{\"code\":1}"), GC_EINVAL);
	assert_int_equal(PARSE("[\"code\"]"), GC_EINVAL);
	assert_int_equal(PARSE("\xff\xfe"), GC_EINVAL);
	/* a code longer than any: "" (a failed sign-in), not a cut one */
	memset(longcode, 'A', sizeof(longcode) - 1);
	longcode[sizeof(longcode) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", longcode);
	assert_int_equal(PARSE(body), GC_OK);
	assert_string_equal(code, "");
#undef PARSE
#define CONFIRM(b) gc_portal_confirm_parse((b), strlen(b), &id, NULL)
	assert_true(CONFIRM("{\"draft\":7}"));
	assert_int_equal(id, 7);
	assert_true(CONFIRM("{\"draft\":4294967295}"));
	assert_false(CONFIRM("{\"draft\":4294967296}"));
	assert_false(CONFIRM("{\"draft\":0}"));
	assert_false(CONFIRM("{\"draft\":1.5}"));
	assert_false(CONFIRM("{\"draft\":\"1\"}"));
	assert_false(CONFIRM("{\"draft\":-1}"));
	assert_false(CONFIRM(""));
#undef CONFIRM
	/* the body for its other members */
	{
		static const char cb[] = "{\"draft\":3,\"code\":\"CHSI:x\"}";
		struct gc_json   *doc;

		assert_true(gc_portal_confirm_parse(cb, sizeof(cb) - 1, &id,
		    &doc));
		assert_int_equal(id, 3);
		assert_string_equal(gc_json_get(doc, "code")->str, "CHSI:x");
		gc_json_free(doc);
		assert_false(gc_portal_confirm_parse("{}", 2, &id, &doc));
		assert_null(doc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxies_name_what_is_not_an_address),
		cmocka_unit_test(test_client_addr_trusts_only_the_proxy),
		cmocka_unit_test(test_same_origin_wants_the_host_exactly),
		cmocka_unit_test(test_signin_and_confirm_bodies),
	};
	return cmocka_run_group_tests_name("node.portal_parse", tests, NULL,
	    NULL);
}
