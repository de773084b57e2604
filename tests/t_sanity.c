/* t_sanity.c - the sanity checker notices each kind of corruption.  Every test
 * corrupts one thing, asserts the invariant that fires, and undoes the corruption. */
#include <string.h>
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE

/* Init's first backed page: its region and index. */
static struct phys_region *init_first_page(void)
{
	struct vir_region *r = region_first(&vm.proc[INIT_PROC_NR]);

	CHECK(r != NULL && region_page(r, 0) != NULL);
	return region_page(r, 0);
}

/* The PTE of vaddr in init's page table. */
static uint32_t *init_pte(uint32_t vaddr)
{
	uint32_t *pte = pte_ptr(&vm.proc[INIT_PROC_NR].pt, vaddr);

	CHECK(pte != NULL);
	return pte;
}

TEST(SAN0001, "the checker passes after a conversation that uses every handler and copy-on-write")
{
	endpoint_t child;
	uint32_t a;

	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, data_region(child)->vaddr, 1), VM_OK);
	CHECK_EQ(mmap_anon(child, 0, 3 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(child, a + P, 1), VM_OK);
	CHECK_EQ(munmap_call(child, a + P, P), VM_OK);
	CHECK_EQ(brk_call(child, boot_break(INIT_PROC_NR) + P), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0002, "a refcount one too high is SAN_REFCOUNT")
{
	struct phys_region *pr = init_first_page();

	pr->ph->refcount++;
	CHECK_EQ(sanity_check(), SAN_REFCOUNT);
	pr->ph->refcount--;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0003, "a shared page's refcount one too low after fork is SAN_REFCOUNT")
{
	endpoint_t child;
	struct phys_region *pr;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	pr = init_first_page();
	CHECK_EQ(pr->ph->refcount, 2);
	pr->ph->refcount--;
	CHECK_EQ(sanity_check(), SAN_REFCOUNT);
	pr->ph->refcount++;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0004, "a PTE pointing at the wrong physical page is SAN_PTE")
{
	uint32_t *pte = init_pte(TEXT_VADDR), saved = *pte;

	*pte = (saved & ~PTE_ADDR_MASK) | ((saved + P) & PTE_ADDR_MASK);
	CHECK_EQ(sanity_check(), SAN_PTE);
	*pte = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0005, "a writable PTE on read-only text is SAN_PTE")
{
	uint32_t *pte = init_pte(TEXT_VADDR), saved = *pte;

	CHECK(saved & PTE_P);
	CHECK_EQ(saved & PTE_W, 0);
	*pte = saved | PTE_W;
	CHECK_EQ(sanity_check(), SAN_PTE);
	*pte = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0006, "a writable PTE on a copy-on-write shared data page after fork is SAN_PTE")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	endpoint_t child;
	uint32_t *pte, saved;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	pte = init_pte(d->vaddr);
	saved = *pte;
	CHECK(saved & PTE_P);
	CHECK_EQ(saved & PTE_W, 0);
	*pte = saved | PTE_W;
	CHECK_EQ(sanity_check(), SAN_PTE);
	*pte = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0007, "a present PTE where no region is is SAN_PTE_STRAY")
{
	uint32_t *pte = init_pte(TEXT_VADDR - P), saved = *pte;
	uint32_t text_phys = *init_pte(TEXT_VADDR) & PTE_ADDR_MASK;

	CHECK(region_find(&vm.proc[INIT_PROC_NR], TEXT_VADDR - P) == NULL);
	CHECK_EQ(saved & PTE_P, 0);
	*pte = text_phys | PTE_P | PTE_U;
	CHECK_EQ(sanity_check(), SAN_PTE_STRAY);
	*pte = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0008, "a present PTE on a region page that has no block yet is SAN_PTE_STRAY")
{
	uint32_t a, *pte, saved, phys0;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 1), VM_OK);
	phys0 = block_at(INIT_PROC_NR, a)->phys;
	pte = init_pte(a + P);
	saved = *pte;
	*pte = phys0 | PTE_P | PTE_U;
	CHECK_EQ(sanity_check(), SAN_PTE_STRAY);
	*pte = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0009, "an altered kernel PDE in a process directory is SAN_PT_KERNEL")
{
	uint32_t *dir = phys_ptr(vm.proc[INIT_PROC_NR].pt.dir_phys, P), saved = dir[1];

	dir[1] = saved ^ PTE_U;
	CHECK_EQ(sanity_check(), SAN_PT_KERNEL);
	dir[1] = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0010, "a live process without a page directory is SAN_PT_MISSING")
{
	uint32_t saved = vm.proc[INIT_PROC_NR].pt.dir_phys;

	vm.proc[INIT_PROC_NR].pt.dir_phys = PHYS_NONE;
	CHECK_EQ(sanity_check(), SAN_PT_MISSING);
	vm.proc[INIT_PROC_NR].pt.dir_phys = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0011, "a used page marked free in the allocator is SAN_PAGE_REUSED")
{
	uint32_t pg = init_first_page()->ph->phys / P;

	vm.alloc.free_bits[pg / 32] |= 1u << (pg % 32);
	vm.alloc.nfree++;
	CHECK_EQ(sanity_check(), SAN_PAGE_REUSED);
	vm.alloc.free_bits[pg / 32] &= ~(1u << (pg % 32));
	vm.alloc.nfree--;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0012, "an allocator free count that disagrees with its bitmap is SAN_FREE_COUNT")
{
	vm.alloc.nfree++;
	CHECK_EQ(sanity_check(), SAN_FREE_COUNT);
	vm.alloc.nfree--;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0013, "two regions holding the same physical page is SAN_PAGE_REUSED")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	struct phys_block *pb = region_page(d, 0)->ph;
	struct phys_block *other = region_page(d, 1)->ph;
	uint32_t saved = other->phys, *pte = init_pte(d->vaddr + P), saved_pte = *pte;

	other->phys = pb->phys;
	*pte = (saved_pte & ~PTE_ADDR_MASK) | pb->phys;
	CHECK_EQ(sanity_check(), SAN_PAGE_REUSED);
	other->phys = saved;
	*pte = saved_pte;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0014, "a region that is not page-aligned is SAN_REGION_ALIGN")
{
	struct vir_region *r = region_first(&vm.proc[INIT_PROC_NR]);

	r->length += 8;
	CHECK_EQ(sanity_check(), SAN_REGION_ALIGN);
	r->length -= 8;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0015, "a region overlapping the one before it is SAN_REGION_ORDER")
{
	struct vir_region *d = data_region(INIT_PROC_NR);

	CHECK(region_find_lt(&vm.proc[INIT_PROC_NR], d->vaddr) != NULL);
	CHECK_EQ(region_find_lt(&vm.proc[INIT_PROC_NR], d->vaddr)->vaddr + region_find_lt(&vm.proc[INIT_PROC_NR], d->vaddr)->length, d->vaddr);
	d->vaddr -= P;
	CHECK_EQ(sanity_check(), SAN_REGION_ORDER);
	d->vaddr += P;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0016, "a region reaching past the user range is SAN_REGION_RANGE")
{
	struct vir_region *s = stack_region(INIT_PROC_NR);

	CHECK_EQ(s->vaddr + s->length, USER_TOP);
	s->length += P;
	CHECK_EQ(sanity_check(), SAN_REGION_RANGE);
	s->length -= P;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0017, "a wrong region-tree height is SAN_AVL")
{
	struct vir_region *root = vm.proc[INIT_PROC_NR].regions;

	root->height += 3;
	CHECK_EQ(sanity_check(), SAN_AVL);
	root->height -= 3;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0018, "a phys_region with the wrong offset is SAN_PR_LINK")
{
	struct phys_region *pr = init_first_page();

	pr->offset += P;
	CHECK_EQ(sanity_check(), SAN_PR_LINK);
	pr->offset -= P;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0019, "a process using an ACL entry that is not in use is SAN_ACL")
{
	int32_t saved = vm.proc[INIT_PROC_NR].acl;

	vm.proc[INIT_PROC_NR].acl = NR_SYS_PROCS - 1;
	CHECK_EQ(sanity_check(), SAN_ACL);
	vm.proc[INIT_PROC_NR].acl = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0020, "two processes owning the same ACL entry is SAN_ACL")
{
	int32_t saved = vm.proc[VFS_PROC_NR].acl;

	vm.proc[VFS_PROC_NR].acl = vm.proc[PM_PROC_NR].acl;
	CHECK_EQ(sanity_check(), SAN_ACL);
	vm.proc[VFS_PROC_NR].acl = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0021, "a process whose endpoint names another slot is SAN_PROC")
{
	endpoint_t saved = vm.proc[INIT_PROC_NR].endpt;

	vm.proc[INIT_PROC_NR].endpt = ep_make(0, 77);
	CHECK_EQ(sanity_check(), SAN_PROC);
	vm.proc[INIT_PROC_NR].endpt = saved;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0022, "a free slot that still holds a page directory is SAN_PROC")
{
	vm.proc[100].pt.dir_phys = vm.proc[INIT_PROC_NR].pt.dir_phys;
	CHECK_EQ(sanity_check(), SAN_PROC);
	vm.proc[100].pt.dir_phys = PHYS_NONE;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0023, "a slab live-object count off by one is reported (slab count or accounting)")
{
	int r;

	vm.slab.live_objects++;
	r = sanity_check();
	CHECK(r == SAN_SLAB_COUNT || r == SAN_ACCOUNT);
	vm.slab.live_objects--;
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0024, "a page leaked from the allocator (used, owned by nobody) is SAN_ACCOUNT")
{
	uint32_t phys = mem_alloc(1, 0);

	CHECK(phys != PHYS_NONE);
	CHECK_EQ(sanity_check(), SAN_ACCOUNT);
	mem_free(phys, 1);
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* Corrupt a refcount, then have init make a call: level 2 checks around the handler. */
static void corrupt_then_call(void)
{
	uint32_t a;

	init_first_page()->ph->refcount++;
	mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &a);
}

TEST(SAN0025, "at level 2 a corruption panics at the next handled call, after a sanity trace naming the invariant")
{
	const char *why = NULL;

	trace_capture();
	CHECK_EQ(test_expect_panic(corrupt_then_call, &why), 1);
	CHECK(why != NULL);
	CHECK_EQ(trace_count(TR_SANITY_FAIL), 1);
	CHECK_EQ(trace_last(TR_SANITY_FAIL)->a, SAN_REFCOUNT);
	CHECK_EQ(trace_last(TR_SANITY_FAIL)->b, SOBJ_ANON);
	hosted_restore();
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* Corrupt a refcount, then deliver a kernel page fault for init. */
static void corrupt_then_fault(void)
{
	uint32_t val;

	init_first_page()->ph->refcount++;
	proc_read32(INIT_PROC_NR, STACK_TOP - 4, &val);
}

TEST(SAN0026, "at level 2 a corruption also panics when VM serves a page fault")
{
	CHECK_EQ(test_expect_panic(corrupt_then_fault, NULL), 1);
	hosted_restore();
}

TEST(SAN0027, "a failure names the kind of object it was found on: the region's memory type, else the structure")
{
	uint32_t *pte = init_pte(TEXT_VADDR - P), saved = *pte;
	int32_t acl = vm.proc[INIT_PROC_NR].acl;
	uint32_t phys;

	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(vm.sanity_obj, SOBJ_NONE);
	init_first_page()->ph->refcount++;
	CHECK_EQ(sanity_check(), SAN_REFCOUNT);
	CHECK_EQ(vm.sanity_obj, SOBJ_ANON);
	init_first_page()->ph->refcount--;
	*pte = (*init_pte(TEXT_VADDR) & PTE_ADDR_MASK) | PTE_P | PTE_U;
	CHECK_EQ(sanity_check(), SAN_PTE_STRAY);
	CHECK_EQ(vm.sanity_obj, SOBJ_PAGETABLE);
	*pte = saved;
	vm.proc[INIT_PROC_NR].acl = NR_SYS_PROCS - 1;
	CHECK_EQ(sanity_check(), SAN_ACL);
	CHECK_EQ(vm.sanity_obj, SOBJ_ACL);
	vm.proc[INIT_PROC_NR].acl = acl;
	phys = mem_alloc(1, 0);
	CHECK(phys != PHYS_NONE);
	CHECK_EQ(sanity_check(), SAN_ACCOUNT);
	CHECK_EQ(vm.sanity_obj, SOBJ_ALLOC);
	mem_free(phys, 1);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(vm.sanity_obj, SOBJ_NONE);
	CHECK_EQ(strcmp(sanity_obj_name(SOBJ_DIRECTPHYS), "directphys"), 0);
	CHECK_EQ(strcmp(sanity_obj_name(SOBJ_COUNT), "?"), 0);
}

TEST(SAN0028, "a page-table page marked free is SAN_PAGE_REUSED on the page table, though regions are checked after it")
{
	uint32_t pg = vm.proc[INIT_PROC_NR].pt.dir_phys / P;

	vm.alloc.free_bits[pg / 32] |= 1u << (pg % 32);
	vm.alloc.nfree++;
	CHECK_EQ(sanity_check(), SAN_PAGE_REUSED);
	CHECK_EQ(vm.sanity_obj, SOBJ_PAGETABLE);
	vm.alloc.free_bits[pg / 32] &= ~(1u << (pg % 32));
	vm.alloc.nfree--;
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* Corrupt init's state with one of a few process-local defects (which: 0..5), or put it
 * back (undo). */
static void init_corrupt(int which, int undo)
{
	struct vir_region *r = region_first(&vm.proc[INIT_PROC_NR]);
	uint32_t *pte = init_pte(TEXT_VADDR);
	int d = undo ? -1 : 1;

	switch (which) {
	case 0: init_first_page()->ph->refcount += (uint32_t)d; break;
	case 1: *pte += (uint32_t)(d * P); break;
	case 2: r->length += (uint32_t)(d * 8); break;
	case 3: vm.proc[INIT_PROC_NR].regions->height += 3 * d; break;
	case 4: init_first_page()->offset += (uint32_t)(d * P); break;
	default: stack_region(INIT_PROC_NR)->length += (uint32_t)(d * P); break;
	}
}

/* Mark what a primitive making defect `which` of init_corrupt would have marked: init,
 * and for a count the block (sanity_block_changed). */
static void init_mark(int which)
{
	sanity_changed(INIT_PROC_NR);
	if (which == 0)
		sanity_block_changed(init_first_page()->ph);
}

TEST(SAN0029, "the incremental check re-derives a changed process as the full one does (same invariant, same object) and takes an unchanged one's totals")
{
	static const int want[6] = { SAN_REFCOUNT, SAN_PTE, SAN_REGION_ALIGN, SAN_AVL, SAN_PR_LINK, SAN_REGION_RANGE };

	for (int i = 0; i < 6; i++) {
		CHECK_EQ(sanity_check(), SAN_OK);
		init_corrupt(i, 0);
		CHECK_EQ(sanity_check_incremental(), SAN_OK); /* nothing marked init changed */
		init_mark(i);
		CHECK_EQ(sanity_check_incremental(), want[i]);
		int32_t obj = vm.sanity_obj;
		CHECK_EQ(sanity_check(), want[i]);
		CHECK_EQ(vm.sanity_obj, obj);
		init_corrupt(i, 1);
		init_mark(i);
		CHECK_EQ(sanity_check_incremental(), SAN_OK);
	}
}

TEST(SAN0033, "a sharer list is walked once per check whoever shares it, and an unmarked count change is found by the next check of any sharer's process")
{
	endpoint_t child;
	struct phys_block *pb = init_first_page()->ph;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK); /* the block has two sharers */
	CHECK_EQ(pb->first, init_first_page()); /* the child joined behind init, the head */
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pb->san_walked, vm.san_epoch); /* walked by that check */
	pb->refcount++;
	CHECK_EQ(sanity_check_incremental(), SAN_OK); /* no sharer's process marked */
	sanity_changed(ep_slot(child)); /* not the head's: the child's check walks the list */
	CHECK_EQ(sanity_check_incremental(), SAN_REFCOUNT);
	pb->refcount--;
	sanity_changed(ep_slot(child));
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(pb->san_walked, vm.san_epoch);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0034, "a sharer that is not in its block's list is SAN_REFCOUNT though the block was walked in the same check")
{
	endpoint_t child;
	struct phys_region *pr = init_first_page(), *other;
	struct phys_block *pb = pr->ph;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	other = pb->first == pr ? pr->next_sharer : pb->first; /* the child's sharer */
	CHECK(other && other != pr);
	/* unlink init's sharer from the list but keep the count: the child's walk counts one
	 * short and init's sharer is not met */
	struct phys_region **pp = &pb->first;
	while (*pp != pr)
		pp = &(*pp)->next_sharer;
	*pp = pr->next_sharer;
	CHECK_EQ(sanity_check(), SAN_REFCOUNT);
	pb->refcount--; /* the count now matches the list, but init's page is still not in it */
	CHECK_EQ(sanity_check(), SAN_REFCOUNT);
	pr->next_sharer = pb->first; /* put it back */
	pb->first = pr;
	pb->refcount++;
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0030, "after real requests the incremental check passes with the full one's totals, and finds global defects unmarked")
{
	endpoint_t child;
	uint32_t a, phys;

	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(proc_write32(child, data_region(child)->vaddr, 1), VM_OK);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(mmap_anon(child, 0, 3 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(child, a + P, 1), VM_OK);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(munmap_call(child, a + P, P), VM_OK);
	CHECK_EQ(brk_call(child, boot_break(INIT_PROC_NR) + P), VM_OK);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	phys = mem_alloc(1, 0); /* a page nobody holds: an accounting defect, no process changed */
	CHECK(phys != PHYS_NONE);
	CHECK_EQ(sanity_check_incremental(), SAN_ACCOUNT);
	mem_free(phys, 1);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
}

/* Whether process slot s carries a changed mark. */
static int marked(int32_t s)
{
	return (vm.san_dirty[s / 32] >> (s % 32)) & 1;
}

TEST(SAN0031, "a failed incremental check keeps the changed marks of the slots it did not pass, and marks a live process that failed again")
{
	CHECK_EQ(sanity_check(), SAN_OK);
	sanity_changed(INIT_PROC_NR);
	sanity_changed(100);
	sanity_changed(101);
	sanity_changed(200);
	vm.proc[100].pt.dir_phys = vm.proc[INIT_PROC_NR].pt.dir_phys; /* a free slot's defect */
	CHECK_EQ(sanity_check_incremental(), SAN_PROC);
	CHECK(!marked(INIT_PROC_NR) && marked(100) && marked(101) && marked(200));
	vm.proc[100].pt.dir_phys = PHYS_NONE;
	init_corrupt(0, 0);
	init_mark(0);
	CHECK_EQ(sanity_check_incremental(), SAN_REFCOUNT);
	CHECK(marked(INIT_PROC_NR) && marked(100) && marked(101) && marked(200));
	init_corrupt(0, 1);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK(!marked(INIT_PROC_NR) && !marked(100) && !marked(101) && !marked(200));
}

TEST(SAN0035, "the incremental check visits the changed slots and the live ones: an unmarked free slot's defect is the full check's")
{
	CHECK_EQ(sanity_check(), SAN_OK);
	vm.proc[100].acl = 5; /* a free slot holding an ACL entry, nobody marked */
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(sanity_check(), SAN_PROC);
	CHECK_EQ(vm.sanity_obj, SOBJ_PROC);
	vm.proc[100].acl = NO_ACL;
	CHECK_EQ(sanity_check(), SAN_OK);
	vm.proc[INIT_PROC_NR].acl = NR_SYS_PROCS + 3; /* a live process's entry out of range, unmarked */
	CHECK_EQ(sanity_check_incremental(), SAN_ACL); /* live slots are visited every check */
	vm.proc[INIT_PROC_NR].acl = USER_ACL;
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
}

TEST(SAN0032, "the full check counts allocator bits past the last managed page, the incremental one stops there")
{
	uint32_t w = vm.alloc.words, bit = 1u << 5;

	CHECK(w < PHYS_MAX_PAGES / 32);
	CHECK_EQ(sanity_check(), SAN_OK);
	vm.alloc.free_bits[w] |= bit;
	CHECK_EQ(sanity_check(), SAN_FREE_COUNT); /* free but not managed */
	vm.alloc.managed_bits[w] |= bit;
	CHECK_EQ(sanity_check(), SAN_FREE_COUNT); /* counts disagree with the bitmaps */
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	vm.alloc.nfree++;
	vm.alloc.nmanaged++;
	CHECK_EQ(sanity_check(), SAN_OK); /* counted, as the counters say */
	vm.alloc.nfree--;
	vm.alloc.nmanaged--;
	vm.alloc.free_bits[w] &= ~bit;
	vm.alloc.managed_bits[w] &= ~bit;
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* munmap_call with the loop's own checks off, so the marks it leaves stay for the test. */
static int munmap_unchecked(endpoint_t ep, uint32_t addr, uint32_t len)
{
	int32_t level = vm.sanity_level, r;

	vm.sanity_level = SCL_NONE;
	r = munmap_call(ep, addr, len);
	vm.sanity_level = level;
	return r;
}

/* Is pb among the blocks whose count changed since the last check? */
static int count_marked(const struct phys_block *pb)
{
	for (uint32_t i = 0; i < vm.san_ncounts; i++)
		if (vm.san_counts[i] == pb)
			return 1;
	return 0;
}

TEST(SAN0036, "a sharer that is not the head leaving marks only its block: the next check walks that list without re-deriving the head's process, and names a wrong count's object kind as the full check does")
{
	endpoint_t child;
	uint32_t a;
	struct phys_block *pb;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 7), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	pb = block_at(INIT_PROC_NR, a);
	CHECK(pb && pb == block_at(child, a) && pb->refcount == 2);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(munmap_unchecked(child, a, P), VM_OK); /* the child's sharer, behind init's */
	CHECK(!marked(ep_slot(INIT_PROC_NR)) && marked(ep_slot(child)) && count_marked(pb));
	pb->refcount++; /* a count the unlink got wrong */
	CHECK_EQ(sanity_check_incremental(), SAN_REFCOUNT);
	CHECK_EQ(vm.sanity_obj, SOBJ_ANON);
	CHECK_EQ(sanity_check(), SAN_REFCOUNT);
	CHECK_EQ(vm.sanity_obj, SOBJ_ANON);
	pb->refcount--;
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(vm.san_ncounts, 0);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a, P), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SAN0037, "a block freed after its count was marked leaves the marks (no check reads it), and past SAN_COUNTS_MAX marks the head's process is marked instead")
{
	endpoint_t child;
	uint32_t a;
	struct phys_block *pb, *other = init_first_page()->ph;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 7), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	pb = block_at(INIT_PROC_NR, a);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(munmap_unchecked(child, a, P), VM_OK);
	CHECK(count_marked(pb));
	CHECK_EQ(munmap_unchecked(INIT_PROC_NR, a, P), VM_OK); /* the last sharer: the block is freed */
	CHECK(!count_marked(pb));
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	pb = block_at(INIT_PROC_NR, data_region(INIT_PROC_NR)->vaddr);
	CHECK(pb && pb != other);
	for (uint32_t i = 0; i < SAN_COUNTS_MAX; i++) /* two blocks in turn: none is a repeat of the last */
		sanity_count_changed(i % 2 ? other : pb);
	CHECK_EQ(vm.san_ncounts, SAN_COUNTS_MAX);
	CHECK(!marked(ep_slot(INIT_PROC_NR)));
	sanity_count_changed(pb);
	CHECK(marked(ep_slot(INIT_PROC_NR))); /* pb's head is init's sharer */
	CHECK_EQ(sanity_check_incremental(), SAN_OK);
	CHECK_EQ(vm.san_ncounts, 0);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}
