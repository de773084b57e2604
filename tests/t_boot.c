/* t_boot.c - what vm_boot() builds: process table, page tables, regions, ACLs. */
#include "helpers.h"
#include "test.h"

/* The user boot processes and the system ones, as in include/boot_table.h. */
static const int32_t boot_slots[] = { PM_PROC_NR, VFS_PROC_NR, RS_PROC_NR, INIT_PROC_NR, AGENT_PROC_NR };
#define NBOOT ((int)(sizeof boot_slots / sizeof boot_slots[0]))

TEST(BOOT0001, "every boot process is live in VM with generation 0, so its endpoint equals its slot")
{
	CHECK(vm.booted);
	for (int i = 0; i < NBOOT; i++) {
		struct vmproc *vmp = &vm.proc[boot_slots[i]];

		CHECK(vmp->flags & VMF_INUSE);
		CHECK_EQ(vmp->endpt, boot_slots[i]);
		CHECK_EQ(vmp->slot, boot_slots[i]);
		CHECK(vmp_of(boot_slots[i]) == vmp);
	}
	CHECK_EQ(vm.self, VM_PROC_NR);
}

TEST(BOOT0002, "no slot beyond the boot processes is in use after boot")
{
	for (int32_t s = AGENT_PROC_NR + 1; s < NR_PROCS; s++) {
		CHECK_EQ(vm.proc[s].flags & VMF_INUSE, 0);
		CHECK_EQ(kmodel.proc[s].flags & KP_INUSE, 0);
	}
	for (int32_t s = MEM_PROC_NR; s < VM_PROC_NR; s++)
		CHECK_EQ(vm.proc[s].flags & VMF_INUSE, 0);
}

TEST(BOOT0003, "the kernel's boot description lists every boot process except VM with its segments and stack")
{
	const struct boot_info *bi = boot_info();

	CHECK_EQ(bi->nprocs, (uint32_t)NBOOT);
	for (int i = 0; i < NBOOT; i++) {
		const struct boot_proc *bp = boot_proc_of(boot_slots[i]);

		CHECK(bp != NULL);
		CHECK_EQ(bp->endpt, boot_slots[i]);
		CHECK(bp->nsegs >= 1);
		CHECK(bp->stack_size > 0);
	}
	CHECK(boot_proc_of(VM_PROC_NR) == NULL);
}

/* Check every page of one segment of ep: translated to seg phys + offset,
 * writable exactly when the segment is. */
static void check_segment(endpoint_t ep, const struct boot_seg *seg)
{
	uint32_t npages = (seg->memsz + PAGE_MASK) / PAGE_SIZE;

	CHECK_EQ(seg->vaddr & PAGE_MASK, 0);
	CHECK_EQ(seg->phys & PAGE_MASK, 0);
	for (uint32_t p = 0; p < npages; p++) {
		uint32_t v = seg->vaddr + p * PAGE_SIZE, phys = 0, wphys = 0;
		int wr;

		CHECK_EQ(mmu_translate(ep, v, 0, &phys), VM_OK);
		CHECK_EQ(phys, seg->phys + p * PAGE_SIZE);
		wr = mmu_translate(ep, v, 1, &wphys);
		if (seg->flags & SEG_W) {
			CHECK_EQ(wr, VM_OK);
			CHECK_EQ(wphys, phys);
		} else {
			CHECK(wr > 0);
			CHECK(wr & PFERR_PRESENT);
			CHECK(wr & PFERR_WRITE);
		}
	}
}

TEST(BOOT0004, "boot page tables map every page of every boot segment at its physical address, text read-only and data writable")
{
	const struct boot_info *bi = boot_info();

	for (uint32_t i = 0; i < bi->nprocs; i++) {
		const struct boot_proc *bp = &bi->proc[i];

		for (uint32_t s = 0; s < bp->nsegs; s++)
			check_segment(bp->endpt, &bp->seg[s]);
	}
}

TEST(BOOT0005, "every boot segment is covered by one region whose pages hold the segment's physical pages with refcount 1")
{
	const struct boot_info *bi = boot_info();

	for (uint32_t i = 0; i < bi->nprocs; i++) {
		const struct boot_proc *bp = &bi->proc[i];
		struct vmproc *vmp = vmp_of(bp->endpt);

		CHECK(vmp != NULL);
		for (uint32_t s = 0; s < bp->nsegs; s++) {
			const struct boot_seg *seg = &bp->seg[s];
			struct vir_region *r = region_find(vmp, seg->vaddr);

			CHECK(r != NULL);
			CHECK_EQ(!!(r->flags & VR_WRITABLE), !!(seg->flags & SEG_W));
			CHECK(r->vaddr + r->length >= seg->vaddr + seg->memsz);
			for (uint32_t off = 0; off < seg->memsz; off += PAGE_SIZE) {
				struct phys_block *pb = block_at(bp->endpt, seg->vaddr + off);

				CHECK(pb != NULL);
				CHECK_EQ(pb->phys, seg->phys + off);
				CHECK_EQ(pb->refcount, 1);
				CHECK(!mem_page_is_free(pb->phys));
				CHECK(mem_page_is_managed(pb->phys));
			}
		}
	}
}

TEST(BOOT0006, "every boot process has a demand-zero stack region (VR_STACK) ending at its stack top with no page backed")
{
	const struct boot_info *bi = boot_info();

	for (uint32_t i = 0; i < bi->nprocs; i++) {
		const struct boot_proc *bp = &bi->proc[i];
		struct vmproc *vmp = vmp_of(bp->endpt);
		struct vir_region *r = region_find(vmp, bp->stack_top - 4);
		uint32_t phys;

		CHECK(r != NULL);
		CHECK(r->flags & VR_WRITABLE);
		CHECK(r->flags & VR_STACK);
		CHECK_EQ(r->vaddr, bp->stack_top - bp->stack_size);
		CHECK_EQ(r->length, bp->stack_size);
		for (uint32_t p = 0; p < r->length / PAGE_SIZE; p++)
			CHECK(region_page(r, p) == NULL);
		CHECK(mmu_translate(bp->endpt, bp->stack_top - 4, 0, &phys) > 0);
	}
}

TEST(BOOT0007, "a first read of a boot stack faults in a zero page and a write there reads back")
{
	const struct boot_proc *bp = boot_proc_of(INIT_PROC_NR);
	uint32_t v = bp->stack_top - 8, val = 0xFFFFFFFF;

	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 0);
	CHECK_EQ(proc_write32(INIT_PROC_NR, v, 0xC0FFEE11), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, v, &val), VM_OK);
	CHECK_EQ(val, 0xC0FFEE11);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(BOOT0008, "every boot process has a page directory with intact kernel PDEs, installed in the kernel model")
{
	for (int i = 0; i < NBOOT; i++) {
		struct vmproc *vmp = &vm.proc[boot_slots[i]];
		struct kproc *kp = &kmodel.proc[boot_slots[i]];

		CHECK(vmp->pt.dir_phys != PHYS_NONE);
		CHECK(pt_kernel_intact(&vmp->pt));
		CHECK(kp->flags & KP_INUSE);
		CHECK_EQ(kp->pdir, vmp->pt.dir_phys);
		CHECK_EQ(kp->flags & KP_STOPPED, 0);
	}
}

TEST(BOOT0009, "system boot processes have their own ACL entries and user boot processes share the user entry")
{
	int32_t pm = vm.proc[PM_PROC_NR].acl, vfs = vm.proc[VFS_PROC_NR].acl, rs = vm.proc[RS_PROC_NR].acl;

	CHECK_EQ(vm.proc[INIT_PROC_NR].acl, USER_ACL);
	CHECK_EQ(vm.proc[AGENT_PROC_NR].acl, USER_ACL);
	CHECK(pm != NO_ACL && vfs != NO_ACL && rs != NO_ACL);
	CHECK(pm != USER_ACL && vfs != USER_ACL && rs != USER_ACL);
	CHECK(pm != vfs && vfs != rs && pm != rs);
	CHECK_EQ(vm.acl.mask[pm], MASK_PM);
	CHECK_EQ(vm.acl.mask[vfs], MASK_VFS);
	CHECK_EQ(vm.acl.mask[rs], MASK_RS);
	CHECK_EQ(vm.acl.mask[USER_ACL], MASK_USER);
}

TEST(BOOT0010, "the booted system passes the full sanity check")
{
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(BOOT0011, "every used managed page belongs to a process region, a page table or the slab")
{
	uint32_t used = mem_managed_count() - mem_free_count();

	CHECK_EQ(used, pages_of_all_procs() + vm.slab.pages);
}

TEST(BOOT0012, "boot leaves no replies, no dropped messages and no failed replies")
{
	CHECK_EQ(vm.dropped, 0);
	CHECK_EQ(vm.reply_failed, 0);
	CHECK_EQ(feed_pending(), 0);
}
