/* snapshot.c - many inputs per boot in the fuzz image (KERNEL_FUZZ only), the way
 * snapshot fuzzers do it: the agent takes a snapshot once, while VM waits for its
 * first message, and restores it after every input, so each input meets the VM, the
 * pool and the process table of the boot.
 *
 * What is kept: a copy of the physical range [lo, hi) (VM's segments, stack and page
 * tables, then its pool with the boot processes' pages; the agent's memory inside it
 * is left alone) and of the process table.  What is restored: only the pages written
 * since.  VM writes through its own page tables, whose window onto RAM is made of
 * 4 KiB pages in the fuzz image (kernel/boot.c), so the CPU's dirty bits name every
 * page VM wrote; the kernel's own writes into the range (message copies, the agent's
 * accesses) are marked in a bitmap by memory.c and fuzz.c.  The fault engine, VM's
 * death and the counters VM last reported are reset with them.  With "snapcheck" on
 * the kernel command line every restore is checked against the whole copy. */
#include "kernel.h"

#define sn (&k.fz.snap)

/* A page of the range that a restore puts back. */
static int restorable(uint32_t phys)
{
	return phys >= sn->lo && phys < sn->hi && !(phys >= sn->agent_lo && phys < sn->agent_hi);
}

void snap_kernel_wrote(uint32_t phys, uint32_t len)
{
	if (!sn->taken || len == 0)
		return;
	for (uint32_t a = phys & ~PAGE_MASK; a < phys + len; a += PAGE_SIZE)
		if (restorable(a)) {
			uint32_t i = (a - sn->lo) >> PAGE_SHIFT;
			sn->kdirty[i / 32] |= 1u << (i % 32);
		}
}

/* Put page phys back as it was when the snapshot was taken. */
static void restore_page(uint32_t phys)
{
	__builtin_memcpy((void *)phys, (const void *)(sn->copy + (phys - sn->lo)), PAGE_SIZE);
	sn->pages_restored++;
}

/* Clear the dirty bits of VM's page tables (and the accessed bits of its directory,
 * which let the next sweep skip page tables VM did not use); with restore, put back
 * every page of the range that was dirty. */
static void sweep_vm(int restore)
{
	uint32_t *pd = (uint32_t *)k.vm->cr3;

	for (uint32_t i = 0; i < PDE_ENTRIES; i++) {
		uint32_t pde = pd[i];
		if (!(pde & PTE_P) || (pde & PDE_PS) || !(pde & PTE_A))
			continue;
		pd[i] = pde & ~PTE_A;
		uint32_t *pt = (uint32_t *)(pde & PTE_ADDR_MASK);
		for (uint32_t j = 0; j < PTE_ENTRIES; j++) {
			if (!(pt[j] & PTE_D))
				continue;
			pt[j] &= ~PTE_D;
			if (restore && restorable(pt[j] & PTE_ADDR_MASK))
				restore_page(pt[j] & PTE_ADDR_MASK);
		}
	}
}

/* Put back the pages the kernel wrote and forget them. */
static void sweep_kernel(void)
{
	for (uint32_t w = 0; w < SNAP_MAX_PAGES / 32; w++) {
		while (sn->kdirty[w]) {
			uint32_t b = (uint32_t)__builtin_ctz(sn->kdirty[w]);
			sn->kdirty[w] &= ~(1u << b);
			restore_page(sn->lo + (w * 32 + b) * PAGE_SIZE);
		}
	}
}

/* FZS_TAKE: VM waits for a message; keep the range and the process table. */
static int take(void)
{
	const struct proc *vm = k.vm;
	uint32_t len = sn->hi - sn->lo, table = (uint32_t)sizeof(k.proc);

	if (sn->taken || k.fz.busy || !(vm->rts & RTS_RECEIVING) || vm->getfrom != ANY || (vm->rts & RTS_FZ_DEAD))
		return VM_EBUSY;
	if (len / PAGE_SIZE > SNAP_MAX_PAGES)
		return VM_ENOMEM;
	sn->copy = (sn->hi + PAGE_MASK) & ~PAGE_MASK;
	if (palloc_top() < sn->copy || palloc_top() - sn->copy < len + table)
		return VM_ENOMEM;
	sweep_vm(0);
	write_cr3(read_cr3());
	__builtin_memset(sn->kdirty, 0, sizeof(sn->kdirty));
	__builtin_memcpy((void *)sn->copy, (const void *)sn->lo, len);
	sn->procs = (struct proc *)(sn->copy + len);
	__builtin_memcpy(sn->procs, k.proc, table);
	sn->mutations = k.fz.mutations;
	sn->free_pages = k.fz.free_pages;
	sn->dead = k.fz.dead;
	sn->taken = 1;
	return VM_OK;
}

/* True when page phys is VM's page directory or one of its page tables. */
static int vm_paging_page(uint32_t phys)
{
	const uint32_t *pd = (const uint32_t *)k.vm->cr3;

	if (phys == k.vm->cr3)
		return 1;
	for (uint32_t i = 0; i < PDE_ENTRIES; i++)
		if ((pd[i] & PTE_P) && !(pd[i] & PDE_PS) && (pd[i] & PTE_ADDR_MASK) == phys)
			return 1;
	return 0;
}

/* The check of "snapcheck" on the command line: after a restore, every page of the
 * range equals its copy (VM's paging structures up to the accessed bits the CPU
 * sets); the number of pages that differ, each named on the console. */
static uint32_t verify(void)
{
	uint32_t bad = 0;

	for (uint32_t a = sn->lo; a < sn->hi; a += PAGE_SIZE) {
		const uint32_t *now = (const uint32_t *)a, *was = (const uint32_t *)(sn->copy + (a - sn->lo));
		uint32_t mask = vm_paging_page(a) ? ~PTE_A : ~0u;
		if (!restorable(a))
			continue;
		for (uint32_t w = 0; w < PAGE_SIZE / 4; w++)
			if ((now[w] & mask) != (was[w] & mask)) {
				kprintf("snapshot: page 0x%x differs after restore (word %u)\n", a, w);
				bad++;
				break;
			}
	}
	return bad;
}

/* FZS_RESTORE: the boot state again, for the next input. */
static int restore(void)
{
	struct fz_state *fz = &k.fz;

	if (!sn->taken)
		return VM_EINVAL;
	if (fz->busy)
		return VM_EBUSY;
	sweep_vm(1);
	sweep_kernel();
	write_cr3(read_cr3());
	__builtin_memcpy(k.proc, sn->procs, sizeof(k.proc));
	fz->mutations = sn->mutations;
	fz->free_pages = sn->free_pages;
	fz->dead = sn->dead;
	fz->counting = 0;
	fz->nrules = 0;
	fz->fail_sends = 0;
	__builtin_memset(fz->hits, 0, sizeof(fz->hits));
	sn->restores++;
	return sn->verify && verify() ? VM_EIO : VM_OK;
}

/* FZ_SNAP(op): take or restore; out = the pages restored so far. */
int kc_fz_snap(struct proc *caller, struct kargs *x)
{
	int r;

	(void)caller;
	r = x->a == FZS_TAKE ? take() : x->a == FZS_RESTORE ? restore() : VM_EINVAL;
	x->out = sn->pages_restored;
	return r;
}
