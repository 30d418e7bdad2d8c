/* student_check: the student's check of the finished photo
 * (common/student_check.h). */
#include "common/student_check.h"

#include <stdio.h>
#include <string.h>

#include "common/cbor.h"

static const char *verdict_names[] = { "ok", "report" };
static const char *verdict_zh[]    = { "已确认", "报告错误" };

const char *
gc_check_verdict_name(unsigned v)
{
	return v <= GC_CHECK_REPORT ? verdict_names[v] : "?";
}

const char *
gc_check_verdict_zh(unsigned v)
{
	return v <= GC_CHECK_REPORT ? verdict_zh[v] : "";
}

bool
gc_check_verdict_parse(const char *s, enum gc_check_verdict *v)
{
	for (unsigned i = 0; i <= GC_CHECK_REPORT; i++) {
		if (strcmp(s, verdict_names[i]) == 0) {
			*v = (enum gc_check_verdict)i;
			return true;
		}
	}
	return false;
}

static bool
problem(struct gc_check_problem *why, const char *en, const char *zh)
{
	if (why != NULL) {
		snprintf(why->en, sizeof(why->en), "%s", en);
		snprintf(why->zh, sizeof(why->zh), "%s", zh);
	}
	return false;
}

/* Whether p starts with a character that is not seen but changes what
 * is: zero-width (U+200B-U+200F), line and paragraph separators
 * (U+2028-U+2029), bidirectional embeddings and isolates (U+202A-U+202E,
 * U+2066-U+2069), the BOM (U+FEFF): a report or an address that reads
 * one way on the screen, the CSV or the print and holds another. */
static bool
invisible(const unsigned char *p, size_t n)
{
	if (n < 3) {
		return false;
	}
	if (p[0] == 0xe2 && p[1] == 0x80) {
		return (p[2] >= 0x8b && p[2] <= 0x8f) ||
		    (p[2] >= 0xa8 && p[2] <= 0xae);
	}
	if (p[0] == 0xe2 && p[1] == 0x81) {
		return p[2] >= 0xa6 && p[2] <= 0xa9;
	}
	return p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf;
}

/* What is wrong with a typed text of at most max bytes (s holds max + 1,
 * so a text without its NUL is too long): NULL when nothing. Line breaks
 * only where lines is true; never another control character (C0, DEL,
 * C1) nor an invisible one, never invalid UTF-8. blank: only spaces. */
static const char *
text_fault(const char *s, size_t max, bool lines, bool *blank)
{
	size_t n = strnlen(s, max + 1);

	*blank = true;
	if (n > max) {
		return "long";
	}
	if (!gc_utf8_valid((const uint8_t *)s, n)) {
		return "utf8";
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' && lines) {
			continue;
		}
		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) ||
		    invisible((const unsigned char *)s + i, n - i)) {
			return "control";
		}
		if (c != ' ') {
			*blank = false;
		}
	}
	return NULL;
}

/* Checks one typed field: label names it (English, Chinese). */
static bool
field_ok(const char *s, size_t max, bool lines, bool required,
    const char *en, const char *zh, struct gc_check_problem *why)
{
	char        ben[256], bzh[256];
	bool        blank;
	const char *f = text_fault(s, max, lines, &blank);

	if (f == NULL && !(required && blank)) {
		return true;
	}
	if (f == NULL) {
		snprintf(ben, sizeof(ben), "%s is empty", en);
		snprintf(bzh, sizeof(bzh), "请填写%s", zh);
	} else if (strcmp(f, "long") == 0) {
		snprintf(ben, sizeof(ben), "%s is too long (at most %zu bytes, "
		    "about %zu Chinese characters)", en, max, max / 3);
		snprintf(bzh, sizeof(bzh), "%s过长（最多约 %zu 个汉字）", zh,
		    max / 3);
	} else if (strcmp(f, "utf8") == 0) {
		snprintf(ben, sizeof(ben), "%s is not valid UTF-8 text", en);
		snprintf(bzh, sizeof(bzh), "%s含有无法识别的字符", zh);
	} else {
		snprintf(ben, sizeof(ben), "%s has a control character%s", en,
		    lines ? " (only line breaks are allowed)" : "");
		snprintf(bzh, sizeof(bzh), "%s含有不允许的控制字符", zh);
	}
	return problem(why, ben, bzh);
}

/* 5..20 characters: digits, spaces, '-', one leading '+'; at least 5
 * digits. */
static bool
phone_ok(const char *s)
{
	size_t n = strnlen(s, GC_CHECK_PHONE_MAX + 1), digits = 0;

	if (n < 5 || n > GC_CHECK_PHONE_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits++;
		} else if (!(s[i] == ' ' || s[i] == '-' ||
		    (s[i] == '+' && i == 0))) {
			return false;
		}
	}
	return digits >= 5;
}

bool
gc_student_check_valid(const struct gc_student_check *c,
    struct gc_check_problem *why)
{
	size_t kl = strnlen(c->student, sizeof(c->student));

	if (kl == 0 || kl == sizeof(c->student) ||
	    !gc_utf8_valid((const uint8_t *)c->student, kl)) {
		return problem(why, "student key missing or malformed",
		    "学生信息不完整");
	}
	if (c->verdict != GC_CHECK_OK && c->verdict != GC_CHECK_REPORT) {
		return problem(why, "verdict: give ok or report",
		    "请选择“信息无误”或“报告错误”");
	}
	if (c->verdict == GC_CHECK_OK && c->text[0] != '\0') {
		return problem(why, "a confirmation (ok) carries no report text",
		    "确认“信息无误”时不需要填写错误说明");
	}
	if (c->verdict == GC_CHECK_REPORT &&
	    !field_ok(c->text, GC_CHECK_TEXT_MAX, true, true,
	    "report text", "错误说明", why)) {
		return false;
	}
	if (!c->has_addr) {
		return true;
	}
	if (!field_ok(c->name, GC_CHECK_NAME_MAX, false, true,
	    "mailing address: the addressee's name", "收件人姓名", why) ||
	    !field_ok(c->addr, GC_CHECK_ADDR_MAX, false, true,
	    "mailing address: the address", "邮寄地址", why)) {
		return false;
	}
	if (!phone_ok(c->phone)) {
		return problem(why, "mailing address: the phone number must be "
		    "5 to 20 digits (spaces, '-' and a leading '+' allowed)",
		    "联系电话格式不对：请填写 5 到 20 位数字");
	}
	return true;
}

gc_err
gc_student_check_encode(struct gc_buf *b, const struct gc_student_check *c,
    struct gc_diag *d)
{
	struct gc_check_problem why;
	bool report = c->verdict == GC_CHECK_REPORT;

	if (!gc_student_check_valid(c, &why)) {
		gc_diag_set(d, "student check: %s", why.en);
		return GC_EINVAL;
	}
	gc_cbor_map(b, 3 + report + c->has_addr);
	gc_cbor_uint(b, 0);
	gc_cbor_text(b, c->student);
	gc_cbor_uint(b, 1);
	gc_cbor_bytes(b, c->capture, 32);
	gc_cbor_uint(b, 2);
	gc_cbor_uint(b, c->verdict);
	if (report) {
		gc_cbor_uint(b, 3);
		gc_cbor_text(b, c->text);
	}
	if (c->has_addr) {
		gc_cbor_uint(b, 4);
		gc_cbor_map(b, 3);
		gc_cbor_uint(b, 0);
		gc_cbor_text(b, c->name);
		gc_cbor_uint(b, 1);
		gc_cbor_text(b, c->phone);
		gc_cbor_uint(b, 2);
		gc_cbor_text(b, c->addr);
	}
	return gc_buf_status(b);
}

/* A text field into out (cap bytes with the NUL): false when absent,
 * mistyped, too long or holding a NUL. */
static bool
text_of(const struct gc_cbor_field *f, char *out, size_t cap)
{
	const char *s;
	size_t      n;

	if (!gc_cbor_field_text(f, &s, &n) || n >= cap ||
	    memchr(s, '\0', n) != NULL) {
		return false;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

gc_err
gc_student_check_decode(const uint8_t *p, size_t n,
    struct gc_student_check *out, struct gc_diag *d)
{
	struct gc_cbor_cur      c;
	struct gc_cbor_field    f[5], a[3];
	struct gc_check_problem why;
	const uint8_t          *cap;
	size_t                  cl;
	uint64_t                v;

	memset(out, 0, sizeof(*out));
	if (gc_cbor_scan(p, n, d) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, p, n);
	if (gc_cbor_map_fields(&c, f, 5) != GC_OK) {
		gc_diag_set(d, "student check: not a map with integer keys");
		return GC_ECORRUPT;
	}
	if (!text_of(&f[0], out->student, sizeof(out->student))) {
		gc_diag_set(d, "student check: field 0 (student key) missing "
		    "or not a text of under 80 bytes");
		return GC_ECORRUPT;
	}
	if (!gc_cbor_field_bytes(&f[1], &cap, &cl) || cl != 32) {
		gc_diag_set(d, "student check: field 1 (capture id) missing or "
		    "not 32 bytes");
		return GC_ECORRUPT;
	}
	memcpy(out->capture, cap, 32);
	if (!gc_cbor_field_uint(&f[2], &v) || v > GC_CHECK_REPORT) {
		gc_diag_set(d, "student check: field 2 (verdict) missing or not "
		    "0 (ok) or 1 (report)");
		return GC_ECORRUPT;
	}
	out->verdict = (enum gc_check_verdict)v;
	if (f[3].p != NULL && !text_of(&f[3], out->text, sizeof(out->text))) {
		gc_diag_set(d, "student check: field 3 (report text) not a text "
		    "of at most %d bytes", GC_CHECK_TEXT_MAX);
		return GC_ECORRUPT;
	}
	if (f[4].p != NULL) {
		gc_cbor_cur_init(&c, f[4].p, f[4].len);
		if (gc_cbor_map_fields(&c, a, 3) != GC_OK ||
		    !text_of(&a[0], out->name, sizeof(out->name)) ||
		    !text_of(&a[1], out->phone, sizeof(out->phone)) ||
		    !text_of(&a[2], out->addr, sizeof(out->addr))) {
			gc_diag_set(d, "student check: field 4 (mailing address) "
			    "not a map of name, phone and address texts within "
			    "their limits");
			return GC_ECORRUPT;
		}
		out->has_addr = true;
	}
	if (!gc_student_check_valid(out, &why)) {
		gc_diag_set(d, "student check: %s", why.en);
		return GC_ECORRUPT;
	}
	return GC_OK;
}
