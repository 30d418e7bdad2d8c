/* ratelimit: failures per key in fixed windows (node/ratelimit.h). */
#include "node/ratelimit.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "common/gc_alloc.h"

#define PROBES 8

struct slot {
	uint8_t  id[crypto_shorthash_BYTES]; /* all zero: free */
	uint64_t start;                      /* the window's first second */
	uint32_t n;
};

struct gc_ratelimit {
	pthread_mutex_t mtx;
	struct slot    *tab;
	size_t          cap;
	uint32_t        limit;
	uint64_t        window;
	uint8_t         secret[crypto_shorthash_KEYBYTES];
};

gc_ratelimit *
gc_ratelimit_new(size_t capacity, uint32_t limit, long window_s)
{
	gc_ratelimit *rl = gc_xzalloc(sizeof(*rl));

	rl->cap    = capacity > PROBES ? capacity : PROBES;
	rl->tab    = gc_xzalloc(rl->cap * sizeof(*rl->tab));
	rl->limit  = limit;
	rl->window = window_s > 0 ? (uint64_t)window_s : 1;
	crypto_shorthash_keygen(rl->secret);
	pthread_mutex_init(&rl->mtx, NULL);
	return rl;
}

void
gc_ratelimit_free(gc_ratelimit *rl)
{
	if (rl == NULL) {
		return;
	}
	pthread_mutex_destroy(&rl->mtx);
	gc_free(rl->tab);
	sodium_memzero(rl, sizeof(*rl));
	gc_free(rl);
}

/* The slot of key (rl->mtx held): its own, else a free or stale one, else
 * the one with the oldest window among its probes (reset). */
static struct slot *
slot_of(gc_ratelimit *rl, const void *key, size_t len, uint64_t now)
{
	uint8_t      id[crypto_shorthash_BYTES];
	uint64_t     h;
	struct slot *take = NULL;

	crypto_shorthash(id, key, len, rl->secret);
	id[0] |= 1; /* never all zero */
	memcpy(&h, id, sizeof(h));
	for (size_t i = 0; i < PROBES; i++) {
		struct slot *s = &rl->tab[(h + i) % rl->cap];

		if (memcmp(s->id, id, sizeof(id)) == 0) {
			if (s->start + rl->window <= now) {
				s->start = now; /* a new window */
				s->n     = 0;
			}
			return s;
		}
	}
	for (size_t i = 0; i < PROBES; i++) {
		struct slot *s = &rl->tab[(h + i) % rl->cap];

		if (s->id[0] == 0 || s->start + rl->window <= now) {
			take = s; /* free, or its window is over */
			break;
		}
		if (take == NULL || s->start < take->start) {
			take = s;
		}
	}
	memcpy(take->id, id, sizeof(id));
	take->start = now;
	take->n     = 0;
	return take;
}

bool
gc_ratelimit_over(gc_ratelimit *rl, const void *key, size_t len,
    uint64_t now)
{
	bool over;

	pthread_mutex_lock(&rl->mtx);
	over = slot_of(rl, key, len, now)->n >= rl->limit;
	pthread_mutex_unlock(&rl->mtx);
	return over;
}

bool
gc_ratelimit_take(gc_ratelimit *rl, const void *key, size_t len,
    uint64_t now)
{
	struct slot *s;
	bool         over;

	pthread_mutex_lock(&rl->mtx);
	s    = slot_of(rl, key, len, now);
	over = s->n >= rl->limit;
	if (!over) {
		s->n++;
	}
	pthread_mutex_unlock(&rl->mtx);
	return over;
}

void
gc_ratelimit_fail(gc_ratelimit *rl, const void *key, size_t len,
    uint64_t now)
{
	struct slot *s;

	pthread_mutex_lock(&rl->mtx);
	s = slot_of(rl, key, len, now);
	if (s->n < UINT32_MAX) {
		s->n++;
	}
	pthread_mutex_unlock(&rl->mtx);
}
