#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/sample.h"

#define TODAY   20250601
#define NFIELDS 12
#define NROWS   500

/* The roster split into rows of NUL-terminated fields (in place). */
struct rows {
	char  *text;
	size_t n;
	char  *f[NROWS + 1][NFIELDS];
};

static bool
is_digits(const char *s, size_t n)
{
	if (strlen(s) != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

/* Splits data lines into exactly NFIELDS fields; fails the test on any
 * line with another count or a quote (the generator never quotes). */
static void
rows_split(struct rows *r, const char *csv)
{
	char *line, *save = NULL, *p;

	r->text = strdup(csv);
	assert_non_null(r->text);
	r->n = 0;
	for (line = strtok_r(r->text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t k = 0;

		assert_true(r->n < NROWS + 1);
		assert_null(strchr(line, '"'));
		assert_null(strchr(line, '\r'));
		p = line;
		for (;;) {
			char *comma = strchr(p, ',');

			assert_true(k < NFIELDS);
			r->f[r->n][k++] = p;
			if (comma == NULL) {
				break;
			}
			*comma = '\0';
			p      = comma + 1;
		}
		if (k != NFIELDS) {
			print_error("row %zu has %zu fields\n", r->n, k);
			fail();
		}
		r->n++;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* No two of the n strings are equal. */
static void
assert_unique(char **v, size_t n, const char *what)
{
	qsort(v, n, sizeof(v[0]), cmp_str);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i - 1], v[i]) == 0) {
			print_error("duplicate %s %s\n", what, v[i]);
			fail();
		}
	}
}

static void
test_sample_roster_rows_are_valid_and_unique(void **state)
{
	struct gc_buf   b;
	struct rows    *r = calloc(1, sizeof(*r));
	struct gc_idnum id;
	char          **ids = calloc(NROWS, sizeof(char *));
	char          **sno = calloc(NROWS, sizeof(char *));
	char          **ksh = calloc(NROWS, sizeof(char *));
	size_t          masters = 0;

	(void)state;
	assert_non_null(r);
	gc_buf_init(&b);
	assert_int_equal(gc_sample_roster_csv(&b, NROWS, 42, 0), GC_OK);
	rows_split(r, gc_buf_cstr(&b));
	assert_int_equal(r->n, NROWS + 1);
	assert_string_equal(r->f[0][0], "学号");
	assert_string_equal(r->f[0][5], "身份证号");
	assert_string_equal(r->f[0][11], "校区");
	for (size_t i = 1; i <= NROWS; i++) {
		char **f = r->f[i];

		if (gc_idnum_check(&id, f[5], gc_idnum_type_parse(f[4]),
		        TODAY) != GC_OK) {
			print_error("row %zu: %s: %s\n", i, f[5], id.reason);
			fail();
		}
		assert_int_equal(id.kind, GC_ID_RESIDENT);
		assert_string_equal(id.normalized, f[5]);
		/* 性别 and 出生日期 agree with the number */
		assert_string_equal(f[2], id.sex == 'M' ? "男" : "女");
		assert_string_equal(f[3], id.birth);
		assert_true(strcmp(id.birth, "1998-01-01") >= 0);
		assert_true(strcmp(id.birth, "2004-12-31") <= 0);
		/* names: 2-4 CJK characters (3 bytes each), no spaces */
		assert_true(strlen(f[1]) >= 6 && strlen(f[1]) <= 12);
		assert_null(strchr(f[1], ' '));
		assert_true(is_digits(f[0], 10));
		assert_true(strncmp(f[0], "202", 3) == 0);
		assert_true(is_digits(f[6], 14));
		assert_true(strcmp(f[7], "本科") == 0 ||
		    strcmp(f[7], "硕士研究生") == 0);
		masters += strcmp(f[7], "硕士研究生") == 0;
		for (size_t k = 8; k < NFIELDS; k++) {
			assert_true(f[k][0] != '\0');
		}
		ids[i - 1] = f[5];
		sno[i - 1] = f[0];
		ksh[i - 1] = f[6];
	}
	/* mostly 本科, some 硕士 */
	assert_true(masters > 20 && masters < NROWS / 3);
	assert_unique(ids, NROWS, "身份证号");
	assert_unique(sno, NROWS, "学号");
	assert_unique(ksh, NROWS, "考生号");
	free(ids);
	free(sno);
	free(ksh);
	free(r->text);
	free(r);
	gc_buf_release(&b);
}

static void
test_sample_roster_is_deterministic_per_seed(void **state)
{
	struct gc_buf a, b, c;

	(void)state;
	gc_buf_init(&a);
	gc_buf_init(&b);
	gc_buf_init(&c);
	assert_int_equal(gc_sample_roster_csv(&a, 300, 1, 0), GC_OK);
	assert_int_equal(gc_sample_roster_csv(&b, 300, 1, 0), GC_OK);
	assert_int_equal(gc_sample_roster_csv(&c, 300, 2, 0), GC_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
	/* the first rows of a longer roster are not required to match, but
	 * the header is */
	assert_memory_equal(a.data, c.data, strlen(GC_SAMPLE_HEADER "\n"));
	gc_buf_release(&a);
	gc_buf_release(&b);
	gc_buf_release(&c);
}

static void
test_sample_roster_bom_and_edges(void **state)
{
	struct gc_buf b;

	(void)state;
	gc_buf_init(&b);
	assert_int_equal(gc_sample_roster_csv(&b, 3, 9, GC_SAMPLE_BOM), GC_OK);
	assert_memory_equal(b.data, "\xEF\xBB\xBF学号,", 3 + 7);
	gc_buf_reset(&b);
	assert_int_equal(gc_sample_roster_csv(&b, 0, 9, 0), GC_OK);
	assert_string_equal(gc_buf_cstr(&b), GC_SAMPLE_HEADER "\n");
	gc_buf_reset(&b);
	assert_int_equal(gc_sample_roster_csv(&b, GC_SAMPLE_MAX_ROWS + 1, 9, 0),
	    GC_ETOOBIG);
	gc_buf_release(&b);
}

static void
test_sample_roster_fails_cleanly_without_memory(void **state)
{
	struct gc_buf b;
	gc_err        rv;
	long          n;

	(void)state;
	/* every allocation point in turn, until one run succeeds */
	for (n = 1; n < 100; n++) {
		gc_buf_init(&b);
		gc_alloc_fail_after(n);
		rv = gc_sample_roster_csv(&b, 50, 3, 0);
		gc_alloc_fail_after(0);
		gc_buf_release(&b);
		if (rv == GC_OK) {
			break;
		}
		assert_int_equal(rv, GC_ENOMEM);
	}
	assert_true(n > 1 && n < 100);
}

static void
test_sample_id_is_always_valid(void **state)
{
	struct gc_idnum r;
	uint64_t        st = 1;
	char            id[19];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		gc_sample_id(id, &st);
		assert_int_equal(strlen(id), 18);
		if (gc_idnum_check(&r, id, '1', TODAY) != GC_OK) {
			print_error("%s: %s\n", id, r.reason);
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_roster_rows_are_valid_and_unique),
		cmocka_unit_test(test_sample_roster_is_deterministic_per_seed),
		cmocka_unit_test(test_sample_roster_bom_and_edges),
		cmocka_unit_test(test_sample_roster_fails_cleanly_without_memory),
		cmocka_unit_test(test_sample_id_is_always_valid),
	};

	return cmocka_run_group_tests_name("common.sample", tests, NULL, NULL);
}
