/* gradcap check [--profile P] [--normalize --out DIR]
 * [--replace-background [--out DIR]] [--json] FILE... */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/pipeline.h"
#include "capture/profile.h"
#include "common/config.h"
#include "common/gc_alloc.h"
#include "common/fileio.h"
#include "node/cli.h"

#define CHECK_FILE_MAX ((size_t)64 << 20)

static const char check_usage[] =
    "usage: gradcap check [--home DIR] [--profile P] [--normalize --out DIR] "
    "[--replace-background [--out DIR]] [--json] FILE...\n"
    "  without --normalize: judge each file as it is (ready for upload?)\n"
    "  --normalize: frame each shot to the 480x640 spec, write it to DIR, "
    "and judge the output\n"
    "  --replace-background: normalise, and where the background fails and "
    "the person is cleanly separated, paint it the profile's colour (as "
    "online capture may); with --out, DIR/NAME.jpg is the result and "
    "DIR/NAME.before.jpg the photo before\n"
    "  --profile P: the school profile [profile.P] of gradcap.ini "
    "(default: 教毕指〔2017〕99号)\n"
    "exit 0: every file passes or only warns; 3: some file fails\n";

/* DIR/<file name without its extension><suffix>.jpg */
static void
out_path(char *out, size_t n, const char *dir, const char *file,
    const char *suffix)
{
	char  tmp[4096];
	char *base, *dot;

	snprintf(tmp, sizeof(tmp), "%s", file);
	base = basename(tmp);
	dot  = strrchr(base, '.');
	if (dot != NULL && dot != base) {
		*dot = '\0';
	}
	snprintf(out, n, "%s/%s%s.jpg", dir, base, suffix);
}

/* What the background replacement did, one line. */
static void
print_background(const struct gc_pipeline_result *r, const char *before)
{
	const struct gc_bg_report *b = &r->bg;

	if (!r->bg_tried) {
		printf("  background: not replaced (%s)\n",
		    r->has_face && r->jpeg.len > 0 ? "its checks pass" :
		    "no framed photo");
		return;
	}
	if (r->background_replaced) {
		printf("  background: replaced; ");
	} else {
		printf("  background: not replaced: %s; ", b->why_en);
	}
	printf("confidence %.2f (edge contrast %.2f, colour overlap %.2f, "
	    "foreign band %.2f, head room %.2f, shoulders %.2f, person "
	    "%.0f%%), %.0f ms%s%s\n", b->confidence, b->contrast, b->overlap,
	    b->foreign, b->head_room, b->shoulders, 100 * b->person, b->ms,
	    before ? "; before -> " : "", before ? before : "");
}

static void
json_background(struct gc_buf *jb, const struct gc_pipeline_result *r,
    const char *before)
{
	const struct gc_bg_report *b = &r->bg;

	gc_buf_printf(jb, ",\"background\":{\"tried\":%s,\"replaced\":%s",
	    r->bg_tried ? "true" : "false", r->background_replaced ? "true" :
	    "false");
	if (r->bg_tried) {
		gc_buf_printf(jb, ",\"separated\":%s,\"confidence\":%.3f,"
		    "\"contrast\":%.3f,\"overlap\":%.3f,\"foreign\":%.3f,"
		    "\"head_room\":%.3f,\"shoulders\":%.3f,\"top\":%.3f,"
		    "\"bottom\":%.3f,\"person\":%.3f,\"ms\":%.1f,\"why\":",
		    b->separated ? "true" : "false", b->confidence, b->contrast,
		    b->overlap, b->foreign, b->head_room, b->shoulders, b->top,
		    b->bottom, b->person, b->ms);
		gc_json_str(jb, b->separated ? NULL : b->why_en);
	}
	gc_buf_puts(jb, ",\"before\":");
	gc_json_str(jb, before);
	gc_buf_putc(jb, '}');
}

static void
print_human(const char *file, const struct gc_pipeline_result *r,
    const char *written)
{
	printf("%s: %s%s%s\n", file, r->report.verdict == GC_VERDICT_PASS ?
	    "PASS" : r->report.verdict == GC_VERDICT_WARN ? "WARN" : "FAIL",
	    written ? " -> " : "", written ? written : "");
	for (int i = 0; i < r->report.n; i++) {
		const struct gc_check *c = &r->report.c[i];

		printf("  %-4s %-22s %-28s (%s)  %s / %s\n",
		    c->verdict == GC_VERDICT_PASS ? "ok" :
		    c->verdict == GC_VERDICT_WARN ? "WARN" : "FAIL", c->id,
		    c->value, c->limit, c->msg_en, c->msg_zh);
	}
	if (r->report.guide_en[0] != '\0') {
		printf("  what to do: %s / %s\n", r->report.guide_en,
		    r->report.guide_zh);
	}
}

int
gc_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "profile", required_argument, NULL, 'p' },
		{ "normalize", no_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "replace-background", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char       *home = NULL, *profile = NULL, *outdir = NULL;
	bool              normalize = false, json = false, any_fail = false;
	bool              replace = false;
	struct gc_profile prof;
	gc_config        *cfg = NULL;
	gc_pipeline      *pl  = NULL;
	struct gc_diag    d;
	struct gc_buf     jb;
	gc_err            rv;
	int               c, ex = GC_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'n':
			normalize = true;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			replace = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, check_usage);
		}
	}
	if (optind >= argc || (normalize && !replace && outdir == NULL) ||
	    (!normalize && !replace && outdir != NULL)) {
		fputs(check_usage, stderr);
		return GC_EXIT_USAGE;
	}
	gc_diag_clear(&d);
	/* a node's gradcap.ini when there is one; the default otherwise */
	if (home == NULL) {
		home = getenv("GRADCAP_HOME");
	}
	if (home != NULL && home[0] != '\0') {
		char path[4200];

		snprintf(path, sizeof(path), "%s/gradcap.ini", home);
		rv = gc_config_load(&cfg, path, &d);
		if (rv != GC_OK) {
			gc_cli_err("%s", gc_diag_msg(&d, rv));
			return GC_EXIT_FAIL;
		}
	}
	rv = gc_profile_load(&prof, cfg, profile, &d);
	gc_config_free(cfg);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		return rv == GC_ENOTFOUND ? GC_EXIT_USAGE : GC_EXIT_FAIL;
	}
	normalize |= replace;
	if (outdir != NULL && mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		gc_cli_err("--out %s: %s", outdir, strerror(errno));
		return GC_EXIT_FAIL;
	}
	rv = gc_pipeline_open(&pl, &prof, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	gc_pipeline_set_opts(pl, &(struct gc_pipeline_opts){
	    .replace_background = replace });
	gc_buf_init(&jb);
	if (json) {
		gc_buf_putc(&jb, '[');
	}
	for (int i = optind; i < argc && ex == GC_EXIT_OK; i++) {
		struct gc_pipeline_result res;
		uint8_t                  *bytes;
		size_t                    len = 0;
		char                      why[256], written[4200], before[4200];
		bool                      wrote = false, wrote_before = false;

		gc_pipeline_result_init(&res);
		bytes = gc_file_read(argv[i], CHECK_FILE_MAX, &len, why,
		    sizeof(why));
		if (bytes == NULL) {
			struct gc_check *ck = gc_report_add(&res.report,
			    "file.format", GC_VERDICT_FAIL, NAN);

			snprintf(ck->value, sizeof(ck->value), "unreadable");
			snprintf(ck->limit, sizeof(ck->limit), "a readable file");
			snprintf(ck->msg_zh, sizeof(ck->msg_zh), "无法读取文件：%.120s",
			    why);
			snprintf(ck->msg_en, sizeof(ck->msg_en), "cannot read "
			    "the file: %.160s", why);
		} else {
			rv = gc_pipeline_run(pl, bytes, len, normalize ?
			    GC_PIPE_NORMALIZE : GC_PIPE_JUDGE, &res);
			gc_free(bytes);
			if (rv != GC_OK) {
				gc_cli_err("%s: %s", argv[i], gc_strerror(rv));
				ex = GC_EXIT_FAIL;
			}
		}
		if (outdir != NULL && res.jpeg.len > 0) {
			out_path(written, sizeof(written), outdir, argv[i], "");
			if (gc_cli_write_file(written, res.jpeg.data,
			    res.jpeg.len) != GC_EXIT_OK) {
				ex = GC_EXIT_FAIL;
			} else {
				wrote = true;
			}
		}
		if (outdir != NULL && res.jpeg_before.len > 0) {
			out_path(before, sizeof(before), outdir, argv[i],
			    ".before");
			if (gc_cli_write_file(before, res.jpeg_before.data,
			    res.jpeg_before.len) != GC_EXIT_OK) {
				ex = GC_EXIT_FAIL;
			} else {
				wrote_before = true;
			}
		}
		any_fail |= res.report.verdict == GC_VERDICT_FAIL;
		if (json) {
			gc_buf_puts(&jb, i > optind ? ",{\"file\":" : "{\"file\":");
			gc_json_str(&jb, argv[i]);
			gc_buf_puts(&jb, ",\"output\":");
			gc_json_str(&jb, wrote ? written : NULL);
			gc_buf_putc(&jb, ',');
			gc_report_json_fields(&jb, &res.report);
			if (replace) {
				json_background(&jb, &res, wrote_before ? before :
				    NULL);
			}
			gc_buf_printf(&jb, ",\"quality\":%d,\"ms\":{\"decode\":%.1f,"
			    "\"detect\":%.1f,\"frame\":%.1f,\"resample\":%.1f,"
			    "\"encode\":%.1f,\"checks\":%.1f,\"background\":%.1f,"
			    "\"total\":%.1f}}", res.quality, res.t.decode,
			    res.t.detect, res.t.frame, res.t.resample, res.t.encode,
			    res.t.checks, res.t.background, res.t.total);
		} else {
			print_human(argv[i], &res, wrote ? written : NULL);
			if (replace) {
				print_background(&res, wrote_before ? before :
				    NULL);
			}
		}
		gc_pipeline_result_release(&res);
	}
	if (json) {
		gc_buf_putc(&jb, ']');
		if (gc_cli_print(&jb) != GC_EXIT_OK) {
			ex = GC_EXIT_FAIL;
		}
	}
	gc_buf_release(&jb);
	gc_pipeline_close(pl);
	if (ex == GC_EXIT_OK && any_fail) {
		ex = GC_EXIT_REJECTED;
	}
	return ex;
}
