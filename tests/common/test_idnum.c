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

/* Properties every result has, valid or not. */
static void
check_invariants(const struct gc_idnum *r)
{
	assert_non_null(memchr(r->normalized, '\0', sizeof(r->normalized)));
	assert_non_null(memchr(r->upgraded, '\0', sizeof(r->upgraded)));
	assert_non_null(memchr(r->birth, '\0', sizeof(r->birth)));
	assert_non_null(memchr(r->reason, '\0', sizeof(r->reason)));
	assert_true(r->sex == 0 || r->sex == 'M' || r->sex == 'F');
	if (r->valid) {
		assert_string_equal(r->reason, "");
		assert_true(r->normalized[0] != '\0');
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
	    "character U+4E00 at position 15 is not a digit");
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
	    "character U+00E9 at position 2 is not a letter or digit");
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
	const char      codes[] = { '2', '3', '4', '5', 'B', 'Z' };
	char            long33[34];

	(void)state;
	for (size_t i = 0; i < sizeof(codes); i++) {
		r = expect_valid("J-123456/7", codes[i], GC_ID_OTHER,
		    "J-123456/7");
		assert_int_equal(r.type_code, codes[i]);
	}
	expect_valid("11010519491231002x", 'B', GC_ID_OTHER,
	    "11010519491231002X");
	expect_invalid("\xE5\x86\x9B" "123456", '2',
	    "character U+519B at position 1 is not printable ASCII");
	memset(long33, 'A', 33);
	long33[33] = '\0';
	expect_invalid(long33, 'Z', "length 33, expected at most 32");
	long33[32] = '\0';
	expect_valid(long33, 'Z', GC_ID_OTHER, long33);
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
	char            buf[80];
	const char      codes[] = { 0, '1', '6', '8', '9', 'A', 'Z', 'Q' };

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
			default:
				buf[i] = (char)(1 + (v >> 8) % 255);
				break;
			}
		}
		buf[len] = '\0';
		(void)check(buf,
		    codes[(gc_sample_next(&st) >> 3) % sizeof(codes)]);
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
		cmocka_unit_test(test_idnum_survives_garbage_and_invalid_utf8),
		cmocka_unit_test(test_idnum_rejects_long_input),
		cmocka_unit_test(test_idnum_type_parse_reads_codes_and_names),
		cmocka_unit_test(test_idnum_kind_names_are_stable),
		cmocka_unit_test(test_idnum_check_digit_catches_every_substitution),
	};

	return cmocka_run_group_tests_name("common.idnum", tests, NULL, NULL);
}
