/* sweep.c - the fault sweep (as SQLite does for OOM): for each fault site, fail hit
 * 1, 2, ... once, then from hit N on, until the conversation no longer reaches hit N
 * of that site, checking every oracle each time.  Each trial is the conversation with
 * one FAULT record put first, so a reported finding replays as printed. */
#include <string.h>
#include "harness.h"

#define SWEEP_MAX_N 4096 /* hits tried per site and mode */
#define SWEEP_SEEN  64   /* distinct (kind, sig) reported in full */

static struct {
	uint32_t sig[SWEEP_SEEN];
	char kind[SWEEP_SEEN][16];
	int n;
} seen;

/* True the first time (kind, sig) shows up in this sweep. */
static int first_time(const struct finding *f)
{
	for (int i = 0; i < seen.n; i++)
		if (seen.sig[i] == f->sig && !strcmp(seen.kind[i], f->kind))
			return 0;
	if (seen.n < SWEEP_SEEN) {
		seen.sig[seen.n] = f->sig;
		snprintf(seen.kind[seen.n], sizeof seen.kind[0], "%s", f->kind);
		seen.n++;
	}
	return 1;
}

/* Sweep one site in one mode; returns findings, adds trials to *trials. */
static int sweep_site(struct conv *t, int site, int mode, unsigned *trials, FILE *out)
{
	struct rec *r = &t->r[0];
	int found = 0;
	for (uint32_t n = 1; n <= SWEEP_MAX_N; n++) {
		r->site = (uint8_t)site;
		r->nth = n;
		r->mode = (uint8_t)mode;
		(*trials)++;
		if (run_conv(t, 0)) {
			found++;
			if (first_time(finding_get()))
				finding_print(out, finding_get(), t);
		}
		if (fault_hits(site) < n) /* hit n was never reached: done */
			break;
	}
	return found;
}

int sweep(const struct conv *c, FILE *out)
{
	static struct conv t;
	int total = 0;
	memset(&seen, 0, sizeof seen);
	if (c->n == CONV_MAX_RECORDS) {
		fprintf(out, "sweep: conversation has %d records, no room for a fault record\n", CONV_MAX_RECORDS);
		return 0;
	}
	t = *c;
	memmove(&t.r[1], &t.r[0], c->n * sizeof t.r[0]);
	memset(&t.r[0], 0, sizeof t.r[0]);
	t.r[0].kind = REC_FAULT;
	t.n++;
	for (int site = 0; site < FS_COUNT; site++) {
		for (int mode = FM_ONCE; mode <= FM_FROM; mode++) {
			unsigned trials = 0;
			int found = sweep_site(&t, site, mode, &trials, out);
			fprintf(out, "sweep: %-12s %-4s trials %4u findings %d\n", fault_site_name[site],
				mode == FM_ONCE ? "once" : "from", trials, found);
			total += found;
		}
	}
	fprintf(out, "sweep: %d finding(s), %d distinct\n", total, seen.n);
	return total;
}
