/* gc-synth: writes the synthetic portrait set (tests/synth/synth.h).
 * Usage: gc-synth [--size WxH] [--source NAME] [--hair] SRCDIR OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/synth/synth.h"

int
main(int argc, char **argv)
{
	int            w = 1800, h = 2400, i = 1, n;
	const char    *only = NULL;
	bool           hair = false;
	struct gc_diag d;

	while (argc - i > 2) {
		if (strcmp(argv[i], "--hair") == 0) {
			hair = true;
			i++;
			continue;
		}
		if (strcmp(argv[i], "--size") == 0) {
			if (sscanf(argv[i + 1], "%dx%d", &w, &h) != 2 || w < 200 ||
			    h < 200 || w > 8000 || h > 8000) {
				fprintf(stderr, "gc-synth: --size WxH, 200..8000\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--source") == 0) {
			only = argv[i + 1];
		} else {
			break;
		}
		i += 2;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: gc-synth [--size WxH] [--source NAME] "
		    "[--hair] SRCDIR OUTDIR\n");
		return 2;
	}
	mkdir(argv[i + 1], 0755);
	gc_diag_clear(&d);
	n = gc_synth_dir_only(argv[i], argv[i + 1], w, h, only, hair, &d);
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
