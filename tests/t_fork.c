/* t_fork.c - VM_FORK: a copy-on-write copy of the parent's address space. */
#include "helpers.h"
#include "test.h"

TEST(FORK0001, "fork from PM answers OK with the child endpoint in the requested slot, live in VM and the kernel")
{
	int32_t slot = free_slot();
	endpoint_t child = -1;
	struct vmproc *vmp;

	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &child), VM_OK);
	CHECK_EQ(ep_slot(child), slot);
	vmp = vmp_of(child);
	CHECK(vmp != NULL);
	CHECK_EQ(vmp->slot, slot);
	CHECK(vmp->flags & VMF_INUSE);
	CHECK_EQ(vmp->flags & VMF_EXITING, 0);
	CHECK(kmodel.proc[slot].flags & KP_INUSE);
	CHECK_EQ(kmodel.proc[slot].endpt, child);
	CHECK_EQ(kmodel.proc[slot].flags & KP_STOPPED, 0);
	CHECK(vmp->pt.dir_phys != PHYS_NONE);
	CHECK_EQ(kmodel.proc[slot].pdir, vmp->pt.dir_phys);
	CHECK(vmp->pt.dir_phys != vm.proc[INIT_PROC_NR].pt.dir_phys);
	CHECK(pt_kernel_intact(&vmp->pt));
	CHECK_EQ(replies_to(PM_PROC_NR), 1);
}

TEST(FORK0002, "the child has the parent's regions: same count, addresses, lengths and flags")
{
	endpoint_t child;
	struct vmproc *p = &vm.proc[INIT_PROC_NR], *c;
	struct vir_region *rp, *rc;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	c = vmp_of(child);
	CHECK_EQ(region_count(c), region_count(p));
	for (rp = region_first(p), rc = region_first(c); rp && rc;
	     rp = region_next(p, rp), rc = region_next(c, rc)) {
		CHECK_EQ(rc->vaddr, rp->vaddr);
		CHECK_EQ(rc->length, rp->length);
		CHECK_EQ(rc->flags, rp->flags);
		CHECK_EQ(rc->slot, ep_slot(child));
		CHECK(rc != rp);
	}
	CHECK(rp == NULL && rc == NULL);
}

/* Check that every backed page of the parent is shared with the child with refcount
 * refs and that the parent maps it read-only. */
static void check_shared(endpoint_t parent, endpoint_t child, uint32_t refs)
{
	struct vmproc *p = vmp_of(parent);
	uint32_t shared = 0;

	for (struct vir_region *r = region_first(p); r; r = region_next(p, r)) {
		for (uint32_t i = 0; i < r->length / PAGE_SIZE; i++) {
			uint32_t v = r->vaddr + i * PAGE_SIZE, pp;

			if (!region_page(r, i))
				continue;
			CHECK(block_at(child, v) == region_page(r, i)->ph);
			CHECK_EQ(region_page(r, i)->ph->refcount, refs);
			CHECK_EQ(mmu_translate(parent, v, 0, &pp), VM_OK);
			CHECK_EQ(pp, region_page(r, i)->ph->phys);
			CHECK(mmu_translate(parent, v, 1, &pp) > 0);
			shared++;
		}
	}
	CHECK(shared > 0);
}

/* Check that the child's page table maps every page backed in the parent read-only,
 * at the shared physical page, without any page fault. */
static void check_child_mapped_ro(endpoint_t parent, endpoint_t child)
{
	struct vmproc *p = vmp_of(parent);

	for (struct vir_region *r = region_first(p); r; r = region_next(p, r)) {
		for (uint32_t i = 0; i < r->length / PAGE_SIZE; i++) {
			uint32_t v = r->vaddr + i * PAGE_SIZE, cp;

			if (!region_page(r, i))
				continue;
			CHECK_EQ(mmu_translate(child, v, 0, &cp), VM_OK);
			CHECK_EQ(cp, region_page(r, i)->ph->phys);
			CHECK(mmu_translate(child, v, 1, &cp) > 0);
		}
	}
}

TEST(FORK0003, "after fork every page backed in the parent is shared with the child, refcount 2, and read-only in the parent")
{
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	check_shared(INIT_PROC_NR, child, 2);
}

TEST(FORK0016, "right after fork the child's page table maps every shared page read-only at the parent's physical page")
{
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	check_child_mapped_ro(INIT_PROC_NR, child);
}

TEST(FORK0004, "fork allocates no user page: the child's backed pages are exactly the parent's")
{
	endpoint_t child;
	uint32_t before = proc_backed_pages(&vm.proc[INIT_PROC_NR]);

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_backed_pages(vmp_of(child)), before);
	CHECK_EQ(proc_backed_pages(&vm.proc[INIT_PROC_NR]), before);
}

TEST(FORK0005, "a write in the child after fork copies the page: the parent keeps its value, refcounts drop to 1")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t v = d->vaddr + 16, orig, val;
	struct phys_block *shared;
	endpoint_t child;

	CHECK_EQ(proc_write32(INIT_PROC_NR, v, 0x11111111), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &orig), VM_OK);
	CHECK_EQ(orig, 0x11111111);
	shared = block_at(child, v);
	CHECK_EQ(shared->refcount, 2);

	CHECK_EQ(proc_write32(child, v, 0x22222222), VM_OK);
	CHECK_EQ(proc_read32(child, v, &val), VM_OK);
	CHECK_EQ(val, 0x22222222);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 0x11111111);
	CHECK(block_at(child, v) != block_at(INIT_PROC_NR, v));
	CHECK_EQ(block_at(child, v)->refcount, 1);
	CHECK_EQ(block_at(INIT_PROC_NR, v)->refcount, 1);
	CHECK(block_at(child, v)->phys != block_at(INIT_PROC_NR, v)->phys);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(FORK0006, "a copy-on-write copy carries the whole page: other words of the page keep the parent's values")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t v = d->vaddr, val;
	endpoint_t child;

	for (uint32_t off = 0; off < PAGE_SIZE; off += 512)
		CHECK_EQ(proc_write32(INIT_PROC_NR, v + off, 0xA0000000 | off), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, v + 4, 0xBEEF), VM_OK);
	for (uint32_t off = 0; off < PAGE_SIZE; off += 512) {
		CHECK_EQ(proc_read32(child, v + off, &val), VM_OK);
		CHECK_EQ(val, 0xA0000000 | off);
	}
}

TEST(FORK0007, "a write in the parent after fork is invisible to the child")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t v = d->vaddr + 32, val;
	endpoint_t child;

	CHECK_EQ(proc_write32(INIT_PROC_NR, v, 5), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, v, 6), VM_OK);
	CHECK_EQ(proc_read32(child, v, &val), VM_OK);
	CHECK_EQ(val, 5);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 6);
	/* The child, now sole owner of the old page, may write it. */
	CHECK_EQ(proc_write32(child, v, 7), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 6);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(FORK0008, "a fork of a forked child shares never-written pages three ways (refcount 3)")
{
	endpoint_t child, grandchild;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(fork_child(child, &grandchild), VM_OK);
	CHECK(grandchild != child);
	check_shared(INIT_PROC_NR, grandchild, 3);
	check_shared(child, grandchild, 3);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(FORK0009, "anonymous memory mapped before fork is copy-on-write shared, and untouched pages stay unbacked in both")
{
	uint32_t a, val;
	endpoint_t child;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 3 * PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 0x1234), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK(block_at(child, a) == block_at(INIT_PROC_NR, a));
	CHECK_EQ(block_at(child, a)->refcount, 2);
	CHECK(block_at(child, a + PAGE_SIZE) == NULL);
	CHECK_EQ(proc_read32(child, a, &val), VM_OK);
	CHECK_EQ(val, 0x1234);
	CHECK_EQ(proc_read32(child, a + PAGE_SIZE, &val), VM_OK);
	CHECK_EQ(val, 0);
	CHECK_EQ(proc_write32(child, a + 2 * PAGE_SIZE, 9), VM_OK);
	CHECK(block_at(INIT_PROC_NR, a + 2 * PAGE_SIZE) == NULL);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a + 2 * PAGE_SIZE, &val), VM_OK);
	CHECK_EQ(val, 0);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(FORK0010, "fork into a slot already in use is refused and changes nothing")
{
	struct baseline b;
	uint32_t muts = vm.mutations;

	baseline_take(&b);
	CHECK(is_errno(pm_fork(INIT_PROC_NR, VFS_PROC_NR, NULL)));
	CHECK(is_errno(pm_fork(INIT_PROC_NR, INIT_PROC_NR, NULL)));
	CHECK(is_errno(pm_fork(INIT_PROC_NR, VM_PROC_NR, NULL)));
	CHECK_BASELINE(b);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(vm.proc[VFS_PROC_NR].endpt, VFS_PROC_NR);
}

TEST(FORK0011, "fork into an out-of-range slot answers EINVAL and changes nothing")
{
	static const int32_t bad[] = { -1, -5, NR_PROCS, NR_PROCS + 1, SELF, 0x7FFFFFFF, (int32_t)0x80000000 };
	struct baseline b;
	uint32_t muts = vm.mutations;

	baseline_take(&b);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ(pm_fork(INIT_PROC_NR, bad[i], NULL), VM_EINVAL);
	CHECK_BASELINE(b);
	CHECK_EQ(vm.mutations, muts);
}

TEST(FORK0012, "fork of a parent that is not a live endpoint is refused with a bad-endpoint errno and changes nothing")
{
	static const endpoint_t bad[] = { 100, NR_PROCS, -1, ANY, NONE, SELF };
	struct baseline b;
	uint32_t muts = vm.mutations;
	int32_t slot = free_slot();

	baseline_take(&b);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(is_bad_ep_errno(pm_fork(bad[i], slot, NULL)));
	CHECK(is_bad_ep_errno(pm_fork(ep_make(1, INIT_PROC_NR), slot, NULL)));
	CHECK_BASELINE(b);
	CHECK_EQ(vm.mutations, muts);
}

TEST(FORK0013, "a forked child passes sanity, and after copy-on-write writes on both sides too")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	for (uint32_t off = 0; off < d->length; off += PAGE_SIZE) {
		CHECK_EQ(proc_write32(child, d->vaddr + off, off), VM_OK);
		CHECK_EQ(proc_write32(INIT_PROC_NR, d->vaddr + off, ~off), VM_OK);
	}
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(FORK0014, "a forked child of init shares the user ACL entry and takes no new ACL entry")
{
	endpoint_t child;
	uint32_t entries = acl_entries_in_use();

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(vmp_of(child)->acl, USER_ACL);
	CHECK_EQ(acl_entries_in_use(), entries);
}

TEST(FORK0015, "fork fills every free slot, and the next fork into a used slot fails without leaking")
{
	endpoint_t child;
	int32_t slot;
	int n = 0;
	struct baseline b;

	while ((slot = free_slot()) >= 0) {
		CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &child), VM_OK);
		n++;
	}
	CHECK_EQ(n, NR_PROCS - (AGENT_PROC_NR + 1));
	CHECK_EQ(sanity_check(), SAN_OK);
	baseline_take(&b);
	CHECK(is_errno(pm_fork(INIT_PROC_NR, NR_PROCS - 1, NULL)));
	CHECK_BASELINE(b);
}

/* Fork with the n-th hit of site failing, for n = 1, 2, ... until a fork no longer
 * reaches the n-th hit.  A failed fork must leave no trace; a later fork must work. */
static void fork_under_faults(enum fault_site site)
{
	for (uint32_t n = 1; n < 200; n++) {
		struct baseline b;
		endpoint_t child;
		int32_t slot;
		int r, fired;

		hosted_restore();
		baseline_take(&b);
		slot = free_slot();
		fault_fail_nth(site, n);
		r = pm_fork(INIT_PROC_NR, slot, &child);
		fired = fault_fired();
		fault_fail_nth(site, 0);
		CHECK(is_legal_reply(r));
		CHECK_EQ(sanity_check(), SAN_OK);
		if (r != VM_OK) {
			CHECK(fired);
			CHECK_BASELINE(b);
			CHECK_EQ(vm.proc[slot].flags & VMF_INUSE, 0);
			CHECK_EQ(kmodel.proc[slot].flags & KP_INUSE, 0);
			CHECK(free_slot() == slot);
			CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &child), VM_OK);
		}
		CHECK_EQ(proc_write32(child, data_region(child)->vaddr, n), VM_OK);
		CHECK_EQ(pm_exit(child), VM_OK);
		CHECK_BASELINE(b);
		if (!fired)
			return;
	}
	CHECK(0); /* a fork never hits a site 200 times */
}

TEST(FORK0017, "a fork failing at any page, slab, page-table or kernel-call fault site answers an errno and leaves no trace")
{
	fork_under_faults(FS_PAGE_ALLOC);
	fork_under_faults(FS_SLAB_ALLOC);
	fork_under_faults(FS_PT_NEW);
	fork_under_faults(FS_PT_PAGE);
	fork_under_faults(FS_REGION_PAGES);
	fork_under_faults(FS_KC_FORK);
	fork_under_faults(FS_KC_ADDRSPACE);
}

TEST(FORK0018, "a copy-on-write fault that cannot get a page kills the writer and leaks nothing")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t val, before;
	struct baseline b;
	endpoint_t child;

	CHECK_EQ(proc_read32(INIT_PROC_NR, d->vaddr, &before), VM_OK);
	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	fault_fail_nth(FS_PAGE_ALLOC, 1);
	CHECK_EQ(proc_write32(child, d->vaddr, 0xDEAD), VM_EFAULT);
	CHECK(fault_fired());
	fault_fail_nth(FS_PAGE_ALLOC, 0);
	CHECK(kmodel.proc[ep_slot(child)].flags & KP_KILLED);
	CHECK_EQ(block_at(child, d->vaddr)->refcount, 2);
	CHECK_EQ(proc_read32(INIT_PROC_NR, d->vaddr, &val), VM_OK);
	CHECK_EQ(val, before);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
}
