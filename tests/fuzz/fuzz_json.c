/* Request bodies for the UI's API: the strict JSON parser must never crash,
 * must explain each refusal with an offset inside the input, and what it
 * accepts must keep the header's promises and survive a round trip through
 * the project's JSON writer. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
emit(struct gc_buf *b, const struct gc_json *v)
{
	const struct gc_json *m;

	switch (v->type) {
	case GC_JSON_NULL:
		gc_buf_puts(b, "null");
		break;
	case GC_JSON_FALSE:
		gc_buf_puts(b, "false");
		break;
	case GC_JSON_TRUE:
		gc_buf_puts(b, "true");
		break;
	case GC_JSON_NUMBER:
		gc_buf_printf(b, "%.17g", v->num);
		break;
	case GC_JSON_STRING:
		gc_json_strn(b, v->str, v->len);
		break;
	case GC_JSON_ARRAY:
	case GC_JSON_OBJECT:
		gc_buf_putc(b, v->type == GC_JSON_ARRAY ? '[' : '{');
		for (m = v->kid; m != NULL; m = m->next) {
			if (m != v->kid) {
				gc_buf_putc(b, ',');
			}
			if (v->type == GC_JSON_OBJECT) {
				gc_json_str(b, m->key);
				gc_buf_putc(b, ':');
			}
			emit(b, m);
		}
		gc_buf_putc(b, v->type == GC_JSON_ARRAY ? ']' : '}');
		break;
	}
}

/* The header's promises about an accepted document; the number of values
 * in v and below. */
static size_t
check(const struct gc_json *v, int depth)
{
	const struct gc_json *m;
	const char           *str;
	size_t                nvals = 1, nkids = 0;

	switch (v->type) {
	case GC_JSON_NULL:
	case GC_JSON_FALSE:
	case GC_JSON_TRUE:
		break;
	case GC_JSON_NUMBER:
		if (!isfinite(v->num)) {
			abort();
		}
		break;
	case GC_JSON_STRING:
		if (strlen(v->str) != v->len ||
		    !gc_utf8_valid((const uint8_t *)v->str, v->len)) {
			abort();
		}
		break;
	case GC_JSON_ARRAY:
	case GC_JSON_OBJECT:
		if (depth >= 32) {
			abort();
		}
		for (m = v->kid; m != NULL; m = m->next) {
			if ((v->type == GC_JSON_OBJECT) != (m->key != NULL)) {
				abort();
			}
			if (m->key != NULL &&
			    (!gc_utf8_valid((const uint8_t *)m->key,
				strlen(m->key)) ||
				gc_json_get(v, m->key) != m)) {
				abort(); /* not UTF-8, or a repeated key */
			}
			str = m->type == GC_JSON_STRING ? m->str : NULL;
			if (m->key != NULL &&
			    (gc_json_str_of(v, m->key) != str ||
				gc_json_bool_of(v, m->key, false) !=
				    (m->type == GC_JSON_TRUE))) {
				abort();
			}
			nvals += check(m, depth + 1);
			nkids++;
		}
		if (nkids != v->len) {
			abort();
		}
		break;
	default:
		abort();
	}
	return nvals;
}

/* Whether a and b are the same document. */
static bool
same(const struct gc_json *a, const struct gc_json *b)
{
	if (a->type != b->type || a->len != b->len) {
		return false;
	}
	if ((a->key == NULL) != (b->key == NULL) ||
	    (a->key != NULL && strcmp(a->key, b->key) != 0)) {
		return false;
	}
	switch (a->type) {
	case GC_JSON_NUMBER:
		return a->num == b->num && signbit(a->num) == signbit(b->num);
	case GC_JSON_STRING:
		return memcmp(a->str, b->str, a->len + 1) == 0;
	case GC_JSON_ARRAY:
	case GC_JSON_OBJECT:
		for (a = a->kid, b = b->kid; a != NULL && b != NULL;
		    a = a->next, b = b->next) {
			if (!same(a, b)) {
				return false;
			}
		}
		return a == NULL && b == NULL;
	default:
		return true;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_json *doc, *again;
	struct gc_buf   b;
	char            why[128], *end;
	gc_err          rv;

	rv = gc_json_parse(&doc, (const char *)data, size, why, sizeof(why));
	if (gc_json_parse(&again, (const char *)data, size, NULL, 0) != rv) {
		abort();
	}
	gc_json_free(again);
	if (rv != GC_OK) {
		/* "at byte N: ..." with N at most the size */
		if (doc != NULL || rv != GC_EINVAL ||
		    strncmp(why, "at byte ", 8) != 0 ||
		    strtoull(why + 8, &end, 10) > size || *end != ':') {
			abort();
		}
		return 0;
	}
	if (check(doc, 0) > 4096) {
		abort();
	}
	gc_buf_init(&b);
	emit(&b, doc);
	if (gc_buf_status(&b) == GC_OK) {
		if (gc_json_parse(&again, (const char *)b.data, b.len, why,
		    sizeof(why)) != GC_OK || !same(doc, again)) {
			abort();
		}
		gc_json_free(again);
	}
	gc_buf_release(&b);
	gc_json_free(doc);
	return 0;
}
