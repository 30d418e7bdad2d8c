/* The strict JSON parser: every kind of value decoded, and every refusal in
 * common/json.h named with its offset and reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "common/json.h"

static struct gc_json *
okn(const char *s, size_t n)
{
	struct gc_json *doc = NULL;
	char            why[200];
	gc_err          rv;

	rv = gc_json_parse(&doc, s, n, why, sizeof(why));
	if (rv != GC_OK) {
		fail_msg("%.*s: refused (%s): %s", (int)(n > 80 ? 80 : n), s,
		    gc_strerror(rv), why);
	}
	assert_non_null(doc);
	return doc;
}

static struct gc_json *
ok(const char *s)
{
	return okn(s, strlen(s));
}

/* s[0..n) is refused with GC_EINVAL and why containing want; also with no
 * room for why, or little. */
static void
badn(const char *s, size_t n, const char *want)
{
	struct gc_json *doc = (struct gc_json *)&doc;
	char            why[200], tiny[12];

	assert_int_equal(gc_json_parse(&doc, s, n, why, sizeof(why)),
	    GC_EINVAL);
	assert_null(doc);
	if (strstr(why, want) == NULL) {
		fail_msg("%.*s: expected '%s' in '%s'", (int)(n > 80 ? 80 : n),
		    s, want, why);
	}
	assert_int_equal(gc_json_parse(&doc, s, n, NULL, 0), GC_EINVAL);
	assert_int_equal(gc_json_parse(&doc, s, n, why, 0), GC_EINVAL);
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(gc_json_parse(&doc, s, n, tiny, 1), GC_EINVAL);
	assert_int_equal(tiny[0], '\0');
	assert_int_equal(tiny[1], 'x');
	assert_int_equal(gc_json_parse(&doc, s, n, tiny, sizeof(tiny)),
	    GC_EINVAL);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_memory_equal(tiny, "at byte ", 8);
}

static void
bad(const char *s, const char *want)
{
	badn(s, strlen(s), want);
}

static void
num_is(const char *s, double want)
{
	struct gc_json *doc = ok(s);

	assert_int_equal(doc->type, GC_JSON_NUMBER);
	if (doc->num != want || signbit(doc->num) != signbit(want)) {
		fail_msg("%s: got %.17g, expected %.17g", s, doc->num, want);
	}
	gc_json_free(doc);
}

/* s is one string that decodes to the bytes want (NUL-terminated). */
static void
str_is(const char *s, const char *want)
{
	struct gc_json *doc = ok(s);

	assert_int_equal(doc->type, GC_JSON_STRING);
	assert_int_equal(doc->len, strlen(want));
	assert_memory_equal(doc->str, want, doc->len + 1);
	gc_json_free(doc);
}

/* A document as a heap string: head, then mid n times, then tail. */
static char *
repeat(const char *head, const char *mid, size_t n, const char *tail)
{
	size_t hl = strlen(head), ml = strlen(mid), tl = strlen(tail);
	char  *s  = malloc(hl + ml * n + tl + 1);
	char  *p  = s;

	assert_non_null(s);
	memcpy(p, head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, mid, ml);
		p += ml;
	}
	memcpy(p, tail, tl + 1);
	return s;
}

static void
test_json_parses_scalars(void **state)
{
	struct gc_json *doc;

	(void)state;
	doc = ok("null");
	assert_int_equal(doc->type, GC_JSON_NULL);
	assert_null(doc->kid);
	assert_null(doc->next);
	assert_null(doc->key);
	gc_json_free(doc);
	doc = ok(" \t\r\ntrue \n");
	assert_int_equal(doc->type, GC_JSON_TRUE);
	gc_json_free(doc);
	doc = ok("false");
	assert_int_equal(doc->type, GC_JSON_FALSE);
	gc_json_free(doc);
	str_is("\"\"", "");
	str_is("\"abc\"", "abc");
	str_is(" \"a b\" ", "a b");
	/* a string of only part of the buffer */
	doc = okn("\"ab\"garbage", 4);
	assert_string_equal(doc->str, "ab");
	gc_json_free(doc);
}

static void
test_json_parses_numbers(void **state)
{
	char *s;

	(void)state;
	num_is("12", 12);
	num_is("0", 0);
	num_is("-0", -0.0);
	num_is("-0.0", -0.0);
	num_is("0.5", 0.5);
	num_is("-1.5E-3", -0.0015);
	num_is("1e308", 1e308);
	num_is("1E+2", 100);
	num_is("1e-2", 0.01);
	num_is("1.7976931348623157e308", 1.7976931348623157e308);
	num_is("-1.7976931348623157e308", -1.7976931348623157e308);
	num_is("4.9e-324", 4.9e-324);
	num_is("1e-400", 0); /* underflow is not refused: it is zero */
	num_is("123456789012345678901234567890",
	    123456789012345678901234567890.0);
	num_is(" 7 ", 7);
	/* longer than the on-stack copy */
	s = repeat("0.", "0", 100, "125");
	num_is(s, 1.25e-101);
	free(s);
	s = repeat("1", "0", 300, "");
	num_is(s, 1e300);
	free(s);
}

static void
test_json_refuses_bad_numbers(void **state)
{
	char *s;

	(void)state;
	bad("1e309", "at byte 0: the number 1e309 overflows a double");
	bad("-1e309", "at byte 0: the number -1e309 overflows a double");
	bad("[1, 2E999]", "at byte 4: the number 2E999 overflows");
	s = repeat("1", "0", 400, "");
	bad(s, "at byte 0: the number 100000000000000000000000... "
	       "overflows a double");
	free(s);
	bad("01", "at byte 0: a number has a leading zero");
	bad("-01", "at byte 0: a number has a leading zero");
	bad("[00]", "at byte 1: a number has a leading zero");
	bad("1.", "at byte 2: a digit must follow the decimal point");
	bad("1.e5", "at byte 2: a digit must follow the decimal point");
	bad("2.]", "at byte 2: a digit must follow the decimal point");
	bad(".5", "at byte 0: a number must start with a digit, found '.'");
	bad("+1", "at byte 0: a number may not start with '+'");
	bad("-", "at byte 1: a digit must follow '-'");
	bad("[-]", "at byte 2: a digit must follow '-'");
	bad("- 1", "at byte 1: a digit must follow '-'");
	bad("-a", "at byte 1: a digit must follow '-'");
	bad("-Infinity", "at byte 1: a digit must follow '-'");
	bad("1e", "at byte 2: a digit must follow the exponent");
	bad("1e+", "at byte 3: a digit must follow the exponent");
	bad("1E-x", "at byte 3: a digit must follow the exponent");
	bad("0x1F", "at byte 1: trailing bytes after the value");
	bad("1 2", "at byte 2: trailing bytes after the value");
	bad("NaN", "at byte 0: expected a value, found 'N'");
	bad("Infinity", "at byte 0: expected a value, found 'I'");
	bad("[1.5e]", "at byte 5: a digit must follow the exponent");
}

static void
test_json_parses_nested_documents(void **state)
{
	struct gc_json       *doc;
	const struct gc_json *a, *m;

	(void)state;
	doc = ok("{\"a\": [1, {\"b\": null}, \"x\"], \"c\": {\"d\": \"e\"},"
		 " \"f\": true, \"g\": false, \"h\": [], \"i\": {}}");
	assert_int_equal(doc->type, GC_JSON_OBJECT);
	assert_int_equal(doc->len, 6);
	assert_null(doc->key);
	a = gc_json_get(doc, "a");
	assert_ptr_equal(a, doc->kid);
	assert_string_equal(a->key, "a");
	assert_int_equal(a->type, GC_JSON_ARRAY);
	assert_int_equal(a->len, 3);
	m = a->kid;
	assert_int_equal(m->type, GC_JSON_NUMBER);
	assert_true(m->num == 1);
	assert_null(m->key);
	m = m->next;
	assert_int_equal(m->type, GC_JSON_OBJECT);
	assert_int_equal(m->len, 1);
	assert_int_equal(gc_json_get(m, "b")->type, GC_JSON_NULL);
	m = m->next;
	assert_string_equal(m->str, "x");
	assert_null(m->next);
	assert_string_equal(gc_json_str_of(gc_json_get(doc, "c"), "d"), "e");
	assert_true(gc_json_bool_of(doc, "f", false));
	assert_false(gc_json_bool_of(doc, "g", true));
	m = gc_json_get(doc, "h");
	assert_int_equal(m->type, GC_JSON_ARRAY);
	assert_int_equal(m->len, 0);
	assert_null(m->kid);
	m = gc_json_get(doc, "i");
	assert_int_equal(m->type, GC_JSON_OBJECT);
	assert_int_equal(m->len, 0);
	assert_null(m->kid);
	assert_null(m->next);
	/* members in document order */
	m = doc->kid;
	for (const char *k = "acfghi"; *k != '\0'; k++) {
		assert_int_equal(m->key[0], *k);
		m = m->next;
	}
	assert_null(m);
	gc_json_free(doc);

	doc = ok(" { \"a\" : [ 1 , -2 ] ,\r\n\t\"b\" :\n{ } } ");
	assert_int_equal(doc->len, 2);
	assert_true(gc_json_get(doc, "a")->kid->next->num == -2);
	gc_json_free(doc);
	doc = ok("[[[]], [[1]], {\"\": \"\"}]");
	assert_int_equal(doc->len, 3);
	assert_int_equal(doc->kid->kid->type, GC_JSON_ARRAY);
	assert_true(doc->kid->next->kid->kid->num == 1);
	assert_string_equal(doc->kid->next->next->kid->key, "");
	assert_string_equal(gc_json_str_of(doc->kid->next->next, ""), "");
	gc_json_free(doc);
}

static void
test_json_decodes_escapes(void **state)
{
	struct gc_json *doc;

	(void)state;
	str_is("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
	str_is("\"a\\u0041\\u00e9\\u00E9\"", "aA\xc3\xa9\xc3\xa9");
	str_is("\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f");
	str_is("\"\\u0080\\u07ff\\u0800\"", "\xc2\x80\xdf\xbf\xe0\xa0\x80");
	str_is("\"\\ud7ff\\ue000\\uffff\"",
	    "\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf");
	str_is("\"\\u4e2d\\u6587\"", "中文");
	/* surrogate pairs */
	str_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
	str_is("\"\\uD834\\uDD1E\"", "\xf0\x9d\x84\x9e");
	str_is("\"\\ud800\\udc00\"", "\xf0\x90\x80\x80");
	str_is("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf");
	str_is("\"x\\ud83d\\ude00y\\ud83d\\ude00\"",
	    "x\xf0\x9f\x98\x80y\xf0\x9f\x98\x80");
	/* escapes in keys, and get by the decoded key */
	doc = ok("{\"\\u5b66\\u53f7\": \"\\n\", \"a\\tb\": 1}");
	assert_string_equal(gc_json_str_of(doc, "学号"), "\n");
	assert_non_null(gc_json_get(doc, "a\tb"));
	gc_json_free(doc);
}

static void
test_json_keeps_utf8_text(void **state)
{
	struct gc_json *doc;

	(void)state;
	doc = ok("{\"姓名\": \"张三丰\", \"班级\": \"计算机科学与技术 2班\","
		 " \"学校\": \"北京大学\"}");
	assert_string_equal(gc_json_str_of(doc, "姓名"), "张三丰");
	assert_int_equal(gc_json_get(doc, "姓名")->len, 9);
	assert_string_equal(gc_json_str_of(doc, "班级"),
	    "计算机科学与技术 2班");
	assert_null(gc_json_str_of(doc, "名"));
	gc_json_free(doc);
	/* the ends of each encoding length */
	str_is("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	       "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"",
	    "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	    "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	str_is("\"😀 é\"", "😀 é");
}

static void
test_json_refuses_bad_strings(void **state)
{
	(void)state;
	bad("\"abc", "at byte 0: a string is not closed");
	bad("[1, \"abc]", "at byte 4: a string is not closed");
	bad("\"", "at byte 0: a string is not closed");
	bad("\"\\", "at byte 0: a string is not closed");
	bad("\"\\u12", "at byte 0: a string is not closed");
	bad("\"\\ud800", "at byte 0: a string is not closed");
	bad("\"\\ud800\\", "at byte 0: a string is not closed");
	bad("\"\\ud800\\udc", "at byte 0: a string is not closed");
	bad("\"\\x\"", "at byte 1: an invalid escape: \\ then 'x'");
	bad("\"\\U0041\"", "at byte 1: an invalid escape: \\ then 'U'");
	bad("\"\\'\"", "at byte 1: an invalid escape: \\ then '''");
	bad("\"\\ \"", "at byte 1: an invalid escape: \\ then byte 0x20");
	badn("\"\\\0\"", 4, "at byte 1: an invalid escape: \\ then byte 0x00");
	bad("\"ab\\u00\"", "at byte 3: \\u must be followed by four hex "
			   "digits");
	bad("\"\\u12G4\"", "at byte 1: \\u must be followed by four hex");
	bad("\"\\u0000\"", "at byte 1: \\u0000 (NUL) is not allowed in a "
			   "string");
	bad("{\"a\\u0000\": 1}", "at byte 3: \\u0000 (NUL) is not allowed");
	/* lone surrogates */
	bad("\"\\ud800\"", "at byte 1: a lone surrogate \\ud800 (a high "
			   "surrogate with no \\u low surrogate after it)");
	bad("\"\\udc00\\ud800\"", "at byte 1: a lone surrogate \\udc00 (a "
				  "low surrogate with no high");
	bad("\"\\udfff\"", "at byte 1: a lone surrogate \\udfff");
	bad("\"\\ud800abcdef\"", "at byte 1: a lone surrogate \\ud800");
	bad("\"\\ud800\\n\"", "at byte 1: a lone surrogate \\ud800");
	bad("\"\\ud800\\u0041\"", "at byte 1: a lone surrogate \\ud800 (the "
				  "\\u0041 after it is not a low surrogate)");
	bad("\"\\ud800\\ue000\"", "at byte 1: a lone surrogate \\ud800 (the "
				  "\\ue000 after it");
	bad("\"\\ud800\\ud800\"", "at byte 1: a lone surrogate \\ud800 (the "
				  "\\ud800 after it");
	bad("\"\\ud800\\uZZZZ\"", "at byte 7: \\u must be followed by four");
	bad("\"a\\ud83d\\ude00\\ud83d\"", "at byte 14: a lone surrogate");
	/* raw control characters */
	bad("\"a\x01z\"", "at byte 2: a control character (byte 0x01) in a "
			  "string must be escaped");
	bad("\"a\tb\"", "at byte 2: a control character (byte 0x09)");
	bad("\"a\nb\"", "at byte 2: a control character (byte 0x0a)");
	bad("\"\x1f\"", "at byte 1: a control character (byte 0x1f)");
	badn("\"a\0b\"", 5, "at byte 2: a control character (byte 0x00)");
	bad("{\"k\x1b" "y\": 1}",
	    "at byte 3: a control character (byte 0x1b)");
	/* DEL is not a control character in RFC 8259 */
	str_is("\"\x7f\"", "\x7f");
	/* not quotes */
	bad("'a'", "at byte 0: expected a value, found '''");
}

static void
test_json_refuses_bad_utf8(void **state)
{
	(void)state;
	bad("\"\xc0\x80\"", "at byte 1: invalid UTF-8 (an overlong encoding)");
	bad("\"\xc1\xbf\"", "at byte 1: invalid UTF-8 (an overlong encoding)");
	bad("\"ab\xe0\x80\x80\"", "at byte 3: invalid UTF-8 (an overlong "
				  "encoding)");
	bad("\"\xe0\x9f\xbf\"", "at byte 1: invalid UTF-8 (an overlong");
	bad("\"\xf0\x80\x80\x80\"", "at byte 1: invalid UTF-8 (an overlong");
	bad("\"\xf0\x8f\xbf\xbf\"", "at byte 1: invalid UTF-8 (an overlong");
	bad("\"\xed\xa0\x80\"", "at byte 1: invalid UTF-8 (a surrogate "
				"encoded in UTF-8)");
	bad("\"\xed\xbf\xbf\"", "at byte 1: invalid UTF-8 (a surrogate");
	bad("\"\xed\xa0\xbd\xed\xb8\x80\"", "at byte 1: invalid UTF-8 (a "
					    "surrogate");
	bad("\"\xf4\x90\x80\x80\"", "at byte 1: invalid UTF-8 (a code point "
				    "above U+10FFFF)");
	bad("\"\xf5\x80\x80\x80\"", "at byte 1: invalid UTF-8 (a code point "
				    "above U+10FFFF)");
	bad("\"\xf7\xbf\xbf\xbf\"", "at byte 1: invalid UTF-8 (a code point "
				    "above U+10FFFF)");
	bad("\"\xf8\x88\x80\x80\x80\"", "at byte 1: invalid UTF-8 (a byte "
					"that is never in UTF-8)");
	bad("\"\xff\"", "at byte 1: invalid UTF-8 (a byte that is never");
	bad("\"\xfe\"", "at byte 1: invalid UTF-8 (a byte that is never");
	bad("\"a\x80\"", "at byte 2: invalid UTF-8 (a continuation byte with "
			 "no lead byte)");
	bad("\"\xbf\"", "at byte 1: invalid UTF-8 (a continuation byte");
	bad("\"\xe4\xb8\"", "at byte 1: invalid UTF-8 (a sequence cut short)");
	bad("\"\xe4\xb8", "at byte 1: invalid UTF-8 (a sequence cut short)");
	bad("\"\xc3\"", "at byte 1: invalid UTF-8 (a sequence cut short)");
	bad("\"\xf0\x9f\x98\"", "at byte 1: invalid UTF-8 (a sequence cut");
	bad("\"\xc3\xa9\xc3(\"", "at byte 3: invalid UTF-8 (a sequence cut");
	bad("{\"\xe4\xb8\xad\xe6\x96\": 1}", "at byte 5: invalid UTF-8");
	/* outside strings no byte >= 0x80 is JSON */
	bad("[\xc3\xa9]", "at byte 1: expected a value, found byte 0xc3");
	bad("\xc2\xa0" "1", "at byte 0: expected a value, found byte 0xc2");
	bad("1\xc2\xa0", "at byte 1: trailing bytes after the value");
}

static void
test_json_refuses_bad_structure(void **state)
{
	struct gc_json *doc = (struct gc_json *)&doc;

	(void)state;
	badn("", 0, "at byte 0: the document is empty");
	assert_int_equal(gc_json_parse(&doc, NULL, 0, NULL, 0), GC_EINVAL);
	assert_null(doc);
	bad(" \n\t\r", "at byte 4: expected a value, found the end");
	bad("[", "at byte 0: an array is not closed");
	bad("[1", "at byte 0: an array is not closed");
	bad("[1,", "at byte 0: an array is not closed");
	bad(" [[1] ", "at byte 1: an array is not closed");
	bad("]", "at byte 0: expected a value, found ']'");
	bad("{", "at byte 0: an object is not closed");
	bad("{\"a\"", "at byte 0: an object is not closed");
	bad("{\"a\":", "at byte 0: an object is not closed");
	bad("{\"a\":1", "at byte 0: an object is not closed");
	bad("{\"a\":1,", "at byte 0: an object is not closed");
	bad("}", "at byte 0: expected a value, found '}'");
	bad("[1,]", "at byte 3: a comma before ']' (JSON has no trailing "
		    "commas)");
	bad("[1, ]", "at byte 4: a comma before ']'");
	bad("{\"a\":1,}", "at byte 7: a comma before '}' (JSON has no "
			  "trailing commas)");
	bad("{\"a\"}", "at byte 4: expected ':' after the key, found '}'");
	bad("{\"a\" 1}", "at byte 5: expected ':' after the key, found '1'");
	bad("{\"a\":}", "at byte 5: expected a value, found '}'");
	bad("{a:1}", "at byte 1: expected a string key, found 'a'");
	bad("{1:1}", "at byte 1: expected a string key, found '1'");
	bad("{,}", "at byte 1: expected a string key, found ','");
	bad("{\"a\":1 \"b\":2}", "at byte 7: expected ',' or '}' after an "
				 "object member, found '\"'");
	bad("{\"a\":1]", "at byte 6: expected ',' or '}' after an object "
			 "member, found ']'");
	bad("[1 2]", "at byte 3: expected ',' or ']' after an array element, "
		     "found '2'");
	bad("[1}", "at byte 2: expected ',' or ']' after an array element, "
		   "found '}'");
	bad("[1,,2]", "at byte 3: expected a value, found ','");
	bad("[,1]", "at byte 1: expected a value, found ','");
	bad("[1:2]", "at byte 2: expected ',' or ']'");
	bad("nul", "at byte 0: expected null (true, false and null are the "
		   "only words in JSON)");
	bad("[nulL]", "at byte 1: expected null");
	bad("tru", "at byte 0: expected true");
	bad("True", "at byte 0: expected a value, found 'T'");
	bad("fals", "at byte 0: expected false");
	bad("[truex]", "at byte 5: expected ',' or ']' after an array "
		       "element, found 'x'");
	bad("nullnull", "at byte 4: trailing bytes after the value");
	bad("[1]x", "at byte 3: trailing bytes after the value");
	bad("{\"a\":1}}", "at byte 7: trailing bytes after the value");
	bad("[1] [2]", "at byte 4: trailing bytes after the value");
	badn("[1]\0", 4, "at byte 3: trailing bytes after the value");
	badn("\0", 1, "at byte 0: expected a value, found byte 0x00");
	bad("\xef\xbb\xbf[1]", "at byte 0: a byte order mark (JSON text has "
			       "none)");
	bad("\xef\xbb\xbf", "at byte 0: a byte order mark");
	bad("\f1", "at byte 0: expected a value, found byte 0x0c");
	bad("[1,\v2]", "at byte 3: expected a value, found byte 0x0b");
	bad("/* c */ 1", "at byte 0: expected a value, found '/'");
	bad("[1] // c", "at byte 4: trailing bytes after the value");
	bad("undefined", "at byte 0: expected a value, found 'u'");
}

static void
test_json_refuses_duplicate_keys(void **state)
{
	struct gc_json *doc;
	char           *s, *t;

	(void)state;
	bad("{\"a\":1,\"a\":2}", "at byte 7: the key \"a\" is repeated in "
				 "one object");
	bad("{\"a\":1,\"\\u0061\":2}", "at byte 7: the key \"a\" is repeated");
	bad("{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", "at byte 18: the key \"a\" "
						 "is repeated");
	bad("{\"\":1,\"\":2}", "at byte 6: the key \"\" is repeated");
	bad("{\"a\\nb\":1,\"a\\nb\":2}", "at byte 10: the key \"a?b\" is "
					 "repeated");
	bad("{\"a\\u007f\":1,\"a\x7f\":2}", "at byte 13: the key \"a?\" is "
					   "repeated");
	bad("{\"学号\":1,\"学号\":2}", "at byte 12: the key \"学号\" is "
				       "repeated");
	/* long keys are cut on a character boundary */
	bad("{\"一二三四五六七八九十一二三四五六\":1,"
	    "\"一二三四五六七八九十一二三四五六\":2}",
	    "the key \"一二三四五六七八九十一二三...\" is repeated");
	/* the same key in different objects, and keys that differ */
	doc = ok("{\"a\":{\"a\":1},\"b\":{\"a\":2},\"ab\":[{\"a\":3}],"
		 "\"A\":4,\"a \":5}");
	assert_int_equal(doc->len, 5);
	gc_json_free(doc);

	/* large objects: 100 keys "k0".."k99" */
	s = malloc(2000);
	t = malloc(2200);
	assert_non_null(s);
	assert_non_null(t);
	strcpy(s, "{");
	for (int i = 0; i < 100; i++) {
		sprintf(s + strlen(s), "%s\"k%d\":%d", i ? "," : "", i, i);
	}
	snprintf(t, 2200, "%s}", s);
	doc = ok(t);
	assert_int_equal(doc->len, 100);
	assert_true(gc_json_get(doc, "k99")->num == 99);
	assert_string_equal(gc_json_get(doc, "k42")->key, "k42");
	gc_json_free(doc);
	/* a repeat of an early key, of a late one, and two repeats: the
	 * first in the document is named */
	snprintf(t, 2200, "%s,\"k3\":0}", s);
	bad(t, "the key \"k3\" is repeated");
	snprintf(t, 2200, "%s,\"k70\":0}", s);
	bad(t, "the key \"k70\" is repeated");
	snprintf(t, 2200, "%s,\"k99\":0,\"k1\":0}", s);
	bad(t, "the key \"k99\" is repeated");
	snprintf(t, 2200, "%s,\"k1\":0,\"k99\":0}", s);
	bad(t, "the key \"k1\" is repeated");
	snprintf(t, 2200, "%s,\"k8\":0}", s); /* the one that made it large */
	bad(t, "the key \"k8\" is repeated");
	snprintf(t, 2200, "%s,\"new\":0,\"k0\":0}", s);
	{
		char want[64];

		snprintf(want, sizeof(want), "at byte %zu: the key \"k0\" is "
		    "repeated", strlen(s) + 9);
		bad(t, want);
	}
	/* a large object inside a large one, each with its own keys */
	snprintf(t, 2200, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
	    "\"g\":7,\"h\":8,\"i\":9,\"in\":%s},\"k1\":1,\"k2\":2}", s);
	doc = ok(t);
	assert_int_equal(doc->len, 12);
	assert_int_equal(gc_json_get(doc, "in")->len, 100);
	gc_json_free(doc);
	snprintf(t, 2200, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
	    "\"g\":7,\"h\":8,\"i\":9,\"in\":%s},\"k1\":1,\"a\":2}", s);
	bad(t, "the key \"a\" is repeated");
	snprintf(t, 2200, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
	    "\"g\":7,\"h\":8,\"i\":9,\"in\":%s,\"k5\":1}}", s);
	bad(t, "the key \"k5\" is repeated");
	/* nine keys: the smallest large object */
	doc = ok("{\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,"
		 "\"8\":8,\"9\":9}");
	assert_int_equal(doc->len, 9);
	gc_json_free(doc);
	bad("{\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,"
	    "\"8\":8,\"1\":9}", "at byte 49: the key \"1\" is repeated");
	bad("{\"1\":1,\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,"
	    "\"1\":8}", "at byte 43: the key \"1\" is repeated");
	free(s);
	free(t);
}

/* open n times, inner, close m times: accepted (want NULL) or refused
 * with want. */
static void
nest(const char *open, size_t n, const char *inner, const char *close,
    size_t m, const char *want)
{
	char *s = repeat("", open, n, inner);
	char *t = repeat(s, close, m, "");

	if (want == NULL) {
		gc_json_free(ok(t));
	} else {
		bad(t, want);
	}
	free(t);
	free(s);
}

static void
test_json_limits_depth(void **state)
{
	struct gc_json       *doc;
	const struct gc_json *v;
	char                 *s, *t;
	int                   d;

	(void)state;
	s   = repeat("", "[", 32, "");
	t   = repeat(s, "]", 32, "");
	doc = ok(t);
	for (d = 1, v = doc->kid; v != NULL; v = v->kid) {
		d++;
	}
	assert_int_equal(d, 32);
	gc_json_free(doc);
	free(t);
	free(s);
	nest("[", 32, "", "]", 31, "at byte 0: an array is not closed");
	nest("[", 33, "", "]", 33, "at byte 32: nesting deeper than 32");
	nest("[", 32, "1", "]", 32, NULL); /* a scalar in 32 is fine */
	/* objects count the same */
	nest("{\"a\":", 31, "{}", "}", 31, NULL);
	nest("{\"a\":", 32, "{}", "}", 32,
	    "at byte 160: nesting deeper than 32");
	nest("{\"a\":[", 16, "[]", "]}", 16,
	    "at byte 96: nesting deeper than 32");
	/* very deep input is refused without recursing into it */
	nest("[", 100000, "", "", 0, "at byte 32: nesting deeper than 32");
}

static void
test_json_limits_values(void **state)
{
	struct gc_json *doc;
	char           *s;

	(void)state;
	s = repeat("[0", ",0", 4094, "]"); /* the array and 4095 numbers */
	doc = ok(s);
	assert_int_equal(doc->len, 4095);
	gc_json_free(doc);
	free(s);
	s = repeat("[0", ",0", 4095, "]");
	bad(s, "at byte 8191: more than 4096 values");
	free(s);
	s = repeat("[[", "[],", 4094, "[]]]");
	bad(s, "more than 4096 values");
	free(s);
	/* keys are not values: an object with 4095 members */
	s = malloc(4095 * 16 + 8);
	assert_non_null(s);
	strcpy(s, "{");
	for (int i = 0; i < 4095; i++) {
		sprintf(s + strlen(s), "%s\"%d\":%d", i ? "," : "", i, i);
	}
	strcat(s, "}");
	doc = ok(s);
	assert_int_equal(doc->len, 4095);
	assert_true(gc_json_get(doc, "4094")->num == 4094);
	gc_json_free(doc);
	strcpy(s + strlen(s) - 1, ",\"4095\":0}");
	bad(s, "more than 4096 values");
	strcpy(s + strlen(s) - 10, ",\"17\":0}");
	bad(s, "more than 4096 values"); /* counted before keys compared */
	free(s);
}

static void
test_json_accessors(void **state)
{
	struct gc_json *doc;

	(void)state;
	doc = ok("{\"s\":\"v\",\"t\":true,\"f\":false,\"n\":null,\"x\":1,"
		 "\"a\":[\"s\"]}");
	assert_null(gc_json_get(NULL, "s"));
	assert_null(gc_json_get(doc, NULL));
	assert_null(gc_json_get(doc, "S"));
	assert_null(gc_json_get(doc, ""));
	assert_null(gc_json_get(gc_json_get(doc, "a"), "s"));
	assert_null(gc_json_get(gc_json_get(doc, "s"), "s"));
	assert_string_equal(gc_json_str_of(doc, "s"), "v");
	assert_null(gc_json_str_of(doc, "t"));
	assert_null(gc_json_str_of(doc, "n"));
	assert_null(gc_json_str_of(doc, "a"));
	assert_null(gc_json_str_of(doc, "zz"));
	assert_null(gc_json_str_of(NULL, "s"));
	assert_true(gc_json_bool_of(doc, "t", false));
	assert_false(gc_json_bool_of(doc, "f", true));
	assert_true(gc_json_bool_of(doc, "n", true));
	assert_false(gc_json_bool_of(doc, "n", false));
	assert_true(gc_json_bool_of(doc, "s", true));
	assert_true(gc_json_bool_of(doc, "x", true));
	assert_false(gc_json_bool_of(doc, "zz", false));
	assert_true(gc_json_bool_of(NULL, "t", true));
	gc_json_free(doc);
	gc_json_free(NULL);
}

static void
test_json_uses_one_allocation(void **state)
{
	struct gc_json *doc;

	(void)state;
	gc_alloc_fail_after(0);
	doc = ok("{\"a\":[1,2,{\"b\":\"c\"}],"
		 "\"d\":\"\\u4e2d\\ud83d\\ude00\"}");
	assert_int_equal(gc_alloc_count(), 1);
	gc_json_free(doc);
	/* and a successful parse clears why */
	{
		char why[32] = "stale";

		assert_int_equal(gc_json_parse(&doc, "1", 1, why, sizeof(why)),
		    GC_OK);
		assert_string_equal(why, "");
		gc_json_free(doc);
	}
}

static void
test_json_survives_allocation_failure(void **state)
{
	char       *big = malloc(2100), *longnum;
	const char *docs[4];

	(void)state;
	assert_non_null(big);
	strcpy(big, "[{");
	for (int i = 0; i < 100; i++) {
		sprintf(big + strlen(big), "%s\"k%d\":%d", i ? "," : "", i, i);
	}
	strcat(big, "}, 1.5]");
	longnum = repeat("[\"x\", ", "1", 200, ", {\"a\": 2}]");
	docs[0] = "{\"a\":[1,2,{\"b\":\"c\"}]}";
	docs[1] = big;
	docs[2] = longnum;
	docs[3] = "\"\\ud83d\\ude00\"";
	for (size_t d = 0; d < 4; d++) {
		long n;

		for (n = 1; n < 100; n++) {
			struct gc_json *doc = (struct gc_json *)&doc;
			char            why[100];
			gc_err          rv;

			gc_alloc_fail_after(n);
			rv = gc_json_parse(&doc, docs[d], strlen(docs[d]), why,
			    sizeof(why));
			gc_alloc_fail_after(0);
			if (rv == GC_OK) {
				assert_non_null(doc);
				gc_json_free(doc);
				break;
			}
			assert_int_equal(rv, GC_ENOMEM);
			assert_null(doc);
			assert_non_null(strstr(why, "no memory"));
		}
		assert_true(n > 1 && n < 100);
	}
	free(big);
	free(longnum);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_parses_scalars),
		cmocka_unit_test(test_json_parses_numbers),
		cmocka_unit_test(test_json_refuses_bad_numbers),
		cmocka_unit_test(test_json_parses_nested_documents),
		cmocka_unit_test(test_json_decodes_escapes),
		cmocka_unit_test(test_json_keeps_utf8_text),
		cmocka_unit_test(test_json_refuses_bad_strings),
		cmocka_unit_test(test_json_refuses_bad_utf8),
		cmocka_unit_test(test_json_refuses_bad_structure),
		cmocka_unit_test(test_json_refuses_duplicate_keys),
		cmocka_unit_test(test_json_limits_depth),
		cmocka_unit_test(test_json_limits_values),
		cmocka_unit_test(test_json_accessors),
		cmocka_unit_test(test_json_uses_one_allocation),
		cmocka_unit_test(test_json_survives_allocation_failure),
	};
	return cmocka_run_group_tests_name("common.json", tests, NULL, NULL);
}
