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
