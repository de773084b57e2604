/* vmcov.c - VM's edge counters in the fuzz image (make fuzz-qemu): the callbacks of
 * clang's -fsanitize-coverage=trace-pc-guard, freestanding.  vm/'s objects in the fuzz
 * image are built with it (only the files and functions the hosted engines count,
 * kernel/kernel.mk), so every edge VM takes calls __sanitizer_cov_trace_pc_guard with
 * its own guard; the guard's index in the __sancov_guards section is its counter in
 * the edge map the host shares with the guest (kernel/shm_abi.h, FZSHM_MAP), which the
 * host hands to AFL++.  Without shared memory (replay-qemu, qemu-replay-test) the
 * callback returns at once.  This file itself is built without coverage. */
#include "ulib.h"
#include "abi.h"
#include "shm_abi.h"

extern uint32_t __start___sancov_guards[];

static struct {
	uint8_t *map; /* the edge map, NULL when the host shares no memory */
	int asked;    /* FZ_SHM was asked */
} cov;

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);

/* Called by the compiler's module constructor, which nothing here runs: guards are
 * numbered by their place in the section instead. */
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
	(void)start;
	(void)stop;
}

/* Where the edge map is: asked once, at VM's first edge (during its boot). */
static uint8_t *edge_map(void)
{
	uint32_t va = 0;

	if (!cov.asked) {
		cov.asked = 1;
		if (kcall(KC_FZ_SHM, 0, 0, 0, 0, 0, &va) == VM_OK)
			cov.map = (uint8_t *)(va + FZSHM_MAP);
	}
	return cov.map;
}

/* One more hit of guard's edge; a counter that wraps stays non-zero (256 hits must
 * not look like none). */
void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
	uint8_t *map = cov.map ? cov.map : edge_map();

	if (map) {
		uint32_t i = (uint32_t)(guard - __start___sancov_guards) & (FZSHM_MAP_SIZE - 1);
		uint8_t v = (uint8_t)(map[i] + 1);
		map[i] = v ? v : 1;
	}
}
