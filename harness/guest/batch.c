/* batch.c - many inputs per boot: the agent takes the kernel's snapshot of VM, its
 * pool and the process table once (kernel/snapshot.c, FZ_SNAP), then replays every
 * input of the batch against it, restoring the snapshot after each, so each input
 * meets the VM of the boot as a one-input boot would.  Each verdict is one line,
 * "VERDICT <i> CLEAN (n records)" or "VERDICT <i> FINDING kind=...", followed by the
 * finding's detail lines; a summary with the rate ends the batch. */
#include "ulib.h"
#include "fuzz_abi.h"
#include "monitor_abi.h"
#include "guest.h"

/* A 32-bit little-endian word at p. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int batch_is(const uint8_t *in, uint32_t len)
{
	return len >= BATCH_MAGIC_LEN && __builtin_memcmp(in, BATCH_MAGIC, BATCH_MAGIC_LEN) == 0;
}

static uint32_t uptime_ms(void)
{
	uint32_t ms = 0;

	kcall(KC_SYSINFO, SI_UPTIME_MS, 0, 0, 0, 0, &ms);
	return ms;
}

uint32_t guest_snap(uint32_t op)
{
	uint32_t pages = 0;
	int r = kcall(KC_FZ_SNAP, op, 0, 0, 0, 0, &pages);

	if (r != VM_OK) {
		uprintf("agent: FZ_SNAP(%u) failed: %d\n", op, r);
		sys_shutdown(GUEST_BROKEN_STATUS);
	}
	return pages;
}

void batch_run(const uint8_t *in, uint32_t len, int flags)
{
	uint32_t off = BATCH_MAGIC_LEN, n = 0, findings = 0, t0, ms, pages = 0;
	char prefix[24];

	say_oracles();
	guest_snap(FZS_TAKE);
	t0 = uptime_ms();
	while (len - off >= 8) {
		uint32_t ilen = le32(in + off), iflags = le32(in + off + 4);
		off += 8;
		if (ilen > len - off)
			break;
		int run_flags = (flags & ~RUN_EXPECT) | ((iflags & FZI_EXPECT) ? RUN_EXPECT : 0);
		uint32_t t1 = uptime_ms();
		findings += (uint32_t)agent_replay(in + off, ilen < ONE_INPUT_CAP ? ilen : ONE_INPUT_CAP, run_flags);
		snprintf(prefix, sizeof(prefix), "VERDICT %u ", n);
		agent_verdict(prefix);
		pages = guest_snap(FZS_RESTORE);
		uprintf("agent: input %u: %u ms\n", n, uptime_ms() - t1);
		n++;
		off += (ilen + 3) & ~3u;
		if (off > len)
			off = len;
	}
	ms = uptime_ms() - t0;
	uprintf("agent: batch of %u inputs, %u findings, %u ms (%u per second), %u pages restored\n", n, findings,
		ms, ms ? n * 1000 / ms : 0, pages);
	sys_shutdown(off == len ? GUEST_CLEAN_STATUS : GUEST_BROKEN_STATUS);
}
