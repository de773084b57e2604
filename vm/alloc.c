/* alloc.c - the physical page allocator.
 *
 * Two bitmaps over every page below PHYS_MAX: managed (the page belongs to VM's
 * pool) and free.  Allocation is first-fit from `hint`, which is kept as a lower
 * bound of the lowest free page, so the search never wraps.  Everything depends
 * only on physical page numbers: the same calls give the same pages in both builds.
 * Free pages are filled with FREE_PATTERN and poisoned for the sanitizer. */
#include "vm.h"

#define A (vm.alloc)
#define LIMIT_16M ((16u << 20) / PAGE_SIZE)
#define LIMIT_1M  ((1u << 20) / PAGE_SIZE)
#define ALIGN_64K ((64u << 10) / PAGE_SIZE)

static void bit_set(uint32_t *map, uint32_t pg)
{
	map[pg / 32] |= 1u << (pg % 32);
}

static void bit_clear(uint32_t *map, uint32_t pg)
{
	map[pg / 32] &= ~(1u << (pg % 32));
}

/* The first free page at or after pg, or PHYS_MAX_PAGES when there is none.
 * Skips whole words with no free page. */
static uint32_t next_free(uint32_t pg)
{
	while (pg < PHYS_MAX_PAGES) {
		uint32_t w = A.free_bits[pg / 32] >> (pg % 32);
		if (w)
			return pg + (uint32_t)__builtin_ctz(w);
		pg = (pg | 31) + 1;
	}
	return PHYS_MAX_PAGES;
}

/* Take the page-aligned part of [base, base+size), clipped to PHYS_MAX, into the
 * pool as free.  Pages already in the pool (overlapping ranges) count once. */
static void add_range(uint32_t base, uint32_t size)
{
	uint32_t first, end;

	if (page_roundup(base, &first) || first >= PHYS_MAX)
		return;
	if (add_wraps(base, size, &end) || end > PHYS_MAX)
		end = PHYS_MAX;
	end &= ~PAGE_MASK;
	for (uint32_t pg = first / PAGE_SIZE; pg < end / PAGE_SIZE; pg++) {
		if (page_bit(A.managed_bits, pg))
			continue;
		bit_set(A.managed_bits, pg);
		bit_set(A.free_bits, pg);
		A.nmanaged++;
		A.nfree++;
		if (pg / 32 >= A.words)
			A.words = pg / 32 + 1;
	}
	if (end > first)
		seam_poison(first, end - first);
}

/* Reset the allocator and take every range of bi->mem into the pool as free.  The
 * pages are poisoned (their content is left as it is). */
void mem_init(const struct boot_info *bi)
{
	uint32_t n = bi->nmem < BOOT_MAX_MEM ? bi->nmem : BOOT_MAX_MEM;

	vm_memset(&A, 0, sizeof A);
	for (uint32_t i = 0; i < n; i++)
		add_range(bi->mem[i].base, bi->mem[i].size);
	A.hint = next_free(0);
	MUTATED();
}

/* True when [phys, phys+npages pages) is page-aligned, below PHYS_MAX, and every page
 * has the state `want_free` in the pool.  *first gets the first page number. */
static int range_is(uint32_t phys, uint32_t npages, int want_free, uint32_t *first)
{
	uint32_t bytes, end;

	if (!page_aligned(phys) || npages > PHYS_MAX_PAGES)
		return 0;
	bytes = npages * PAGE_SIZE;
	if (add_wraps(phys, bytes, &end) || end > PHYS_MAX)
		return 0;
	*first = phys / PAGE_SIZE;
	for (uint32_t pg = *first; pg < end / PAGE_SIZE; pg++)
		if (!page_bit(A.managed_bits, pg) || page_bit(A.free_bits, pg) != want_free)
			return 0;
	return 1;
}

/* Mark [phys, phys+npages pages) used and usable (boot segments VM adopts).
 * VM_EINVAL, changing nothing, if any page is outside the pool or not free. */
int mem_reserve(uint32_t phys, uint32_t npages)
{
	uint32_t first;

	if (npages == 0)
		return VM_OK;
	if (!range_is(phys, npages, 1, &first))
		return VM_EINVAL;
	for (uint32_t i = 0; i < npages; i++)
		bit_clear(A.free_bits, first + i);
	A.nfree -= npages;
	seam_unpoison(phys, npages * PAGE_SIZE);
	MUTATED();
	return VM_OK;
}

/* The first run of n free pages in [from, limit) whose start is a multiple of align,
 * or PHYS_MAX_PAGES. */
static uint32_t find_run(uint32_t from, uint32_t limit, uint32_t n, uint32_t align)
{
	uint32_t pg = from;

	for (;;) {
		uint32_t k;

		pg = next_free(pg);
		pg = (pg + align - 1) & ~(align - 1);
		if (pg >= limit || limit - pg < n)
			return PHYS_MAX_PAGES;
		for (k = 0; k < n && page_bit(A.free_bits, pg + k); k++)
			;
		if (k == n)
			return pg;
		pg += k + 1; /* page pg + k is used: no run can contain it */
	}
}

/* npages physically contiguous free pages (first fit), honouring MEMF_LOWER16M,
 * MEMF_LOWER1M and MEMF_ALIGN64K; zeroed with MEMF_CLEAR.  The pages are unpoisoned.
 * Returns the first page's physical address, or PHYS_NONE (npages 0, more than is
 * free, or no fitting run).  No fault point: callers mark their own site. */
uint32_t mem_alloc(uint32_t npages, uint32_t flags)
{
	uint32_t limit = PHYS_MAX_PAGES, align = 1, pg, phys;

	if (npages == 0 || npages > A.nfree)
		return PHYS_NONE;
	if (flags & MEMF_LOWER16M)
		limit = LIMIT_16M;
	if (flags & MEMF_LOWER1M)
		limit = LIMIT_1M;
	if (flags & MEMF_ALIGN64K)
		align = ALIGN_64K;
	A.hint = next_free(A.hint);
	pg = find_run(A.hint, limit, npages, align);
	if (pg == PHYS_MAX_PAGES)
		return PHYS_NONE;
	for (uint32_t i = 0; i < npages; i++)
		bit_clear(A.free_bits, pg + i);
	A.nfree -= npages;
	phys = pg * PAGE_SIZE;
	seam_unpoison(phys, npages * PAGE_SIZE);
	if (flags & MEMF_CLEAR)
		vm_memset(phys_ptr(phys, npages * PAGE_SIZE), 0, npages * PAGE_SIZE);
	MUTATED();
	return phys;
}

/* Return [phys, phys+npages pages) to the pool: filled with FREE_PATTERN (unless
 * seam_scrub_free says a restore puts them back anyway), then poisoned.  A page
 * outside the pool or already free is a broken invariant (panic), detected before
 * anything changes. */
void mem_free(uint32_t phys, uint32_t npages)
{
	uint32_t first;

	if (npages == 0)
		return;
	if (!range_is(phys, npages, 0, &first))
		PANIC("mem_free: page not managed or already free");
	seam_unpoison(phys, npages * PAGE_SIZE); /* callers may have poisoned parts */
	if (seam_scrub_free(phys, npages * PAGE_SIZE))
		vm_memset(phys_ptr(phys, npages * PAGE_SIZE), FREE_PATTERN, npages * PAGE_SIZE);
	seam_poison(phys, npages * PAGE_SIZE);
	for (uint32_t i = 0; i < npages; i++)
		bit_set(A.free_bits, first + i);
	A.nfree += npages;
	if (first < A.hint)
		A.hint = first;
	MUTATED();
}

uint32_t mem_free_count(void)
{
	return A.nfree;
}

uint32_t mem_managed_count(void)
{
	return A.nmanaged;
}

/* The length in pages of the longest run of free pages (VM_INFO statistics). */
uint32_t mem_largest_free_run(void)
{
	uint32_t best = 0, pg = next_free(0);

	while (pg < PHYS_MAX_PAGES) {
		uint32_t end = pg;
		while (end < PHYS_MAX_PAGES && page_bit(A.free_bits, end))
			end++;
		if (end - pg > best)
			best = end - pg;
		pg = next_free(end);
	}
	return best;
}
