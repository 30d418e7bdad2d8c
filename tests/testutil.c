#include "tests/testutil.h"

#include <fcntl.h>
#include <ftw.h>
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
