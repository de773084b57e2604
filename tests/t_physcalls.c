/* t_physcalls.c - VM_GETPHYS, VM_GETREF, VM_MAP_PHYS and VM_UNMAP_PHYS. */
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE
#define DEV 0xA0000u /* inside the device window the kernel model grants MEM and TTY */

static int getphys(endpoint_t target, uint32_t addr, uint32_t *phys)
{
	message m = msg_zero();
	int r;

	m.u.getphys.endpt = target;
	m.u.getphys.addr = addr;
	r = call(RS_PROC_NR, VM_GETPHYS, &m);
	if (phys)
		*phys = m.u.getphys.ret_addr;
	return r;
}

static int getref(endpoint_t target, uint32_t addr, int32_t *refs)
{
	message m = msg_zero();
	int r;

	m.u.getref.endpt = target;
	m.u.getref.addr = addr;
	r = call(RS_PROC_NR, VM_GETREF, &m);
	if (refs)
		*refs = m.u.getref.retc;
	return r;
}

/* A child of init in the MEM slot, which the kernel lets map the device window. */
static endpoint_t mem_child(void)
{
	endpoint_t child;

	CHECK_EQ(pm_fork(INIT_PROC_NR, MEM_PROC_NR, &child), VM_OK);
	return child;
}

TEST(PHYS0001, "GETPHYS answers the physical address behind a mapped address, offset included")
{
	const struct boot_proc *bp = boot_proc_of(INIT_PROC_NR);
	uint32_t phys;

	rs_grant_all();
	CHECK_EQ(getphys(INIT_PROC_NR, bp->seg[0].vaddr + 0x123, &phys), VM_OK);
	CHECK_EQ(phys, bp->seg[0].phys + 0x123);
}

TEST(PHYS0002, "GETPHYS and GETREF of an address without a page answer EFAULT, of a bad endpoint EINVAL")
{
	uint32_t a;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(getphys(INIT_PROC_NR, a, NULL), VM_EFAULT);
	CHECK_EQ(getref(INIT_PROC_NR, a, NULL), VM_EFAULT);
	CHECK_EQ(getphys(INIT_PROC_NR, 0x1000, NULL), VM_EFAULT);
	CHECK_EQ(getphys(ep_make(2, 99), TEXT_VADDR, NULL), VM_EINVAL);
	CHECK_EQ(getref(VM_PROC_NR, TEXT_VADDR, NULL), VM_EINVAL);
}

TEST(PHYS0003, "GETREF counts sharers: 1 before fork, 2 after, 1 again after the child's write")
{
	uint32_t a = data_region(INIT_PROC_NR)->vaddr;
	endpoint_t child;
	int32_t refs;

	rs_grant_all();
	CHECK_EQ(getref(INIT_PROC_NR, a, &refs), VM_OK);
	CHECK_EQ(refs, 1);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(getref(INIT_PROC_NR, a, &refs), VM_OK);
	CHECK_EQ(refs, 2);
	CHECK_EQ(proc_write32(child, a, 7), VM_OK);
	CHECK_EQ(getref(INIT_PROC_NR, a, &refs), VM_OK);
	CHECK_EQ(refs, 1);
}

TEST(PHYS0004, "MAP_PHYS maps the device window: accesses reach that physical memory")
{
	endpoint_t child = mem_child();
	uint32_t va, v;

	CHECK_EQ(map_phys_call(child, SELF, DEV + 0x10, 2 * P, &va), VM_OK);
	CHECK_EQ(va & PAGE_MASK, 0x10);
	CHECK(va >= MMAP_BASE && va < MMAP_TOP);
	CHECK_EQ(proc_write32(child, va, 0xCAFE0001), VM_OK);
	CHECK_EQ(*(uint32_t *)(hosted_ram + DEV + 0x10), 0xCAFE0001);
	CHECK_EQ(proc_read32(child, va + P, &v), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PHYS0005, "a process the kernel does not privilege gets EPERM and an acl_deny trace")
{
	struct baseline b;

	baseline_take(&b);
	trace_capture();
	CHECK_EQ(map_phys_call(INIT_PROC_NR, SELF, DEV, P, NULL), VM_EPERM);
	CHECK(trace_count(TR_ACL_DENY) >= 1);
	CHECK_BASELINE(b);
}

TEST(PHYS0006, "bad lengths, wrapping ranges and other processes' address spaces are refused")
{
	endpoint_t child = mem_child();

	CHECK_EQ(map_phys_call(child, SELF, DEV, 0, NULL), VM_EINVAL);
	CHECK_EQ(map_phys_call(child, SELF, DEV, 0xFFFFFFFFu, NULL), VM_EINVAL); /* rounding wraps */
	CHECK_EQ(map_phys_call(child, SELF, 0xFFFFF000u, 2 * P, NULL), VM_EINVAL);
	CHECK_EQ(map_phys_call(child, INIT_PROC_NR, DEV, P, NULL), VM_EPERM);
	CHECK_EQ(map_phys_call(child, ep_make(3, 200), DEV, P, NULL), VM_EINVAL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PHYS0007, "UNMAP_PHYS removes the whole device region; it refuses anonymous memory")
{
	endpoint_t child = mem_child();
	uint32_t va, a, n = region_count(vmp_of(child));

	CHECK_EQ(map_phys_call(child, SELF, DEV, 3 * P, &va), VM_OK);
	CHECK_EQ(proc_write32(child, va + P, 1), VM_OK);
	CHECK_EQ(unmap_phys_call(child, SELF, va + 2 * P), VM_OK);
	CHECK_EQ(region_count(vmp_of(child)), n);
	CHECK_EQ(mmap_anon(child, 0, P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(unmap_phys_call(child, SELF, a), VM_EFAULT);
	CHECK_EQ(unmap_phys_call(child, SELF, 0x1000), VM_EFAULT);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PHYS0008, "device pages are shared writable after fork and never return to VM's pool")
{
	endpoint_t child = mem_child(), grand;
	uint32_t va, v;
	struct baseline b;

	CHECK_EQ(map_phys_call(child, SELF, DEV, P, &va), VM_OK);
	CHECK_EQ(proc_write32(child, va, 5), VM_OK);
	baseline_take(&b);
	CHECK_EQ(fork_child(child, &grand), VM_OK);
	CHECK_EQ(proc_write32(grand, va, 6), VM_OK);
	CHECK_EQ(proc_read32(child, va, &v), VM_OK);
	CHECK_EQ(v, 6);
	CHECK_EQ(block_at(grand, va)->flags & PBF_DEVICE, PBF_DEVICE);
	CHECK_EQ(pm_exit(grand), VM_OK);
	CHECK_BASELINE(b); /* the device page was never VM's: nothing extra comes back */
	CHECK_EQ(unmap_phys_call(child, SELF, va), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PHYS0009, "UNMAP_PHYS of an address that is not page-aligned answers EFAULT and leaves the device region whole")
{
	endpoint_t child = mem_child();
	uint32_t va, v, muts;

	CHECK_EQ(map_phys_call(child, SELF, DEV, 2 * P, &va), VM_OK);
	CHECK_EQ(proc_write32(child, va + P, 7), VM_OK);
	muts = vm.mutations;
	CHECK_EQ(unmap_phys_call(child, SELF, va + 4), VM_EFAULT);
	CHECK_EQ(unmap_phys_call(child, SELF, va + P + 0xFFF), VM_EFAULT);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(region_find(vmp_of(child), va)->length, 2 * P);
	CHECK_EQ(proc_read32(child, va + P, &v), VM_OK);
	CHECK_EQ(v, 7);
	CHECK_EQ(unmap_phys_call(child, SELF, va + P), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PHYS0010, "MAP_PHYS of 2 GiB or more that stays below 4 GiB gets the kernel's answer (EPERM) like any length; a range past 4 GiB is EINVAL")
{
	endpoint_t child = mem_child();
	uint32_t n = region_count(vmp_of(child)), muts = vm.mutations;

	trace_capture();
	CHECK_EQ(map_phys_call(child, SELF, DEV, 0x80000000u, NULL), VM_EPERM);
	CHECK_EQ(map_phys_call(child, SELF, 0x80000000u, 0x80000000u, NULL), VM_EPERM); /* ends at 4 GiB exactly */
	CHECK_EQ(map_phys_call(child, SELF, 0, 0xFFFFF000u, NULL), VM_EPERM);
	CHECK_EQ(trace_count(TR_ACL_DENY), 3); /* each one asked the kernel */
	CHECK_EQ(map_phys_call(child, SELF, 0x80001000u, 0x80000000u, NULL), VM_EINVAL);
	CHECK_EQ(map_phys_call(child, SELF, 0x10, 0xFFFFFFF0u, NULL), VM_EINVAL);   /* offset + len wraps */
	CHECK_EQ(map_phys_call(child, SELF, 0, 0xFFFFF001u, NULL), VM_EINVAL);      /* rounding wraps */
	CHECK_EQ(trace_count(TR_ACL_DENY), 3);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(region_count(vmp_of(child)), n);
}
