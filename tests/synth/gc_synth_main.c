/* gc-synth: writes the synthetic portrait set (tests/synth/synth.h).
 * Usage: gc-synth [--size WxH] SRCDIR OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/synth/synth.h"

int
main(int argc, char **argv)
{
	int            w = 1800, h = 2400, i = 1, n;
	struct gc_diag d;

	if (argc > 2 && strcmp(argv[1], "--size") == 0) {
		if (sscanf(argv[2], "%dx%d", &w, &h) != 2 || w < 200 || h < 200 ||
		    w > 8000 || h > 8000) {
			fprintf(stderr, "gc-synth: --size WxH, 200..8000\n");
			return 2;
		}
		i = 3;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: gc-synth [--size WxH] SRCDIR OUTDIR\n");
		return 2;
	}
	mkdir(argv[i + 1], 0755);
	gc_diag_clear(&d);
	n = gc_synth_dir(argv[i], argv[i + 1], w, h, &d);
	if (n < 0) {
		fprintf(stderr, "gc-synth: %s\n", d.msg);
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "gc-synth: no source photo in %s (run "
		    "tests/data/fetch.sh)\n", argv[i]);
		return 1;
	}
	printf("%d portraits in %s (MANIFEST.tsv)\n", n, argv[i + 1]);
	return 0;
}
