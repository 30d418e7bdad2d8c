/* idnum: identity numbers (domain.md §3; rules 22–26, 30). Everything here
 * works on at most GC_IDNUM_MAX_INPUT bytes held on the stack: no
 * allocation, no global state, never a read past the caller's NUL. */
#include "common/idnum.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * The earliest birth date accepted in an 18-character number. The brief
 * said 1900-01-01, but GB 11643's own example 440524188001010014 (born
 * 1880) is one of domain.md's valid vectors, so the floor is 1800-01-01:
 * it still rejects "00000101"-style garbage. Graduates are never near it.
 */
#define IDN_MIN_BIRTH 18000101L

/* A decoded character that is not valid UTF-8: -1 - byte. */
#define IDN_BAD_BYTE(b) (-1 - (int32_t)(b))

/* The placeholder in idn_text.s for anything that is not printable ASCII. */
#define IDN_OTHER '\x01'

/* Every reason about a 证件类型 that does not fit starts with this. */
#define IDN_MISMATCH "证件类型 is "

/* The input after trimming and mapping: s is ASCII with letters uppercased
 * (IDN_OTHER for anything else); cp holds each character as the user wrote
 * it, after full-width mapping (for messages). */
struct idn_text {
	char    s[GC_IDNUM_MAX_INPUT + 1];
	int32_t cp[GC_IDNUM_MAX_INPUT];
	size_t  n;
	bool    printable; /* every character is printable ASCII */
};

/* What the caller's 证件类型 allows an 18-character number to be. */
enum {
	R18_RESIDENT  = 1 << 0,
	R18_RESIDENCE = 1 << 1,
	R18_FOREIGN   = 1 << 2,
	R18_ANY       = R18_RESIDENT | R18_RESIDENCE | R18_FOREIGN,
};

static void idn_reason(struct gc_idnum *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
idn_reason(struct gc_idnum *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static bool
idn_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
idn_is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
idn_is_space(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
	    cp == 0x3000;
}

/* Decodes one UTF-8 character from p (n > 0 bytes left). Returns the bytes
 * used; malformed, overlong, surrogate or truncated sequences use one byte
 * and give IDN_BAD_BYTE. */
static size_t
idn_utf8_next(const unsigned char *p, size_t n, int32_t *cp)
{
	uint32_t c = p[0];
	size_t   len, i;
	uint32_t min;

	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		*cp = IDN_BAD_BYTE(p[0]);
		return 1;
	}
	if (len > n) {
		*cp = IDN_BAD_BYTE(p[0]);
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*cp = IDN_BAD_BYTE(p[0]);
			return 1;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = IDN_BAD_BYTE(p[0]);
		return 1;
	}
	*cp = (int32_t)c;
	return len;
}

/* True for a character that is safe to echo in a message: not a control,
 * combining mark, format or bidi character, variation selector, private
 * use or tag character. */
static bool
idn_visible(int32_t cp)
{
	return cp >= 0xA0 && !(cp >= 0x300 && cp <= 0x36F) &&
	    !(cp >= 0x2000 && cp <= 0x206F) && !(cp >= 0xE000 && cp <= 0xF8FF) &&
	    !(cp >= 0xFE00 && cp <= 0xFE0F) && cp != 0xFEFF &&
	    !(cp >= 0xFFF0 && cp <= 0xFFFF) && cp < 0xE0000;
}

/* Appends cp (0 <= cp <= 0x10FFFF, not a surrogate) as UTF-8 at dst[0..);
 * returns the bytes written (1 to 4). */
static size_t
idn_utf8_put(char *dst, int32_t cp)
{
	uint32_t c = (uint32_t)cp;

	if (c < 0x80) {
		dst[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		dst[0] = (char)(0xC0 | (c >> 6));
		dst[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		dst[0] = (char)(0xE0 | (c >> 12));
		dst[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		dst[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	dst[0] = (char)(0xF0 | (c >> 18));
	dst[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	dst[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	dst[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* How a character is named in a reason: "character 'Y'",
 * "character '南' (U+5357)", "character U+202E", "invalid UTF-8 byte 0xFF",
 * "control character 0x01". */
static void
idn_describe(char *dst, size_t cap, int32_t cp)
{
	char g[5];
	if (cp < 0) {
		snprintf(dst, cap, "invalid UTF-8 byte 0x%02X",
		    (unsigned)(-1 - cp));
	} else if (cp == '\'') {
		snprintf(dst, cap, "character \"'\"");
	} else if (cp > 0x20 && cp < 0x7F) {
		snprintf(dst, cap, "character '%c'", (char)cp);
	} else if (cp < 0x80) {
		snprintf(dst, cap, "control character 0x%02X", (unsigned)cp);
	} else if (idn_visible(cp)) {
		g[idn_utf8_put(g, cp)] = '\0';
		snprintf(dst, cap, "character '%s' (U+%04X)", g, (unsigned)cp);
	} else {
		snprintf(dst, cap, "character U+%04X", (unsigned)cp);
	}
}

static const char *
idn_space_name(int32_t cp)
{
	switch (cp) {
	case ' ':
		return "a space";
	case '\t':
		return "a tab";
	case '\r':
	case '\n':
		return "a line break";
	default:
		return "an ideographic space (U+3000)";
	}
}

/* "<character> at position <i+1> is not <what>". */
static void
idn_bad_char(struct gc_idnum *out, const struct idn_text *t, size_t i,
    const char *what)
{
	char d[64];

	idn_describe(d, sizeof(d), t->cp[i]);
	idn_reason(out, "%s at position %zu is not %s", d, i + 1, what);
}

/*
 * Trims, maps full-width digits and letters to ASCII, uppercases, and
 * rejects internal white space. len <= GC_IDNUM_MAX_INPUT. False with a
 * reason when nothing is left or a space is inside.
 */
static bool
idn_normalise(struct idn_text *t, const char *in, size_t len,
    struct gc_idnum *out)
{
	int32_t              u[GC_IDNUM_MAX_INPUT];
	const unsigned char *p = (const unsigned char *)in;
	size_t               m = 0, off = 0, lo, hi, i;
	int32_t              c;

	memset(t, 0, sizeof(*t));
	while (off < len) {
		off += idn_utf8_next(p + off, len - off, &u[m]);
		m++;
	}
	lo = 0;
	while (lo < m && idn_is_space(u[lo])) {
		lo++;
	}
	hi = m;
	while (hi > lo && idn_is_space(u[hi - 1])) {
		hi--;
	}
	if (lo == hi) {
		idn_reason(out, "empty");
		return false;
	}
	t->printable = true;
	for (i = lo; i < hi; i++) {
		c = u[i];
		if (idn_is_space(c)) {
			idn_reason(out, "contains %s at position %zu",
			    idn_space_name(c), i - lo + 1);
			return false;
		}
		if (c >= 0xFF10 && c <= 0xFF19) {
			c = '0' + (c - 0xFF10);
		} else if (c >= 0xFF21 && c <= 0xFF3A) {
			c = 'A' + (c - 0xFF21);
		} else if (c >= 0xFF41 && c <= 0xFF5A) {
			c = 'a' + (c - 0xFF41);
		}
		t->cp[t->n] = c;
		if (c > 0x20 && c < 0x7F) {
			t->s[t->n] = (c >= 'a' && c <= 'z') ? (char)(c - 32)
			                                    : (char)c;
		} else {
			t->s[t->n]   = IDN_OTHER;
			t->printable = false;
		}
		t->n++;
	}
	t->s[t->n] = '\0';
	return true;
}

static bool
idn_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
idn_calendar_date(long y, long m, long d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (m < 1 || m > 12 || d < 1) {
		return false;
	}
	if (m == 2 && idn_leap(y)) {
		return d <= 29;
	}
	return d <= days[m - 1];
}

static long
idn_digits(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static long
idn_today(int today)
{
	time_t    now;
	struct tm tm;

	if (today > 0) {
		return today;
	}
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL) {
		return 99991231L;
	}
	return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

/* Checks the 8 ASCII digits of a YYYYMMDD birth date and fills out->birth.
 */
static bool
idn_check_birth(struct gc_idnum *out, const char *ymd, int today)
{
	long y = idn_digits(ymd, 4), m = idn_digits(ymd + 4, 2);
	long d = idn_digits(ymd + 6, 2), v = idn_digits(ymd, 8);

	if (!idn_calendar_date(y, m, d)) {
		idn_reason(out, "birth date %.8s is not a calendar date", ymd);
		return false;
	}
	if (v < IDN_MIN_BIRTH) {
		idn_reason(out, "birth date %.8s is before 1800-01-01", ymd);
		return false;
	}
	if (v > idn_today(today)) {
		idn_reason(out, "birth date %.8s is in the future", ymd);
		return false;
	}
	memcpy(out->birth, ymd, 4);
	out->birth[4] = '-';
	memcpy(out->birth + 5, ymd + 4, 2);
	out->birth[7] = '-';
	memcpy(out->birth + 8, ymd + 6, 2);
	out->birth[10] = '\0';
	return true;
}

/* GB/T 2260 province prefixes issued on mainland 身份证 (domain.md §3.3). */
static bool
idn_province(int p)
{
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) ||
	    (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
	    (p >= 50 && p <= 54) || (p >= 61 && p <= 65);
}

static const char *
idn_code_label(char code)
{
	switch (code) {
	case '1':
		return "resident ID";
	case '2':
		return "military officer ID";
	case '3':
		return "soldier ID";
	case '4':
		return "civilian cadre ID";
	case '5':
		return "military retiree ID";
	case '6':
		return "Hong Kong permit";
	case '7':
		return "Macao permit";
	case '8':
		return "Taiwan permit";
	case '9':
		return "foreign permanent residence";
	case 'A':
		return "passport";
	case 'B':
		return "household register";
	default:
		return "other";
	}
}

/* CJK Unified Ideographs: the Chinese characters of military numbers. */
static bool
idn_is_han(int32_t cp)
{
	return cp >= 0x4E00 && cp <= 0x9FFF;
}

/* Shared tail of every successful check. */
static bool
idn_valid(struct gc_idnum *out, const struct idn_text *t, size_t keep)
{
	memcpy(out->normalized, t->s, keep);
	out->normalized[keep] = '\0';
	out->reason[0]        = '\0';
	out->valid            = true;
	return true;
}

/*
 * 18 characters: resident ID, 81/82/83 residence permit, or 2023 foreign
 * permanent residence card, as allowed by `allow` (R18_*). `code` is the
 * caller's 证件类型 for mismatch messages (0: inferred).
 */
static bool
idn_check18(struct gc_idnum *out, const struct idn_text *t, int allow,
    char code, int today)
{
	const char *s = t->s;
	int         prefix, got;
	char        want;

	out->kind = (allow & R18_RESIDENT) ? GC_ID_RESIDENT
	    : (allow & R18_FOREIGN)        ? GC_ID_FOREIGN_PR
	                                   : GC_ID_HKMO_RESIDENCE;
	for (size_t i = 0; i < t->n; i++) {
		if (!idn_is_digit(s[i]) && !(i == 17 && s[i] == 'X')) {
			idn_bad_char(out, t, i, i == 17 ? "a digit or X"
			                                : "a digit");
			return false;
		}
	}
	if (t->n != 18) {
		idn_reason(out, "length %zu, expected 18 characters", t->n);
		return false;
	}
	prefix = (s[0] - '0') * 10 + (s[1] - '0');
	if (s[0] == '9') {
		got = R18_FOREIGN;
	} else if (prefix >= 81 && prefix <= 83) {
		got = R18_RESIDENCE;
	} else if (idn_province(prefix)) {
		got = R18_RESIDENT;
	} else {
		idn_reason(out, "province code %02d does not exist", prefix);
		return false;
	}
	if ((got & allow) == 0) {
		if (got == R18_FOREIGN) {
			/* replaced by idn_explain_mismatch when the number
			 * is a valid permanent residence card */
			idn_reason(out, "province code %02d does not exist "
			    "(numbers starting with 9 are foreign permanent "
			    "residence cards, 证件类型 9)", prefix);
		} else {
			/* only 证件类型 9 refuses resident prefixes */
			idn_reason(out, "证件类型 is %c (%s) but the number "
			    "starts with %02d, expected 9", code,
			    idn_code_label(code), prefix);
		}
		return false;
	}
	out->kind = got == R18_FOREIGN ? GC_ID_FOREIGN_PR
	    : got == R18_RESIDENCE     ? GC_ID_HKMO_RESIDENCE
	                               : GC_ID_RESIDENT;
	if (!idn_check_birth(out, s + 6, today)) {
		return false;
	}
	want = gc_idnum_check_char(s);
	if (s[17] != want) {
		out->birth[0] = '\0';
		idn_reason(out, "check digit is %c, expected %c", s[17], want);
		return false;
	}
	out->sex = ((s[16] - '0') % 2) ? 'M' : 'F';
	return idn_valid(out, t, 18);
}

/* 15 digits (GB 11643-1989): valid, but flagged for 升位 with the
 * computed 18-digit candidate. */
static bool
idn_check15(struct gc_idnum *out, const struct idn_text *t, int today)
{
	const char *s = t->s;
	char        ymd[9], up[19];
	int         prefix;

	out->kind = GC_ID_RESIDENT15;
	for (size_t i = 0; i < t->n; i++) {
		if (!idn_is_digit(s[i])) {
			idn_bad_char(out, t, i, "a digit");
			return false;
		}
	}
	if (t->n != 15) {
		idn_reason(out, "length %zu, expected 15 digits", t->n);
		return false;
	}
	prefix = (s[0] - '0') * 10 + (s[1] - '0');
	if (!idn_province(prefix)) {
		idn_reason(out, "province code %02d does not exist", prefix);
		return false;
	}
	memcpy(ymd, "19", 2);
	memcpy(ymd + 2, s + 6, 6);
	ymd[8] = '\0';
	if (!idn_check_birth(out, ymd, today)) {
		return false;
	}
	memcpy(up, s, 6);
	memcpy(up + 6, "19", 2);
	memcpy(up + 8, s + 6, 9);
	up[17] = gc_idnum_check_char(up);
	up[18] = '\0';
	memcpy(out->upgraded, up, sizeof(up));
	out->needs_upgrade = true;
	out->sex           = ((s[14] - '0') % 2) ? 'M' : 'F';
	return idn_valid(out, t, 15);
}

/* 港澳居民来往内地通行证: H/M + 8 digits (+ 2-digit renewal count); the
 * 9-character form is what we store and match on. */
static bool
idn_check_hkmo(struct gc_idnum *out, const struct idn_text *t)
{
	out->kind = GC_ID_HKMO_PERMIT;
	if (t->s[0] != 'H' && t->s[0] != 'M') {
		idn_bad_char(out, t, 0, "H or M");
		return false;
	}
	for (size_t i = 1; i < t->n; i++) {
		if (!idn_is_digit(t->s[i])) {
			idn_bad_char(out, t, i, "a digit");
			return false;
		}
	}
	if (t->n != 9 && t->n != 11) {
		idn_reason(out, "length %zu, expected 9 or 11 characters "
		    "(H or M and 8 or 10 digits)", t->n);
		return false;
	}
	return idn_valid(out, t, 9);
}

/* 台湾居民来往大陆通行证: 8 digits. */
static bool
idn_check_tw(struct gc_idnum *out, const struct idn_text *t)
{
	out->kind = GC_ID_TW_PERMIT;
	for (size_t i = 0; i < t->n; i++) {
		if (!idn_is_digit(t->s[i])) {
			idn_bad_char(out, t, i, "a digit");
			return false;
		}
	}
	if (t->n != 8) {
		idn_reason(out, "length %zu, expected 8 digits", t->n);
		return false;
	}
	return idn_valid(out, t, 8);
}

/* The 2017 外国人永久居留证: 3 letters (nationality) + 12 digits. The
 * digits are not checked further: no public source gives their layout. */
static bool
idn_check_foreign15(struct gc_idnum *out, const struct idn_text *t)
{
	out->kind = GC_ID_FOREIGN_PR;
	if (t->n != 15) {
		idn_reason(out, "length %zu, expected 15 characters "
		    "(3 letters and 12 digits)", t->n);
		return false;
	}
	for (size_t i = 0; i < 15; i++) {
		if (i < 3 && !idn_is_upper(t->s[i])) {
			idn_bad_char(out, t, i, "a letter");
			return false;
		}
		if (i >= 3 && !idn_is_digit(t->s[i])) {
			idn_bad_char(out, t, i, "a digit");
			return false;
		}
	}
	return idn_valid(out, t, 15);
}

static bool
idn_check_passport(struct gc_idnum *out, const struct idn_text *t)
{
	out->kind = GC_ID_PASSPORT;
	for (size_t i = 0; i < t->n; i++) {
		if (!idn_is_digit(t->s[i]) && !idn_is_upper(t->s[i])) {
			idn_bad_char(out, t, i, "a letter or digit");
			return false;
		}
	}
	if (t->n < 5 || t->n > 20) {
		idn_reason(out, "length %zu, expected 5 to 20 letters or "
		    "digits for a passport", t->n);
		return false;
	}
	return idn_valid(out, t, t->n);
}

/* Like idn_valid, for numbers that may hold Chinese characters: ASCII as
 * normalised in t->s, the rest as UTF-8. False with a reason past
 * GC_IDNUM_MAX_NORMALIZED bytes. */
static bool
idn_valid_utf8(struct gc_idnum *out, const struct idn_text *t)
{
	char   buf[GC_IDNUM_MAX_INPUT * 4 + 1];
	size_t o = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->s[i] != IDN_OTHER) {
			buf[o++] = t->s[i];
		} else {
			o += idn_utf8_put(buf + o, t->cp[i]);
		}
	}
	if (o > GC_IDNUM_MAX_NORMALIZED) {
		idn_reason(out, "%zu bytes long, at most %d (%d Chinese "
		    "characters)", o, GC_IDNUM_MAX_NORMALIZED,
		    GC_IDNUM_MAX_NORMALIZED / 3);
		return false;
	}
	memcpy(out->normalized, buf, o);
	out->normalized[o] = '\0';
	out->reason[0]     = '\0';
	out->valid         = true;
	return true;
}

/*
 * 证件类型 2-5 (军官证, 士兵证, 文职干部证, 部队离退休证): no public
 * format beyond the common "南字第0123456号" (a character for the issuing
 * branch, 字第, digits, 号), so: ASCII letters, digits, '-' and Chinese
 * characters, at least one digit, at most GC_IDNUM_MAX_MILITARY.
 */
static bool
idn_check_military(struct gc_idnum *out, const struct idn_text *t)
{
	size_t ndig = 0;

	out->kind = GC_ID_MILITARY;
	for (size_t i = 0; i < t->n; i++) {
		if (idn_is_digit(t->s[i])) {
			ndig++;
		} else if (!idn_is_upper(t->s[i]) && t->s[i] != '-' &&
		    !idn_is_han(t->cp[i])) {
			idn_bad_char(out, t, i, "a letter, digit, '-' or "
			    "Chinese character");
			return false;
		}
	}
	if (t->n > GC_IDNUM_MAX_MILITARY) {
		idn_reason(out, "length %zu, expected at most %d characters "
		    "for a military document", t->n, GC_IDNUM_MAX_MILITARY);
		return false;
	}
	if (ndig == 0) {
		idn_reason(out, "has no digit: a military document number "
		    "has its serial digits (e.g. 南字第0123456号)");
		return false;
	}
	return idn_valid_utf8(out, t);
}

/* 证件类型 Z (其他): printable ASCII and Chinese characters, at most 32. */
static bool
idn_check_other(struct gc_idnum *out, const struct idn_text *t)
{
	out->kind = GC_ID_OTHER;
	for (size_t i = 0; i < t->n; i++) {
		if (t->s[i] == IDN_OTHER && !idn_is_han(t->cp[i])) {
			idn_bad_char(out, t, i, "printable ASCII or a Chinese "
			    "character");
			return false;
		}
	}
	if (t->n > 32) {
		idn_reason(out, "length %zu, expected at most 32 characters",
		    t->n);
		return false;
	}
	return idn_valid_utf8(out, t);
}

/*
 * No 证件类型: guess the kind from the shape, then check it as that kind.
 * Digit strings (with an optional final X) are resident IDs unless they
 * are 8 long (Taiwan permit), so a mistyped 17-digit ID reports "length
 * 17" rather than passing as a passport; a digits-only passport needs
 * 证件类型 A.
 */
static bool
idn_check_inferred(struct gc_idnum *out, const struct idn_text *t, int today)
{
	const char *s = t->s;
	size_t      n = t->n, ndig = 0, nalnum = 0, i;

	for (i = 0; i < n; i++) {
		if (idn_is_digit(s[i])) {
			ndig++;
			nalnum++;
		} else if (idn_is_upper(s[i])) {
			nalnum++;
		}
	}
	if (ndig == n && n == 8) {
		return idn_check_tw(out, t);
	}
	if (ndig == n && n == 15) {
		return idn_check15(out, t, today);
	}
	if (ndig == n || (ndig == n - 1 && s[n - 1] == 'X')) {
		return idn_check18(out, t, R18_ANY, 0, today);
	}
	if (n == 15 && ndig == 12 && idn_is_upper(s[0]) &&
	    idn_is_upper(s[1]) && idn_is_upper(s[2])) {
		return idn_check_foreign15(out, t);
	}
	if ((s[0] == 'H' || s[0] == 'M') && (n == 9 || n == 11) &&
	    ndig == n - 1) {
		return idn_check_hkmo(out, t);
	}
	if (n >= 14 && n <= 19 && ndig + 3 >= n) {
		/* mostly digits: a resident ID with a typo */
		if (n == 15) {
			return idn_check15(out, t, today);
		}
		return idn_check18(out, t, R18_ANY, 0, today);
	}
	if (nalnum == n && n >= 5 && n <= 20) {
		return idn_check_passport(out, t);
	}
	out->kind = GC_ID_UNKNOWN;
	for (i = 0; i < n; i++) {
		if (idn_is_han(t->cp[i])) {
			idn_reason(out, "Chinese characters are only allowed "
			    "with a 证件类型: 2 军官证, 3 士兵证, 4 文职干部证, "
			    "5 部队离退休证 or Z 其他");
			return false;
		}
		if (!idn_is_digit(s[i]) && !idn_is_upper(s[i])) {
			idn_bad_char(out, t, i, "a letter or digit");
			return false;
		}
	}
	if (n < 5) {
		idn_reason(out, "length %zu is too short for any identity "
		    "number", n);
	} else {
		idn_reason(out, "length %zu, expected at most 20 letters or "
		    "digits", n);
	}
	return false;
}

static const char *
idn_kind_label(enum gc_id_kind kind)
{
	switch (kind) {
	case GC_ID_RESIDENT:
		return "resident ID";
	case GC_ID_RESIDENT15:
		return "15-digit resident ID";
	case GC_ID_HKMO_RESIDENCE:
		return "HK/Macao/Taiwan residence permit";
	case GC_ID_HKMO_PERMIT:
		return "HK/Macao permit";
	case GC_ID_TW_PERMIT:
		return "Taiwan permit";
	case GC_ID_FOREIGN_PR:
		return "foreign permanent residence card";
	case GC_ID_PASSPORT:
		return "passport number";
	default:
		return "identity number";
	}
}

/* True when the reason already says the 证件类型 does not fit. */
static bool
idn_is_mismatch(const struct gc_idnum *out)
{
	return strncmp(out->reason, IDN_MISMATCH, strlen(IDN_MISMATCH)) == 0;
}

/* After a failed check against the caller's 证件类型: if the number is a
 * valid number of another kind, say so instead of the format detail. */
static void
idn_explain_mismatch(struct gc_idnum *out, const struct idn_text *t,
    char code, int today)
{
	struct gc_idnum other;

	memset(&other, 0, sizeof(other));
	if (!idn_check_inferred(&other, t, today) ||
	    other.kind == GC_ID_PASSPORT) {
		return; /* any 5-20 letters and digits pass as a passport */
	}
	idn_reason(out, "证件类型 is %c (%s) but %s looks like a %s", code,
	    idn_code_label(code), t->s, idn_kind_label(other.kind));
}

gc_err
gc_idnum_check(struct gc_idnum *out, const char *input, char type_code,
    int today)
{
	struct idn_text t;
	size_t          len;
	char            code = type_code;
	bool            ok;

	memset(out, 0, sizeof(*out));
	if (code >= 'a' && code <= 'z') {
		code = (char)(code - 32);
	}
	out->type_code = code;
	if (input == NULL) {
		idn_reason(out, "empty");
		return GC_EINVAL;
	}
	len = strlen(input);
	if (len > GC_IDNUM_MAX_INPUT) {
		idn_reason(out, "too long: %zu bytes, at most %d", len,
		    GC_IDNUM_MAX_INPUT);
		return GC_EINVAL;
	}
	if (!idn_normalise(&t, input, len, out)) {
		return GC_EINVAL;
	}
	switch (code) {
	case 0:
		ok = idn_check_inferred(out, &t, today);
		break;
	case '1':
	case 'B': /* 户口簿: the holder's 居民身份证 number */
		if (t.n == 15) {
			ok = idn_check15(out, &t, today);
		} else {
			ok = idn_check18(out, &t,
			    R18_RESIDENT | R18_RESIDENCE, code, today);
		}
		break;
	case '6':
	case '7':
		/* Either letter for either code: gc_idnum_type_parse maps
		 * 港澳居民来往内地通行证 to '6' for Macao holders too. */
		ok = idn_check_hkmo(out, &t);
		break;
	case '8':
		ok = idn_check_tw(out, &t);
		break;
	case '9':
		if (t.n == 15 && idn_is_upper(t.s[0])) {
			ok = idn_check_foreign15(out, &t);
		} else if (t.n != 18 && t.n != 15) {
			out->kind = GC_ID_FOREIGN_PR;
			idn_reason(out, "length %zu, expected 18 characters "
			    "(2023 card) or 15 (2017 card)", t.n);
			ok = false;
		} else {
			ok = idn_check18(out, &t, R18_FOREIGN, code, today);
		}
		break;
	case 'A':
		ok = idn_check_passport(out, &t);
		if (ok && t.n == 18) {
			struct gc_idnum r;

			memset(&r, 0, sizeof(r));
			if (idn_check18(&r, &t, R18_ANY, 0, today)) {
				ok = false;
				out->valid = false;
				idn_reason(out, "证件类型 is A (passport) but "
				    "%s is a valid %s", t.s,
				    idn_kind_label(r.kind));
			}
		}
		break;
	case '2':
	case '3':
	case '4':
	case '5':
		ok = idn_check_military(out, &t);
		break;
	case 'Z':
		ok = idn_check_other(out, &t);
		break;
	default:
		out->kind = GC_ID_UNKNOWN;
		if (code > 0x20 && code < 0x7F) {
			idn_reason(out, "证件类型 '%c' is not a known code "
			    "(1-9, A, B, Z)", code);
		} else {
			idn_reason(out, "证件类型 0x%02X is not a known code "
			    "(1-9, A, B, Z)", (unsigned)(unsigned char)code);
		}
		ok = false;
		break;
	}
	if (!ok && code != 0 && t.printable && out->kind != GC_ID_OTHER &&
	    out->kind != GC_ID_MILITARY && out->kind != GC_ID_UNKNOWN &&
	    !idn_is_mismatch(out)) {
		idn_explain_mismatch(out, &t, code, today);
	}
	if (code == 0 && out->kind != GC_ID_UNKNOWN) {
		out->type_code = out->kind == GC_ID_HKMO_PERMIT
		    ? (t.s[0] == 'H' ? '6' : '7')
		    : out->kind == GC_ID_TW_PERMIT ? '8'
		    : out->kind == GC_ID_FOREIGN_PR ? '9'
		    : out->kind == GC_ID_PASSPORT   ? 'A'
		                                    : '1';
	}
	if (!ok) {
		out->valid         = false;
		out->needs_upgrade = false;
		out->upgraded[0]   = '\0';
		out->birth[0]      = '\0';
		out->sex           = 0;
		/* keep what the user meant to type, for display */
		if (t.printable && t.n < sizeof(out->normalized)) {
			memcpy(out->normalized, t.s, t.n + 1);
		}
		return GC_EINVAL;
	}
	return GC_OK;
}

void
gc_idnum_mask(char *out, size_t cap, const char *id)
{
	const unsigned char *p = (const unsigned char *)id;
	size_t               n, off, nc = 0, k = 0, o = 0, len;
	int32_t              cp;

	if (cap == 0) {
		return;
	}
	n = id != NULL ? strlen(id) : 0;
	for (off = 0; off < n; nc++) {
		off += idn_utf8_next(p + off, n - off, &cp);
	}
	for (off = 0; off < n; k++) {
		len = idn_utf8_next(p + off, n - off, &cp);
		if (k + 4 < nc || cp < 0) {
			if (o + 1 >= cap) {
				break;
			}
			out[o++] = k + 4 < nc ? '*' : '?';
		} else {
			if (o + len >= cap) {
				break;
			}
			memcpy(out + o, p + off, len);
			o += len;
		}
		off += len;
	}
	out[o] = '\0';
}

char
gc_idnum_check_char(const char *first17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5,
		8, 4, 2 };
	int              sum = 0;

	if (first17 == NULL) {
		return 0;
	}
	for (size_t i = 0; i < 17; i++) {
		if (first17[i] < '0' || first17[i] > '9') {
			return 0; /* also stops at a NUL: never reads past it */
		}
		sum += (first17[i] - '0') * w[i];
	}
	return "10X98765432"[sum % 11];
}

const char *
gc_idnum_kind_name(enum gc_id_kind kind)
{
	switch (kind) {
	case GC_ID_RESIDENT:
		return "resident";
	case GC_ID_RESIDENT15:
		return "resident15";
	case GC_ID_HKMO_RESIDENCE:
		return "hkmotw_residence";
	case GC_ID_HKMO_PERMIT:
		return "hkmo_permit";
	case GC_ID_TW_PERMIT:
		return "tw_permit";
	case GC_ID_FOREIGN_PR:
		return "foreign_pr";
	case GC_ID_PASSPORT:
		return "passport";
	case GC_ID_OTHER:
		return "other";
	case GC_ID_MILITARY:
		return "military";
	default:
		return "unknown";
	}
}

/*
 * Names seen in 证件类型 columns. The JY/T 1001 names come first; the rest
 * are everyday names for the same documents. Choices:
 * - 港澳居民来往内地通行证 / 回乡证 → '6' even for Macao holders: the code
 *   table has no separate permit code, and the number's H/M says which.
 * - 港澳台居民居住证 → '1': it carries an 18-digit 公民身份号码 (81/82/83).
 * - 户口簿/户口本 → 'B'; 其他/其它 → 'Z'.
 */
static const struct {
	const char *name;
	char        code;
} idn_type_names[] = {
	{ "居民身份证", '1' },
	{ "身份证", '1' },
	{ "中华人民共和国居民身份证", '1' },
	{ "二代身份证", '1' },
	{ "港澳台居民居住证", '1' },
	{ "军官证", '2' },
	{ "士兵证", '3' },
	{ "文职干部证", '4' },
	{ "部队离退休证", '5' },
	{ "香港特区护照/身份证明", '6' },
	{ "香港特区护照／身份证明", '6' }, /* full-width slash */
	{ "香港特区护照", '6' },
	{ "香港特区身份证明", '6' },
	{ "港澳居民来往内地通行证", '6' },
	{ "回乡证", '6' },
	{ "澳门特区护照/身份证明", '7' },
	{ "澳门特区护照／身份证明", '7' },
	{ "澳门特区护照", '7' },
	{ "澳门特区身份证明", '7' },
	{ "台湾居民来往大陆通行证", '8' },
	{ "台胞证", '8' },
	{ "境外永久居住证", '9' },
	{ "外国人永久居留身份证", '9' },
	{ "外国人永久居留证", '9' },
	{ "护照", 'A' },
	{ "外国护照", 'A' },
	{ "户口簿", 'B' },
	{ "户口本", 'B' },
	{ "其他", 'Z' },
	{ "其它", 'Z' },
};

#define IDN_NTYPE_NAMES (sizeof(idn_type_names) / sizeof(idn_type_names[0]))

const char *
gc_idnum_type_name(char code)
{
	/* the first name of each code above is the code table's own */
	for (size_t i = 0; i < IDN_NTYPE_NAMES; i++) {
		if (idn_type_names[i].code == code) {
			return idn_type_names[i].name;
		}
	}
	return NULL;
}

char
gc_idnum_type_parse(const char *cell)
{
	struct idn_text t;
	struct gc_idnum scratch;
	const char     *p, *end;
	size_t          len;
	char            c;

	if (cell == NULL) {
		return 0;
	}
	len = strlen(cell);
	if (len == 0 || len > GC_IDNUM_MAX_INPUT) {
		return 0;
	}
	if (!idn_normalise(&t, cell, len, &scratch)) {
		return 0;
	}
	if (t.printable && (t.n == 1 || (t.n == 2 && t.s[0] == '0'))) {
		c = t.s[t.n - 1];
		if ((c >= '1' && c <= '9') || c == 'A' || c == 'B' ||
		    c == 'Z') {
			return c;
		}
		return 0;
	}
	/* names: compare the trimmed bytes */
	p   = cell;
	end = cell + len;
	for (;;) {
		if (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n')) {
			p++;
		} else if (end - p >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0) {
			p += 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r' || end[-1] == '\n')) {
			end--;
		} else if (end - p >= 3 &&
		    memcmp(end - 3, "\xE3\x80\x80", 3) == 0) {
			end -= 3;
		} else {
			break;
		}
	}
	for (size_t i = 0; i < IDN_NTYPE_NAMES; i++) {
		if (strlen(idn_type_names[i].name) == (size_t)(end - p) &&
		    memcmp(idn_type_names[i].name, p, (size_t)(end - p)) == 0) {
			return idn_type_names[i].code;
		}
	}
	return 0;
}
