#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/idnum.h"
#include "common/sample.h"

#define TODAY 20250601 /* a fixed "today" for every check */

/* True when s is well-formed UTF-8 (no truncated sequence at its end). */
static bool
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t               n;

	while (*p != '\0') {
		n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2
		    : (*p & 0xF0) == 0xE0             ? 3
		    : (*p & 0xF8) == 0xF0             ? 4
		                                      : 0;
		if (n == 0) {
			return false;
		}
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				return false;
			}
		}
		p += n;
	}
	return true;
}

/* Properties every result has, valid or not. */
static void
check_invariants(const struct gc_idnum *r)
{
	assert_non_null(memchr(r->normalized, '\0', sizeof(r->normalized)));
	assert_true(strlen(r->normalized) <= GC_IDNUM_MAX_NORMALIZED);
	assert_true(utf8_ok(r->reason));
	assert_non_null(memchr(r->upgraded, '\0', sizeof(r->upgraded)));
	assert_non_null(memchr(r->birth, '\0', sizeof(r->birth)));
	assert_non_null(memchr(r->reason, '\0', sizeof(r->reason)));
	assert_true(r->sex == 0 || r->sex == 'M' || r->sex == 'F');
	if (r->valid) {
		assert_string_equal(r->reason, "");
		assert_true(r->normalized[0] != '\0');
		assert_true(utf8_ok(r->normalized));
	} else {
		assert_true(r->reason[0] != '\0');
		assert_false(r->needs_upgrade);
		assert_string_equal(r->upgraded, "");
		assert_string_equal(r->birth, "");
		assert_int_equal(r->sex, 0);
	}
	if (r->needs_upgrade) {
		assert_int_equal(strlen(r->upgraded), 18);
	}
}

static struct gc_idnum
check(const char *in, char code)
{
	struct gc_idnum r;
	gc_err          rv;

	rv = gc_idnum_check(&r, in, code, TODAY);
	assert_int_equal(rv, r.valid ? GC_OK : GC_EINVAL);
	check_invariants(&r);
	return r;
}

static struct gc_idnum
expect_valid(const char *in, char code, enum gc_id_kind kind,
    const char *normalized)
{
	struct gc_idnum r = check(in, code);

	if (!r.valid) {
		print_error("'%s' (type %c): unexpectedly invalid: %s\n", in,
		    code ? code : '0', r.reason);
		fail();
	}
	assert_int_equal(r.kind, kind);
	assert_string_equal(r.normalized, normalized);
	return r;
}

static void
expect_invalid(const char *in, char code, const char *reason_part)
{
	struct gc_idnum r = check(in, code);

	if (r.valid) {
		print_error("'%s' (type %c): unexpectedly valid\n",
		    in ? in : "(null)", code ? code : '0');
		fail();
	}
	if (strstr(r.reason, reason_part) == NULL) {
		print_error("'%s' (type %c): reason '%s' does not contain "
		            "'%s'\n", in ? in : "(null)", code ? code : '0', r.reason,
		    reason_part);
		fail();
	}
}

static void
test_idnum_accepts_domain_vectors(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("11010519491231002X", 0, GC_ID_RESIDENT,
	    "11010519491231002X");
	assert_string_equal(r.birth, "1949-12-31");
	assert_int_equal(r.sex, 'F');
	assert_int_equal(r.type_code, '1');
	assert_false(r.needs_upgrade);
	r = expect_valid("440524188001010014", '1', GC_ID_RESIDENT,
	    "440524188001010014");
	assert_string_equal(r.birth, "1880-01-01");
	assert_int_equal(r.sex, 'M');
	r = expect_valid("360426199101010071", 0, GC_ID_RESIDENT,
	    "360426199101010071");
	assert_string_equal(r.birth, "1991-01-01");
	assert_int_equal(r.sex, 'M');
	r = expect_valid("34052419800101001X", '1', GC_ID_RESIDENT,
	    "34052419800101001X");
	assert_string_equal(r.birth, "1980-01-01");
	assert_int_equal(r.sex, 'M');
	assert_string_equal(r.upgraded, "");
}

static void
test_idnum_check_char_matches_vectors(void **state)
{
	(void)state;
	assert_int_equal(gc_idnum_check_char("11010519491231002"), 'X');
	assert_int_equal(gc_idnum_check_char("44052418800101001"), '4');
	assert_int_equal(gc_idnum_check_char("36042619910101007"), '1');
	assert_int_equal(gc_idnum_check_char("34052419800101001"), 'X');
	assert_int_equal(gc_idnum_check_char("81000019990101001"), '4');
	/* stops at a non-digit, NUL included: never reads past it */
	assert_int_equal(gc_idnum_check_char("1234"), 0);
	assert_int_equal(gc_idnum_check_char("1101051949123100X"), 0);
	assert_int_equal(gc_idnum_check_char(""), 0);
	assert_int_equal(gc_idnum_check_char(NULL), 0);
}

static void
test_idnum_rejects_wrong_check_digit(void **state)
{
	(void)state;
	expect_invalid("110105194912310021", 0, "check digit is 1, expected X");
	expect_invalid("110105194912310023", '1',
	    "check digit is 3, expected X");
	expect_invalid("440524188001010015", 0, "check digit is 5, expected 4");
	expect_invalid("34052419800101001Z", 0,
	    "character 'Z' at position 18 is not a digit or X");
}

static void
test_idnum_rejects_bad_dates(void **state)
{
	(void)state;
	/* check digits are right: only the date is wrong */
	expect_invalid("11010519991332002X", 0,
	    "birth date 19991332 is not a calendar date");
	expect_invalid("110105199902290021", 0,
	    "birth date 19990229 is not a calendar date");
	expect_invalid("110105190002290025", '1',
	    "birth date 19000229 is not a calendar date");
	expect_valid("110105200002290021", 0, GC_ID_RESIDENT,
	    "110105200002290021");
	expect_invalid("110105179912310016", 0,
	    "birth date 17991231 is before 1800-01-01");
	expect_valid("110105180001010010", 0, GC_ID_RESIDENT,
	    "110105180001010010");
}

static void
test_idnum_rejects_future_birth(void **state)
{
	struct gc_idnum r;

	(void)state;
	expect_invalid("11010520300101001X", 0,
	    "birth date 20300101 is in the future");
	/* born today is fine, born tomorrow is not */
	assert_int_equal(gc_idnum_check(&r, "110105202401010022", 0, 20240101),
	    GC_OK);
	assert_int_equal(gc_idnum_check(&r, "110105202401010022", 0, 20231231),
	    GC_EINVAL);
	assert_non_null(strstr(r.reason, "in the future"));
	/* today = 0: the real clock, which is past 2024 */
	assert_int_equal(gc_idnum_check(&r, "110105202401010022", 0, 0), GC_OK);
	assert_int_equal(gc_idnum_check(&r, "11010599990101001X", 0, 0),
	    GC_EINVAL);
}

static void
test_idnum_rejects_bad_province(void **state)
{
	(void)state;
	expect_invalid("710105194912310021", 0,
	    "province code 71 does not exist");
	expect_invalid("000105194912310024", '1',
	    "province code 00 does not exist");
	expect_invalid("160105194912310020", 0, "province code 16");
	/* 99 with a right check digit is a valid permanent residence card;
	 * under 证件类型 1 it is refused */
	expect_valid("990105194912310023", 0, GC_ID_FOREIGN_PR,
	    "990105194912310023");
	expect_invalid("990105194912310023", '1',
	    "looks like a foreign permanent residence card");
	expect_invalid("990105194912310024", '1',
	    "province code 99 does not exist");
}

static void
test_idnum_rejects_wrong_length(void **state)
{
	(void)state;
	expect_invalid("11010519491231002", 0,
	    "length 17, expected 18 characters");
	expect_invalid("11010519491231002", '1',
	    "length 17, expected 18 characters");
	expect_invalid("11010519491231002X1", 0,
	    "length 19, expected 18 characters");
	expect_invalid("1101051949123", 0, "length 13, expected 18");
	expect_invalid("3405248001010", '1', "length 13, expected 18");
}

static void
test_idnum_rejects_letters(void **state)
{
	(void)state;
	expect_invalid("1101Y519491231002X", 0,
	    "character 'Y' at position 5 is not a digit");
	expect_invalid("1101y519491231002X", '1',
	    "character 'y' at position 5 is not a digit");
	expect_invalid("X10105194912310021", '1',
	    "character 'X' at position 1 is not a digit");
	expect_invalid("11010519491231X02X", 0, "position 15 is not a digit");
	expect_invalid("11010519491231\xE4\xB8\x80" "02X", '1',
	    "character '一' (U+4E00) at position 15 is not a digit");
	expect_invalid("34052480010100A", 0,
	    "character 'A' at position 15 is not a digit");
}

static void
test_idnum_normalises_case_width_and_space(void **state)
{
	struct gc_idnum r;

	(void)state;
	expect_valid("11010519491231002x", 0, GC_ID_RESIDENT,
	    "11010519491231002X");
	/* full-width digits and Ｘ / ｘ */
	expect_valid("\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x91"
	             "\xEF\xBC\x90\xEF\xBC\x95\xEF\xBC\x91\xEF\xBC\x99"
	             "\xEF\xBC\x94\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x92"
	             "\xEF\xBC\x93\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90"
	             "\xEF\xBC\x92\xEF\xBC\xB8",
	    0, GC_ID_RESIDENT, "11010519491231002X");
	expect_valid("1101051949123100\xEF\xBC\x92\xEF\xBD\x98", '1',
	    GC_ID_RESIDENT, "11010519491231002X");
	/* U+3000 and ASCII white space at both ends */
	r = expect_valid("\xE3\x80\x80 \t11010519491231002X\r\n\xE3\x80\x80", 0,
	    GC_ID_RESIDENT, "11010519491231002X");
	assert_string_equal(r.birth, "1949-12-31");
	/* inside: invalid, with the position */
	expect_invalid("110105 19491231002X", 0, "a space at position 7");
	expect_invalid("110105\xE3\x80\x80" "19491231002X", 0,
	    "ideographic space (U+3000) at position 7");
	expect_invalid("110105\t19491231002X", '1', "a tab at position 7");
	expect_invalid("H1234 5678", '6', "a space at position 6");
	expect_invalid("", 0, "empty");
	expect_invalid(" \t\xE3\x80\x80\r\n", '1', "empty");
	expect_invalid(NULL, 0, "empty");
}

static void
test_idnum_flags_15_digit_for_upgrade(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("340524800101001", 0, GC_ID_RESIDENT15,
	    "340524800101001");
	assert_true(r.needs_upgrade);
	assert_string_equal(r.upgraded, "34052419800101001X");
	assert_string_equal(r.birth, "1980-01-01");
	assert_int_equal(r.sex, 'M');
	assert_int_equal(r.type_code, '1');
	r = expect_valid(" 110105491231002 ", '1', GC_ID_RESIDENT15,
	    "110105491231002");
	assert_string_equal(r.upgraded, "11010519491231002X");
	assert_int_equal(r.sex, 'F');
	expect_invalid("340524801301001", 0,
	    "birth date 19801301 is not a calendar date");
	expect_invalid("340524990229001", '1',
	    "birth date 19990229 is not a calendar date");
	expect_invalid("990524800101001", 0, "province code 99 does not exist");
	/* the upgraded candidate is itself a valid 18-digit number */
	expect_valid(r.upgraded, '1', GC_ID_RESIDENT, "11010519491231002X");
}

static void
test_idnum_accepts_residence_permits(void **state)
{
	struct gc_idnum r;
	char            id[19];
	const char     *prefixes[] = { "810000", "820000", "830000" };

	(void)state;
	r = expect_valid("810000199901010014", 0, GC_ID_HKMO_RESIDENCE,
	    "810000199901010014");
	assert_int_equal(r.type_code, '1');
	assert_int_equal(r.sex, 'M');
	r = expect_valid("820000200002290021", '1', GC_ID_HKMO_RESIDENCE,
	    "820000200002290021");
	assert_string_equal(r.birth, "2000-02-29");
	expect_valid("830000198506150032", '1', GC_ID_HKMO_RESIDENCE,
	    "830000198506150032");
	expect_invalid("830000198506150033", '1',
	    "check digit is 3, expected 2");
	for (size_t i = 0; i < 3; i++) {
		memcpy(id, prefixes[i], 6);
		memcpy(id + 6, "20010704123", 11);
		id[17] = gc_idnum_check_char(id);
		id[18] = '\0';
		r      = expect_valid(id, 0, GC_ID_HKMO_RESIDENCE, id);
		assert_int_equal(r.sex, 'M');
		assert_string_equal(r.birth, "2001-07-04");
	}
	/* not a permanent residence card */
	expect_invalid("810000199901010014", '9',
	    "证件类型 is 9 (foreign permanent residence) but the number "
	    "starts with 81, expected 9");
}

static void
test_idnum_accepts_foreign_permanent_residence(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("911560199001010017", 0, GC_ID_FOREIGN_PR,
	    "911560199001010017");
	assert_int_equal(r.type_code, '9');
	assert_string_equal(r.birth, "1990-01-01");
	expect_valid("911560199001010017", '9', GC_ID_FOREIGN_PR,
	    "911560199001010017");
	expect_invalid("911560199001010018", '9',
	    "check digit is 8, expected 7");
	expect_invalid("911560199013010017", '9', "not a calendar date");
	/* 2017 card: 3 letters + 12 digits */
	expect_valid("usa110190010100", '9', GC_ID_FOREIGN_PR,
	    "USA110190010100");
	expect_valid("USA110190010100", 0, GC_ID_FOREIGN_PR, "USA110190010100");
	expect_invalid("US1110190010100", '9',
	    "character '1' at position 3 is not a letter");
	expect_invalid("USA1101900101", '9', "length 13, expected 18");
	expect_invalid("11010519491231002X", '9',
	    "证件类型 is 9 (foreign permanent residence) but the number "
	    "starts with 11, expected 9");
}

static void
test_idnum_accepts_hkmo_permits(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("H12345678", 0, GC_ID_HKMO_PERMIT, "H12345678");
	assert_int_equal(r.type_code, '6');
	assert_string_equal(r.birth, "");
	assert_int_equal(r.sex, 0);
	r = expect_valid("M1234567801", 0, GC_ID_HKMO_PERMIT, "M12345678");
	assert_int_equal(r.type_code, '7');
	expect_valid("m1234567801", '7', GC_ID_HKMO_PERMIT, "M12345678");
	expect_valid(" h12345678 ", '6', GC_ID_HKMO_PERMIT, "H12345678");
	/* 港澳居民来往内地通行证 maps to '6' for Macao holders too */
	expect_valid("M12345678", '6', GC_ID_HKMO_PERMIT, "M12345678");
	expect_invalid("H1234567", '6',
	    "length 8, expected 9 or 11 characters");
	expect_invalid("H123456780", '7', "length 10, expected 9 or 11");
	expect_invalid("X12345678", '6',
	    "character 'X' at position 1 is not H or M");
	expect_invalid("H1234A678", '6',
	    "character 'A' at position 6 is not a digit");
}

static void
test_idnum_accepts_taiwan_permits(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("12345678", 0, GC_ID_TW_PERMIT, "12345678");
	assert_int_equal(r.type_code, '8');
	expect_valid("\xEF\xBC\x91" "2345678", '8', GC_ID_TW_PERMIT,
	    "12345678");
	expect_invalid("1234567", '8', "length 7, expected 8 digits");
	expect_invalid("123456789", '8', "length 9, expected 8 digits");
	expect_invalid("1234567A", '8',
	    "character 'A' at position 8 is not a digit");
}

static void
test_idnum_accepts_passports(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("E12345678", 'A', GC_ID_PASSPORT, "E12345678");
	assert_int_equal(r.type_code, 'A');
	expect_valid("e12345678", 'a', GC_ID_PASSPORT, "E12345678");
	expect_valid("G1234", 'A', GC_ID_PASSPORT, "G1234");
	expect_valid("123456789", 'A', GC_ID_PASSPORT, "123456789");
	expect_valid("ABCDEFGHIJ0123456789", 'A', GC_ID_PASSPORT,
	    "ABCDEFGHIJ0123456789");
	r = expect_valid("E12345678", 0, GC_ID_PASSPORT, "E12345678");
	assert_int_equal(r.type_code, 'A');
	expect_invalid("AB12", 'A', "length 4, expected 5 to 20");
	expect_invalid("ABCDEFGHIJ0123456789K", 'A', "length 21");
	expect_invalid("AB-1234", 'A',
	    "character '-' at position 3 is not a letter or digit");
	expect_invalid("P\xC3\xA9" "12345", 'A',
	    "character 'é' (U+00E9) at position 2 is not a letter or digit");
	/* invisible and bidi characters are named by code point only */
	expect_invalid("P\xE2\x80\xAE" "12345", 'A',
	    "character U+202E at position 2 is not a letter or digit");
}

static void
test_idnum_reports_type_mismatch(void **state)
{
	struct gc_idnum r;

	(void)state;
	expect_invalid("11010519491231002X", '8',
	    "证件类型 is 8 (Taiwan permit) but 11010519491231002X looks "
	    "like a resident ID");
	expect_invalid("H12345678", '1',
	    "证件类型 is 1 (resident ID) but H12345678 looks like a HK/Macao "
	    "permit");
	expect_invalid("12345678", '1', "证件类型 is 1 (resident ID) but");
	expect_invalid("11010519491231002X", '6',
	    "证件类型 is 6 (Hong Kong permit) but");
	expect_invalid("11010519491231002X", 'A',
	    "证件类型 is A (passport) but 11010519491231002X is a valid "
	    "resident ID");
	/* a plain typo keeps its own reason */
	expect_invalid("1234567", '8', "length 7, expected 8 digits");
	r = check("11010519491231002", '1');
	assert_int_equal(r.kind, GC_ID_RESIDENT);
	assert_int_equal(r.type_code, '1');
	/* unknown code */
	expect_invalid("11010519491231002X", 'Q',
	    "证件类型 'Q' is not a known code");
	expect_invalid("11010519491231002X", '\x7F', "证件类型 0x7F");
}

static void
test_idnum_accepts_other_types_loosely(void **state)
{
	struct gc_idnum r;
	char            long33[34], han21[64], mixed[64];

	(void)state;
	r = expect_valid("J-123456/7", 'Z', GC_ID_OTHER, "J-123456/7");
	assert_int_equal(r.type_code, 'Z');
	r = expect_valid("z", 'Z', GC_ID_OTHER, "Z");
	expect_valid("临时证no.12", 'Z', GC_ID_OTHER, "临时证NO.12");
	expect_invalid("临时证 no.12", 'Z', "contains a space at position 4");
	memset(long33, 'A', 33);
	long33[33] = '\0';
	expect_invalid(long33, 'Z', "length 33, expected at most 32");
	long33[32] = '\0';
	expect_valid(long33, 'Z', GC_ID_OTHER, long33);
	expect_invalid("\xF0\x9F\x98\x80" "12", 'Z',
	    "character '\xF0\x9F\x98\x80' (U+1F600) at position 1 is not "
	    "printable ASCII or a Chinese character");
	expect_invalid("A\x01" "B", 'Z',
	    "control character 0x01 at position 2 is not printable ASCII");
	/* 21 Chinese characters: 63 bytes, more than a normalised number
	 * holds (the input's 64-byte limit lets it in) */
	han21[0] = '\0';
	for (int i = 0; i < 21; i++) {
		strcat(han21, "\xE5\x86\x9B"); /* 军 */
	}
	expect_invalid(han21, 'Z', "63 bytes long, at most 60");
	han21[60] = '\0';
	r = expect_valid(han21, 'Z', GC_ID_OTHER, han21);
	assert_int_equal(strlen(r.normalized), GC_IDNUM_MAX_NORMALIZED);
	/* full-width digits shrink: 18 of them (54 bytes) and 3 characters */
	strcpy(mixed, "\xE5\x86\x9B\xE5\x86\x9B");
	for (int i = 0; i < 18; i++) {
		strcat(mixed, "\xEF\xBC\x91"); /* １ */
	}
	r = expect_valid(mixed, 'Z', GC_ID_OTHER,
	    "\xE5\x86\x9B\xE5\x86\x9B" "111111111111111111");
}

/* 证件类型 2-5: letters, digits, '-' and Chinese characters. */
static void
test_idnum_accepts_military_numbers(void **state)
{
	struct gc_idnum r;
	const char      codes[] = { '2', '3', '4', '5' };

	(void)state;
	for (size_t i = 0; i < sizeof(codes); i++) {
		r = expect_valid("南字第0123456号", codes[i], GC_ID_MILITARY,
		    "南字第0123456号");
		assert_int_equal(r.type_code, codes[i]);
		assert_string_equal(r.birth, "");
		assert_int_equal(r.sex, 0);
	}
	expect_valid("士字第1234567号", '3', GC_ID_MILITARY, "士字第1234567号");
	expect_valid("军字第12345678号", '2', GC_ID_MILITARY,
	    "军字第12345678号");
	expect_valid("武字第654321号", '2', GC_ID_MILITARY, "武字第654321号");
	expect_valid("J-20150123", '4', GC_ID_MILITARY, "J-20150123");
	expect_valid("a12345", '5', GC_ID_MILITARY, "A12345");
	/* full-width digits and letters inside, spaces around */
	expect_valid("\xE3\x80\x80南字第\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x92"
	             "3456号 ", '2', GC_ID_MILITARY, "南字第0123456号");
	expect_valid("\xEF\xBD\x8A字第123号", '2', GC_ID_MILITARY,
	    "J字第123号");
	/* an 18-digit number is a valid military number too */
	expect_valid("11010519491231002x", '2', GC_ID_MILITARY,
	    "11010519491231002X");
	/* 20 characters at most */
	expect_valid("南字第12345678901234567", '2', GC_ID_MILITARY,
	    "南字第12345678901234567");
	expect_invalid("南字第123456789012345678", '2',
	    "length 21, expected at most 20 characters for a military "
	    "document");
	expect_invalid("南字第号", '2', "has no digit");
	expect_invalid("---", '3', "has no digit");
	expect_invalid("", '2', "empty");
	expect_invalid(" \xE3\x80\x80 ", '3', "empty");
	expect_invalid(NULL, '4', "empty");
	expect_invalid("南字 第0123456号", '2', "a space at position 3");
	/* refusals name the character and its position */
	expect_invalid("南字第0123\xE2\x93\xA7" "56号", '2',
	    "character '\xE2\x93\xA7' (U+24E7) at position 8 is not a letter, "
	    "digit, '-' or Chinese character");
	expect_invalid("南字第0123456号\xF0\x9F\x98\x80", '2',
	    "character '\xF0\x9F\x98\x80' (U+1F600) at position 12 is not");
	expect_invalid("南字第0123/456号", '2',
	    "character '/' at position 8 is not a letter, digit, '-' or "
	    "Chinese character");
	expect_invalid("南字第0123456\x01号", '2',
	    "control character 0x01 at position 11 is not");
	expect_invalid("南字第\x7F" "0123456号", '2',
	    "control character 0x7F at position 4");
	expect_invalid("南字第\xFF" "0123456号", '2',
	    "invalid UTF-8 byte 0xFF at position 4");
	expect_invalid("南\xE5\xAD" "第0123456号", '2', /* truncated 字 */
	    "invalid UTF-8 byte 0xE5 at position 2");
	expect_invalid("\xED\xA0\x80" "0123456", '3', /* surrogate */
	    "invalid UTF-8 byte 0xED at position 1");
	expect_invalid("南字第\xE3\x80\x81" "0123456号", '2', /* 、 */
	    "(U+3001) at position 4");
	/* past the 64-byte input limit */
	expect_invalid("南字第南字第南字第南字第南字第南字第南字第南字第0123456号",
	    '2', "too long");
	/* without a 证件类型 a Chinese number is not guessed */
	expect_invalid("南字第0123456号", 0, "Chinese characters are only "
	    "allowed with a 证件类型: 2 军官证");
	/* the other types keep their formats */
	expect_invalid("南字第0123456号", '1', "is not a digit");
	expect_invalid("南字第0123456号", 'A', "is not a letter or digit");
	expect_invalid("南字第0123456号", '8', "is not a digit");
}

/* 户口簿 carries the holder's 居民身份证 number: checked like type 1. */
static void
test_idnum_checks_household_register_as_resident(void **state)
{
	struct gc_idnum r;

	(void)state;
	r = expect_valid("11010519491231002x", 'B', GC_ID_RESIDENT,
	    "11010519491231002X");
	assert_int_equal(r.type_code, 'B');
	assert_string_equal(r.birth, "1949-12-31");
	assert_int_equal(r.sex, 'F');
	r = expect_valid("340524800101001", 'B', GC_ID_RESIDENT15,
	    "340524800101001");
	assert_true(r.needs_upgrade);
	assert_string_equal(r.upgraded, "34052419800101001X");
	expect_invalid("110105194912310021", 'B',
	    "check digit is 1, expected X");
	expect_invalid("11010519491231002", 'b', "length 17, expected 18");
	expect_invalid("J-123456/7", 'B', "is not a digit");
	expect_invalid("南字第0123456号", 'B', "is not a digit");
	expect_invalid("E12345678", 'B', "is not a digit");
}

/* The UI's masked number keeps the last 4 characters, whole. */
static void
test_idnum_mask_never_cuts_a_character(void **state)
{
	char out[80];

	(void)state;
	gc_idnum_mask(out, sizeof(out), "11010519491231002X");
	assert_string_equal(out, "**************002X");
	gc_idnum_mask(out, sizeof(out), "南字第0123456号");
	assert_string_equal(out, "*******456号");
	gc_idnum_mask(out, sizeof(out), "南字第0123456军字号");
	assert_string_equal(out, "*********6军字号");
	gc_idnum_mask(out, sizeof(out), "字第号");
	assert_string_equal(out, "字第号");
	gc_idnum_mask(out, sizeof(out), "");
	assert_string_equal(out, "");
	gc_idnum_mask(out, sizeof(out), NULL);
	assert_string_equal(out, "");
	/* an invalid byte is one character, shown as '?' */
	gc_idnum_mask(out, sizeof(out), "12345\xFF" "78");
	assert_string_equal(out, "****5?78");
	gc_idnum_mask(out, sizeof(out), "\xE5\xAD" "1234");
	assert_string_equal(out, "**1234");
	/* a short buffer stops before a character, never inside one */
	gc_idnum_mask(out, 10, "南字第0123456号");
	assert_string_equal(out, "*******45");
	gc_idnum_mask(out, 12, "南字第0123456号");
	assert_string_equal(out, "*******456");
	gc_idnum_mask(out, 13, "南字第0123456号"); /* 号 needs 3 + NUL */
	assert_string_equal(out, "*******456");
	gc_idnum_mask(out, 14, "南字第0123456号");
	assert_string_equal(out, "*******456号");
	gc_idnum_mask(out, 1, "南字第0123456号");
	assert_string_equal(out, "");
	gc_idnum_mask(out, 0, "x"); /* writes nothing */
}

static void
test_idnum_survives_garbage_and_invalid_utf8(void **state)
{
	static const char *bad[] = {
		"\xFF\xFE\x80",
		"\xE4\xB8",                /* truncated */
		"\xC0\xAF" "12345678",     /* overlong '/' */
		"\xED\xA0\x80" "1234567",  /* surrogate */
		"\xF4\x90\x80\x80",        /* above U+10FFFF */
		"1101051949123100\xFF" "X",
		"\x01\x02\x03\x04\x05\x06",
		"\xEF\xBC",                /* truncated full-width */
		"\xE3\x80",                /* truncated U+3000 */
		"\x7F" "12345678",
	};
	struct gc_idnum r;
	uint64_t        st = 7;
	char            buf[80], masked[100];
	size_t          cap;
	const char      codes[] = { 0, '1', '2', '3', '6', '8', '9', 'A', 'B',
		'Z', 'Q' };

	(void)state;
	expect_invalid("\xFF\xFE\x80", 0,
	    "invalid UTF-8 byte 0xFF at position 1");
	expect_invalid("1101051949123100\xFF" "X", 0,
	    "invalid UTF-8 byte 0xFF at position 17 is not a digit");
	expect_invalid("\xC0\xAF" "12345678", '8', "invalid UTF-8 byte 0xC0");
	expect_invalid("\x01\x02\x03\x04\x05\x06", 0,
	    "control character 0x01 at position 1");
	expect_invalid("!", 0, "character '!' at position 1");
	expect_invalid("@@@@@@", 'A', "character '@' at position 1");
	expect_invalid("AB'CD", 0,
	    "character \"'\" at position 3 is not a letter or digit");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (size_t c = 0; c < sizeof(codes); c++) {
			r = check(bad[i], codes[c]);
			assert_false(r.valid);
		}
	}
	/* random bytes, random lengths up to 70 (past the limit) */
	for (int n = 0; n < 200000; n++) {
		size_t len = gc_sample_next(&st) % 71;

		for (size_t i = 0; i < len; i++) {
			uint64_t v = gc_sample_next(&st);

			/* bias towards digits, X, spaces and UTF-8 leads */
			switch (v % 8) {
			case 0:
			case 1:
			case 2:
				buf[i] = (char)('0' + (v >> 8) % 10);
				break;
			case 3:
				buf[i] = "Xx HM\t\xE3\xEF"[(v >> 8) % 8];
				break;
			case 4:
				if (i + 3 <= len) { /* a whole 南 */
					memcpy(buf + i, "\xE5\x8D\x97", 3);
					i += 2;
					break;
				}
				buf[i] = '-';
				break;
			default:
				buf[i] = (char)(1 + (v >> 8) % 255);
				break;
			}
		}
		buf[len] = '\0';
		(void)check(buf,
		    codes[(gc_sample_next(&st) >> 3) % sizeof(codes)]);
		cap = 1 + gc_sample_next(&st) % sizeof(masked);
		gc_idnum_mask(masked, cap, buf);
		assert_true(strlen(masked) < cap);
		assert_true(utf8_ok(masked));
	}
}

static void
test_idnum_rejects_long_input(void **state)
{
	char buf[128];

	(void)state;
	memset(buf, '1', 65);
	buf[65] = '\0';
	expect_invalid(buf, 0, "too long: 65 bytes, at most 64");
	expect_invalid(buf, 'Z', "too long");
	memset(buf, 'A', 127);
	buf[127] = '\0';
	expect_invalid(buf, 'A', "too long: 127 bytes");
	/* 64 bytes is within the limit: a length reason instead */
	buf[64] = '\0';
	expect_invalid(buf, 'A', "length 64, expected 5 to 20");
	/* trailing spaces count towards the byte limit */
	memcpy(buf, "11010519491231002X", 18);
	memset(buf + 18, ' ', 47);
	buf[65] = '\0';
	expect_invalid(buf, '1', "too long");
}

static void
test_idnum_type_parse_reads_codes_and_names(void **state)
{
	(void)state;
	assert_int_equal(gc_idnum_type_parse("1"), '1');
	assert_int_equal(gc_idnum_type_parse(" 9 "), '9');
	assert_int_equal(gc_idnum_type_parse("a"), 'A');
	assert_int_equal(gc_idnum_type_parse("Z"), 'Z');
	assert_int_equal(gc_idnum_type_parse("01"), '1');
	assert_int_equal(gc_idnum_type_parse("\xEF\xBC\x98"), '8'); /* ８ */
	assert_int_equal(gc_idnum_type_parse("居民身份证"), '1');
	/* every code of the table, bare and with a leading 0 */
	for (const char *c = "123456789ABZ"; *c != '\0'; c++) {
		char one[2] = { *c, '\0' }, two[3] = { '0', *c, '\0' };

		assert_int_equal(gc_idnum_type_parse(one), *c);
		assert_int_equal(gc_idnum_type_parse(two), *c);
	}
	assert_int_equal(gc_idnum_type_parse("02"), '2');
	assert_int_equal(gc_idnum_type_parse("0b"), 'B');
	assert_int_equal(gc_idnum_type_parse(" 军官证\xE3\x80\x80"), '2');
	assert_int_equal(gc_idnum_type_parse("香港特区护照／身份证明"), '6');
	assert_int_equal(gc_idnum_type_parse("澳门特区护照／身份证明"), '7');
	assert_int_equal(gc_idnum_type_parse("户口本"), 'B');
	assert_int_equal(gc_idnum_type_parse("其它"), 'Z');
	assert_int_equal(gc_idnum_type_parse("军官"), 0);
	assert_int_equal(gc_idnum_type_parse("00"), 0);
	assert_int_equal(gc_idnum_type_parse("002"), 0);
	assert_int_equal(gc_idnum_type_parse("身份证"), '1');
	assert_int_equal(gc_idnum_type_parse("\xE3\x80\x80身份证 "), '1');
	assert_int_equal(gc_idnum_type_parse("军官证"), '2');
	assert_int_equal(gc_idnum_type_parse("士兵证"), '3');
	assert_int_equal(gc_idnum_type_parse("文职干部证"), '4');
	assert_int_equal(gc_idnum_type_parse("部队离退休证"), '5');
	assert_int_equal(gc_idnum_type_parse("香港特区护照/身份证明"), '6');
	assert_int_equal(gc_idnum_type_parse("港澳居民来往内地通行证"), '6');
	assert_int_equal(gc_idnum_type_parse("澳门特区护照/身份证明"), '7');
	assert_int_equal(gc_idnum_type_parse("台湾居民来往大陆通行证"), '8');
	assert_int_equal(gc_idnum_type_parse("台胞证"), '8');
	assert_int_equal(gc_idnum_type_parse("境外永久居住证"), '9');
	assert_int_equal(gc_idnum_type_parse("外国人永久居留身份证"), '9');
	assert_int_equal(gc_idnum_type_parse("护照"), 'A');
	assert_int_equal(gc_idnum_type_parse("户口簿"), 'B');
	assert_int_equal(gc_idnum_type_parse("其他"), 'Z');
	assert_int_equal(gc_idnum_type_parse("C"), 0);
	assert_int_equal(gc_idnum_type_parse("0"), 0);
	assert_int_equal(gc_idnum_type_parse("10"), 0);
	assert_int_equal(gc_idnum_type_parse("驾驶证"), 0);
	assert_int_equal(gc_idnum_type_parse(""), 0);
	assert_int_equal(gc_idnum_type_parse("   "), 0);
	assert_int_equal(gc_idnum_type_parse(NULL), 0);
	assert_int_equal(gc_idnum_type_parse("\xFF\xE3\x80"), 0);
	assert_int_equal(gc_idnum_type_parse("\xE3\x80"), 0);
}

static void
test_idnum_kind_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(gc_idnum_kind_name(GC_ID_UNKNOWN), "unknown");
	assert_string_equal(gc_idnum_kind_name(GC_ID_RESIDENT), "resident");
	assert_string_equal(gc_idnum_kind_name(GC_ID_RESIDENT15), "resident15");
	assert_string_equal(gc_idnum_kind_name(GC_ID_HKMO_RESIDENCE),
	    "hkmotw_residence");
	assert_string_equal(gc_idnum_kind_name(GC_ID_HKMO_PERMIT),
	    "hkmo_permit");
	assert_string_equal(gc_idnum_kind_name(GC_ID_TW_PERMIT), "tw_permit");
	assert_string_equal(gc_idnum_kind_name(GC_ID_FOREIGN_PR), "foreign_pr");
	assert_string_equal(gc_idnum_kind_name(GC_ID_PASSPORT), "passport");
	assert_string_equal(gc_idnum_kind_name(GC_ID_OTHER), "other");
	assert_string_equal(gc_idnum_kind_name(GC_ID_MILITARY), "military");
	assert_string_equal(gc_idnum_kind_name((enum gc_id_kind)99), "unknown");
}

/* MOD 11-2 catches every single-digit substitution: for 10 000 generated
 * valid IDs, each of the 17 positions replaced by each other digit. */
static void
test_idnum_check_digit_catches_every_substitution(void **state)
{
	struct gc_idnum r;
	uint64_t        st = 20250601;
	char            id[19], m[19];
	long            caught = 0;

	(void)state;
	for (int n = 0; n < 10000; n++) {
		gc_sample_id(id, &st);
		assert_int_equal(gc_idnum_check(&r, id, 0, TODAY), GC_OK);
		for (int pos = 0; pos < 17; pos++) {
			for (char d = '0'; d <= '9'; d++) {
				if (d == id[pos]) {
					continue;
				}
				memcpy(m, id, sizeof(m));
				m[pos] = d;
				if (gc_idnum_check_char(m) == id[17]) {
					print_error("%s -> %s not caught\n", id,
					    m);
					fail();
				}
				if (gc_idnum_check(&r, m, 0, TODAY) !=
				    GC_EINVAL) {
					print_error("%s -> %s accepted\n", id,
					    m);
					fail();
				}
				caught++;
			}
		}
	}
	assert_int_equal(caught, 10000L * 17 * 9);
}

static void
test_idnum_type_name_gives_the_table_name(void **state)
{
	static const char codes[] = "123456789ABZ";

	(void)state;
	assert_string_equal(gc_idnum_type_name('1'), "居民身份证");
	assert_string_equal(gc_idnum_type_name('3'), "士兵证");
	assert_string_equal(gc_idnum_type_name('6'), "香港特区护照/身份证明");
	assert_string_equal(gc_idnum_type_name('A'), "护照");
	assert_string_equal(gc_idnum_type_name('Z'), "其他");
	assert_null(gc_idnum_type_name('C'));
	assert_null(gc_idnum_type_name(0));
	/* every code's name reads back as that code */
	for (size_t i = 0; codes[i] != '\0'; i++) {
		assert_int_equal(gc_idnum_type_parse(gc_idnum_type_name(codes[i])),
		    codes[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idnum_accepts_domain_vectors),
		cmocka_unit_test(test_idnum_check_char_matches_vectors),
		cmocka_unit_test(test_idnum_rejects_wrong_check_digit),
		cmocka_unit_test(test_idnum_rejects_bad_dates),
		cmocka_unit_test(test_idnum_rejects_future_birth),
		cmocka_unit_test(test_idnum_rejects_bad_province),
		cmocka_unit_test(test_idnum_rejects_wrong_length),
		cmocka_unit_test(test_idnum_rejects_letters),
		cmocka_unit_test(test_idnum_normalises_case_width_and_space),
		cmocka_unit_test(test_idnum_flags_15_digit_for_upgrade),
		cmocka_unit_test(test_idnum_accepts_residence_permits),
		cmocka_unit_test(test_idnum_accepts_foreign_permanent_residence),
		cmocka_unit_test(test_idnum_accepts_hkmo_permits),
		cmocka_unit_test(test_idnum_accepts_taiwan_permits),
		cmocka_unit_test(test_idnum_accepts_passports),
		cmocka_unit_test(test_idnum_reports_type_mismatch),
		cmocka_unit_test(test_idnum_accepts_other_types_loosely),
		cmocka_unit_test(test_idnum_accepts_military_numbers),
		cmocka_unit_test(test_idnum_checks_household_register_as_resident),
		cmocka_unit_test(test_idnum_mask_never_cuts_a_character),
		cmocka_unit_test(test_idnum_survives_garbage_and_invalid_utf8),
		cmocka_unit_test(test_idnum_rejects_long_input),
		cmocka_unit_test(test_idnum_type_parse_reads_codes_and_names),
		cmocka_unit_test(test_idnum_type_name_gives_the_table_name),
		cmocka_unit_test(test_idnum_kind_names_are_stable),
		cmocka_unit_test(test_idnum_check_digit_catches_every_substitution),
	};

	return cmocka_run_group_tests_name("common.idnum", tests, NULL, NULL);
}
