/* shm.c - the agent's side of make fuzz-qemu: inputs come from the host through the
 * memory it shares with the guest (kernel/shm_abi.h; QEMU's ivshmem-plain device,
 * mapped by the kernel at FZSHM_VADDR), and each verdict goes back there.  The host
 * side is harness/qemu_forkserver.c, which speaks AFL++'s forkserver protocol.
 *
 * The loop: take the kernel's snapshot once (as a batch does, batch.c), say ready,
 * then for every new request number: copy the input out of the shared memory, run it
 * with the same runner and oracles as a batch replay (agent_replay), write the
 * verdict and the FINDING line, restore the snapshot and publish the request number
 * as done.  The host clears VM's edge map before each request, so the map holds
 * exactly the edges of one input. */
#include "ulib.h"
#include "fuzz_abi.h"
#include "shm_abi.h"
#include "guest.h"

static uint8_t shm_input[FZSHM_INPUT_CAP];

/* Spin until the host asks for a request other than last; the new number. */
static uint32_t wait_request(volatile struct fzshm_hdr *h, uint32_t last)
{
	while (h->req == last)
		__asm__ volatile("pause" ::: "memory");
	__sync_synchronize();
	return h->req;
}

/* The last run's FINDING line into out (cap bytes), or "" when it was clean. */
static void finding_line(char *out, uint32_t cap)
{
	const struct finding *f = finding_get();

	if (!f) {
		out[0] = '\0';
		return;
	}
	snprintf(out, cap, "FINDING kind=%s sig=%08x call=%s at=%s", f->kind, f->sig, f->call, f->at);
}

void shm_serve(void)
{
	uint32_t va = 0, last;

	if (kcall(KC_FZ_SHM, 0, 0, 0, 0, 0, &va) != VM_OK)
		return;
	volatile struct fzshm_hdr *h = (volatile struct fzshm_hdr *)va;
	const volatile uint8_t *in = (const volatile uint8_t *)(va + FZSHM_INPUT);

	say_oracles();
	guest_snap(FZS_TAKE);
	last = h->req;
	h->done = last;
	__sync_synchronize();
	h->ready = FZSHM_READY;
	uprintf("agent: serving inputs from the host's shared memory at 0x%x\n", va);
	for (;;) {
		uint32_t seq = wait_request(h, last), len = h->len, flags = h->flags;
		if (len > FZSHM_INPUT_CAP)
			len = FZSHM_INPUT_CAP;
		for (uint32_t i = 0; i < len; i++)
			shm_input[i] = in[i];
		int found = agent_replay(shm_input, len, (flags & FZI_EXPECT) ? RUN_EXPECT : 0);
		finding_line((char *)h->finding, sizeof(h->finding));
		h->verdict = found ? FZSHM_FINDING : FZSHM_CLEAN;
		h->runs++;
		guest_snap(FZS_RESTORE);
		__sync_synchronize();
		h->done = last = seq;
	}
}
