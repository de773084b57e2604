/* agent.c - the guest agent's entry: take the input module, decode it with the
 * harness codec, run it with the hosted harness's runner and the oracles the guest can
 * run (over plat.c's platform), print the verdict on the console and shut down.
 *
 * Before the verdict it names the oracles it ran and those only the hosted harness
 * runs.  The verdict is what the hosted replay prints for a finding,
 *   FINDING kind=<kind> sig=<8 hex> call=<VM_*> at=<...>
 * followed by "detail:" and "record:" lines, or the single line CLEAN (N records).
 * The exit status is GUEST_CLEAN_STATUS (QEMU exit 33) when clean and
 * GUEST_FINDING_STATUS (QEMU exit 39) on a finding.  An input module that is a batch
 * (kernel/fuzz_abi.h BATCH_MAGIC) goes to batch.c: every input in one boot.  When the
 * host shares memory (make fuzz-qemu), shm.c takes its inputs from there instead and
 * never returns. */
#include "ulib.h"
#include "harness.h"
#include "guest.h"

int main(void);

#define INPUT_CAP (4u << 20) /* a batch (batch.c) */

/* The hosted oracle list (harness/run.c) without what the guest cannot run, in the
 * same order, so the first finding is the same one. */
static const struct oracle *const guest_oracles[] = {
	&vmdeath_oracle, &reply_oracle, &acl_oracle, &model_oracle, &expect_oracle,
};
#define NORACLES ((int)(sizeof guest_oracles / sizeof guest_oracles[0]))

/* Hosted oracles the guest leaves out, and why.  memory (shadow.c): it reads the
 * hosted kernel model's process table and boot image bytes, and its self-test plants
 * patch the hosted page tables.  leak (leak.c): it counts VM's pages, slab objects and
 * ACL entries against a boot baseline and ends processes through VM's exit handlers
 * directly (harness/host.h), outside the protocol. */
static const char *const hosted_only[] = { "memory", "leak" };
#define NHOSTED_ONLY ((int)(sizeof hosted_only / sizeof hosted_only[0]))

static uint8_t input[INPUT_CAP];
static struct conv conv;
static struct run_ctx ctx;

/* Which oracles judged the run and which did not. */
void say_oracles(void)
{
	uprintf("agent: oracles run:");
	for (int i = 0; i < NORACLES; i++)
		uprintf(" %s", guest_oracles[i]->name);
	uprintf("\nagent: oracles not run in the guest:");
	for (int i = 0; i < NHOSTED_ONLY; i++)
		uprintf(" %s", hosted_only[i]);
	uprintf("\n");
}

/* Print the verdict, after prefix: the FINDING line and its detail, or CLEAN. */
void agent_verdict(const char *prefix)
{
	const struct finding *f = finding_get();

	if (!f) {
		uprintf("%sCLEAN (%u records)\n", prefix, conv.n);
		return;
	}
	uprintf("%sFINDING kind=%s sig=%08x call=%s at=%s\n", prefix, f->kind, f->sig, f->call, f->at);
	uprintf("detail: %s\n", f->detail);
	if (f->rec >= 0)
		uprintf("record: %d\n", f->rec);
}

int agent_replay(const uint8_t *in, uint32_t len, int flags)
{
	conv_decode(in, len, &conv);
	__builtin_memset(&ctx, 0, sizeof(ctx));
	ctx.plat = &guest_platform;
	ctx.c = &conv;
	ctx.flags = flags;
	ctx.level = conv.sanity > HARNESS_SANITY_FLOOR ? conv.sanity : HARNESS_SANITY_FLOOR;
	return runner_run(&ctx, guest_oracles, NORACLES);
}

int main(void)
{
	uint32_t len = 0;
	int flags = 0;

	shm_serve(); /* make fuzz-qemu: returns when the host shares no memory */
	if (guest_input(input, INPUT_CAP, &len, &flags) != VM_OK) {
		uprintf("agent: no input\n");
		sys_shutdown(GUEST_BROKEN_STATUS);
	}
	if (len > INPUT_CAP)
		len = INPUT_CAP;
	if (batch_is(input, len))
		batch_run(input, len, flags);
	int found = agent_replay(input, len < ONE_INPUT_CAP ? len : ONE_INPUT_CAP, flags);
	say_oracles();
	agent_verdict("");
	sys_shutdown(found ? GUEST_FINDING_STATUS : GUEST_CLEAN_STATUS);
}
