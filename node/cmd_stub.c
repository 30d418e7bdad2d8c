/* Placeholders for commands still being written. */
#include "node/cli.h"

#define STUB(fn, name)                                    \
	int fn(int argc, char **argv)                     \
	{                                                 \
		(void)argc;                               \
		(void)argv;                               \
		gc_cli_err("'%s' is not built yet", name); \
		return GC_EXIT_FAIL;                      \
	}
STUB(gc_cmd_init, "init")
STUB(gc_cmd_enroll, "enroll")
STUB(gc_cmd_roster, "roster")
STUB(gc_cmd_log, "log")
STUB(gc_cmd_status, "status")
STUB(gc_cmd_reindex, "reindex")
