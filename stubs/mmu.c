/* mmu.c - an i386 MMU walker over the page tables VM wrote into RAM, and user
 * memory accesses that turn a miss into a kernel VM_PAGEFAULT for VM.
 *
 * Real two-level format: a PDE with PDE_PS maps a 4 MiB page, otherwise it points
 * to a page table.  A user access needs PTE_U at both levels, a write needs PTE_W
 * at both levels (CR0.WP semantics).  The walker never sets the accessed or dirty
 * bits: the sanity checker compares PTEs with what VM wrote.  A table or page frame
 * outside the simulated RAM behaves as not present. */
#include <string.h>
#include "stubs.h"

/* The 32-bit entry idx of the table page at phys, or 0 when phys is not in RAM. */
static uint32_t read_entry(uint32_t table, uint32_t idx)
{
	uint32_t v;

	if (!ram_range_ok(table, PAGE_SIZE))
		return 0;
	memcpy(&v, ram_view(table + idx * 4), 4);
	return v;
}

/* Error code for a denied access: PFERR_USER, PFERR_WRITE for writes, and
 * PFERR_PRESENT when the page was present but its bits refused the access. */
static int pf_code(int write, int present)
{
	return PFERR_USER | (write ? PFERR_WRITE : 0) | (present ? PFERR_PRESENT : 0);
}

/* True when flags of one level allow the access. */
static int level_allows(uint32_t e, int write)
{
	return (e & PTE_U) && (!write || (e & PTE_W));
}

int mmu_walk(const struct kproc *kp, uint32_t vaddr, int write, uint32_t *phys)
{
	uint32_t pde, pte, frame;

	if (!kp || kp->pdir == 0)
		return pf_code(write, 0);
	pde = read_entry(kp->pdir, vaddr >> 22);
	if (!(pde & PTE_P))
		return pf_code(write, 0);
	if (pde & PDE_PS) {
		frame = (pde & 0xFFC00000u) | (vaddr & (BIG_PAGE_SIZE - 1));
		if (!level_allows(pde, write))
			return pf_code(write, 1);
		if (!ram_range_ok(frame, 1))
			return pf_code(write, 0);
		*phys = frame;
		return VM_OK;
	}
	if (!ram_range_ok(pde & PTE_ADDR_MASK, PAGE_SIZE))
		return pf_code(write, 0);
	pte = read_entry(pde & PTE_ADDR_MASK, (vaddr >> PAGE_SHIFT) & (PTE_ENTRIES - 1));
	if (!(pte & PTE_P))
		return pf_code(write, 0);
	if (!level_allows(pde, write) || !level_allows(pte, write))
		return pf_code(write, 1);
	frame = (pte & PTE_ADDR_MASK) | (vaddr & PAGE_MASK);
	if (!ram_range_ok(frame, 1))
		return pf_code(write, 0);
	*phys = frame;
	return VM_OK;
}

int mmu_translate(endpoint_t ep, uint32_t vaddr, int write, uint32_t *phys)
{
	struct kproc *kp = kproc_live(ep);

	if (!kp)
		return VM_ESRCH;
	return mmu_walk(kp, vaddr, write, phys);
}

/* Deliver a fault of ep at vaddr to VM as the kernel does and let VM run. */
static void deliver_fault(struct kproc *kp, endpoint_t ep, uint32_t vaddr, int code)
{
	message m;

	kp->flags |= KP_PAGEFAULT;
	memset(&m, 0, sizeof m);
	m.m_source = ep;
	m.m_type = VM_PAGEFAULT;
	m.u.pagefault.addr = vaddr;
	m.u.pagefault.flags = (uint32_t)code;
	feed_push(&m, IPC_FLG_MSG_FROM_KERNEL);
	feed_drain();
}

/* Translate vaddr for a user access of ep, faulting to VM and retrying up to
 * MMU_RETRY_MAX times.  VM_OK with *phys; VM_EINVAL for a misaligned address or
 * VM itself (it runs on the host and never faults);
 * VM_ESRCH for a dead endpoint; VM_EFAULT when the process is killed or stopped,
 * dies, is left blocked on its fault, or still misses after the retries. */
static int user_access(endpoint_t ep, uint32_t vaddr, int write, uint32_t *phys)
{
	struct kproc *kp = kproc_live(ep);

	if ((vaddr & 3) || ep_slot(ep) == VM_PROC_NR)
		return VM_EINVAL;
	if (!kp)
		return VM_ESRCH;
	for (int tries = 0;; tries++) {
		int code;

		if ((kp->flags & (KP_KILLED | KP_STOPPED | KP_PAGEFAULT)) || kp != kproc_live(ep))
			return VM_EFAULT;
		code = mmu_walk(kp, vaddr, write, phys);
		if (code == VM_OK)
			return VM_OK;
		if (tries == MMU_RETRY_MAX)
			return VM_EFAULT;
		deliver_fault(kp, ep, vaddr, code);
	}
}

int proc_read32(endpoint_t ep, uint32_t vaddr, uint32_t *val)
{
	uint32_t phys;
	int r = user_access(ep, vaddr, 0, &phys);

	if (r == VM_OK)
		memcpy(val, ram_view(phys), 4);
	return r;
}

int proc_write32(endpoint_t ep, uint32_t vaddr, uint32_t val)
{
	uint32_t phys;
	int r = user_access(ep, vaddr, 1, &phys);

	if (r == VM_OK)
		memcpy(phys_ptr(phys, 4), &val, 4);
	return r;
}
