/* bench_core.c - cost of the core paths through vm_step, measured, never asserted:
 * one fork + willexit + exit round trip of init, and one hosted_restore after a
 * conversation that dirtied memory.  Usage: bench-core [sanity-level] [iterations]. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "hosted.h"
#include "vm.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* PM asks VM to fork init into slot, then to end the child; aborts on any error. */
static void fork_exit(int32_t slot)
{
	message m = { 0 };

	m.u.fork.parent = INIT_PROC_NR;
	m.u.fork.slot = slot;
	if (hosted_call(PM_PROC_NR, VM_FORK, &m) != VM_OK)
		abort();
	endpoint_t child = m.u.fork.child;
	m = (message){ 0 };
	m.u.willexit.endpt = child;
	if (hosted_call(PM_PROC_NR, VM_WILLEXIT, &m) != VM_OK)
		abort();
	m = (message){ 0 };
	m.u.exit.endpt = child;
	if (hosted_call(PM_PROC_NR, VM_EXIT, &m) != VM_OK)
		abort();
}

int main(int argc, char **argv)
{
	int level = argc > 1 ? atoi(argv[1]) : 0;
	int n = argc > 2 ? atoi(argv[2]) : 20000;
	double t0, t_fork, t_restore = 0;

	hosted_boot(level);
	hosted_snapshot();
	t0 = now_us();
	for (int i = 0; i < n; i++)
		fork_exit(40);
	t_fork = (now_us() - t0) / n;
	for (int i = 0; i < n; i++) {
		fork_exit(40);
		uint32_t v;
		proc_write32(INIT_PROC_NR, TEXT_VADDR + 8 * PAGE_SIZE, 1); /* COW-free data write */
		proc_read32(INIT_PROC_NR, STACK_TOP - 4, &v);              /* demand-zero stack page */
		t0 = now_us();
		hosted_restore();
		t_restore += now_us() - t0;
	}
	printf("sanity=%d fork+willexit+exit: %.2f us   restore: %.2f us   (vm state %zu bytes)\n",
	       level, t_fork, t_restore / n, sizeof(vm));
	return 0;
}
