#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/gc_alloc.h"

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void
gc_test_rmrf(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

char *
gc_test_tmpdir(const char *tag)
{
	static char buf[8][512];
	static int  slot;
	const char *base = getenv("GC_TEST_TMP");
	char       *p    = buf[slot++ & 7];

	if (base == NULL || base[0] == '\0') {
		base = "/tmp";
	}
	mkdir(base, 0700);
	snprintf(p, 512, "%s/%s.%d.%d", base, tag, (int)getpid(), slot);
	gc_test_rmrf(p);
	if (mkdir(p, 0700) != 0) {
		perror(p);
		abort();
	}
	return p;
}

char *
gc_test_write_file(const char *dir, const char *name, const void *data,
    size_t len)
{
	size_t n    = strlen(dir) + strlen(name) + 2;
	char  *path = malloc(n);
	FILE  *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || (len > 0 && fwrite(data, 1, len, f) != len)) {
		perror(path);
		abort();
	}
	fclose(f);
	return path;
}

char *
gc_test_to_gb18030(const char *utf8, size_t *len)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t  il = strlen(utf8), ol = il * 2 + 8;
	char   *out = malloc(ol), *ip = (char *)utf8, *op = out;

	assert_non_null(out);
	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(op - out);
	return out;
}

uint8_t *
gc_test_read_file(const char *path, size_t *len)
{
	char why[160];

	return gc_file_read(path, gc_alloc_cap(), len, why, sizeof(why));
}

void
gc_test_flip_bit(const char *path, size_t off, int bit)
{
	int     fd = open(path, O_RDWR);
	uint8_t c;

	if (fd < 0 || pread(fd, &c, 1, (off_t)off) != 1) {
		perror(path);
		abort();
	}
	c ^= (uint8_t)(1u << bit);
	if (pwrite(fd, &c, 1, (off_t)off) != 1) {
		abort();
	}
	close(fd);
}

void
gc_test_seed(uint8_t seed[32], unsigned n)
{
	for (int i = 0; i < 32; i++) {
		seed[i] = (uint8_t)(n * 31 + (unsigned)i * 7 + 1);
	}
}

const char *
gc_test_data(const char *name)
{
	static char path[8][1024];
	static int  slot;
	const char *dir = getenv("GC_TESTDATA_DIR");
	char       *p   = path[slot++ & 7];

	if (dir == NULL || dir[0] == '\0') {
		fprintf(stderr, "GC_TESTDATA_DIR is not set: run "
		    "tests/data/fetch.sh and point it there\n");
		return NULL;
	}
	snprintf(p, 1024, "%s/%s.jpg", dir, name);
	if (access(p, R_OK) != 0) {
		fprintf(stderr, "%s is missing (tests/data/fetch.sh could not "
		    "fetch it)\n", p);
		return NULL;
	}
	return p;
}

/* ---- ledgers ---- */

struct gc_key *
gc_test_key(unsigned n)
{
	uint8_t        seed[32];
	struct gc_key *k;

	gc_test_seed(seed, n);
	assert_int_equal(gc_key_generate(&k, seed), GC_OK);
	return k;
}

gc_ledger *
gc_test_ledger_open(const char *dir, const struct gc_key *k)
{
	gc_ledger     *lg;
	struct gc_diag d;

	gc_diag_clear(&d);
	if (gc_ledger_open(&lg, dir, 0, &d) != GC_OK) {
		fail_msg("open %s: %s", dir, d.msg);
	}
	if (k != NULL) {
		assert_int_equal(gc_ledger_set_key(lg, k), GC_OK);
	}
	return lg;
}

void
gc_test_enroll(gc_ledger *lc, const struct gc_key *k, enum gc_role role,
    const char *name)
{
	struct gc_enrollment en;
	struct gc_buf        b;
	struct gc_diag       d;
	gc_err               rv;

	memset(&en, 0, sizeof(en));
	memcpy(en.pk, k->pk, 32);
	en.role = role;
	snprintf(en.name, sizeof(en.name), "%s", name);
	snprintf(en.school, sizeof(en.school), "10335");
	gc_buf_init(&b);
	gc_enrollment_encode(&b, &en, false, NULL);
	gc_diag_clear(&d);
	rv = gc_ledger_append_body(lc, GC_KIND_ENROLL, &b, NULL, &d);
	gc_buf_release(&b);
	if (rv != GC_OK) {
		fail_msg("enroll %s: %s", name, gc_diag_msg(&d, rv));
	}
}

static int
dump_cb(const struct gc_entry *e, void *arg)
{
	struct gc_test_dump *d = arg;

	d->bytes       = realloc(d->bytes, (d->n + 1) * sizeof(*d->bytes));
	d->lens        = realloc(d->lens, (d->n + 1) * sizeof(*d->lens));
	d->bytes[d->n] = malloc(e->len);
	memcpy(d->bytes[d->n], e->bytes, e->len);
	d->lens[d->n++] = e->len;
	return 0;
}

void
gc_test_dump_feed(gc_ledger *lg, const uint8_t *feed, struct gc_test_dump *d)
{
	memset(d, 0, sizeof(*d));
	assert_int_equal(gc_ledger_foreach(lg, feed, dump_cb, d), GC_OK);
}

void
gc_test_dump_free(struct gc_test_dump *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->bytes[i]);
	}
	free(d->bytes);
	free(d->lens);
	memset(d, 0, sizeof(*d));
}

void
gc_test_install(gc_ledger *ls, gc_ledger *lc, const uint8_t kc[32])
{
	struct gc_test_dump      d;
	struct gc_ingest_result *r;

	gc_test_dump_feed(lc, kc, &d);
	r = calloc(d.n + 1, sizeof(*r));
	assert_int_equal(gc_ledger_enroll_install(ls, kc,
	    (const uint8_t *const *)d.bytes, d.lens, d.n, r, NULL), GC_OK);
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(r[i].status, GC_INGEST_ADDED);
	}
	free(r);
	gc_test_dump_free(&d);
}
