/* fileio: reading whole files and whole runs of a descriptor, the one
 * place that loops over read(2). */
#ifndef GC_COMMON_FILEIO_H
#define GC_COMMON_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"

/* Reads up to n bytes of fd into p, retrying on EINTR; *got is what was
 * read (less than n only at end of file). GC_EIO on a read error, errno
 * kept. */
gc_err gc_read_full(int fd, uint8_t *p, size_t n, size_t *got);

/* The whole of the regular file at path, at most max bytes, in a gc_alloc'd
 * buffer with a NUL after the last byte; *len is its length. Never follows
 * a symbolic link and never blocks on a FIFO. NULL on failure, with the
 * reason ("a symbolic link (not followed)", "not a regular file", "N bytes,
 * over the M-byte limit", the errno text, ...) in why. */
uint8_t *gc_file_read(const char *path, size_t max, size_t *len, char *why,
    size_t whylen);

/* Writes len bytes to path with mode (when created), then fsync: the
 * bytes are on disk when it returns 0. GC_FILE_EXCL: never overwrite (an
 * existing file is an error, errno EEXIST). Never follows a symbolic link.
 * -1 on failure with the reason in why (a partly written new file is
 * removed). */
enum gc_file_flags { GC_FILE_EXCL = 1 << 0 };
int gc_file_write(const char *path, const void *data, size_t len,
    unsigned flags, unsigned mode, char *why, size_t whylen);

#endif
