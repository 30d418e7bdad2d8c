#include "common/hlc.h"

#include <stdint.h>
#include <time.h>

static uint64_t
hlc_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
gc_hlc_init(struct gc_hlc *h, uint64_t last)
{
	h->last     = last;
	h->clock_ms = NULL;
	h->arg      = NULL;
}

uint64_t
gc_hlc_next(struct gc_hlc *h)
{
	uint64_t ms = h->clock_ms ? h->clock_ms(h->arg) : hlc_realtime_ms();
	uint64_t pt = ms << 16;

	/* The physical part wins when it is ahead; otherwise the counter in
	 * the low 16 bits counts up (and carries into the ms part if a node
	 * issues over 65 536 stamps in one ms of a stalled clock). */
	if (pt > h->last) {
		h->last = pt;
	} else if (h->last < UINT64_MAX) {
		h->last++;
	}
	/* else: saturated. Ingest refuses clock values far ahead of the
	 * wall clock (GC_HLC_MAX_SKEW_MS), so this needs a local clock set
	 * some 8.9 million years ahead. */
	return h->last;
}

void
gc_hlc_observe(struct gc_hlc *h, uint64_t remote)
{
	if (remote > h->last) {
		h->last = remote;
	}
}

uint64_t
gc_hlc_wall_ms(const struct gc_hlc *h)
{
	return h->clock_ms ? h->clock_ms(h->arg) : hlc_realtime_ms();
}

uint64_t
gc_hlc_ms(uint64_t hlc)
{
	return hlc >> 16;
}
