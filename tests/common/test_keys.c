/* Key files (plain and sealed), the INI config, the hybrid logical clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/config.h"
#include "common/gc_alloc.h"
#include "common/hlc.h"
#include "common/keys.h"
#include "tests/testutil.h"

static void
test_key_plain_round_trip_and_mode_0600(void **state)
{
	char          *dir = gc_test_tmpdir("keys");
	char           path[600];
	struct gc_key *k, *l;
	struct stat    sb;
	uint8_t        seed[32];

	(void)state;
	gc_test_seed(seed, 9);
	snprintf(path, sizeof(path), "%s/node.key", dir);
	assert_int_equal(gc_key_generate(&k, seed), GC_OK);
	assert_int_equal(gc_key_save(k, path, NULL, NULL), GC_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(gc_key_load(&l, path, NULL, NULL), GC_OK);
	assert_memory_equal(k->pk, l->pk, 32);
	/* never overwrites */
	assert_int_equal(gc_key_save(k, path, NULL, NULL), GC_EEXIST);
	gc_key_free(k);
	gc_key_free(l);
	gc_test_rmrf(dir);
}

static void
test_key_sealed_needs_the_right_passphrase(void **state)
{
	char          *dir = gc_test_tmpdir("keys");
	char           path[600];
	struct gc_key *k, *l = NULL;
	struct gc_diag d;

	(void)state;
	snprintf(path, sizeof(path), "%s/node.key", dir);
	assert_int_equal(gc_key_generate(&k, NULL), GC_OK);
	assert_int_equal(gc_key_save(k, path, "毕业 2026", NULL), GC_OK);
	gc_diag_clear(&d);
	assert_int_equal(gc_key_load(&l, path, NULL, &d), GC_EAUTH);
	assert_null(l);
	assert_non_null(strstr(d.msg, "sealed"));
	gc_diag_clear(&d);
	assert_int_equal(gc_key_load(&l, path, "wrong", &d), GC_EAUTH);
	assert_non_null(strstr(d.msg, "wrong passphrase"));
	assert_int_equal(gc_key_load(&l, path, "毕业 2026", NULL), GC_OK);
	assert_memory_equal(k->pk, l->pk, 32);
	gc_key_free(l);
	/* a flipped bit of the ciphertext is caught by the AEAD tag */
	gc_test_flip_bit(path, 100, 2);
	assert_int_equal(gc_key_load(&l, path, "毕业 2026", NULL), GC_EAUTH);
	gc_key_free(k);
	gc_test_rmrf(dir);
}

static void
test_key_damaged_files_are_named(void **state)
{
	char          *dir = gc_test_tmpdir("keys");
	char          *p;
	struct gc_key *k = NULL;
	struct gc_diag d;
	uint8_t        junk[73];

	(void)state;
	memset(junk, 'x', sizeof(junk));
	p = gc_test_write_file(dir, "junk.key", junk, sizeof(junk));
	gc_diag_clear(&d);
	assert_int_equal(gc_key_load(&k, p, NULL, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "not a gradcap key file"));
	free(p);
	p = gc_test_write_file(dir, "short.key", "GCKEY001\0abc", 12);
	gc_diag_clear(&d);
	assert_int_equal(gc_key_load(&k, p, NULL, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "damaged"));
	free(p);
	gc_diag_clear(&d);
	assert_int_equal(gc_key_load(&k, "/nonexistent/node.key", NULL, &d),
	    GC_ENOTFOUND);
	assert_non_null(strstr(d.msg, "/nonexistent/node.key"));
	assert_null(k);
	gc_test_rmrf(dir);
}

static void
test_config_reads_values_and_reports_bad_lines(void **state)
{
	char          *dir = gc_test_tmpdir("cfg");
	char          *p;
	gc_config     *c;
	struct gc_diag d;
	const char     ini[] = "[node]\nlog_level = info\nflag = yes\n"
	                       "[roster]\nlevel = 本科\n"
	                       "[roster.columns]\nid_number = 公民身份号码\n";

	(void)state;
	p = gc_test_write_file(dir, "gradcap.ini", ini, strlen(ini));
	assert_int_equal(gc_config_load(&c, p, NULL), GC_OK);
	assert_string_equal(gc_config_get(c, "node", "log_level", "x"), "info");
	assert_string_equal(gc_config_get(c, "roster", "level", NULL), "本科");
	assert_string_equal(gc_config_get(c, "roster.columns", "id_number",
	    NULL), "公民身份号码");
	assert_true(gc_config_get_bool(c, "node", "flag", false));
	assert_int_equal(gc_config_get_int(c, "node", "missing", 42), 42);
	assert_string_equal(gc_config_get(c, "nope", "x", "def"), "def");
	gc_config_free(c);
	free(p);
	p = gc_test_write_file(dir, "bad.ini", "[node]\nthis line is bad\n", 22);
	gc_diag_clear(&d);
	assert_int_equal(gc_config_load(&c, p, &d), GC_EINVAL);
	assert_non_null(strstr(d.msg, "line 2"));
	free(p);
	/* a missing file is an empty config */
	assert_int_equal(gc_config_load(&c, "/nonexistent.ini", NULL), GC_OK);
	assert_string_equal(gc_config_get(c, "a", "b", "d"), "d");
	gc_config_free(c);
	gc_test_rmrf(dir);
}

static void
test_config_load_fails_cleanly_without_memory(void **state)
{
	char      *dir = gc_test_tmpdir("cfg");
	char      *p;
	gc_config *c;
	const char ini[] = "[a]\nx = 1\ny = 2\n[b]\nz = 3\n";
	gc_err     rv;
	long       n;

	(void)state;
	p = gc_test_write_file(dir, "g.ini", ini, strlen(ini));
	for (n = 1;; n++) {
		gc_alloc_fail_after(n);
		rv = gc_config_load(&c, p, NULL);
		gc_alloc_fail_after(0);
		if (rv == GC_OK) {
			break;
		}
		assert_int_equal(rv, GC_ENOMEM);
		assert_null(c);
	}
	assert_true(n > 3);
	assert_string_equal(gc_config_get(c, "b", "z", NULL), "3");
	gc_config_free(c);
	free(p);
	gc_test_rmrf(dir);
}

static uint64_t fake_ms;

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_ms;
}

static void
test_hlc_is_monotonic_and_absorbs_remote_time(void **state)
{
	struct gc_hlc h;
	uint64_t      a, b, c;

	(void)state;
	gc_hlc_init(&h, 0);
	h.clock_ms = fake_clock;
	fake_ms    = 1000;
	a          = gc_hlc_next(&h);
	assert_int_equal(a, 1000ull << 16);
	b = gc_hlc_next(&h); /* same ms: the counter moves */
	assert_int_equal(b, a + 1);
	fake_ms = 900; /* the wall clock stepped back */
	c       = gc_hlc_next(&h);
	assert_true(c > b);
	gc_hlc_observe(&h, 5000ull << 16); /* a node ahead of us */
	assert_true(gc_hlc_next(&h) > (5000ull << 16));
	assert_int_equal(gc_hlc_ms(5000ull << 16), 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_plain_round_trip_and_mode_0600),
		cmocka_unit_test(test_key_sealed_needs_the_right_passphrase),
		cmocka_unit_test(test_key_damaged_files_are_named),
		cmocka_unit_test(test_config_reads_values_and_reports_bad_lines),
		cmocka_unit_test(test_config_load_fails_cleanly_without_memory),
		cmocka_unit_test(test_hlc_is_monotonic_and_absorbs_remote_time),
	};
	return cmocka_run_group_tests_name("common.keys", tests, NULL, NULL);
}
