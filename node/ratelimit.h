/* ratelimit: counting failures per key (an address, a claimed ID number)
 * in fixed windows, for what faces students and the internet (the
 * portal's sign-in). A fixed table: keys are hashed with a per-process
 * secret (crypto_shorthash), so which keys collide cannot be planned; a
 * key that finds no slot takes the one whose window is oldest among the
 * few it may use. Thread-safe. */
#ifndef GC_NODE_RATELIMIT_H
#define GC_NODE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gc_ratelimit gc_ratelimit;

/* At most limit failures per key in window_s seconds; capacity slots. */
gc_ratelimit *gc_ratelimit_new(size_t capacity, uint32_t limit,
    long window_s);
void          gc_ratelimit_free(gc_ratelimit *rl);

/* Whether key has used up its failures in the window of now. */
bool gc_ratelimit_over(gc_ratelimit *rl, const void *key, size_t len,
    uint64_t now);
/* Counts one failure of key at now. */
void gc_ratelimit_fail(gc_ratelimit *rl, const void *key, size_t len,
    uint64_t now);
/* Over and fail in one step, for what is counted before it is done (a
 * photo checked): true, counting nothing, when key has used up its
 * window; else counts one and false. Two requests at once cannot both
 * take the last one. */
bool gc_ratelimit_take(gc_ratelimit *rl, const void *key, size_t len,
    uint64_t now);

#endif
