/* t_exit.c - VM_WILLEXIT and VM_EXIT: the two-step exit returns every resource. */
#include "helpers.h"
#include "test.h"

TEST(EXIT0001, "willexit then exit of a fresh fork answers OK twice and returns pages, slab objects, ACL entries and slots to baseline")
{
	struct baseline b;
	endpoint_t child;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(pm_willexit(child), VM_OK);
	CHECK(vmp_of(child)->flags & VMF_EXITING);
	CHECK_EQ(pm_exit_only(child), VM_OK);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(EXIT0002, "exit without willexit answers EINVAL and the process stays alive and mapped")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	endpoint_t child;
	uint32_t val, muts;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	muts = vm.mutations;
	CHECK_EQ(pm_exit_only(child), VM_EINVAL);
	CHECK_EQ(vm.mutations, muts);
	CHECK(vmp_of(child) != NULL);
	CHECK_EQ(proc_read32(child, d->vaddr, &val), VM_OK);
	CHECK(kmodel.proc[ep_slot(child)].flags & KP_INUSE);
}

TEST(EXIT0003, "exit after copy-on-write writes, mmap, munmap and brk returns everything to baseline")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t a, brk = boot_break(INIT_PROC_NR);
	struct baseline b;
	endpoint_t child;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	for (uint32_t off = 0; off < d->length; off += PAGE_SIZE)
		CHECK_EQ(proc_write32(child, d->vaddr + off, 1), VM_OK);
	CHECK_EQ(mmap_anon(child, 0, 8 * PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	for (uint32_t off = 0; off < 8 * PAGE_SIZE; off += PAGE_SIZE)
		CHECK_EQ(proc_write32(child, a + off, off), VM_OK);
	CHECK_EQ(munmap_call(child, a + 2 * PAGE_SIZE, 2 * PAGE_SIZE), VM_OK);
	CHECK_EQ(brk_call(child, brk + 4 * PAGE_SIZE), VM_OK);
	CHECK_EQ(proc_write32(child, brk + 3 * PAGE_SIZE, 3), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(EXIT0004, "after exit the slot is free in VM and the kernel and the old endpoint translates nothing")
{
	endpoint_t child;
	int32_t slot;
	uint32_t phys;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	slot = ep_slot(child);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(vm.proc[slot].flags & VMF_INUSE, 0);
	CHECK(vm.proc[slot].regions == NULL);
	CHECK_EQ(vm.proc[slot].pt.dir_phys, PHYS_NONE);
	CHECK_EQ(kmodel.proc[slot].flags & KP_INUSE, 0);
	CHECK(vmp_of(child) == NULL);
	CHECK_EQ(mmu_translate(child, TEXT_VADDR, 0, &phys), VM_ESRCH);
}

TEST(EXIT0005, "after the child exits the parent's shared pages are back to refcount 1 and writable without leaking")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t v = d->vaddr + 8, val, free_before;
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(block_at(INIT_PROC_NR, v)->refcount, 1);
	free_before = mem_free_count();
	CHECK_EQ(proc_write32(INIT_PROC_NR, v, 0x5150), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 0x5150);
	CHECK_EQ(mem_free_count(), free_before);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(EXIT0006, "a grandchild keeps the values its exited parent wrote before forking it")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t v = d->vaddr + 64, val;
	endpoint_t child, grandchild;

	CHECK_EQ(proc_write32(INIT_PROC_NR, v, 0x77), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, v, 0xCAFE), VM_OK);
	CHECK_EQ(fork_child(child, &grandchild), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(proc_read32(grandchild, v, &val), VM_OK);
	CHECK_EQ(val, 0xCAFE);
	CHECK_EQ(block_at(grandchild, v)->refcount, 1);
	CHECK_EQ(proc_write32(grandchild, v, 1), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 0x77);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(EXIT0007, "willexit and exit naming a dead, stale or out-of-range endpoint answer a bad-endpoint errno")
{
	static const endpoint_t bad[] = { 100, NR_PROCS, -1, ANY, NONE, SELF, 0x7FFFFFFF };
	uint32_t muts = vm.mutations;

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(is_bad_ep_errno(pm_willexit(bad[i])));
		CHECK(is_bad_ep_errno(pm_exit_only(bad[i])));
	}
	CHECK(is_bad_ep_errno(pm_willexit(ep_make(1, INIT_PROC_NR))));
	CHECK(is_bad_ep_errno(pm_exit_only(ep_make(1, INIT_PROC_NR))));
	CHECK_EQ(vm.mutations, muts);
	CHECK(vmp_of(INIT_PROC_NR) != NULL);
}

TEST(EXIT0008, "exiting twice: the second willexit and exit on the old endpoint fail and change nothing")
{
	struct baseline b;
	endpoint_t child;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK(is_bad_ep_errno(pm_willexit(child)));
	CHECK(is_bad_ep_errno(pm_exit_only(child)));
	CHECK_BASELINE(b);
}

TEST(EXIT0009, "a slot reused after exit gets a new endpoint and the old one stays dead")
{
	endpoint_t first, second;
	int32_t slot = free_slot();

	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &first), VM_OK);
	CHECK_EQ(pm_exit(first), VM_OK);
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &second), VM_OK);
	CHECK_EQ(ep_slot(second), slot);
	CHECK(second != first);
	CHECK(vmp_of(first) == NULL);
	CHECK(vmp_of(second) != NULL);
	CHECK(is_bad_ep_errno(pm_willexit(first)));
	CHECK(vmp_of(second) != NULL);
	CHECK_EQ(vmp_of(second)->flags & VMF_EXITING, 0);
}

TEST(EXIT0010, "a hundred fork and exit rounds leave the baseline unchanged")
{
	struct baseline b;
	endpoint_t child;

	baseline_take(&b);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
		CHECK_EQ(proc_write32(child, data_region(child)->vaddr, (uint32_t)i), VM_OK);
		CHECK_EQ(pm_exit(child), VM_OK);
	}
	CHECK_BASELINE(b);
}

TEST(EXIT0011, "exit of the parent first, then the child, returns to baseline")
{
	struct baseline b;
	endpoint_t child, grandchild;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(fork_child(child, &grandchild), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(grandchild), VM_OK);
	CHECK_BASELINE(b);
}

TEST(EXIT0012, "willexit is idempotent: a second willexit answers OK and exit still succeeds")
{
	struct baseline b;
	endpoint_t child;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(pm_willexit(child), VM_OK);
	CHECK_EQ(pm_willexit(child), VM_OK);
	CHECK_EQ(pm_exit_only(child), VM_OK);
	CHECK_BASELINE(b);
}
