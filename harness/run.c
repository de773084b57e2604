/* run.c - the hosted front of the runner: boot the hosted system once, then run
 * conversations from its snapshot with the hosted oracle list.  The record loop is
 * harness/runner.c (shared with the guest agent); the platform is harness/host.c.
 *
 * Oracle order is the order findings are looked for: VM's own alarms (panic, sanity,
 * hang), the reply oracle, the ACL oracle, the leak oracle (its per-message part
 * remembers cached devices; its end hook is the teardown), the memory oracle, the
 * protocol model, expected replies of text inputs. */
#include <stdlib.h>
#include "harness.h"
#include "host.h"

static const struct oracle *const hosted_oracles[] = {
	&vmdeath_oracle, &reply_oracle, &acl_oracle, &leak_oracle, &memory_oracle, /*MODEL*/ &expect_oracle,
};
#define NORACLES ((int)(sizeof hosted_oracles / sizeof hosted_oracles[0]))

static struct run_ctx ctx;

void run_init(int flags)
{
	(void)flags;
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
	int found = runner_run(&ctx, hosted_oracles, NORACLES);
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
