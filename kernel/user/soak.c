/* soak.c - init's soak: real workloads through the real kernel and VM (at the sanity
 * level of the kernel command line), then a check that VM's resources came back.
 *
 * Workloads, each a "PASS soak_<name>" or "FAIL soak_<name>" line:
 *   fork_exit  cycles forks of init through PM, each child exiting with a status
 *   brk        the heap grown and shrunk, fresh pages zero, data kept while mapped
 *   mmap       anonymous maps made, split by a munmap in the middle, checked, unmapped
 *   cow        copy-on-write across three generations: each writes its own pattern,
 *              none sees another's writes
 *   kill       children killed by VM for bad accesses (an unmapped write, a write to
 *              their text, a read of kernel memory), ended and reaped by PM
 *   shared     a child maps its parent's region through RS (VM_REMAP): the child
 *              sees the parent's data, the parent sees the child's writes, and the
 *              child's own copy-on-write copy keeps the old data
 *   exec_sig   init's exec and signal self-tests as rounds (init.c): a fork exec'd into
 *              the hello program of VFS's file set, a child signalled into its handler
 *              and watched by RS
 * Then VM_INFO's free pages, VM's own pages (the kernel's usage: page tables, slab)
 * and the slots in use must equal the baseline taken before the first workload.
 * Children run this file's code in their copy of init; they report through their
 * exit status (0 = every data check held). */
#include "user.h"
#include "layout.h"
#include "vm_info.h"
#include "monitor_abi.h"
#include "../servers/soak.h"

#define WORDS_PER_PAGE (PAGE_SIZE / 4)
#define BRK_STEPS 6

/* What a soak did, for its summary line. */
static struct {
	uint32_t forks, kills, brk_rounds, maps, cow_rounds, shared_rounds, exec_sig_rounds;
	int failures;
} tally;

/* VM's resources as the soak compares them. */
struct soak_mem {
	uint32_t free;   /* VM_INFO stats: free pages */
	uint32_t vm_own; /* VM_INFO usage of the kernel: VM's pages that back no process */
	uint32_t slots;  /* process slots in use */
};

uint32_t sysinfo(uint32_t what)
{
	uint32_t out = 0;

	return kcall(KC_SYSINFO, what, 0, 0, 0, 0, &out) == VM_OK ? out : 0;
}

int vm_info(int what, endpoint_t ep, void *buf, int32_t *count, uint32_t *next)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.info.what = (uint32_t)what;
	m.u.info.endpt = ep;
	m.u.info.ptr = (uint32_t)buf;
	m.u.info.count = count ? *count : 0;
	m.u.info.next = next ? *next : 0;
	r = vm_call(VM_INFO, &m);
	if (count)
		*count = m.u.info.count;
	if (next)
		*next = m.u.info.next;
	return r;
}

/* Report one workload's verdict. */
static void verdict(const char *name, int bad)
{
	if (bad) {
		uprintf("FAIL soak_%s (%d bad)\n", name, bad);
		tally.failures++;
	} else {
		uprintf("PASS soak_%s\n", name);
	}
}

static void measure(struct soak_mem *sm)
{
	struct vm_stats_info si;
	struct vm_usage_info ui;
	struct si_proc sp;

	__builtin_memset(sm, 0, sizeof(*sm));
	__builtin_memset(&si, 0, sizeof(si));
	__builtin_memset(&ui, 0, sizeof(ui));
	if (vm_info(VMIW_STATS, SELF, &si, NULL, NULL) == VM_OK)
		sm->free = si.free;
	if (vm_info(VMIW_USAGE, KERNEL, &ui, NULL, NULL) == VM_OK)
		sm->vm_own = ui.maxrss;
	for (uint32_t s = 0; s < NR_PROCS; s++)
		if (kcall(KC_SYSINFO, SI_PROC, s, (uint32_t)&sp, 0, 0, NULL) == VM_OK && (sp.flags & SIP_INUSE))
			sm->slots++;
}

/* ---- Processes through PM ---- */

/* Fork through PM: 1 in the parent (*child set), 0 in the child, an errno on failure. */
static int spawn(endpoint_t *child)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = SK_SPAWN;
	r = ipc_sendrec(PM_PROC_NR, &m);
	if (r != VM_OK)
		return r;
	if (m.m_type == SK_CHILD)
		return 0;
	if (m.m_type != SK_PARENT)
		return m.m_type < 0 ? m.m_type : VM_EINVAL;
	tally.forks++;
	*child = (endpoint_t)m.u.word[0];
	return 1;
}

/* End the calling child with status: PM ends it through VM. */
__attribute__((noreturn)) static void child_exit(int status)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = SK_EXIT;
	m.u.word[0] = (uint32_t)status;
	ipc_send(PM_PROC_NR, &m);
	for (;;)
		ipc_receive(PM_PROC_NR, &m, NULL);
}

/* Wait for child: 0 when it ended as expected (killed or exited with want), else 1. */
static int wait_child(endpoint_t child, int want_killed, int want_status)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = SK_WAIT;
	m.u.word[0] = (uint32_t)child;
	r = ipc_sendrec(PM_PROC_NR, &m);
	if (r != VM_OK || m.m_type != VM_OK || (int)m.u.word[2] != VM_OK)
		return 1;
	if ((int)m.u.word[0] != want_killed)
		return 1;
	return !want_killed && (int)m.u.word[1] != want_status;
}

/* ---- Data patterns ---- */

static uint32_t pattern(uint32_t gen, uint32_t page, uint32_t word)
{
	return (gen << 28) ^ (page << 14) ^ (word * 2654435761u) ^ 0x5A5A0000u;
}

/* Fill npages at va with generation gen's pattern (every 16th word: a page is
 * checked at both ends and in between without making the soak crawl). */
static void fill(uint32_t va, uint32_t first, uint32_t npages, uint32_t gen)
{
	for (uint32_t p = first; p < first + npages; p++)
		for (uint32_t w = 0; w < WORDS_PER_PAGE; w += 15)
			((volatile uint32_t *)(va + p * PAGE_SIZE))[w] = pattern(gen, p, w);
}

/* Words of pages [first, first + npages) at va that differ from gen's pattern (gen
 * 0: from zero). */
static int bad_words(uint32_t va, uint32_t first, uint32_t npages, uint32_t gen)
{
	int bad = 0;

	for (uint32_t p = first; p < first + npages; p++)
		for (uint32_t w = 0; w < WORDS_PER_PAGE; w += 15)
			bad += ((volatile uint32_t *)(va + p * PAGE_SIZE))[w] != (gen ? pattern(gen, p, w) : 0);
	return bad;
}

/* An anonymous private map of npages, or 0. */
static uint32_t map_anon(uint32_t npages)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.mmap.len = npages * PAGE_SIZE;
	m.u.mmap.prot = PROT_READ | PROT_WRITE;
	m.u.mmap.flags = MAP_ANON | MAP_PRIVATE;
	m.u.mmap.fd = -1;
	return vm_call(VM_MMAP, &m) == VM_OK ? m.u.mmap.retaddr : 0;
}

static int unmap(uint32_t va, uint32_t npages)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.munmap.addr = va;
	m.u.munmap.len = npages * PAGE_SIZE;
	return vm_call(VM_MUNMAP, &m);
}

/* ---- Workloads ---- */

/* cycles forks, each child exiting at once with a status of its own. */
static int soak_fork_exit(uint32_t cycles)
{
	endpoint_t c;
	int bad = 0;

	for (uint32_t i = 0; i < cycles; i++) {
		int r = spawn(&c);
		if (r == 0)
			child_exit((int)(i & 0x7F));
		if (r < 0 || wait_child(c, 0, (int)(i & 0x7F)))
			bad++;
		if ((i + 1) % 1000 == 0)
			uprintf("soak: %u fork/exit cycles\n", i + 1);
	}
	return bad;
}

/* A child's heap grown in steps (VM_BRK only grows, as in MINIX; a lower break is
 * VM_OK and changes nothing): fresh pages are zero, written pages keep their data
 * through later growth and lower breaks.  Its exit status counts what was wrong. */
__attribute__((noreturn)) static void brk_child(uint32_t round)
{
	uint32_t base = heap_top(), have = 0, gen_of[BRK_STEPS * 5];
	int bad = 0;

	for (uint32_t step = 0; step < BRK_STEPS; step++) {
		uint32_t n = have + 1 + (round + step * 3) % 5;
		bad += vm_brk(base + n * PAGE_SIZE) != VM_OK;
		bad += bad_words(base, have, n - have, 0);
		fill(base, have, n - have, 1 + step);
		for (uint32_t p = have; p < n; p++)
			gen_of[p] = 1 + step;
		bad += vm_brk(base + PAGE_SIZE) != VM_OK; /* lower: nothing changes */
		for (uint32_t p = 0; p < n; p++)
			bad += bad_words(base, p, 1, gen_of[p]);
		have = n;
	}
	child_exit(bad);
}

/* Heap churn in children, whose heaps go back to VM when they exit. */
static int soak_brk(uint32_t rounds)
{
	int bad = 0;

	for (uint32_t i = 0; i < rounds; i++) {
		endpoint_t c;
		int r = spawn(&c);
		if (r == 0)
			brk_child(i);
		bad += r < 0 || wait_child(c, 0, 0);
		tally.brk_rounds++;
	}
	return bad;
}

/* Maps made and unmapped in four places, the middle page unmapped first (a split). */
static int soak_mmap(uint32_t rounds)
{
	uint32_t va[4] = { 0 }, np[4] = { 0 };
	int bad = 0;

	for (uint32_t i = 0; i < rounds + 4; i++) {
		uint32_t j = i % 4, mid;
		if (va[j]) {
			bad += bad_words(va[j], 0, np[j], 2 + j);
			mid = np[j] / 2;
			if (np[j] > 2) { /* unmap the middle page: the rest keeps its data */
				bad += unmap(va[j] + mid * PAGE_SIZE, 1) != VM_OK;
				bad += bad_words(va[j], 0, mid, 2 + j) + bad_words(va[j], mid + 1, np[j] - mid - 1, 2 + j);
				bad += unmap(va[j], mid) != VM_OK;
				bad += unmap(va[j] + (mid + 1) * PAGE_SIZE, np[j] - mid - 1) != VM_OK;
			} else {
				bad += unmap(va[j], np[j]) != VM_OK;
			}
			va[j] = 0;
		}
		if (i >= rounds)
			continue;
		np[j] = 1 + (i * 5) % 9;
		if (!(va[j] = map_anon(np[j]))) {
			bad++;
			continue;
		}
		bad += bad_words(va[j], 0, np[j], 0);
		fill(va[j], 0, np[j], 2 + j);
		tally.maps++;
	}
	return bad;
}

#define COW_PAGES 8

/* The third generation: it sees the second's writes on even pages and the first's on
 * odd ones, writes its own everywhere; its exit status counts what was wrong. */
__attribute__((noreturn)) static void cow_gen3(uint32_t va)
{
	int bad = 0;

	for (uint32_t p = 0; p < COW_PAGES; p++)
		bad += bad_words(va, p, 1, p % 2 ? 1 : 2);
	fill(va, 0, COW_PAGES, 3);
	bad += bad_words(va, 0, COW_PAGES, 3);
	child_exit(bad);
}

/* The second generation: it sees the first's data, writes even pages, forks the
 * third, and still sees its own data after the third wrote everything. */
__attribute__((noreturn)) static void cow_gen2(uint32_t va)
{
	endpoint_t c;
	int bad = bad_words(va, 0, COW_PAGES, 1), r;

	for (uint32_t p = 0; p < COW_PAGES; p += 2)
		fill(va, p, 1, 2);
	r = spawn(&c);
	if (r == 0)
		cow_gen3(va);
	bad += r < 0 || wait_child(c, 0, 0);
	for (uint32_t p = 0; p < COW_PAGES; p++)
		bad += bad_words(va, p, 1, p % 2 ? 1 : 2);
	child_exit(bad);
}

/* Copy-on-write storms over three generations on an anonymous map. */
static int soak_cow(uint32_t rounds)
{
	int bad = 0;

	for (uint32_t i = 0; i < rounds; i++) {
		endpoint_t c;
		uint32_t va = map_anon(COW_PAGES);
		int r;
		if (!va) {
			bad++;
			continue;
		}
		fill(va, 0, COW_PAGES, 1);
		r = spawn(&c);
		if (r == 0)
			cow_gen2(va);
		bad += r < 0 || wait_child(c, 0, 0);
		bad += bad_words(va, 0, COW_PAGES, 1);
		bad += unmap(va, COW_PAGES) != VM_OK;
		tally.cow_rounds++;
	}
	return bad;
}

/* The child's bad access of kind k; VM kills it before it returns. */
__attribute__((noreturn)) static void bad_access(uint32_t k)
{
	switch (k % 3) {
	case 0: /* a write where nothing is mapped */
		*(volatile uint32_t *)0x30000000u = 1;
		break;
	case 1: /* a write to its own text */
		*(volatile uint32_t *)(uintptr_t)&bad_access = 0;
		break;
	default: /* a read of kernel memory */
		(void)*(volatile uint32_t *)0x00100000u;
		break;
	}
	child_exit(99); /* not killed: the parent sees status 99 and fails */
}

static int soak_kill(uint32_t rounds)
{
	int bad = 0;

	for (uint32_t i = 0; i < rounds; i++) {
		endpoint_t c;
		int r = spawn(&c);
		if (r == 0)
			bad_access(i);
		bad += r < 0 || wait_child(c, 1, 0);
		tally.kills++;
	}
	return bad;
}

#define SHARED_PAGES 4

/* The child of the shared test: RS maps the parent's region (at va) into it; the
 * alias shows the parent's data, the child writes generation 4 through it, and its
 * own copy-on-write copy at va keeps generation 1. */
__attribute__((noreturn)) static void shared_child(endpoint_t parent, uint32_t va)
{
	message m;
	int bad = 0, r;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = SK_SHARE;
	m.u.word[0] = (uint32_t)parent;
	m.u.word[1] = va;
	m.u.word[2] = SHARED_PAGES * PAGE_SIZE;
	r = ipc_sendrec(RS_PROC_NR, &m);
	if (r != VM_OK || m.m_type != VM_OK || m.u.word[0] == 0)
		child_exit(1000 + (r != VM_OK ? 1 : (m.m_type < 0 ? -m.m_type : 0)));
	uint32_t alias = m.u.word[0];
	bad += bad_words(alias, 0, SHARED_PAGES, 1);
	fill(alias, 0, SHARED_PAGES, 4);
	bad += bad_words(alias, 0, SHARED_PAGES, 4);
	bad += bad_words(va, 0, SHARED_PAGES, 1);
	child_exit(bad);
}

static int soak_shared(uint32_t rounds)
{
	int bad = 0;

	for (uint32_t i = 0; i < rounds; i++) {
		endpoint_t c;
		uint32_t va = map_anon(SHARED_PAGES);
		int r;
		if (!va) {
			bad++;
			continue;
		}
		fill(va, 0, SHARED_PAGES, 1);
		r = spawn(&c);
		if (r == 0)
			shared_child(INIT_PROC_NR, va);
		bad += r < 0 || wait_child(c, 0, 0);
		bad += bad_words(va, 0, SHARED_PAGES, 4); /* the child's writes, in place */
		bad += unmap(va, SHARED_PAGES) != VM_OK;
		tally.shared_rounds++;
	}
	return bad;
}

/* rounds of init's exec round and signal round; the count of failed expectations. */
static int soak_exec_sig(uint32_t rounds)
{
	int bad = 0;

	for (uint32_t i = 0; i < rounds; i++) {
		bad += exec_hello_round(0) + signal_child_round(0);
		tally.exec_sig_rounds++;
	}
	return bad;
}

/* The map workload once before the baseline: maps in init's mmap range give its page
 * directory page tables there, which VM keeps (as MINIX does) until the process
 * exits, so they belong to the baseline rather than to a drift. */
static int soak_mmap(uint32_t rounds);
static void warm_up(uint32_t rounds)
{
	if (soak_mmap(rounds))
		uprintf("soak: the warm-up's maps went wrong\n");
}

int soak_run(uint32_t cycles)
{
	struct soak_mem before, after;
	uint32_t t0 = sysinfo(SI_UPTIME_MS), small = cycles < 100 ? cycles : 100;
	int drift;

	warm_up(small);
	__builtin_memset(&tally, 0, sizeof(tally));
	measure(&before);
	uprintf("soak: %u cycles, baseline %u free pages, %u of VM's own, %u slots\n", cycles, before.free,
		before.vm_own, before.slots);
	verdict("fork_exit", soak_fork_exit(cycles));
	verdict("brk", soak_brk(small));
	verdict("mmap", soak_mmap(small));
	verdict("cow", soak_cow(small / 4 + 1));
	verdict("kill", soak_kill(small / 10 + 3));
	verdict("shared", soak_shared(small / 10 + 1));
	verdict("exec_sig", soak_exec_sig(small / 10 + 1));
	measure(&after);
	drift = after.free != before.free || after.vm_own != before.vm_own || after.slots != before.slots;
	verdict("baseline", drift);
	uprintf("soak: %s: %u cycles, %u forks, %u kills, %u brk, %u maps, %u cow, %u shared, %u exec+signal; "
		"free pages %u/%u, VM's own %u/%u, slots %u/%u; %u ms\n",
		tally.failures ? "FAILED" : "OK", cycles, tally.forks, tally.kills, tally.brk_rounds, tally.maps,
		tally.cow_rounds, tally.shared_rounds, tally.exec_sig_rounds, after.free, before.free, after.vm_own, before.vm_own,
		after.slots, before.slots, sysinfo(SI_UPTIME_MS) - t0);
	return tally.failures;
}
