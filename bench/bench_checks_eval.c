/* checks-eval DIR [--profile P]: runs the capture checks over a folder
 * whose MANIFEST.tsv says what a strict check should find (columns file,
 * expect, failing_checks, as in ../shared/portraits), and prints a
 * confusion matrix, per-check agreement, and every disagreement.
 *
 * Each file is run through the capture pipeline (normalise mode), as a
 * shot would be. A file that is not JPEG fails file.format as it is; its
 * content is then judged from a JPEG copy made with ImageMagick's
 * `convert` when that is installed. Thresholds are never tuned here. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "capture/jpeg.h"
#include "common/fileio.h"
#include "capture/pipeline.h"

#define MAXF 256

struct row {
	char file[256], expect[8], failing[1024];
};

/* Does the manifest's failing_checks text name check id (alone or as one
 * of "a or b")? */
static bool
names(const char *text, const char *id)
{
	size_t      n = strlen(id);
	const char *p = text;

	while ((p = strstr(p, id)) != NULL) {
		bool left  = p == text || !(isalnum((unsigned char)p[-1]) ||
		    p[-1] == '.');
		bool right = !(isalnum((unsigned char)p[n]) || p[n] == '.');

		if (left && right) {
			return true;
		}
		p += n;
	}
	return false;
}

/* Splits the manifest text into groups (';'), each satisfied when any of
 * its ids ("a or b") fails. */
static int
groups(const char *text, char g[][256], int max)
{
	int         n = 0;
	const char *p = text;

	while (*p != '\0' && n < max) {
		size_t len = strcspn(p, ";");

		if (len > 0) {
			snprintf(g[n], 256, "%.*s", (int)len, p);
			n++;
		}
		p += len;
		if (*p == ';') {
			p++;
		}
	}
	return n;
}

static bool
group_met(const char *g, const struct gc_report *r)
{
	for (int i = 0; i < r->n; i++) {
		if (r->c[i].verdict == GC_VERDICT_FAIL && names(g, r->c[i].id)) {
			return true;
		}
	}
	/* a group with no check id in it cannot be met or missed */
	for (int i = 0; i < gc_check_count; i++) {
		if (names(g, gc_check_ids[i])) {
			return false;
		}
	}
	return true;
}

int
main(int argc, char **argv)
{
	const char       *dir = NULL, *profile = NULL;
	char              path[4096], line[4096];
	FILE             *man;
	struct row       *rows = calloc(MAXF, sizeof(*rows));
	int               nrows = 0, cm[2][2] = { { 0 } };
	int               tp[64] = { 0 }, fn[64] = { 0 }, fp[64] = { 0 };
	struct gc_profile prof;
	gc_pipeline      *pl;
	struct gc_diag    d;
	bool              have_convert = system("command -v convert "
	    ">/dev/null 2>&1") == 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
			profile = argv[++i];
		} else {
			dir = argv[i];
		}
	}
	if (dir == NULL) {
		fprintf(stderr, "usage: checks-eval DIR [--profile P]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	man = fopen(path, "r");
	if (man == NULL) {
		fprintf(stderr, "checks-eval: %s: cannot open\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), man) != NULL && nrows < MAXF) {
		char *f = strtok(line, "\t\n"), *e = strtok(NULL, "\t\n");
		char *c = strtok(NULL, "\t\n");

		if (f == NULL || e == NULL || strcmp(f, "file") == 0) {
			continue;
		}
		snprintf(rows[nrows].file, sizeof(rows[nrows].file), "%s", f);
		snprintf(rows[nrows].expect, sizeof(rows[nrows].expect), "%s", e);
		snprintf(rows[nrows].failing, sizeof(rows[nrows].failing), "%s",
		    c != NULL && strcmp(c, "-") != 0 ? c : "");
		nrows++;
	}
	fclose(man);
	gc_profile_default(&prof);
	(void)profile;
	gc_diag_clear(&d);
	if (gc_pipeline_open(&pl, &prof, &d) != GC_OK) {
		fprintf(stderr, "checks-eval: %s\n", d.msg);
		return 1;
	}
	printf("checks-eval %s: %d files, profile %s\n\n", dir, nrows,
	    prof.name);
	for (int i = 0; i < nrows; i++) {
		struct gc_pipeline_result res, conv;
		uint8_t                  *b;
		size_t                    len = 0;
		bool                      we_fail, they_fail, disagree = false;
		char                      g[16][256], ours[1024] = "";
		int                       ng;

		snprintf(path, sizeof(path), "%s/%s", dir, rows[i].file);
		b = slurp(path, &len);
		gc_pipeline_result_init(&res);
		if (b == NULL) {
			printf("%-40s MISSING\n", rows[i].file);
			continue;
		}
		{
			bool jpeg = gc_fmt_sniff(b, len) == GC_FMT_JPEG;

			gc_pipeline_run(pl, b, len, GC_PIPE_NORMALIZE, &res);
			free(b);
			if (jpeg || !have_convert) {
				goto judged;
			}
		}
		{
			/* not JPEG: judge the content from a JPEG copy */
			char tmp[] = "/tmp/checks-eval.XXXXXX";
			int  fd    = mkstemp(tmp);
			char cmd[8400];

			if (fd >= 0) {
				close(fd);
				snprintf(cmd, sizeof(cmd), "convert '%s[0]' "
				    "-background white -flatten -quality 95 "
				    "'jpg:%s' 2>/dev/null", path, tmp);
				if (system(cmd) == 0 &&
				    (b = slurp(tmp, &len)) != NULL) {
					gc_pipeline_result_init(&conv);
					gc_pipeline_run(pl, b, len, GC_PIPE_NORMALIZE,
					    &conv);
					free(b);
					for (int k = 0; k < conv.report.n; k++) {
						struct gc_check *c;

						if (strcmp(conv.report.c[k].id,
						    "file.format") == 0) {
							continue;
						}
						c  = gc_report_add(&res.report,
						    conv.report.c[k].id,
						    conv.report.c[k].verdict,
						    conv.report.c[k].num);
						*c = conv.report.c[k];
					}
					gc_pipeline_result_release(&conv);
				}
				unlink(tmp);
			}
		}
judged:
		we_fail   = res.report.verdict == GC_VERDICT_FAIL;
		they_fail = strcmp(rows[i].expect, "fail") == 0;
		cm[they_fail][we_fail]++;
		for (int k = 0; k < res.report.n; k++) {
			if (res.report.c[k].verdict == GC_VERDICT_FAIL) {
				strncat(ours, res.report.c[k].id,
				    sizeof(ours) - strlen(ours) - 2);
				strcat(ours, ";");
			}
		}
		/* per check: expected-to-fail ids met or missed, and our
		 * failures nobody expected */
		for (int c = 0; c < gc_check_count; c++) {
			const struct gc_check *ck = gc_report_get(&res.report,
			    gc_check_ids[c]);
			bool exp = names(rows[i].failing, gc_check_ids[c]);
			bool got = ck != NULL && ck->verdict == GC_VERDICT_FAIL;

			if (exp && got) {
				tp[c]++;
			} else if (exp && !got) {
				fn[c]++;
			} else if (!exp && got) {
				fp[c]++;
			}
		}
		ng = groups(rows[i].failing, g, 16);
		for (int k = 0; k < ng; k++) {
			disagree |= !group_met(g[k], &res.report);
		}
		disagree |= we_fail != they_fail;
		if (disagree) {
			printf("DISAGREE %-36s expected %-4s [%s]\n"
			       "         %-36s got      %-4s [%s]\n",
			    rows[i].file, rows[i].expect, rows[i].failing, "",
			    gc_verdict_name(res.report.verdict), ours);
		} else {
			printf("agree    %-36s %-4s [%s]\n", rows[i].file,
			    gc_verdict_name(res.report.verdict), ours);
		}
		gc_pipeline_result_release(&res);
	}
	printf("\nconfusion matrix (rows: expected, columns: gradcap)\n"
	       "                 pass/warn   fail\n"
	       "  expected pass  %9d  %5d\n"
	       "  expected fail  %9d  %5d\n"
	       "  accuracy       %.1f %%\n\n",
	    cm[0][0], cm[0][1], cm[1][0], cm[1][1],
	    100.0 * (cm[0][0] + cm[1][1]) / (nrows ? nrows : 1));
	printf("per check (expected-and-failed / expected-but-passed / "
	       "failed-unexpectedly)\n");
	for (int c = 0; c < gc_check_count; c++) {
		if (tp[c] + fn[c] + fp[c] > 0) {
			printf("  %-24s %3d %3d %3d\n", gc_check_ids[c], tp[c],
			    fn[c], fp[c]);
		}
	}
	gc_pipeline_close(pl);
	free(rows);
	return 0;
}
