/* sync: replication and merge (issues 4 and 5). */
#ifndef GC_SYNC_SYNC_H
#define GC_SYNC_SYNC_H

/* The wire protocol version this build speaks. */
int gc_sync_protocol_version(void);

#endif
