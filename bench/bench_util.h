/* bench_util: what every benchmark measures with. */
#ifndef GC_BENCH_BENCH_UTIL_H
#define GC_BENCH_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "common/fileio.h"

/* Monotonic seconds. */
static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident set of this process, in MB. */
static inline long
peak_rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* A photo file, or NULL (the reason on stderr). */
static inline uint8_t *
slurp(const char *path, size_t *len)
{
	char     why[160];
	uint8_t *p = gc_file_read(path, (size_t)64 << 20, len, why, sizeof(why));

	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", path, why);
	}
	return p;
}

#endif
