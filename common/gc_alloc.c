#include "common/gc_alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic size_t alloc_cap   = (size_t)1 << 30;
static _Atomic long   alloc_fail  = 0; /* 0: off */
static _Atomic long   alloc_count = 0;

static void
alloc_die(size_t n)
{
	fprintf(stderr, "gradcap: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
gc_xalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		alloc_die(n);
	}
	return p;
}

void *
gc_xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL) {
		alloc_die(n);
	}
	return p;
}

void *
gc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		alloc_die(n);
	}
	return q;
}

char *
gc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char  *p = gc_xalloc(n);

	memcpy(p, s, n);
	return p;
}

/* Decides whether the next fallible allocation of n bytes may proceed. */
static int
alloc_allowed(size_t n)
{
	long c    = atomic_fetch_add(&alloc_count, 1) + 1;
	long fail = atomic_load(&alloc_fail);

	if (fail > 0 && c >= fail) {
		return 0;
	}
	return n <= atomic_load(&alloc_cap);
}

void *
gc_alloc(size_t n)
{
	if (!alloc_allowed(n)) {
		return NULL;
	}
	return malloc(n ? n : 1);
}

void *
gc_calloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		return NULL;
	}
	if (!alloc_allowed(n * size)) {
		return NULL;
	}
	return calloc(n ? n : 1, size ? size : 1);
}

void *
gc_realloc(void *p, size_t n)
{
	if (!alloc_allowed(n)) {
		return NULL;
	}
	return realloc(p, n ? n : 1);
}

char *
gc_strndup(const char *s, size_t n)
{
	char *p = gc_alloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *
gc_strdup(const char *s)
{
	return gc_strndup(s, strlen(s));
}

void
gc_free(void *p)
{
	free(p);
}

size_t
gc_alloc_cap(void)
{
	return atomic_load(&alloc_cap);
}


void
gc_alloc_fail_after(long n)
{
	atomic_store(&alloc_count, 0);
	atomic_store(&alloc_fail, n);
}

long
gc_alloc_count(void)
{
	return atomic_load(&alloc_count);
}
