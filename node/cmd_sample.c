/* Placeholder: replaced by the real command. */
#include "node/cli.h"

int
gc_cmd_sample(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gc_cli_err("'sample' is not built yet");
	return GC_EXIT_FAIL;
}
