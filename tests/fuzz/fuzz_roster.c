/* A roster file's bytes: the CSV reader (encoding detection, quoting) and
 * the roster checks behind it. */
#include <stddef.h>
#include <stdint.h>

#include "common/roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_table      *t = NULL;
	struct gc_roster     *r = NULL;
	struct gc_roster_opts o = { 0 };

	o.school_code   = "10335";
	o.default_level = "本科";
	o.today         = 20260601;
	if (gc_table_parse_csv(&t, "fuzz.csv", data, size, GC_ENC_AUTO,
	        NULL) == GC_OK) {
		if (gc_roster_from_table(&r, t, &o, NULL) == GC_OK) {
			gc_roster_free(r);
		}
		gc_table_free(t);
	}
	return 0;
}
