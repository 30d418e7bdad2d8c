/* gradcap review list [--json]: the captures waiting for review, oldest
 * first, with their age and, for online submissions, the deadline
 * ([online] review_hours) and an OVERDUE mark; then the preset rejection
 * reasons. ID numbers masked. The queue is node/review_queue.h's. */
#include <stdio.h>
#include <string.h>

#include "common/hlc.h"
#include "common/idnum.h"
#include "common/json.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "node/cli.h"
#include "node/merge_view.h"
#include "node/review_queue.h"

static const char list_usage[] =
    "usage: gradcap review list [--home DIR] [--json]\n"
    "The captures waiting for review, oldest first: online submissions\n"
    "are reviewed within [online] review_hours (48) and marked OVERDUE\n"
    "after; then the preset reasons for 'review reject --preset N'.\n";

/* One item as text: id prefix, name, 学号, masked ID, kind, age,
 * deadline, OVERDUE. */
static void
item_text(struct gc_buf *b, const struct gc_review_item *it,
    const struct gc_row *row)
{
	char hex[65], masked[80], due[32] = "-";

	gc_hex_encode(hex, it->cap->id, 32);
	gc_idnum_mask(masked, sizeof(masked), row->v[GC_ROW_ID_NUMBER]);
	if (it->deadline_ms != 0) {
		gc_review_window_iso(due, sizeof(due), it->deadline_ms);
	}
	gc_buf_printf(b, "%.12s  %-10s %-12s %-20s %-10s %4llu h  %-20s%s\n",
	    hex, row->v[GC_ROW_NAME], row->v[GC_ROW_STUDENT_NO], masked,
	    gc_session_kind_name((enum gc_session_kind)it->cap->kind),
	    (unsigned long long)(it->age_ms / 3600000), due,
	    it->overdue ? "  OVERDUE" : "");
}

static void
item_json(struct gc_buf *b, const struct gc_review_item *it,
    const struct gc_row *row)
{
	char hex[65], masked[80], t[32];

	gc_hex_encode(hex, it->cap->id, 32);
	gc_idnum_mask(masked, sizeof(masked), row->v[GC_ROW_ID_NUMBER]);
	gc_review_window_iso(t, sizeof(t), gc_hlc_ms(it->cap->hlc));
	gc_buf_printf(b, "{\"capture\":\"%s\",\"name\":", hex);
	gc_json_str(b, row->v[GC_ROW_NAME]);
	gc_buf_puts(b, ",\"student_no\":");
	gc_json_str(b, row->v[GC_ROW_STUDENT_NO]);
	gc_buf_puts(b, ",\"id_masked\":");
	gc_json_str(b, masked);
	gc_buf_puts(b, ",\"class\":");
	gc_json_str(b, row->v[GC_ROW_CLASS]);
	gc_buf_printf(b, ",\"kind\":\"%s\",\"time\":\"%s\",",
	    gc_session_kind_name((enum gc_session_kind)it->cap->kind), t);
	gc_review_item_json(b, it);
	gc_buf_puts(b, "}");
}

int
gc_cmd_review_list(int argc, char **argv)
{
	const char            *home = NULL;
	bool                   json = false;
	struct gc_node         n;
	struct gc_review_queue q;
	struct gc_diag         d;
	struct gc_buf          b;
	char                   now[32];
	int                    ex;
	gc_err                 rv;

	ex = gc_cli_simple_opts(argc, argv, list_usage, &home, &json);
	if (ex >= 0) {
		return ex;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	rv = gc_review_queue_load(&n, &q, &d);
	if (rv != GC_OK) {
		gc_cli_err("review list: %s", gc_diag_msg(&d, rv));
		gc_review_queue_release(&q);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	gc_buf_init(&b);
	gc_review_window_iso(now, sizeof(now), q.now_ms);
	if (json) {
		gc_buf_printf(&b, "{\"now\":\"%s\",\"review_hours\":%u,"
		    "\"retake_hours\":%u,\"waiting\":%zu,\"overdue\":%zu,"
		    "\"captures\":[", now, q.cfg.review_hours,
		    q.cfg.retake_hours, q.n, q.overdue);
	} else {
		gc_buf_printf(&b, "%zu captures wait for review, %zu overdue "
		    "(online: within %u h; now %s)\n", q.n, q.overdue,
		    q.cfg.review_hours, now);
	}
	for (size_t i = 0; i < q.n; i++) {
		struct gc_row row;

		gc_row_of(n.lg, q.item[i].cap->student, &row);
		if (json) {
			gc_buf_puts(&b, i ? "," : "");
			item_json(&b, &q.item[i], &row);
		} else {
			item_text(&b, &q.item[i], &row);
		}
	}
	if (json) {
		gc_buf_puts(&b, "],\"reject_reasons\":[");
	} else {
		gc_buf_puts(&b, "preset reasons (review reject CAPTURE "
		    "--preset N):\n");
	}
	for (size_t i = 0; i < q.cfg.nreasons; i++) {
		if (json) {
			gc_buf_puts(&b, i ? "," : "");
			gc_json_str(&b, q.cfg.reasons[i]);
		} else {
			gc_buf_printf(&b, "  %zu %s\n", i + 1,
			    q.cfg.reasons[i]);
		}
	}
	if (json) {
		gc_buf_puts(&b, "]}");
	}
	ex = json ? gc_cli_print(&b) : gc_cli_write(&b);
	gc_buf_release(&b);
	gc_review_queue_release(&q);
	gc_node_close(&n);
	return ex;
}
