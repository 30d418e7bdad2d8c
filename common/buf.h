/* gc_buf: a growable byte buffer with a sticky failure flag (redis rio's
 * shape): every put is a no-op once a put has failed, and only
 * gc_buf_status reports it. Also the JSON string writer. */
#ifndef GC_COMMON_BUF_H
#define GC_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"

struct gc_buf {
	uint8_t *data;
	size_t   len;
	size_t   cap;
	size_t   max;    /* 0: gc_alloc_cap() */
	bool     failed; /* sticky: set by the first failed put */
};

void gc_buf_init(struct gc_buf *b);
/* Frees the data; the buffer is empty and usable again afterwards. */
void gc_buf_release(struct gc_buf *b);
void gc_buf_reset(struct gc_buf *b); /* len = 0, failure cleared */

/* Ensures room for n more bytes; false (and failed set) if it cannot. */
bool gc_buf_reserve(struct gc_buf *b, size_t n);
void gc_buf_put(struct gc_buf *b, const void *p, size_t n);
void gc_buf_putc(struct gc_buf *b, uint8_t c);
void gc_buf_puts(struct gc_buf *b, const char *s);
void gc_buf_printf(struct gc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* GC_ENOMEM (or GC_ETOOBIG over max) once a put has failed, else GC_OK. */
gc_err gc_buf_status(const struct gc_buf *b);

/* NUL-terminates and returns the data as a string (never NULL: "" when
 * empty or failed). Valid until the next put or release. */
const char *gc_buf_cstr(struct gc_buf *b);

/* Moves the data out; the caller frees it with gc_free. The buffer is left
 * empty. NULL when the buffer failed. */
uint8_t *gc_buf_take(struct gc_buf *b, size_t *len);

/* JSON: a quoted, escaped string (invalid UTF-8 bytes become U+FFFD);
 * s may be NULL, which writes null. */
void gc_json_str(struct gc_buf *b, const char *s);
void gc_json_strn(struct gc_buf *b, const char *s, size_t n);

/* Whether p[0..n) is valid UTF-8 (no overlongs, surrogates, or code
 * points past U+10FFFF). */
bool gc_utf8_valid(const uint8_t *p, size_t n);

/* CSV (RFC 4180): s as one quoted cell, quotes doubled, then ',' or, for
 * the last cell of the row, CRLF. A cell starting with = + - @ TAB or CR
 * gets a leading "'", so a spreadsheet shows it as text rather than
 * running it as a formula (a student's or reviewer's free text may be
 * hostile). */
void gc_csv_cell(struct gc_buf *b, const char *s, bool last);

/* HTML: s as element text or an attribute value (& < > " escaped). */
void gc_html_text(struct gc_buf *b, const char *s);

/* Lowercase hex of n bytes. */
void gc_buf_hex(struct gc_buf *b, const uint8_t *p, size_t n);
void gc_hex_encode(char *out, const uint8_t *p, size_t n); /* out: 2n+1 */
/* Parses exactly 2n hex digits; false if malformed. */
bool gc_hex_decode(uint8_t *out, size_t n, const char *hex);

#endif
