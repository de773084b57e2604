/* fault.c - the fault engine: a hit counter per site, started at the first record,
 * and a schedule from the input: a FAULT record, when it runs, arms "fail the N-th hit
 * of the site from here on, once" or "... and every hit after it".  Deterministic, so
 * every finding replays.  Plugged in with hosted_set_fault_hook(fault_hook). */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "seam.h"

#define FAULT_RULES_MAX (CONV_MAX_RECORDS + 1)

static struct {
	uint32_t hits[FS_COUNT];
	uint32_t nrules;
	struct {
		uint8_t site, mode;
		uint32_t nth;  /* counted from base */
		uint32_t base; /* the site's hit count when the rule was armed */
	} rule[FAULT_RULES_MAX];
	uint32_t injected;
} fe;

/* Self-test plant (vm-replay, VMFUZZ_PLANT): a deliberate bug at a site's first hit. */
static struct {
	int site; /* -1 = none */
	int panic; /* 1: VM panic, 0: heap use after free */
} plant = { -1, 0 };

void fault_plant(int site, int panic)
{
	plant.site = site;
	plant.panic = panic;
}

/* Runs inside vm/'s FAULT_POINT, so the crash stack holds vm/ frames. */
static void plant_fire(void)
{
	if (plant.panic)
		seam_panic("harness/fault.c", __LINE__, "planted panic");
	volatile char *p = malloc(16);
	free((void *)p);
	p[3] = 1; /* planted use after free */
}

void fault_reset(void)
{
	memset(&fe, 0, sizeof fe);
}

void fault_arm(int site, uint32_t nth, int mode)
{
	if (fe.nrules == FAULT_RULES_MAX || site < 0 || site >= FS_COUNT)
		return;
	fe.rule[fe.nrules].site = (uint8_t)site;
	fe.rule[fe.nrules].nth = nth;
	fe.rule[fe.nrules].mode = (uint8_t)mode;
	fe.rule[fe.nrules].base = fe.hits[site];
	fe.nrules++;
}

int fault_hook(enum fault_site site)
{
	if ((unsigned)site >= FS_COUNT)
		return 0;
	uint32_t hit = ++fe.hits[site];
	if ((int)site == plant.site)
		plant_fire();
	for (uint32_t i = 0; i < fe.nrules; i++) {
		if (fe.rule[i].site != site)
			continue;
		uint32_t nth = hit - fe.rule[i].base;
		if (nth == fe.rule[i].nth || (fe.rule[i].mode == FM_FROM && nth > fe.rule[i].nth)) {
			fe.injected++;
			return 1;
		}
	}
	return 0;
}

uint32_t fault_hits(int site)
{
	return site >= 0 && site < FS_COUNT ? fe.hits[site] : 0;
}

uint32_t fault_injected(void)
{
	return fe.injected;
}
