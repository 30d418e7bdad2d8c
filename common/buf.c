#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/gc_alloc.h"

void
gc_buf_init(struct gc_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
gc_buf_release(struct gc_buf *b)
{
	size_t max = b->max;

	gc_free(b->data);
	gc_buf_init(b);
	b->max = max;
}

void
gc_buf_reset(struct gc_buf *b)
{
	b->len    = 0;
	b->failed = false;
}

bool
gc_buf_reserve(struct gc_buf *b, size_t n)
{
	size_t   max = b->max ? b->max : gc_alloc_cap();
	size_t   want, ncap;
	uint8_t *p;

	if (b->failed) {
		return false;
	}
	if (n > max || b->len > max - n) {
		b->failed = true;
		return false;
	}
	want = b->len + n + 1; /* room for a NUL */
	if (want <= b->cap) {
		return true;
	}
	ncap = b->cap ? b->cap : 64;
	while (ncap < want) {
		ncap = ncap > max / 2 ? max + 1 : ncap * 2;
	}
	p = gc_realloc(b->data, ncap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap  = ncap;
	return true;
}

void
gc_buf_put(struct gc_buf *b, const void *p, size_t n)
{
	if (n == 0 || !gc_buf_reserve(b, n)) {
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
gc_buf_putc(struct gc_buf *b, uint8_t c)
{
	gc_buf_put(b, &c, 1);
}

void
gc_buf_puts(struct gc_buf *b, const char *s)
{
	gc_buf_put(b, s, strlen(s));
}

void
gc_buf_printf(struct gc_buf *b, const char *fmt, ...)
{
	va_list ap;
	char    small[256];
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		gc_buf_put(b, small, (size_t)n);
		return;
	}
	if (!gc_buf_reserve(b, (size_t)n + 1)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

gc_err
gc_buf_status(const struct gc_buf *b)
{
	return b->failed ? GC_ENOMEM : GC_OK;
}

const char *
gc_buf_cstr(struct gc_buf *b)
{
	if (b->failed || !gc_buf_reserve(b, 0) || b->data == NULL) {
		return "";
	}
	b->data[b->len] = '\0';
	return (const char *)b->data;
}

uint8_t *
gc_buf_take(struct gc_buf *b, size_t *len)
{
	uint8_t *p;

	if (b->failed) {
		gc_buf_release(b);
		*len = 0;
		return NULL;
	}
	if (b->data == NULL && !gc_buf_reserve(b, 0)) {
		*len = 0;
		return NULL;
	}
	p    = b->data;
	*len = b->len;
	p[b->len] = '\0';
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
	size_t   len;
	uint32_t cp;

	if (p[0] < 0x80) {
		return 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp  = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp  = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp  = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return len;
}

bool
gc_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t l = utf8_seq_len(p + i, n - i);

		if (l == 0) {
			return false;
		}
		i += l;
	}
	return true;
}

void
gc_json_strn(struct gc_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t               i = 0;

	gc_buf_putc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t        l;

		if (c == '"' || c == '\\') {
			gc_buf_putc(b, '\\');
			gc_buf_putc(b, c);
			i++;
		} else if (c == '\n') {
			gc_buf_puts(b, "\\n");
			i++;
		} else if (c == '\r') {
			gc_buf_puts(b, "\\r");
			i++;
		} else if (c == '\t') {
			gc_buf_puts(b, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			gc_buf_printf(b, "\\u%04x", c);
			i++;
		} else if ((l = utf8_seq_len(p + i, n - i)) > 0) {
			gc_buf_put(b, p + i, l);
			i += l;
		} else {
			gc_buf_puts(b, "\\ufffd");
			i++;
		}
	}
	gc_buf_putc(b, '"');
}

void
gc_json_str(struct gc_buf *b, const char *s)
{
	if (s == NULL) {
		gc_buf_puts(b, "null");
		return;
	}
	gc_json_strn(b, s, strlen(s));
}

void
gc_hex_encode(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i]     = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
gc_buf_hex(struct gc_buf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	if (!gc_buf_reserve(b, 2 * n)) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		b->data[b->len++] = (uint8_t)digits[p[i] >> 4];
		b->data[b->len++] = (uint8_t)digits[p[i] & 15];
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool
gc_hex_decode(uint8_t *out, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (hex[2 * i] == '\0') {
			return false;
		}
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0';
}

void
gc_csv_cell(struct gc_buf *b, const char *s, bool last)
{
	gc_buf_putc(b, '"');
	/* a spreadsheet runs a cell that starts so as a formula (CSV
	 * injection): a leading apostrophe makes it text */
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL) {
		gc_buf_putc(b, '\'');
	}
	for (; *s; s++) {
		if (*s == '"') {
			gc_buf_putc(b, '"');
		}
		gc_buf_putc(b, (uint8_t)*s);
	}
	gc_buf_puts(b, last ? "\"\r\n" : "\",");
}

void
gc_html_text(struct gc_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			gc_buf_puts(b, "&lt;");
			break;
		case '>':
			gc_buf_puts(b, "&gt;");
			break;
		case '&':
			gc_buf_puts(b, "&amp;");
			break;
		case '"':
			gc_buf_puts(b, "&quot;");
			break;
		default:
			gc_buf_putc(b, (uint8_t)*s);
		}
	}
}
