/* gradcap scan (--file F | --camera SPEC) [--json]: the QR codes and
 * barcodes a student shows to the camera, and whom they name. A campus
 * card's barcode (学号) or a code holding an ID number names a student on
 * the roster; the CHSI capture code (采集码) is encrypted and stays
 * opaque: it is bound to the capture with --code, never parsed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cam.h"
#include "capture/jpeg.h"
#include "common/gc_alloc.h"
#include "common/rosterdb.h"
#include "common/fileio.h"
#include "node/cli.h"
#include "node/node.h"

static const char scan_usage[] =
    "usage: gradcap scan [--home DIR] (--file PHOTO | --camera SPEC) "
    "[--json]\n"
    "  lists the QR codes and barcodes in the picture and the students they "
    "name\n"
    "exit 0: some code found; 3: none\n";

int
gc_cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "file", required_argument, NULL, 'f' },
		{ "camera", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char     *home = NULL, *file = NULL, *camera = NULL;
	bool            json = false, have_node = false;
	struct gc_node  n;
	struct gc_diag  d;
	struct gc_image rgb, grey;
	struct gc_code  codes[16];
	struct gc_buf   b;
	uint8_t        *bytes = NULL;
	size_t          len   = 0;
	int             c, nc, ex;
	gc_err          rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'c':
			camera = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, scan_usage);
		}
	}
	if (optind != argc || (file == NULL) == (camera == NULL)) {
		fputs(scan_usage, stderr);
		return GC_EXIT_USAGE;
	}
	gc_diag_clear(&d);
	if (file != NULL) {
		char why[256];

		bytes = gc_file_read(file, (size_t)64 << 20, &len, why,
		    sizeof(why));
		if (bytes == NULL) {
			gc_cli_err("%s: cannot read: %s", file, why);
			return GC_EXIT_FAIL;
		}
	} else {
		rv = gc_cam_grab(camera, 10000, &bytes, &len, &d);
		if (rv != GC_OK) {
			gc_cli_err("camera %s: %s", camera, gc_diag_msg(&d, rv));
			return GC_EXIT_FAIL;
		}
	}
	rv = gc_jpeg_decode(bytes, len, 0, &rgb, NULL, &d);
	gc_free(bytes);
	if (rv != GC_OK) {
		gc_cli_err("%s: %s", file ? file : camera, gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	rv = gc_image_grey(&grey, &rgb);
	gc_image_release(&rgb);
	if (rv != GC_OK) {
		gc_cli_err("out of memory");
		return GC_EXIT_FAIL;
	}
	nc = gc_codes_scan(&grey, codes, 16);
	gc_image_release(&grey);
	/* the roster, when there is a node */
	if (home != NULL || getenv("GRADCAP_HOME") != NULL) {
		ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
		if (ex != GC_EXIT_OK) {
			return ex;
		}
		have_node = true;
	}
	gc_buf_init(&b);
	if (json) {
		gc_buf_putc(&b, '[');
	}
	for (int i = 0; i < nc && i < 16; i++) {
		char          key[80] = "";
		struct gc_row row;
		bool          found = false;
		bool          text  = codes[i].len < sizeof(codes[i].data) &&
		    gc_utf8_valid((const uint8_t *)codes[i].data, codes[i].len) &&
		    codes[i].len > 0 && codes[i].len < 64;

		memset(&row, 0, sizeof(row));
		if (have_node && text) {
			uint8_t *r;
			size_t   rl;

			gc_diag_clear(&d);
			if (gc_ledger_student_find(n.lg, codes[i].data, key, &d) ==
			        GC_OK &&
			    gc_ledger_student_get(n.lg, key, &r, &rl, NULL, NULL) ==
			        GC_OK) {
				found = gc_row_decode(r, rl, &row) == GC_OK;
				gc_free(r);
			}
		}
		if (json) {
			gc_buf_puts(&b, i ? ",{\"type\":" : "{\"type\":");
			gc_json_str(&b, codes[i].type);
			gc_buf_puts(&b, ",\"data\":");
			gc_json_strn(&b, codes[i].data, codes[i].len <
			    sizeof(codes[i].data) ? codes[i].len :
			    sizeof(codes[i].data) - 1);
			gc_buf_printf(&b, ",\"length\":%zu,\"student\":",
			    codes[i].len);
			gc_json_str(&b, found ? key : NULL);
			gc_buf_puts(&b, ",\"name\":");
			gc_json_str(&b, found ? row.v[GC_ROW_NAME] : NULL);
			gc_buf_putc(&b, '}');
		} else if (found) {
			gc_buf_printf(&b, "%s \"%s\": %s %s %s (%s)\n",
			    codes[i].type, codes[i].data, row.v[GC_ROW_NAME],
			    row.v[GC_ROW_STUDENT_NO], row.v[GC_ROW_CLASS], key);
		} else {
			gc_buf_printf(&b, "%s (%zu bytes): names no student on the "
			    "roster; if it is the CHSI capture code, confirm the "
			    "student by search and bind it with --code\n",
			    codes[i].type, codes[i].len);
		}
	}
	if (json) {
		gc_buf_putc(&b, ']');
	} else if (nc == 0) {
		gc_buf_puts(&b, "no QR code or barcode found\n");
	}
	ex = gc_cli_print(&b);
	gc_buf_release(&b);
	if (have_node) {
		gc_node_close(&n);
	}
	return ex == GC_EXIT_OK && nc == 0 ? GC_EXIT_REJECTED : ex;
}
