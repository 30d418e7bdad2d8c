/* hlc: a hybrid logical clock, ms << 16 | counter. Never goes backwards
 * for one node, and moves past every clock value the node has seen. */
#ifndef GC_COMMON_HLC_H
#define GC_COMMON_HLC_H

#include <stdint.h>

struct gc_hlc {
	uint64_t last;
	uint64_t (*clock_ms)(void *arg); /* NULL: CLOCK_REALTIME */
	void    *arg;
};

void gc_hlc_init(struct gc_hlc *h, uint64_t last);
/* A fresh timestamp, greater than every one issued or observed before. */
uint64_t gc_hlc_next(struct gc_hlc *h);
/* Records a timestamp seen in another node's entry. */
void gc_hlc_observe(struct gc_hlc *h, uint64_t remote);
/* How far ahead of this node's wall clock another node's clock value may
 * be: one day. Entries further ahead are refused at ingest (asked for
 * again later), so one wrong clock cannot drag every node's clock along. */
#define GC_HLC_MAX_SKEW_MS ((uint64_t)24 * 3600 * 1000)

/* The wall clock the hlc reads, in ms. */
uint64_t gc_hlc_wall_ms(const struct gc_hlc *h);

/* Wall-clock milliseconds of an hlc value. */
uint64_t gc_hlc_ms(uint64_t hlc);

#endif
