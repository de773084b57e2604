/* t_pagetable.c - unit tests of vm/pagetable.c, the i386 page tables VM writes. */
#include "vm.h"
#include "hosted.h"
#include "test.h"

#define FOURM (4u << 20)

static uint32_t *dir_of(const struct pt *pt)
{
	return phys_ptr(pt->dir_phys, PAGE_SIZE);
}

struct seen {
	uint32_t n, last_va;
	int ordered;
};
static int note_mapping(uint32_t va, uint32_t pte, void *arg)
{
	struct seen *s = arg;

	CHECK(pte & PTE_P);
	if (s->n && va <= s->last_va)
		s->ordered = 0;
	s->last_va = va;
	s->n++;
	return 0;
}

/* Number of present user PTEs in pt (and CHECK they come in ascending order). */
static uint32_t mappings(const struct pt *pt)
{
	struct seen s = {0, 0, 1};

	CHECK_EQ(pt_for_each_mapping(pt, note_mapping, &s), 0);
	CHECK(s.ordered);
	return s.n;
}

TEST(PT0001, "pt_new copies the kernel PDEs, leaves the user PDEs empty, and pt_free returns the page")
{
	uint32_t free0 = mem_free_count();
	struct pt pt = {PHYS_NONE};
	uint32_t *dir;

	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK(pt.dir_phys != PHYS_NONE && page_aligned(pt.dir_phys));
	CHECK(!mem_page_is_free(pt.dir_phys));
	dir = dir_of(&pt);
	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++) {
		CHECK_EQ(dir[i], vm.kern_pde[i]);
		CHECK(!(dir[i] & PTE_U)); /* supervisor only */
	}
	for (uint32_t i = KERNEL_PDE_COUNT; i < PDE_ENTRIES; i++)
		CHECK_EQ(dir[i], 0);
	CHECK(pt_kernel_intact(&pt));
	CHECK_EQ(pt_page_count(&pt), 1);
	CHECK_EQ(mappings(&pt), 0);
	CHECK_EQ(mem_free_count(), free0 - 1);
	pt_free(&pt);
	CHECK_EQ(pt.dir_phys, PHYS_NONE);
	CHECK_EQ(mem_free_count(), free0);
	pt_free(&pt); /* no directory: a no-op */
	CHECK_EQ(mem_free_count(), free0);
}

TEST(PT0002, "pt_write maps pages with the exact PTE bits, user PDEs are P|W|U, pt_lookup reads them back")
{
	uint32_t free0 = mem_free_count(), va = USER_BASE + FOURM - 2 * PAGE_SIZE;
	struct pt pt = {PHYS_NONE};
	const uint32_t phys = 0x00345000u; /* any page-aligned frame: tables do not care */

	CHECK_EQ(pt_new(&pt), VM_OK);
	/* 4 pages across a 4 MiB boundary: two page tables. */
	CHECK_EQ(pt_write(&pt, va, phys, 4, PTE_U | PTE_W), VM_OK);
	CHECK_EQ(pt_page_count(&pt), 3);
	CHECK_EQ(mem_free_count(), free0 - 3);
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ(pt_lookup(&pt, va + i * PAGE_SIZE), (phys + i * PAGE_SIZE) | PTE_P | PTE_W | PTE_U);
	CHECK_EQ(pt_lookup(&pt, va - PAGE_SIZE), 0);
	CHECK_EQ(pt_lookup(&pt, va + 4 * PAGE_SIZE), 0);
	CHECK_EQ(pt_lookup(&pt, USER_TOP - PAGE_SIZE), 0); /* no table there */
	CHECK_EQ(pt_lookup(&pt, 0x1000), 0);              /* kernel 4 MiB page: no table */
	uint32_t *dir = dir_of(&pt);
	uint32_t pdx = va >> 22;
	CHECK_EQ(dir[pdx] & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	CHECK_EQ(dir[pdx + 1] & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	CHECK(!mem_page_is_free(dir[pdx] & PTE_ADDR_MASK));
	/* Read-only remap of one page: only that PTE changes, no new table. */
	CHECK_EQ(pt_write(&pt, va + PAGE_SIZE, phys + 0x10000, 1, PTE_U), VM_OK);
	CHECK_EQ(pt_lookup(&pt, va + PAGE_SIZE), (phys + 0x10000) | PTE_P | PTE_U);
	CHECK_EQ(pt_lookup(&pt, va), phys | PTE_P | PTE_W | PTE_U);
	CHECK_EQ(pt_page_count(&pt), 3);
	CHECK_EQ(mappings(&pt), 4);
	CHECK(pt_kernel_intact(&pt));
	pt_free(&pt);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(PT0003, "pt_write with PHYS_NONE clears entries and allocates no page table")
{
	uint32_t free0 = mem_free_count(), va = 0x40000000u, mut;
	struct pt pt = {PHYS_NONE};

	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK_EQ(pt_write(&pt, va, 0x00200000u, 8, PTE_U), VM_OK);
	CHECK_EQ(pt_page_count(&pt), 2);
	/* Clear 3 pages in the middle and a range reaching into a missing table. */
	CHECK_EQ(pt_write(&pt, va + 2 * PAGE_SIZE, PHYS_NONE, 3, PTE_U | PTE_W), VM_OK);
	CHECK_EQ(pt_lookup(&pt, va + 2 * PAGE_SIZE), 0);
	CHECK_EQ(pt_lookup(&pt, va + 4 * PAGE_SIZE), 0);
	CHECK_EQ(pt_lookup(&pt, va + 5 * PAGE_SIZE), (0x00200000u + 5 * PAGE_SIZE) | PTE_P | PTE_U);
	CHECK_EQ(mappings(&pt), 5);
	CHECK_EQ(pt_write(&pt, va + 7 * PAGE_SIZE, PHYS_NONE, 3 * PTE_ENTRIES, 0), VM_OK);
	CHECK_EQ(mappings(&pt), 4);
	CHECK_EQ(pt_page_count(&pt), 2);
	mut = vm.mutations;
	CHECK_EQ(pt_write(&pt, 0x80000000u, PHYS_NONE, 16, 0), VM_OK); /* nothing to clear */
	CHECK_EQ(vm.mutations, mut);
	CHECK_EQ(pt_page_count(&pt), 2);
	pt_free(&pt);
	CHECK_EQ(mem_free_count(), free0);
}

static uint32_t hits[FS_COUNT], fail_at;
static enum fault_site fail_site;
static int fault_hook(enum fault_site site)
{
	hits[site]++;
	return site == fail_site && hits[site] >= fail_at;
}
static void arm(enum fault_site site, uint32_t at)
{
	for (int i = 0; i < FS_COUNT; i++)
		hits[i] = 0;
	fail_site = site;
	fail_at = at;
	hosted_set_fault_hook(fault_hook);
}

TEST(PT0004, "a pt_page fault in pt_write gives VM_ENOMEM with no PTE written; tables made so far stay")
{
	uint32_t free0 = mem_free_count(), va = 0x10000000u;
	struct pt pt = {PHYS_NONE};

	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK_EQ(pt_write(&pt, va, 0x00300000u, 1, PTE_U), VM_OK); /* table 1 exists */
	/* 3 page tables' worth from table 1: tables 2 and 3 are missing; fail the second. */
	arm(FS_PT_PAGE, 2);
	CHECK_EQ(pt_write(&pt, va + PAGE_SIZE, 0x00400000u, 2 * PTE_ENTRIES + 8, PTE_U | PTE_W), VM_ENOMEM);
	hosted_set_fault_hook(NULL);
	CHECK_EQ(hits[FS_PT_PAGE], 2);  /* one hit per table allocation, none for table 1 */
	CHECK_EQ(mappings(&pt), 1);     /* only the first mapping */
	CHECK_EQ(pt_lookup(&pt, va + PAGE_SIZE), 0);
	CHECK_EQ(pt_page_count(&pt), 3); /* directory, table 1, table 2 */
	/* The retry allocates only the missing table and writes everything. */
	arm(FS_PT_PAGE, 100);
	CHECK_EQ(pt_write(&pt, va + PAGE_SIZE, 0x00400000u, 2 * PTE_ENTRIES + 8, PTE_U | PTE_W), VM_OK);
	hosted_set_fault_hook(NULL);
	CHECK_EQ(hits[FS_PT_PAGE], 1);
	CHECK_EQ(pt_page_count(&pt), 4);
	CHECK_EQ(mappings(&pt), 2 * PTE_ENTRIES + 9);
	pt_free(&pt);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(PT0005, "pt_new gives VM_ENOMEM under its fault point or without memory, allocating nothing")
{
	static uint32_t held[PHYS_MAX_PAGES];
	uint32_t free0 = mem_free_count(), n = 0, p;
	struct pt pt = {PHYS_NONE};

	arm(FS_PT_NEW, 1);
	CHECK_EQ(pt_new(&pt), VM_ENOMEM);
	hosted_set_fault_hook(NULL);
	CHECK_EQ(hits[FS_PT_NEW], 1);
	CHECK_EQ(pt.dir_phys, PHYS_NONE);
	CHECK_EQ(mem_free_count(), free0);
	while ((p = mem_alloc(1, 0)) != PHYS_NONE)
		held[n++] = p;
	CHECK_EQ(pt_new(&pt), VM_ENOMEM);
	CHECK_EQ(pt.dir_phys, PHYS_NONE);
	/* With one page left, a mapping needing a table fails without a PTE. */
	mem_free(held[--n], 1);
	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK_EQ(pt_write(&pt, USER_BASE, 0x00200000u, 1, PTE_U), VM_ENOMEM);
	CHECK_EQ(mappings(&pt), 0);
	pt_free(&pt);
	for (uint32_t i = 0; i < n; i++)
		mem_free(held[i], 1);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(PT0006, "pt_write refuses misaligned, wrapping or non-user ranges and changes nothing")
{
	static uint32_t before[PDE_ENTRIES];
	uint32_t free0, mut;
	struct pt pt = {PHYS_NONE};

	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK_EQ(pt_write(&pt, USER_BASE, 0x00200000u, 1, PTE_U), VM_OK);
	vm_memcpy(before, dir_of(&pt), PAGE_SIZE);
	free0 = mem_free_count();
	mut = vm.mutations;
	CHECK_EQ(pt_write(&pt, 0, 0x00200000u, 1, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_BASE - PAGE_SIZE, 0x00200000u, 2, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_BASE - PAGE_SIZE, PHYS_NONE, 1, 0), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_TOP - PAGE_SIZE, 0x00200000u, 2, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_TOP, 0x00200000u, 1, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, 0xFFFFF000u, 0x00200000u, 2, PTE_U), VM_EINVAL); /* wraps */
	CHECK_EQ(pt_write(&pt, USER_BASE, 0x00200000u, 0x00100001u, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_BASE + 0x10, 0x00200000u, 1, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_BASE, 0x00200010u, 1, PTE_U), VM_EINVAL);
	CHECK_EQ(pt_write(&pt, USER_BASE, 0xFFFFF000u, 2, PTE_U), VM_EINVAL); /* phys wraps */
	CHECK_EQ(pt_write(&pt, USER_BASE, 0x00200000u, 1, 0x1000 | PTE_U), VM_EINVAL);
	CHECK_EQ(vm_memcmp(before, dir_of(&pt), PAGE_SIZE), 0);
	CHECK_EQ(pt_lookup(&pt, USER_BASE), 0x00200000u | PTE_P | PTE_U);
	CHECK_EQ(mem_free_count(), free0);
	CHECK_EQ(vm.mutations, mut);
	CHECK(pt_kernel_intact(&pt));
	/* The last page below USER_TOP is fine. */
	CHECK_EQ(pt_write(&pt, USER_TOP - PAGE_SIZE, 0x00200000u, 1, PTE_U), VM_OK);
	CHECK_EQ(pt_lookup(&pt, USER_TOP - PAGE_SIZE), 0x00200000u | PTE_P | PTE_U);
	pt_free(&pt);
}

static void sum_page(uint32_t phys, void *arg)
{
	CHECK(!mem_page_is_free(phys));
	*(uint32_t *)arg += 1;
}

TEST(PT0007, "pt_free returns the directory and every page table, wherever the tables are")
{
	uint32_t free0 = mem_free_count(), n = 0;
	struct pt pt = {PHYS_NONE};

	CHECK_EQ(pt_new(&pt), VM_OK);
	for (uint32_t va = USER_BASE; va < USER_TOP; va += 0x08000000u)
		CHECK_EQ(pt_write(&pt, va, 0x00200000u, 1, PTE_U | PTE_W), VM_OK);
	CHECK_EQ(pt_write(&pt, USER_TOP - PAGE_SIZE, 0x00200000u, 1, PTE_U), VM_OK);
	pt_for_each_page(&pt, sum_page, &n);
	CHECK_EQ(n, pt_page_count(&pt));
	CHECK_EQ(n, 1 + (USER_TOP - USER_BASE) / 0x08000000u + 1);
	CHECK_EQ(mem_free_count(), free0 - n);
	pt_free(&pt);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(PT0008, "pt_kernel_intact notices an altered kernel PDE")
{
	struct pt pt = {PHYS_NONE};

	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK(pt_kernel_intact(&pt));
	dir_of(&pt)[KERNEL_PDE_COUNT - 1] ^= PTE_U;
	CHECK(!pt_kernel_intact(&pt));
	dir_of(&pt)[KERNEL_PDE_COUNT - 1] ^= PTE_U;
	CHECK(pt_kernel_intact(&pt));
	pt_free(&pt);
}

static int stop_at_third(uint32_t va, uint32_t pte, void *arg)
{
	(void)va;
	(void)pte;
	return ++*(int *)arg == 3 ? 42 : 0;
}

TEST(PT0009, "pt_for_each_mapping stops at the first non-zero return and passes it on")
{
	struct pt pt = {PHYS_NONE};
	int calls = 0;

	CHECK_EQ(pt_new(&pt), VM_OK);
	CHECK_EQ(pt_write(&pt, USER_BASE, 0x00200000u, 5, PTE_U), VM_OK);
	CHECK_EQ(pt_for_each_mapping(&pt, stop_at_third, &calls), 42);
	CHECK_EQ(calls, 3);
	pt_free(&pt);
}

TEST(PT0010, "pt_bind installs the directory through the kernel; no directory is VM_EINVAL")
{
	struct pt none = {PHYS_NONE};
	int32_t slot = -1;

	for (int32_t s = 0; s < NR_PROCS; s++)
		if ((vm.proc[s].flags & VMF_INUSE) && vm.proc[s].endpt != vm.self &&
		    vm.proc[s].pt.dir_phys != PHYS_NONE) {
			slot = s;
			break;
		}
	CHECK(slot >= 0);
	CHECK_EQ(pt_bind(&none, vm.proc[slot].endpt), VM_EINVAL);
	CHECK_EQ(pt_bind(&vm.proc[slot].pt, vm.proc[slot].endpt), VM_OK);
	CHECK_EQ(kmodel.proc[slot].pdir, vm.proc[slot].pt.dir_phys);
}
