#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "tests/testutil.h"

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void
test_file_read_gives_the_bytes_and_a_nul(void **state)
{
	char    *dir = gc_test_tmpdir("fileio-ok");
	char     path[512], why[128];
	size_t   len = 99;
	uint8_t *p;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	put(path, "证件照\n");
	p = gc_file_read(path, 64, &len, why, sizeof(why));
	assert_non_null(p);
	assert_int_equal(len, strlen("证件照\n"));
	assert_memory_equal(p, "证件照\n", len + 1); /* NUL included */
	gc_free(p);
	/* empty file: a buffer of one NUL */
	snprintf(path, sizeof(path), "%s/empty", dir);
	put(path, "");
	p = gc_file_read(path, 64, &len, why, sizeof(why));
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_int_equal(p[0], 0);
	gc_free(p);
	gc_test_rmrf(dir);
}

static void
test_file_read_refuses_with_a_reason(void **state)
{
	char   *dir = gc_test_tmpdir("fileio-bad");
	char    path[512], link[512], why[128];
	size_t  len = 99;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_null(gc_file_read(path, 64, &len, why, sizeof(why)));
	assert_int_equal(len, 0);
	assert_string_equal(why, strerror(ENOENT));
	/* over the limit */
	snprintf(path, sizeof(path), "%s/big", dir);
	put(path, "0123456789");
	assert_null(gc_file_read(path, 9, &len, why, sizeof(why)));
	assert_string_equal(why, "10 bytes, over the 9-byte limit");
	/* a symbolic link is not followed, even to a good file */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_null(gc_file_read(link, 64, &len, why, sizeof(why)));
	assert_string_equal(why, "a symbolic link (not followed)");
	/* a folder, and a FIFO nobody writes to: refused, never blocks */
	assert_null(gc_file_read(dir, 64, &len, why, sizeof(why)));
	assert_string_equal(why, "not a regular file");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(gc_file_read(path, 64, &len, why, sizeof(why)));
	assert_string_equal(why, "not a regular file");
	gc_test_rmrf(dir);
}

/* A pipe delivers in pieces; gc_read_full gathers them up to n, and
 * stops short only at end of file. */
static void
test_read_full_gathers_pieces_until_eof(void **state)
{
	int     fds[2];
	pid_t   pid;
	uint8_t buf[64];
	size_t  got = 0;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (int i = 0; i < 5; i++) {
			if (write(fds[1], "abcd", 4) != 4) {
				_exit(1);
			}
			usleep(2000);
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(gc_read_full(fds[0], buf, 8, &got), GC_OK);
	assert_int_equal(got, 8);
	assert_memory_equal(buf, "abcdabcd", 8);
	assert_int_equal(gc_read_full(fds[0], buf, sizeof(buf), &got), GC_OK);
	assert_int_equal(got, 12); /* the rest, then end of file */
	close(fds[0]);
	waitpid(pid, NULL, 0);
	/* a bad descriptor: GC_EIO, errno kept */
	assert_int_equal(gc_read_full(-1, buf, 4, &got), GC_EIO);
	assert_int_equal(errno, EBADF);
	assert_int_equal(got, 0);
}

static void
test_file_write_replaces_refuses_and_never_follows_links(void **state)
{
	char       *dir = gc_test_tmpdir("fileio-write");
	char        path[512], link[512], target[512], why[128];
	size_t      len;
	uint8_t    *p;
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.bin", dir);
	assert_int_equal(gc_file_write(path, "first", 5, GC_FILE_EXCL, 0600,
	    why, sizeof(why)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* exclusive: an existing file is kept, with the reason */
	assert_int_equal(gc_file_write(path, "second", 6, GC_FILE_EXCL, 0600,
	    why, sizeof(why)), -1);
	assert_int_equal(errno, EEXIST);
	p = gc_file_read(path, 64, &len, why, sizeof(why));
	assert_non_null(p);
	assert_memory_equal(p, "first", 6);
	gc_free(p);
	/* without it: replaced whole (shorter content, no tail left) */
	assert_int_equal(gc_file_write(path, "2nd", 3, 0, 0600, why,
	    sizeof(why)), 0);
	p = gc_file_read(path, 64, &len, why, sizeof(why));
	assert_non_null(p);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "2nd", 4);
	gc_free(p);
	/* a symbolic link is never written through */
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	put(target, "keep");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(gc_file_write(link, "evil", 4, 0, 0644, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "symbolic link"));
	p = gc_file_read(target, 64, &len, why, sizeof(why));
	assert_non_null(p);
	assert_memory_equal(p, "keep", 5);
	gc_free(p);
	/* a folder that is not there: the reason, nothing else */
	snprintf(path, sizeof(path), "%s/no/such/dir/f", dir);
	assert_int_equal(gc_file_write(path, "x", 1, 0, 0644, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "No such file"));
	gc_test_rmrf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_read_gives_the_bytes_and_a_nul),
		cmocka_unit_test(test_file_read_refuses_with_a_reason),
		cmocka_unit_test(test_read_full_gathers_pieces_until_eof),
		cmocka_unit_test(
		    test_file_write_replaces_refuses_and_never_follows_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
