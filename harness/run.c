/* run.c - the hosted front of the runner: boot the hosted system once, then run
 * conversations from its snapshot with the hosted oracle list.  The record loop is
 * harness/runner.c (shared with the guest agent); the platform is harness/host.c.
 *
 * A leak the teardown finds (kind leak, call teardown; not the host heap) is
 * attributed before anything prints it: the prefixes of the conversation (records
 * 0..k-1, k = 0, 1, ...) are run again until one's teardown gives the same counter,
 * and the finding is re-signed leak:<counter>:<call of record k-1>[:injected] (when
 * the fault engine injected a failure during that record), with that call on the
 * FINDING line and "(first left by record k-1: <call>)" in the detail.  When the
 * empty conversation's teardown already leaks, or no shorter prefix does, the finding
 * stays as the teardown found it.  Only a run with a leak finding pays for this; the
 * prefixes run with the full checks and teardown even under RUN_FAST, so a fuzz
 * finding is signed as its replay is (a leak in the teardown of boot processes, which
 * the fast teardown of an empty prefix does not reach, stays call=teardown).
 *
 * Oracle order is the order findings are looked for: VM's own alarms (panic, sanity,
 * hang), the reply oracle, the ACL oracle, the leak oracle (its per-message part
 * remembers cached devices; its end hook is the teardown), the memory oracle, the
 * protocol model, expected replies of text inputs.
 * VMFUZZ_MODEL=off leaves the model out (make bench measures its cost that way).  Two
 * more switches give make bench the ceilings an oracle speed-up can reach:
 * VMFUZZ_SANITY=off runs every conversation with VM's sanity checker off (level 0,
 * whatever the input's header asks, and no check after the last record), and
 * VMFUZZ_ORACLES=off keeps only VM's own alarms (panic, crash, hang: vmdeath_oracle).
 * Either value is "on" (the default) or "off"; anything else stops run_init. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "host.h"

static const struct oracle *hosted_oracles[] = {
	&vmdeath_oracle, &reply_oracle, &acl_oracle, &leak_oracle, &memory_oracle, &model_oracle, &expect_oracle,
};
static int noracles = (int)(sizeof hosted_oracles / sizeof hosted_oracles[0]);

static struct run_ctx ctx;
static int sanity_off; /* VMFUZZ_SANITY=off */

/* 1 when environment switch name is "off", 0 when it is unset or "on"; any other value
 * stops the process with a one-line reason. */
static int switched_off(const char *name)
{
	const char *v = getenv(name);
	if (!v || !strcmp(v, "on"))
		return 0;
	if (!strcmp(v, "off"))
		return 1;
	fprintf(stderr, "vmfuzz: %s must be on or off, not '%s'\n", name, v);
	exit(2);
}

/* The hosted list as the switches leave it: VMFUZZ_ORACLES=off keeps VM's own alarms
 * only, VMFUZZ_MODEL=off drops the model. */
static void choose_oracles(void)
{
	int all_off = switched_off("VMFUZZ_ORACLES"), model_off = switched_off("VMFUZZ_MODEL"), o = 0;
	sanity_off = switched_off("VMFUZZ_SANITY");
	for (int i = 0; i < noracles; i++)
		if (!(all_off && hosted_oracles[i] != &vmdeath_oracle) && !(model_off && hosted_oracles[i] == &model_oracle))
			hosted_oracles[o++] = hosted_oracles[i];
	noracles = o;
}

void run_init(int flags)
{
	(void)flags;
	choose_oracles();
	host_init();
	shadow_init(&host_platform);
	leak_init(&host_platform);
}

/* Run c once with the hosted oracles; 1 on a finding. */
static int run_once(const struct conv *c, int flags)
{
	ctx.plat = &host_platform;
	ctx.c = c;
	ctx.flags = flags;
	ctx.level = sanity_off ? 0 : c->sanity > HARNESS_SANITY_FLOOR ? c->sanity : HARNESS_SANITY_FLOOR;
	return runner_run(&ctx, hosted_oracles, noracles);
}

/* True when f is a leak the teardown found (the host heap's is LeakSanitizer's). */
static int leak_of_teardown(const struct finding *f)
{
	return f && !strcmp(f->kind, "leak") && !strcmp(f->call, "teardown") && strcmp(f->at, "leak-host-heap");
}

/* Run records 0..k-1 of c; 1 when their teardown gives a leak at `at`.  The prefix is
 * static: a crash report during the run names it (runner_conv). */
static int prefix_leaks(const struct conv *c, uint32_t k, int flags, const char *at)
{
	static struct conv prefix;
	prefix = *c;
	prefix.n = k;
	if (!run_once(&prefix, flags))
		return 0;
	return leak_of_teardown(finding_get()) && !strcmp(finding_get()->at, at);
}

/* Re-sign the leak finding of c's run after the first record that leaves it (see the
 * top of the file); the original finding stays when no record can be named. */
static void leak_attribute(const struct conv *c, int flags)
{
	struct finding orig = *finding_get();
	uint32_t k = 0, inj_full = fault_injected(), inj_before = 0, inj_after = inj_full;
	char call[32], key[128], more[96];
	flags &= ~(RUN_TRACE | RUN_ABORT | RUN_FAST); /* full checks: the signature replay gives */
	for (; k < c->n; k++) {
		if (prefix_leaks(c, k, flags, orig.at)) {
			inj_after = fault_injected();
			break;
		}
		inj_before = fault_injected(); /* injections in records 0..k-1 */
	}
	finding_put(&orig);
	if (k == 0)
		return; /* no records, or the teardown of the boot state leaks it too */
	rec_call_name(&c->r[k - 1], call, sizeof call);
	snprintf(key, sizeof key, "leak:%s:%s%s", orig.at + strlen("leak-"), call,
		 inj_after != inj_before ? ":injected" : "");
	snprintf(more, sizeof more, " (first left by record %u: %s%s)", k - 1, call,
		 inj_after != inj_before ? ", with an injected failure" : "");
	finding_resign(key, call, more);
}

int run_conv(const struct conv *c, int flags)
{
	int found = run_once(c, flags);
	if (found && leak_of_teardown(finding_get()))
		leak_attribute(c, flags);
	if (found && (flags & RUN_ABORT)) {
		finding_print(stdout, finding_get(), c);
		abort();
	}
	return found;
}

int run_plant_from_env(char *err, size_t len)
{
	const char *v = getenv("VMFUZZ_PLANT");
	if (!v || !*v)
		return 0;
	if (shadow_plant(v) == 0 || leak_plant(v) == 0 || host_plant(v) == 0)
		return 0;
	int panic = strncmp(v, "panic:", 6) == 0;
	if (!panic && strncmp(v, "crash:", 6)) {
		snprintf(err, len, "VMFUZZ_PLANT must be crash:SITE, panic:SITE, mem:RULE, leak:WHAT, model:WHAT or sanity:WHAT, not %s", v);
		return -1;
	}
	for (int s = 0; s < FS_COUNT; s++)
		if (strcmp(fault_site_name[s], v + 6) == 0) {
			fault_plant(s, panic);
			return 0;
		}
	snprintf(err, len, "VMFUZZ_PLANT: unknown site in %s", v);
	return -1;
}

uint64_t run_trace_hash(void)
{
	return runner_trace_hash();
}

