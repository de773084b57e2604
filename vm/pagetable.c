/* pagetable.c - i386 two-level page tables, written through phys_ptr.
 *
 * A directory's first KERNEL_PDE_COUNT entries are the kernel's supervisor 4 MiB
 * pages, copied from vm.kern_pde; VM never writes them afterwards.  User page
 * tables hang off the remaining entries with PDE flags P|W|U, so the PTE alone
 * decides access.  Directories and page tables are VM pages (mem_alloc). */
#include "vm.h"

#define PDE_USER (PTE_P | PTE_W | PTE_U)
#define PDX(va)  ((va) >> 22)
#define PTX(va)  (((va) >> PAGE_SHIFT) & (PTE_ENTRIES - 1))

static uint32_t *table_at(uint32_t phys)
{
	return (uint32_t *)phys_ptr(phys, PAGE_SIZE);
}

/* True when PDE i of a directory points to a user page table. */
static int user_table(uint32_t i, uint32_t pde)
{
	return i >= KERNEL_PDE_COUNT && (pde & PTE_P) && !(pde & PDE_PS);
}

/* Two table entries read as one (tables are only 4-byte aligned as far as the type
 * goes; may_alias: they are also read as uint32_t). */
typedef uint64_t entry_pair __attribute__((may_alias, aligned(4)));

/* The index of the first non-zero entry of t at or after i, or n when none.  Tables
 * are mostly empty, so zero runs are skipped sixteen entries at a time.  Every caller
 * passes one table page and n <= 1024, so the reads stay inside it; ASan's check of
 * each read was an eighth of an ASan execution (the checker walks every table), so
 * this scan alone goes uninstrumented. */
__attribute__((no_sanitize("address")))
static uint32_t next_nonzero(const uint32_t *t, uint32_t i, uint32_t n)
{
	while (i < n && (i & 15))
		if (t[i++])
			return i - 1;
	for (; i + 16 <= n; i += 16) {
		const entry_pair *p = (const entry_pair *)(t + i);
		if (p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7])
			break;
	}
	for (; i < n; i++)
		if (t[i])
			return i;
	return n;
}

/* Allocate a cleared directory holding the kernel's supervisor PDEs.  VM_ENOMEM when
 * the pt_new fault point fires or no page is left. */
int pt_new(struct pt *pt)
{
	uint32_t phys;

	sanity_pt_changed(pt);
	if (FAULT_POINT(PT_NEW))
		return VM_ENOMEM;
	phys = mem_alloc(1, MEMF_CLEAR);
	if (phys == PHYS_NONE)
		return VM_ENOMEM;
	vm_memcpy(table_at(phys), vm.kern_pde, sizeof vm.kern_pde);
	pt->dir_phys = phys;
	MUTATED();
	return VM_OK;
}

/* Free every user page table and the directory; dir_phys becomes PHYS_NONE.  A
 * pt without a directory is left alone. */
void pt_free(struct pt *pt)
{
	uint32_t *dir;

	sanity_pt_changed(pt);
	if (pt->dir_phys == PHYS_NONE)
		return;
	dir = table_at(pt->dir_phys);
	for (uint32_t i = next_nonzero(dir, KERNEL_PDE_COUNT, PDE_ENTRIES); i < PDE_ENTRIES;
	     i = next_nonzero(dir, i + 1, PDE_ENTRIES))
		if (user_table(i, dir[i]))
			mem_free(dir[i] & PTE_ADDR_MASK, 1);
	mem_free(pt->dir_phys, 1);
	pt->dir_phys = PHYS_NONE;
	MUTATED();
}

/* Install the directory for ep: the kernel's answer, or VM_EINVAL without one. */
int pt_bind(struct pt *pt, endpoint_t ep)
{
	if (pt->dir_phys == PHYS_NONE)
		return VM_EINVAL;
	return kc_addrspace(ep, pt->dir_phys);
}

/* VM_OK when [vaddr, vaddr + npages pages) is a page-aligned range inside
 * [USER_BASE, USER_TOP), phys (unless PHYS_NONE) is page-aligned and does not wrap,
 * and flags hold no address bits.  *last gets the range's last byte. */
static int check_args(uint32_t vaddr, uint32_t phys, uint32_t npages, uint32_t flags,
		      uint32_t *last)
{
	uint32_t bytes = npages * PAGE_SIZE, end, phys_last;

	if (npages > (USER_TOP - USER_BASE) / PAGE_SIZE || !page_aligned(vaddr))
		return VM_EINVAL;
	if (vaddr < USER_BASE || add_wraps(vaddr, bytes, &end) || end > USER_TOP)
		return VM_EINVAL;
	if (phys != PHYS_NONE && (!page_aligned(phys) || add_wraps(phys, bytes - 1, &phys_last)))
		return VM_EINVAL;
	if (flags & PTE_ADDR_MASK)
		return VM_EINVAL;
	*last = end - 1;
	return VM_OK;
}

/* Allocate every missing page table for PDEs first..last (fault site pt_page); when
 * fresh is not NULL, bit i of it is set for each PDE i this call filled.  VM_ENOMEM
 * on failure; tables allocated so far stay. */
static int alloc_tables(uint32_t *dir, uint32_t first, uint32_t last, uint32_t *fresh)
{
	for (uint32_t i = first; i <= last; i++) {
		uint32_t phys;

		VM_ASSERT(i >= KERNEL_PDE_COUNT);
		if (dir[i] & PTE_P) {
			if (dir[i] & PDE_PS)
				PANIC("pt_write: 4 MiB page in the user range");
			continue;
		}
		if (FAULT_POINT(PT_PAGE))
			return VM_ENOMEM;
		phys = mem_alloc(1, MEMF_CLEAR);
		if (phys == PHYS_NONE)
			return VM_ENOMEM;
		dir[i] = phys | PDE_USER;
		if (fresh)
			fresh[i / 32] |= 1u << (i % 32);
		MUTATED();
	}
	return VM_OK;
}

/* Free the (still empty) page tables of the PDEs whose bit is set in fresh and clear
 * those PDEs: the directory is as it was before alloc_tables filled them. */
static void free_fresh_tables(uint32_t *dir, const uint32_t *fresh)
{
	for (uint32_t i = KERNEL_PDE_COUNT; i < PDE_ENTRIES; i++) {
		if (!(fresh[i / 32] & (1u << (i % 32))))
			continue;
		mem_free(dir[i] & PTE_ADDR_MASK, 1);
		dir[i] = 0;
		MUTATED();
	}
}

/* Map npages pages from vaddr to phys, phys + PAGE_SIZE, ... with PTE_P | flags, or
 * clear them when phys is PHYS_NONE.  Mapping first allocates every missing page
 * table (fault site pt_page, VM_ENOMEM with no PTE written; tables already allocated
 * stay); clearing skips missing tables and allocates nothing.  VM_EINVAL for a range
 * outside [USER_BASE, USER_TOP), misaligned addresses or a pt without a directory. */
int pt_write(struct pt *pt, uint32_t vaddr, uint32_t phys, uint32_t npages, uint32_t flags)
{
	uint32_t *dir, last;
	int err;

	sanity_pt_changed(pt);
	if (pt->dir_phys == PHYS_NONE)
		return VM_EINVAL;
	if (npages == 0)
		return VM_OK;
	if ((err = check_args(vaddr, phys, npages, flags, &last)) != VM_OK)
		return err;
	dir = table_at(pt->dir_phys);
	if (phys != PHYS_NONE && (err = alloc_tables(dir, PDX(vaddr), PDX(last), NULL)) != VM_OK)
		return err;
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t va = vaddr + i * PAGE_SIZE, pde = dir[PDX(va)];
		if (!user_table(PDX(va), pde)) {
			/* Only a clear can get here: skip to the next page table. */
			i += PTE_ENTRIES - 1 - PTX(va);
			continue;
		}
		table_at(pde & PTE_ADDR_MASK)[PTX(va)] =
			phys == PHYS_NONE ? 0 : (phys + i * PAGE_SIZE) | PTE_P | flags;
		MUTATED();
	}
	return VM_OK;
}

/* Make sure page tables cover [vaddr, vaddr + npages pages), so that a pt_write
 * mapping there afterwards allocates nothing and cannot fail.  VM_ENOMEM (fault site
 * pt_page, or no page left) frees the tables this call allocated: the directory is
 * as it was.  VM_EINVAL as pt_write. */
int pt_reserve(struct pt *pt, uint32_t vaddr, uint32_t npages)
{
	uint32_t *dir, last, fresh[PDE_ENTRIES / 32] = { 0 };
	int err;

	sanity_pt_changed(pt);
	if (pt->dir_phys == PHYS_NONE)
		return VM_EINVAL;
	if (npages == 0)
		return VM_OK;
	if ((err = check_args(vaddr, PHYS_NONE, npages, 0, &last)) != VM_OK)
		return err;
	dir = table_at(pt->dir_phys);
	if ((err = alloc_tables(dir, PDX(vaddr), PDX(last), fresh)) != VM_OK)
		free_fresh_tables(dir, fresh);
	return err;
}

/* The PTE for vaddr (0 when no user page table covers it). */
uint32_t pt_lookup(const struct pt *pt, uint32_t vaddr)
{
	uint32_t pde;

	if (pt->dir_phys == PHYS_NONE)
		return 0;
	pde = table_at(pt->dir_phys)[PDX(vaddr)];
	if (!user_table(PDX(vaddr), pde))
		return 0;
	return table_at(pde & PTE_ADDR_MASK)[PTX(vaddr)];
}

/* Call fn(vaddr, pte, arg) for every present PTE of every user page table, in
 * ascending vaddr; stop at the first non-zero return and return it. */
int pt_for_each_mapping(const struct pt *pt, int (*fn)(uint32_t vaddr, uint32_t pte, void *arg),
			void *arg)
{
	const uint32_t *dir;

	if (pt->dir_phys == PHYS_NONE)
		return 0;
	dir = table_at(pt->dir_phys);
	for (uint32_t i = next_nonzero(dir, KERNEL_PDE_COUNT, PDE_ENTRIES); i < PDE_ENTRIES;
	     i = next_nonzero(dir, i + 1, PDE_ENTRIES)) {
		if (!user_table(i, dir[i]))
			continue;
		const uint32_t *tab = table_at(dir[i] & PTE_ADDR_MASK);
		for (uint32_t j = next_nonzero(tab, 0, PTE_ENTRIES); j < PTE_ENTRIES;
		     j = next_nonzero(tab, j + 1, PTE_ENTRIES)) {
			int r;
			if (!(tab[j] & PTE_P))
				continue;
			if ((r = fn((i << 22) | (j << PAGE_SHIFT), tab[j], arg)) != 0)
				return r;
		}
	}
	return 0;
}

/* Call fn for the directory, then for each user page table in PDE order. */
void pt_for_each_page(const struct pt *pt, void (*fn)(uint32_t phys, void *arg), void *arg)
{
	const uint32_t *dir;

	if (pt->dir_phys == PHYS_NONE)
		return;
	fn(pt->dir_phys, arg);
	dir = table_at(pt->dir_phys);
	for (uint32_t i = next_nonzero(dir, KERNEL_PDE_COUNT, PDE_ENTRIES); i < PDE_ENTRIES;
	     i = next_nonzero(dir, i + 1, PDE_ENTRIES))
		if (user_table(i, dir[i]))
			fn(dir[i] & PTE_ADDR_MASK, arg);
}

static void count_page(uint32_t phys, void *arg)
{
	(void)phys;
	(*(uint32_t *)arg)++;
}

/* Number of pages the table holds: the directory plus its user page tables. */
uint32_t pt_page_count(const struct pt *pt)
{
	uint32_t n = 0;

	pt_for_each_page(pt, count_page, &n);
	return n;
}

/* True when the directory's first KERNEL_PDE_COUNT entries equal vm.kern_pde. */
int pt_kernel_intact(const struct pt *pt)
{
	if (pt->dir_phys == PHYS_NONE)
		return 0;
	return vm_memcmp(table_at(pt->dir_phys), vm.kern_pde, sizeof vm.kern_pde) == 0;
}
