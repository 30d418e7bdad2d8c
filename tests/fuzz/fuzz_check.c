/* The decode-and-check path: any bytes through the capture pipeline in
 * both modes (judge as is, normalise). The face models load once. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture/pipeline.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gc_pipeline *pl;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct gc_profile p;
	struct gc_diag    d;

	(void)argc;
	(void)argv;
	gc_profile_default(&p);
	gc_diag_clear(&d);
	if (gc_pipeline_open(&pl, &p, &d) != GC_OK) {
		fprintf(stderr, "fuzz_check: %s\n", d.msg);
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int mode = 0; mode < 2; mode++) {
		struct gc_pipeline_result r;

		gc_pipeline_result_init(&r);
		(void)gc_pipeline_run(pl, data, size, mode == 0 ? GC_PIPE_JUDGE :
		    GC_PIPE_NORMALIZE, &r);
		gc_pipeline_result_release(&r);
	}
	return 0;
}
