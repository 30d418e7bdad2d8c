/* json: a strict RFC 8259 parser. Two passes over the same code: the first
 * validates the whole document and counts its values and decoded string
 * bytes; the second fills one block (the values, then the strings) that
 * gc_json_free releases in one call. Duplicate keys are found in the second
 * pass, where the decoded keys exist: by comparing with the siblings in a
 * small object, by sorting a scratch array in a large one. */
#include "common/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"

#define JSON_MAX_DEPTH  32
#define JSON_MAX_VALUES 4096
#define JSON_SMALL_OBJ  8 /* objects up to this size: pairwise key check */
#define JSON_NUM_STACK  64 /* numbers shorter than this: copied on stack */

/* A key of a large object, pushed while the object is read. */
struct jkey {
	const char *k;
	size_t      len;
	size_t      off; /* of its opening quote */
};

struct jp {
	const unsigned char *s;
	size_t               n;
	size_t               i; /* the next byte to read */
	char                *why;
	size_t               whylen;
	bool                 fill;  /* second pass: write values, strings */
	size_t               nvals; /* values so far */
	size_t               nstr;  /* string bytes so far, with their NULs */
	size_t               nbig;  /* first pass: keys of large objects */
	struct gc_json      *vals;  /* second pass: nvals of them */
	char                *strs;  /* second pass: nstr bytes */
	struct jkey         *keys;  /* second pass: nbig of them, or NULL */
	size_t               nkeys; /* keys pushed */
};

static gc_err jp_value(struct jp *p, int depth, struct gc_json **out);

static gc_err
jp_fail(struct jp *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets why to "at byte OFF: <reason>" and returns GC_EINVAL (which a
 * caller reporting GC_ENOMEM ignores). */
static gc_err
jp_fail(struct jp *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	int     k;

	if (p->why == NULL || p->whylen == 0) {
		return GC_EINVAL;
	}
	k = snprintf(p->why, p->whylen, "at byte %zu: ", off);
	if (k >= 0 && (size_t)k < p->whylen) {
		va_start(ap, fmt);
		vsnprintf(p->why + k, p->whylen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return GC_EINVAL;
}

/* What stands at offset i, for a message: 'x', byte 0xNN, or the end. */
static const char *
jp_what(const struct jp *p, size_t i, char buf[16])
{
	unsigned char c;

	if (i >= p->n) {
		return "the end";
	}
	c = p->s[i];
	if (c > 0x20 && c < 0x7f) {
		snprintf(buf, 16, "'%c'", c);
	} else {
		snprintf(buf, 16, "byte 0x%02x", c);
	}
	return buf;
}

/* A key as it may appear in a message: at most about 40 bytes, cut on a
 * UTF-8 boundary, control characters shown as '?'. */
static const char *
jp_snip(const char *k, char buf[48])
{
	size_t i = 0;

	while (k[i] != '\0' && i < 40) {
		unsigned char c = (unsigned char)k[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : k[i];
		i++;
	}
	if (k[i] == '\0') {
		buf[i] = '\0';
		return buf;
	}
	while (i > 0 && ((unsigned char)k[i] & 0xc0) == 0x80) {
		i--; /* the cut would split a sequence: cut before its lead */
	}
	memcpy(buf + i, "...", 4);
	return buf;
}

static void
jp_ws(struct jp *p)
{
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break;
		}
		p->i++;
	}
}

/* Appends decoded string bytes (counted in the first pass). */
static void
jp_put(struct jp *p, const void *b, size_t k)
{
	if (p->fill) {
		memcpy(p->strs + p->nstr, b, k);
	}
	p->nstr += k;
}

/* The length of the UTF-8 sequence at s[0..n) (s[0] >= 0x80), or 0 with
 * *why set. Refuses overlongs, surrogates and code points past U+10FFFF. */
static size_t
jp_utf8(const unsigned char *s, size_t n, const char **why)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t        len;

	if (c < 0xc0) {
		*why = "a continuation byte with no lead byte";
		return 0;
	} else if (c < 0xc2) {
		*why = "an overlong encoding";
		return 0;
	} else if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		lo  = c == 0xe0 ? 0xa0 : 0x80;
		hi  = c == 0xed ? 0x9f : 0xbf;
	} else if (c < 0xf5) {
		len = 4;
		lo  = c == 0xf0 ? 0x90 : 0x80;
		hi  = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		*why = c < 0xf8 ? "a code point above U+10FFFF" :
				  "a byte that is never in UTF-8";
		return 0;
	}
	for (size_t k = 1; k < len; k++) {
		if (k >= n || (s[k] & 0xc0) != 0x80) {
			*why = "a sequence cut short";
			return 0;
		}
	}
	if (s[1] < lo) {
		*why = "an overlong encoding";
		return 0;
	}
	if (s[1] > hi) {
		*why = c == 0xed ? "a surrogate encoded in UTF-8" :
				   "a code point above U+10FFFF";
		return 0;
	}
	return len;
}

/* Reads four hex digits at s[at..): 1 with *cp set, 0 when they are not
 * hex, -1 when the input ends first. */
static int
jp_hex4(const struct jp *p, size_t at, unsigned *cp)
{
	unsigned v = 0;

	for (size_t k = 0; k < 4; k++) {
		unsigned char c;

		if (at + k >= p->n) {
			return -1;
		}
		c = p->s[at + k];
		if (c >= '0' && c <= '9') {
			v = v << 4 | (unsigned)(c - '0');
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
			v = v << 4 | (unsigned)((c | 0x20) - 'a' + 10);
		} else {
			return 0;
		}
	}
	*cp = v;
	return 1;
}

static void
jp_put_cp(struct jp *p, unsigned cp)
{
	unsigned char b[4];
	size_t        k;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k    = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		k    = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		k    = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		k    = 4;
	}
	jp_put(p, b, k);
}

/* A \u escape at p->i (the backslash), with its low surrogate when it is a
 * high one. */
static gc_err
jp_escape_u(struct jp *p, size_t open)
{
	size_t   at = p->i;
	unsigned cp, lo;
	int      r;

	r = jp_hex4(p, at + 2, &cp);
	if (r < 0) {
		return jp_fail(p, open, "a string is not closed");
	}
	if (r == 0) {
		return jp_fail(p, at,
		    "\\u must be followed by four hex digits");
	}
	if (cp == 0) {
		return jp_fail(p, at,
		    "\\u0000 (NUL) is not allowed in a string");
	}
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		return jp_fail(p, at, "a lone surrogate \\u%04x (a low "
		    "surrogate with no high surrogate before it)", cp);
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (at + 6 >= p->n ||
		    (p->s[at + 6] == '\\' && at + 7 >= p->n)) {
			return jp_fail(p, open, "a string is not closed");
		}
		if (p->s[at + 6] != '\\' || p->s[at + 7] != 'u') {
			return jp_fail(p, at, "a lone surrogate \\u%04x (a "
			    "high surrogate with no \\u low surrogate after "
			    "it)", cp);
		}
		r = jp_hex4(p, at + 8, &lo);
		if (r < 0) {
			return jp_fail(p, open, "a string is not closed");
		}
		if (r == 0) {
			return jp_fail(p, at + 6,
			    "\\u must be followed by four hex digits");
		}
		if (lo < 0xdc00 || lo > 0xdfff) {
			return jp_fail(p, at, "a lone surrogate \\u%04x (the "
			    "\\u%04x after it is not a low surrogate)", cp,
			    lo);
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->i += 6;
	}
	jp_put_cp(p, cp);
	p->i += 6;
	return GC_OK;
}

/* A string at p->i (its opening quote), decoded into the string block; its
 * start there and its length in *at and *len. */
static gc_err
jp_string(struct jp *p, size_t *at, size_t *len)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[]   = "\"\\/\b\f\n\r\t";
	size_t            open   = p->i;
	gc_err            rv;

	*at = p->nstr;
	p->i++;
	for (;;) {
		unsigned char c;
		const char   *e, *why;
		size_t        k;

		if (p->i >= p->n) {
			return jp_fail(p, open, "a string is not closed");
		}
		c = p->s[p->i];
		if (c == '"') {
			break;
		}
		if (c < 0x20) {
			return jp_fail(p, p->i, "a control character (byte "
			    "0x%02x) in a string must be escaped", c);
		}
		if (c < 0x80 && c != '\\') {
			jp_put(p, &c, 1);
			p->i++;
			continue;
		}
		if (c >= 0x80) {
			k = jp_utf8(p->s + p->i, p->n - p->i, &why);
			if (k == 0) {
				return jp_fail(p, p->i, "invalid UTF-8 (%s)",
				    why);
			}
			jp_put(p, p->s + p->i, k);
			p->i += k;
			continue;
		}
		if (p->i + 1 >= p->n) {
			return jp_fail(p, open, "a string is not closed");
		}
		c = p->s[p->i + 1];
		if (c == 'u') {
			rv = jp_escape_u(p, open);
			if (rv != GC_OK) {
				return rv;
			}
			continue;
		}
		e = c != '\0' ? strchr(from, c) : NULL;
		if (e == NULL) {
			char buf[16];

			return jp_fail(p, p->i,
			    "an invalid escape: \\ then %s",
			    jp_what(p, p->i + 1, buf));
		}
		jp_put(p, &to[e - from], 1);
		p->i += 2;
	}
	*len = p->nstr - *at;
	jp_put(p, "", 1);
	p->i++;
	return GC_OK;
}

static bool
jp_digit(const struct jp *p)
{
	return p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9';
}

static void
jp_digits(struct jp *p)
{
	while (jp_digit(p)) {
		p->i++;
	}
}

/* A number at p->i ('-' or a digit): the RFC 8259 grammar, then strtod on
 * a NUL-terminated copy (the grammar has no locale-dependent part but the
 * '.', and the process stays in the C locale). */
static gc_err
jp_number(struct jp *p, double *out)
{
	size_t start = p->i, len;
	char   stack[JSON_NUM_STACK], *buf;
	double v;

	if (p->s[p->i] == '-') {
		p->i++;
		if (!jp_digit(p)) {
			return jp_fail(p, p->i, "a digit must follow '-'");
		}
	}
	if (p->s[p->i] == '0') {
		p->i++;
		if (jp_digit(p)) {
			return jp_fail(p, start,
			    "a number has a leading zero");
		}
	} else {
		jp_digits(p);
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!jp_digit(p)) {
			return jp_fail(p, p->i,
			    "a digit must follow the decimal point");
		}
		jp_digits(p);
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) {
			p->i++;
		}
		if (!jp_digit(p)) {
			return jp_fail(p, p->i,
			    "a digit must follow the exponent");
		}
		jp_digits(p);
	}
	len = p->i - start;
	buf = stack;
	if (len >= sizeof(stack)) {
		buf = gc_alloc(len + 1);
		if (buf == NULL) {
			(void)jp_fail(p, start, "no memory to convert a "
			    "number of %zu bytes", len);
			return GC_ENOMEM;
		}
	}
	memcpy(buf, p->s + start, len);
	buf[len] = '\0';
	v        = strtod(buf, NULL); /* the grammar is a subset of strtod's */
	if (buf != stack) {
		gc_free(buf);
	}
	if (isinf(v)) {
		return jp_fail(p, start,
		    "the number %.*s%s overflows a double",
		    len > 24 ? 24 : (int)len, (const char *)p->s + start,
		    len > 24 ? "..." : "");
	}
	*out = v;
	return GC_OK;
}

static gc_err
jp_literal(struct jp *p, const char *word)
{
	size_t k = strlen(word);

	if (p->n - p->i < k || memcmp(p->s + p->i, word, k) != 0) {
		return jp_fail(p, p->i, "expected %s (true, false and null "
		    "are the only words in JSON)", word);
	}
	p->i += k;
	return GC_OK;
}

/* Steps past the '[' or '{' at open (first) or past a member: to the next
 * member (*more), or past the closing bracket. */
static gc_err
jp_next(struct jp *p, size_t open, bool first, bool *more)
{
	bool arr   = p->s[open] == '[';
	char close = arr ? ']' : '}';
	char buf[16];

	*more = false;
	jp_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return GC_OK;
	}
	if (!first && p->i < p->n) {
		if (p->s[p->i] != ',') {
			return jp_fail(p, p->i, "expected ',' or '%c' after "
			    "an %s, found %s", close,
			    arr ? "array element" : "object member",
			    jp_what(p, p->i, buf));
		}
		p->i++;
		jp_ws(p);
		if (p->i < p->n && p->s[p->i] == close) {
			return jp_fail(p, p->i, "a comma before '%c' (JSON "
			    "has no trailing commas)", close);
		}
	}
	if (p->i >= p->n) {
		return jp_fail(p, open, "%s is not closed",
		    arr ? "an array" : "an object");
	}
	*more = true;
	return GC_OK;
}

static gc_err
jp_array(struct jp *p, int depth, struct gc_json *a)
{
	size_t          open = p->i;
	struct gc_json *kid, *last = NULL;
	bool            more;
	gc_err          rv;

	p->i++;
	rv = jp_next(p, open, true, &more);
	while (rv == GC_OK && more) {
		rv = jp_value(p, depth, &kid);
		if (rv != GC_OK) {
			return rv;
		}
		if (p->fill) {
			*(last != NULL ? &last->next : &a->kid) = kid;
			last = kid;
			a->len++;
		}
		rv = jp_next(p, open, false, &more);
	}
	return rv;
}

static int
jp_key_cmp(const void *a, const void *b)
{
	const struct jkey *x = a, *y = b;
	int                r;

	if (x->len != y->len) {
		return x->len < y->len ? -1 : 1;
	}
	r = memcmp(x->k, y->k, x->len);
	if (r != 0) {
		return r;
	}
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Second pass, at the end of a large object: its keys are keys[base..),
 * sorted to find the first key that repeats an earlier one. */
static gc_err
jp_big_dups(struct jp *p, size_t base)
{
	struct jkey *k   = p->keys + base;
	size_t       cnt = p->nkeys - base;
	const char  *dup = NULL;
	size_t       off = 0;
	char         buf[48];

	qsort(k, cnt, sizeof(*k), jp_key_cmp);
	for (size_t j = 1; j < cnt; j++) {
		if (k[j].len == k[j - 1].len &&
		    memcmp(k[j].k, k[j - 1].k, k[j].len) == 0 &&
		    (dup == NULL || k[j].off < off)) {
			dup = k[j].k;
			off = k[j].off;
		}
	}
	p->nkeys = base;
	if (dup != NULL) {
		return jp_fail(p, off, "the key \"%s\" is repeated in one "
		    "object", jp_snip(dup, buf));
	}
	return GC_OK;
}

static void
jp_push_key(struct jp *p, const char *k, size_t len, size_t off)
{
	p->keys[p->nkeys++] = (struct jkey){ .k = k, .len = len, .off = off };
}

/* Second pass: links kid, whose key starts at strs[kat] and was read at
 * koff, into o after *last, checking a small object's keys pairwise and
 * pushing a large one's for jp_big_dups. */
static gc_err
jp_member(struct jp *p, struct gc_json *o, struct gc_json **last,
    struct gc_json *kid, size_t kat, size_t koff)
{
	const struct gc_json *m;
	char                  buf[48];

	kid->key = p->strs + kat;
	if (p->keys == NULL || o->len < JSON_SMALL_OBJ) {
		for (m = o->kid; m != NULL; m = m->next) {
			if (strcmp(m->key, kid->key) == 0) {
				return jp_fail(p, koff, "the key \"%s\" is "
				    "repeated in one object",
				    jp_snip(kid->key, buf));
			}
		}
	} else if (o->len == JSON_SMALL_OBJ) {
		/* It becomes large. Its keys so far are distinct, so only a
		 * later key can be a repeat: offset 0 sorts them first. */
		for (m = o->kid; m != NULL; m = m->next) {
			jp_push_key(p, m->key, strlen(m->key), 0);
		}
	}
	if (p->keys != NULL && o->len >= JSON_SMALL_OBJ) {
		jp_push_key(p, kid->key, strlen(kid->key), koff);
	}
	*(*last != NULL ? &(*last)->next : &o->kid) = kid;
	*last = kid;
	o->len++;
	return GC_OK;
}

static gc_err
jp_object(struct jp *p, int depth, struct gc_json *o)
{
	size_t          open = p->i, base = p->nkeys, cnt = 0;
	struct gc_json *kid, *last = NULL;
	bool            more;
	gc_err          rv;

	p->i++;
	rv = jp_next(p, open, true, &more);
	while (rv == GC_OK && more) {
		size_t koff = p->i, kat, klen;
		char   buf[16];

		if (p->s[p->i] != '"') {
			return jp_fail(p, p->i, "expected a string key, found "
			    "%s", jp_what(p, p->i, buf));
		}
		rv = jp_string(p, &kat, &klen);
		if (rv != GC_OK) {
			return rv;
		}
		jp_ws(p);
		if (p->i < p->n && p->s[p->i] != ':') {
			return jp_fail(p, p->i, "expected ':' after the key, "
			    "found %s", jp_what(p, p->i, buf));
		}
		p->i++;
		jp_ws(p);
		if (p->i >= p->n) {
			return jp_fail(p, open, "an object is not closed");
		}
		rv = jp_value(p, depth, &kid);
		if (rv != GC_OK) {
			return rv;
		}
		cnt++;
		if (p->fill) {
			rv = jp_member(p, o, &last, kid, kat, koff);
			if (rv != GC_OK) {
				return rv;
			}
		}
		rv = jp_next(p, open, false, &more);
	}
	if (rv != GC_OK) {
		return rv;
	}
	if (!p->fill && cnt > JSON_SMALL_OBJ) {
		p->nbig += cnt;
	}
	if (p->fill && p->nkeys > base) {
		return jp_big_dups(p, base);
	}
	return GC_OK;
}

/* A value at p->i (not whitespace, not the end); depth containers hold
 * it. In the second pass *out is its slot in the value block. */
static gc_err
jp_value(struct jp *p, int depth, struct gc_json **out)
{
	struct gc_json  scratch, *v = &scratch;
	unsigned char   c = p->s[p->i];
	size_t          at, len;
	char            buf[16];
	gc_err          rv;

	if (p->nvals == JSON_MAX_VALUES) {
		return jp_fail(p, p->i, "more than %d values",
		    JSON_MAX_VALUES);
	}
	if (p->fill) {
		v = &p->vals[p->nvals];
	}
	p->nvals++;
	memset(v, 0, sizeof(*v));
	*out = v;
	if ((c == '[' || c == '{') && depth == JSON_MAX_DEPTH) {
		return jp_fail(p, p->i, "nesting deeper than %d",
		    JSON_MAX_DEPTH);
	}
	switch (c) {
	case '{':
		v->type = GC_JSON_OBJECT;
		return jp_object(p, depth + 1, v);
	case '[':
		v->type = GC_JSON_ARRAY;
		return jp_array(p, depth + 1, v);
	case '"':
		v->type = GC_JSON_STRING;
		rv      = jp_string(p, &at, &len);
		if (rv == GC_OK && p->fill) {
			v->str = p->strs + at;
			v->len = len;
		}
		return rv;
	case 't':
		v->type = GC_JSON_TRUE;
		return jp_literal(p, "true");
	case 'f':
		v->type = GC_JSON_FALSE;
		return jp_literal(p, "false");
	case 'n':
		v->type = GC_JSON_NULL;
		return jp_literal(p, "null");
	default:
		break;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		v->type = GC_JSON_NUMBER;
		return jp_number(p, &v->num);
	}
	if (c == '+') {
		return jp_fail(p, p->i, "a number may not start with '+'");
	}
	if (c == '.') {
		return jp_fail(p, p->i, "a number must start with a digit, "
		    "found '.'");
	}
	return jp_fail(p, p->i, "expected a value, found %s",
	    jp_what(p, p->i, buf));
}

/* One pass over the whole document. */
static gc_err
jp_run(struct jp *p, struct gc_json **root)
{
	gc_err rv;

	p->i     = 0;
	p->nvals = 0;
	p->nstr  = 0;
	p->nkeys = 0;
	if (p->n >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0) {
		return jp_fail(p, 0, "a byte order mark (JSON text has none)");
	}
	jp_ws(p);
	if (p->i >= p->n) {
		return jp_fail(p, p->i, "expected a value, found the end");
	}
	rv = jp_value(p, 0, root);
	if (rv != GC_OK) {
		return rv;
	}
	jp_ws(p);
	if (p->i < p->n) {
		return jp_fail(p, p->i, "trailing bytes after the value");
	}
	return GC_OK;
}

gc_err
gc_json_parse(struct gc_json **out, const char *s, size_t n, char *why,
    size_t whylen)
{
	struct jp       p = { .s = (const unsigned char *)s, .n = n,
			      .why = why, .whylen = whylen };
	struct gc_json *root;
	size_t          vbytes;
	gc_err          rv;

	*out = NULL;
	if (why != NULL && whylen > 0) {
		why[0] = '\0';
	}
	if (s == NULL || n == 0) {
		return jp_fail(&p, 0, "the document is empty");
	}
	rv = jp_run(&p, &root);
	if (rv != GC_OK) {
		return rv;
	}
	/* nvals <= JSON_MAX_VALUES and nstr <= n + nvals: no overflow but
	 * on a huge n, checked anyway. */
	vbytes = p.nvals * sizeof(struct gc_json);
	if (p.nstr > SIZE_MAX - vbytes) {
		return GC_ENOMEM;
	}
	p.vals = gc_alloc(vbytes + p.nstr);
	if (p.vals == NULL) {
		(void)jp_fail(&p, 0, "no memory for the document (%zu bytes)",
		    vbytes + p.nstr);
		return GC_ENOMEM;
	}
	p.strs = (char *)p.vals + vbytes;
	if (p.nbig > 0) {
		p.keys = gc_calloc(p.nbig, sizeof(*p.keys));
		if (p.keys == NULL) {
			gc_free(p.vals);
			(void)jp_fail(&p, 0, "no memory to compare the keys "
			    "of large objects (%zu keys)", p.nbig);
			return GC_ENOMEM;
		}
	}
	p.fill = true;
	rv     = jp_run(&p, &root);
	gc_free(p.keys);
	if (rv != GC_OK) {
		gc_free(p.vals);
		return rv;
	}
	*out = root;
	return GC_OK;
}

void
gc_json_free(struct gc_json *doc)
{
	gc_free(doc);
}

const struct gc_json *
gc_json_get(const struct gc_json *o, const char *key)
{
	if (o == NULL || key == NULL || o->type != GC_JSON_OBJECT) {
		return NULL;
	}
	for (const struct gc_json *m = o->kid; m != NULL; m = m->next) {
		if (strcmp(m->key, key) == 0) {
			return m;
		}
	}
	return NULL;
}

const char *
gc_json_str_of(const struct gc_json *o, const char *key)
{
	const struct gc_json *m = gc_json_get(o, key);

	return m != NULL && m->type == GC_JSON_STRING ? m->str : NULL;
}

bool
gc_json_bool_of(const struct gc_json *o, const char *key, bool dflt)
{
	const struct gc_json *m = gc_json_get(o, key);

	if (m == NULL) {
		return dflt;
	}
	if (m->type == GC_JSON_TRUE) {
		return true;
	}
	if (m->type == GC_JSON_FALSE) {
		return false;
	}
	return dflt;
}
