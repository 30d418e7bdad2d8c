/* student_check: the student's check of the finished photo (图像校对,
 * docs/online-guide.md): after approval the student sees the photo and
 * the registration data it goes out with and answers 信息无误 or reports
 * what is wrong; where the school mails paper prints, with a mailing
 * address. One STUDENT_CHECK entry per answer, signed by the node that
 * serves the portal (online or coordinator); the latest one of a student
 * (by hlc, then entry id) stands. docs/formats.md has the bytes. */
#ifndef GC_COMMON_STUDENT_CHECK_H
#define GC_COMMON_STUDENT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

#define GC_CHECK_TEXT_MAX  600 /* bytes of a report (200 Chinese chars) */
#define GC_CHECK_NAME_MAX  60  /* the addressee's name, bytes */
#define GC_CHECK_PHONE_MAX 20  /* characters of the phone number */
#define GC_CHECK_ADDR_MAX  300 /* the address, bytes (100 Chinese chars) */

enum gc_check_verdict {
	GC_CHECK_OK     = 0, /* 信息无误 */
	GC_CHECK_REPORT = 1, /* 报告错误: text says what is wrong */
};

/* "ok", "report"; "?" */
const char *gc_check_verdict_name(unsigned v);
/* 已确认, 报告错误; "" */
const char *gc_check_verdict_zh(unsigned v);
/* "ok" or "report" into *v; false otherwise. */
bool gc_check_verdict_parse(const char *s, enum gc_check_verdict *v);

/* STUDENT_CHECK body: {0: student key (text), 1: the capture the student
 * saw (its entry id, bstr 32), 2: verdict (uint), 3: report text (text,
 * only with a report), 4: mailing address {0: name, 1: phone, 2: address}
 * (map, optional)}. Plain NUL-terminated copies here. */
struct gc_student_check {
	char                  student[80];
	uint8_t               capture[32];
	enum gc_check_verdict verdict;
	char                  text[GC_CHECK_TEXT_MAX + 1];
	bool                  has_addr;
	char                  name[GC_CHECK_NAME_MAX + 1];
	char                  phone[GC_CHECK_PHONE_MAX + 1];
	char                  addr[GC_CHECK_ADDR_MAX + 1];
};

/* What is wrong with a check, naming the field, in English and Chinese
 * (the portal shows the Chinese). */
struct gc_check_problem {
	char en[256];
	char zh[256];
};

/*
 * gc_student_check_valid checks c as the student typed it: a student key;
 * a report with text (1..GC_CHECK_TEXT_MAX bytes, UTF-8, no control
 * characters but line breaks), a confirmation without; an address, when
 * given, with all three parts (the name and the address UTF-8 without
 * control characters, the phone 5..20 digits with spaces, '-' or a
 * leading '+'). false with why filled (may be NULL).
 */
bool gc_student_check_valid(const struct gc_student_check *c,
    struct gc_check_problem *why);

/* Appends the body of c. GC_EINVAL, d saying why (the English of
 * gc_student_check_valid), when c is not valid; nothing is appended then. */
gc_err gc_student_check_encode(struct gc_buf *b,
    const struct gc_student_check *c, struct gc_diag *d);

/* Decodes and checks a body (any bytes: it is scanned first). GC_ECORRUPT
 * with d saying what is wrong. No allocation. */
gc_err gc_student_check_decode(const uint8_t *p, size_t n,
    struct gc_student_check *out, struct gc_diag *d);

#endif
