#include "sync/sync.h"

int
gc_sync_protocol_version(void)
{
	return 1;
}
