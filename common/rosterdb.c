#include "common/rosterdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/ledger.h"

static const char *row_names[GC_ROW_NKEYS] = {
	"key", "school", "id_type", "id_number", "level_code", "name", "sex",
	"birth", "student_no", "exam_no", "level", "dept", "major", "class",
	"campus", "upgraded", "order", "exempt", "removed", "corrected",
	"email",
};

const char *
gc_roster_op_name(uint64_t op)
{
	static const char *const names[] = { "add", "patch", "correct",
		"remove", "exempt", "upgrade" };

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

const char *
gc_row_key_name(enum gc_row_key k)
{
	return (unsigned)k < GC_ROW_NKEYS ? row_names[k] : "?";
}

void
gc_row_from_student(struct gc_row *out, const struct gc_student *s,
    const char *school)
{
	const char *v[GC_ROW_NKEYS];

	memset(v, 0, sizeof(v));
	memset(out, 0, sizeof(*out));
	v[GC_ROW_KEY]        = s->key;
	v[GC_ROW_SCHOOL]     = school;
	v[GC_ROW_ID_TYPE]    = s->f[GC_RF_ID_TYPE];
	v[GC_ROW_ID_NUMBER]  = s->f[GC_RF_ID_NUMBER];
	v[GC_ROW_LEVEL_CODE] = s->level_code;
	v[GC_ROW_NAME]       = s->f[GC_RF_NAME];
	v[GC_ROW_SEX]        = s->f[GC_RF_SEX];
	v[GC_ROW_BIRTH]      = s->f[GC_RF_BIRTH];
	v[GC_ROW_STUDENT_NO] = s->f[GC_RF_STUDENT_NO];
	v[GC_ROW_EXAM_NO]    = s->f[GC_RF_EXAM_NO];
	v[GC_ROW_LEVEL]      = s->f[GC_RF_LEVEL];
	v[GC_ROW_DEPT]       = s->f[GC_RF_DEPT];
	v[GC_ROW_MAJOR]      = s->f[GC_RF_MAJOR];
	v[GC_ROW_CLASS]      = s->f[GC_RF_CLASS];
	v[GC_ROW_CAMPUS]     = s->f[GC_RF_CAMPUS];
	v[GC_ROW_EMAIL]      = s->f[GC_RF_EMAIL];
	v[GC_ROW_UPGRADED]   = s->upgraded;
	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		if (v[k] != NULL) {
			snprintf(out->v[k], sizeof(out->v[k]), "%s", v[k]);
		}
	}
	if (s->line > 0) {
		snprintf(out->v[GC_ROW_ORDER], sizeof(out->v[GC_ROW_ORDER]),
		    "%u", (unsigned)s->line);
	}
}

void
gc_row_put(struct gc_buf *b, const struct gc_row *r)
{
	unsigned n = 0;

	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		n += r->v[k][0] != '\0';
	}
	/* absent and empty fields are left out: one encoding per row */
	gc_cbor_map(b, n);
	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		if (r->v[k][0] == '\0') {
			continue;
		}
		gc_cbor_uint(b, (uint64_t)k);
		if (k == GC_ROW_ORDER) {
			gc_cbor_uint(b, strtoull(r->v[k], NULL, 10));
		} else {
			gc_cbor_text(b, r->v[k]);
		}
	}
}

void
gc_row_encode(struct gc_buf *b, const struct gc_student *s, const char *school)
{
	struct gc_row r;

	gc_row_from_student(&r, s, school);
	gc_row_put(b, &r);
}

unsigned
gc_row_map_flags(const uint8_t *p, size_t len)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[GC_ROW_NKEYS];

	gc_cbor_cur_init(&c, p, len);
	if (gc_cbor_map_fields(&c, f, GC_ROW_NKEYS) != GC_OK) {
		return 0;
	}
	return (f[GC_ROW_EXEMPT].p != NULL ? GC_ROWF_EXEMPT : 0) |
	    (f[GC_ROW_REMOVED].p != NULL ? GC_ROWF_REMOVED : 0);
}

gc_err
gc_row_decode(const uint8_t *p, size_t len, struct gc_row *out)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_field f[GC_ROW_NKEYS];

	memset(out, 0, sizeof(*out));
	gc_cbor_cur_init(&c, p, len);
	if (gc_cbor_map_fields(&c, f, GC_ROW_NKEYS) != GC_OK) {
		return GC_ECORRUPT;
	}
	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		uint64_t u;

		if (f[k].p == NULL) {
			continue;
		}
		if (k == GC_ROW_ORDER && gc_cbor_field_uint(&f[k], &u)) {
			snprintf(out->v[k], sizeof(out->v[k]), "%llu",
			    (unsigned long long)u);
		} else if (k != GC_ROW_ORDER) {
			gc_cbor_field_strcpy(&f[k], out->v[k], sizeof(out->v[k]));
		}
	}
	return out->v[GC_ROW_KEY][0] != '\0' ? GC_OK : GC_ECORRUPT;
}

void
gc_row_json(struct gc_buf *b, const struct gc_row *r)
{
	gc_buf_putc(b, '{');
	for (int k = 0; k < GC_ROW_NKEYS; k++) {
		if (k > 0) {
			gc_buf_putc(b, ',');
		}
		gc_json_str(b, row_names[k]);
		gc_buf_putc(b, ':');
		if (k == GC_ROW_ORDER && r->v[k][0] != '\0') {
			gc_buf_puts(b, r->v[k]); /* decimal digits */
		} else {
			gc_json_str(b, r->v[k][0] != '\0' ? r->v[k] : NULL);
		}
	}
	gc_buf_putc(b, '}');
}

static gc_err
row_of(struct gc_ledger *lg, const char *key, struct gc_row *out,
    bool removed)
{
	uint8_t *rb;
	size_t   rl;
	gc_err   rv;

	memset(out, 0, sizeof(*out));
	rv = removed ? gc_ledger_removed_get(lg, key, &rb, &rl, NULL, NULL) :
	               gc_ledger_student_get(lg, key, &rb, &rl, NULL, NULL);
	if (rv != GC_OK) {
		return rv;
	}
	rv = gc_row_decode(rb, rl, out);
	gc_free(rb);
	if (rv != GC_OK) {
		memset(out, 0, sizeof(*out));
	}
	return rv;
}

gc_err
gc_row_of(struct gc_ledger *lg, const char *key, struct gc_row *out)
{
	return row_of(lg, key, out, false);
}

gc_err
gc_row_of_removed(struct gc_ledger *lg, const char *key, struct gc_row *out)
{
	return row_of(lg, key, out, true);
}
