/* t_procctl.c - VM_PROCCTL (CLEAR, HANDLEMEM) and VM_GETRUSAGE. */
#include "helpers.h"
#include "test.h"
#include "vm_info.h"

#define P PAGE_SIZE

TEST(PCTL0001, "CLEAR from VFS empties a child's address space and returns its pages; the slot stays")
{
	endpoint_t child;
	struct baseline b;
	uint32_t v;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, data_region(INIT_PROC_NR)->vaddr, 9), VM_OK);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_CLEAR, child, 0, 0, 0), VM_OK);
	CHECK_EQ(region_count(vmp_of(child)), 0);
	CHECK(proc_read32(child, TEXT_VADDR, &v) != VM_OK); /* nothing is mapped: SIGSEGV */
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
}

TEST(PCTL0002, "CLEAR whose new page directory cannot be made or installed changes nothing")
{
	endpoint_t child;
	uint32_t n;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	n = region_count(vmp_of(child));
	fault_fail_nth(FS_PT_NEW, 1);
	CHECK_EQ(procctl_call(RS_PROC_NR, VMPPARAM_CLEAR, child, 0, 0, 0), VM_ENOMEM);
	fault_fail_nth(FS_KC_ADDRSPACE, 1);
	CHECK_EQ(procctl_call(RS_PROC_NR, VMPPARAM_CLEAR, child, 0, 0, 0), VM_ENOMEM);
	CHECK_EQ(region_count(vmp_of(child)), n);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PCTL0003, "HANDLEMEM from VFS makes a range present and writable; from RS or init it is EPERM")
{
	uint32_t a, phys;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(procctl_call(RS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, a, 3 * P, 1), VM_EPERM);
	CHECK_EQ(procctl_call(INIT_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, a, 3 * P, 1), VM_ECALLDENIED);
	CHECK(mmu_translate(INIT_PROC_NR, a, 1, &phys) != VM_OK);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, a + 0x10, 2 * P, 1), VM_OK);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, a, 1, &phys), VM_OK);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, a + 2 * P, 1, &phys), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(PCTL0004, "HANDLEMEM of an unmapped or read-only range is EFAULT, a bad param or target EINVAL")
{
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, 0x1000, P, 0), VM_EFAULT);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, TEXT_VADDR, P, 1), VM_EFAULT);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, 0xFFFFF000u, 0x2000, 0), VM_EFAULT);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, TEXT_VADDR, P, 0), VM_OK);
	CHECK_EQ(procctl_call(VFS_PROC_NR, 0, INIT_PROC_NR, 0, 0, 0), VM_EINVAL);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_CLEAR, ep_make(4, 77), 0, 0, 0), VM_EINVAL);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_CLEAR, VM_PROC_NR, 0, 0, 0), VM_EINVAL);
}

TEST(PCTL0005, "GETRUSAGE writes maxrss and fault counts into PM's buffer")
{
	uint32_t buf = data_region(PM_PROC_NR)->vaddr + 0x200, v, a;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 1), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + P, 1), VM_OK);
	CHECK_EQ(getrusage_call(PM_PROC_NR, INIT_PROC_NR, buf), VM_OK);
	CHECK_EQ(proc_read32(PM_PROC_NR, buf, &v), VM_OK);
	CHECK_EQ(v, proc_backed_pages(vmp_of(INIT_PROC_NR)) * (PAGE_SIZE / 1024));
	CHECK_EQ(proc_read32(PM_PROC_NR, buf + 4, &v), VM_OK);
	CHECK_EQ(v, vmp_of(INIT_PROC_NR)->minflt);
	CHECK(v >= 2);
}

TEST(PCTL0006, "GETRUSAGE from anyone but PM is EPERM with an acl_deny trace; a dead target ESRCH")
{
	uint32_t buf = data_region(PM_PROC_NR)->vaddr + 0x200;

	trace_capture();
	CHECK_EQ(getrusage_call(INIT_PROC_NR, INIT_PROC_NR, data_region(INIT_PROC_NR)->vaddr), VM_EPERM);
	CHECK_EQ(trace_count(TR_ACL_DENY), 1);
	CHECK_EQ(getrusage_call(PM_PROC_NR, ep_make(1, 90), buf), VM_ESRCH);
	CHECK_EQ(getrusage_call(PM_PROC_NR, INIT_PROC_NR, 0x1000), VM_EFAULT);
}

TEST(PCTL0007, "HANDLEMEM of 2 GiB or more walks the range like any length: pages are made present up to the first one in no region (EFAULT)")
{
	uint32_t a, phys;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30000000, 2 * P, PROT_RW, MAP_FIXED, &a), VM_OK);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, a, 0x80000000u, 1), VM_EFAULT);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, a, 1, &phys), VM_OK);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, a + P, 1, &phys), VM_OK);
	CHECK_EQ(procctl_call(VFS_PROC_NR, VMPPARAM_HANDLEMEM, INIT_PROC_NR, 0x30000000, 0xD0000001u, 0), VM_EFAULT); /* wraps */
	CHECK_EQ(sanity_check(), SAN_OK);
}
