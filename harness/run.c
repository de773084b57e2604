/* run.c - the hosted front of the runner: boot the hosted system once, then run
 * conversations from its snapshot with the hosted oracle list.  The record loop is
 * harness/runner.c (shared with the guest agent); the platform is harness/host.c.
 *
 * Oracle order is the order findings are looked for: VM's own alarms (panic, sanity,
 * hang), the reply oracle, the ACL oracle, the leak oracle (its per-message part
 * remembers cached devices; its end hook is the teardown), the memory oracle, the
 * protocol model, expected replies of text inputs.
 * VMFUZZ_MODEL=off leaves the model out (make bench measures its cost that way). */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "host.h"

static const struct oracle *hosted_oracles[] = {
	&vmdeath_oracle, &reply_oracle, &acl_oracle, &leak_oracle, &memory_oracle, &model_oracle, &expect_oracle,
};
static int noracles = (int)(sizeof hosted_oracles / sizeof hosted_oracles[0]);

static struct run_ctx ctx;

/* Drop the model from the list when VMFUZZ_MODEL=off. */
static void choose_oracles(void)
{
	const char *v = getenv("VMFUZZ_MODEL");
	if (!v || strcmp(v, "off"))
		return;
	int o = 0;
	for (int i = 0; i < noracles; i++)
		if (hosted_oracles[i] != &model_oracle)
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

int run_conv(const struct conv *c, int flags)
{
	ctx.plat = &host_platform;
	ctx.c = c;
	ctx.flags = flags;
	ctx.level = c->sanity > HARNESS_SANITY_FLOOR ? c->sanity : HARNESS_SANITY_FLOOR;
	int found = runner_run(&ctx, hosted_oracles, noracles);
	if (found && (flags & RUN_ABORT)) {
		finding_print(stdout, finding_get(), c);
		abort();
	}
	return found;
}

uint64_t run_trace_hash(void)
{
	return runner_trace_hash();
}

int32_t run_reply_code(uint32_t i)
{
	return runner_reply_code(i);
}
