/* gc_alloc: the only allocator. gc_x* abort on OOM and are for small,
 * fixed-size bookkeeping; gc_alloc/gc_realloc can fail, honour a cap, and
 * are what anything sized by input uses. A test hook fails the Nth
 * fallible allocation so parsers can be run through failure loops. */
#ifndef GC_COMMON_GC_ALLOC_H
#define GC_COMMON_GC_ALLOC_H

#include <stddef.h>

/* Aborting allocators: never return NULL. */
void *gc_xalloc(size_t n);
void *gc_xzalloc(size_t n);
void *gc_xrealloc(void *p, size_t n);
char *gc_xstrdup(const char *s);

/* Fallible allocators: NULL on failure, on n > gc_alloc_cap(), or when the
 * test hook says so. gc_calloc zero-fills and checks n*size overflow. */
void *gc_alloc(size_t n);
void *gc_calloc(size_t n, size_t size);
void *gc_realloc(void *p, size_t n);
char *gc_strdup(const char *s);
char *gc_strndup(const char *s, size_t n);
void  gc_free(void *p);

/* The largest single fallible allocation: 1 GiB. */
size_t gc_alloc_cap(void);

/* Test hook: the nth fallible allocation from now (1-based) and every one
 * after it fail; n = 0 turns failure off. gc_alloc_count() counts fallible
 * allocations made since the last gc_alloc_fail_after call. */
void gc_alloc_fail_after(long n);
long gc_alloc_count(void);

#endif
