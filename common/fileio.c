#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/gc_alloc.h"

gc_err
gc_read_full(int fd, uint8_t *p, size_t n, size_t *got)
{
	size_t  done = 0;
	ssize_t r;

	while (done < n) {
		r = read(fd, p + done, n - done);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			*got = done;
			return GC_EIO;
		}
		if (r == 0) {
			break;
		}
		done += (size_t)r;
	}
	*got = done;
	return GC_OK;
}

uint8_t *
gc_file_read(const char *path, size_t max, size_t *len, char *why,
    size_t whylen)
{
	struct stat sb;
	uint8_t    *p = NULL;
	size_t      got;
	int         fd;

	*len = 0;
	fd   = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s", errno == ELOOP ?
		    "a symbolic link (not followed)" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "not a regular file");
	} else if ((uint64_t)sb.st_size > max) {
		snprintf(why, whylen, "%lld bytes, over the %zu-byte limit",
		    (long long)sb.st_size, max);
	} else if ((p = gc_alloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
	} else if (gc_read_full(fd, p, (size_t)sb.st_size, &got) != GC_OK) {
		snprintf(why, whylen, "%s", strerror(errno));
		gc_free(p);
		p = NULL;
	} else if (got != (size_t)sb.st_size) {
		snprintf(why, whylen, "read error (the file changed while "
		    "being read?)");
		gc_free(p);
		p = NULL;
	} else {
		p[got] = 0;
		*len   = got;
	}
	close(fd);
	return p;
}

int
gc_file_write(const char *path, const void *data, size_t len, unsigned flags,
    unsigned mode, char *why, size_t whylen)
{
	const uint8_t *p = data;
	size_t         off = 0;
	int            fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    ((flags & GC_FILE_EXCL) ? O_EXCL : O_TRUNC), (mode_t)mode);
	if (fd < 0) {
		snprintf(why, whylen, "%s", errno == ELOOP ?
		    "a symbolic link (not followed)" : strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			break;
		}
		off += (size_t)w;
	}
	if (off < len || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(path);
		snprintf(why, whylen, "%s", strerror(e));
		errno = e;
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}
