/* pagemap.c - each region's page references, kept sparse.
 *
 * A region of n pages has a top table of ceil(n / PAGEMAP_LEAF) leaf pointers; a leaf
 * (a slab object) holds PAGEMAP_LEAF phys_region pointers and exists only once a page
 * in its range is referenced.  So a huge, mostly empty mapping costs a small top
 * table, and walking a region's pages costs its leaves, not its length.  A top table
 * too large for the slab is made of single pages, so a fragmented pool with enough
 * free pages never fails it.  Top tables and leaves are the "region page array"
 * fault site. */
#include "vm.h"

#define LEAF_BYTES ((uint32_t)sizeof(struct pagemap_leaf))
#define PTR_BYTES  ((uint32_t)sizeof(struct pagemap_leaf *))

#define PTRS_PER_PAGE (PAGE_SIZE / PTR_BYTES)

static uint32_t leaves_for(uint32_t npages)
{
	return (npages + PAGEMAP_LEAF - 1) / PAGEMAP_LEAF;
}

/* Pages backing a top table of n entries allocated from the page pool. */
static uint32_t top_pages(uint32_t n)
{
	return (n * PTR_BYTES + PAGE_MASK) >> PAGE_SHIFT;
}

/* A top table: a slab object when small, else single pages (no physically contiguous
 * run: a fragmented pool must not fail a table that fits in its free pages). */
struct top_table {
	struct pagemap_leaf **slab;
	uint32_t phys[PAGEMAP_TOP_PAGES];
};

/* The slot of leaf i in a top table. */
static struct pagemap_leaf **table_slot(struct pagemap_leaf **slab, const uint32_t *phys, uint32_t i)
{
	if (slab)
		return &slab[i];
	return (struct pagemap_leaf **)phys_ptr(phys[i / PTRS_PER_PAGE], PAGE_SIZE) + i % PTRS_PER_PAGE;
}

/* The slot of leaf i of r's map (i < r->nleaves). */
static struct pagemap_leaf **leaf_slot(const struct vir_region *r, uint32_t i)
{
	return table_slot(r->leaves, r->top_phys, i);
}

/* The slots of leaves [i, i + *n) of r's map, which lie in one run
 * of memory (the slab table, or one page of a paged one): a walk over the map takes
 * one pointer per page of its table, not one per leaf.  i < r->leaf_hi: walks stop at
 * the last leaf ever made, so a huge, mostly empty map costs what it holds. */
static struct pagemap_leaf *const *leaf_run(const struct vir_region *r, uint32_t i, uint32_t *n)
{
	uint32_t left = r->leaf_hi - i, in_page = PTRS_PER_PAGE - i % PTRS_PER_PAGE;

	if (r->leaves) {
		*n = left;
		return &r->leaves[i];
	}
	*n = in_page < left ? in_page : left;
	return (struct pagemap_leaf *const *)phys_ptr(r->top_phys[i / PTRS_PER_PAGE], PAGE_SIZE) +
	       i % PTRS_PER_PAGE;
}

/* Free a top table of n entries. */
static void top_free(struct pagemap_leaf **slab, const uint32_t *phys, uint32_t n)
{
	if (slab) {
		slab_free(slab, n * PTR_BYTES);
		return;
	}
	for (uint32_t i = 0; i < top_pages(n); i++)
		mem_free(phys[i], 1);
}

/* A zeroed top table of n entries in *t: from the slab when small, else one page at
 * a time.  VM_ENOMEM (nothing held) on failure. */
static int top_alloc(uint32_t n, struct top_table *t)
{
	uint32_t np = top_pages(n);

	for (uint32_t i = 0; i < PAGEMAP_TOP_PAGES; i++)
		t->phys[i] = PHYS_NONE;
	t->slab = NULL;
	if (FAULT_POINT(REGION_PAGES))
		return VM_ENOMEM;
	if (n * PTR_BYTES <= SLAB_MAX)
		return (t->slab = slab_alloc(n * PTR_BYTES)) ? VM_OK : VM_ENOMEM;
	VM_ASSERT(np <= PAGEMAP_TOP_PAGES);
	for (uint32_t i = 0; i < np; i++) {
		t->phys[i] = mem_alloc(1, MEMF_CLEAR);
		if (t->phys[i] == PHYS_NONE) {
			while (i-- > 0)
				mem_free(t->phys[i], 1);
			return VM_ENOMEM;
		}
	}
	return VM_OK;
}

/* Make t (of n entries) r's top table. */
static void top_install(struct vir_region *r, const struct top_table *t, uint32_t n)
{
	r->leaves = t->slab;
	vm_memcpy(r->top_phys, t->phys, sizeof r->top_phys);
	r->nleaves = n;
}

/* Give r an empty page map for npages pages.  VM_ENOMEM (r unchanged) on failure. */
int pagemap_init(struct vir_region *r, uint32_t npages)
{
	uint32_t n = leaves_for(npages);
	struct top_table t;

	if (npages == 0 || npages > (USER_TOP >> PAGE_SHIFT))
		return VM_ENOMEM;
	if (top_alloc(n, &t) != VM_OK)
		return VM_ENOMEM;
	top_install(r, &t, n);
	r->leaf_hi = 0;
	r->page_lo = UINT32_MAX;
	r->page_hi = 0;
	return VM_OK;
}

/* Let r's map cover npages pages (brk).  VM_ENOMEM with r unchanged on failure. */
int pagemap_grow(struct vir_region *r, uint32_t npages)
{
	uint32_t n = leaves_for(npages);
	struct top_table t;

	if (n <= r->nleaves)
		return VM_OK;
	if (npages > (USER_TOP >> PAGE_SHIFT) || top_alloc(n, &t) != VM_OK)
		return VM_ENOMEM;
	for (uint32_t i = 0; i < r->nleaves; i++)
		*table_slot(t.slab, t.phys, i) = i < r->leaf_hi ? *leaf_slot(r, i) : NULL;
	top_free(r->leaves, r->top_phys, r->nleaves);
	top_install(r, &t, n);
	MUTATED();
	sanity_changed(r->slot);
	return VM_OK;
}

/* Free r's map.  Every page must already be dropped or moved. */
void pagemap_free(struct vir_region *r)
{
	if (!pagemap_present(r))
		return;
	for (uint32_t i = 0; i < r->leaf_hi; i++) {
		struct pagemap_leaf *l = *leaf_slot(r, i);

		if (!l)
			continue;
		for (uint32_t j = 0; j < PAGEMAP_LEAF; j++)
			VM_ASSERT(!l->pr[j]);
		slab_free(l, LEAF_BYTES);
	}
	top_free(r->leaves, r->top_phys, r->nleaves);
	r->leaves = NULL;
	r->nleaves = 0;
	r->leaf_hi = 0;
	r->page_lo = UINT32_MAX;
	r->page_hi = 0;
	for (uint32_t i = 0; i < PAGEMAP_TOP_PAGES; i++)
		r->top_phys[i] = PHYS_NONE;
	sanity_changed(r->slot);
}

/* True when r has a top table (pagemap_init succeeded and pagemap_free did not run). */
int pagemap_present(const struct vir_region *r)
{
	return r->leaves != NULL || (r->nleaves > 0 && r->top_phys[0] != PHYS_NONE);
}

/* Number of pool pages r's top table takes (0: it is a slab object). */
uint32_t pagemap_top_pages(const struct vir_region *r)
{
	return r->leaves ? 0 : top_pages(r->nleaves);
}

/* The reference of page idx of r, or NULL. */
struct phys_region *region_page(const struct vir_region *r, uint32_t idx)
{
	const struct pagemap_leaf *l;

	if (idx / PAGEMAP_LEAF >= r->nleaves)
		return NULL;
	l = *leaf_slot(r, idx / PAGEMAP_LEAF);
	return l ? l->pr[idx % PAGEMAP_LEAF] : NULL;
}

/* Make sure page idx of r has a slot (allocating its leaf).  VM_ENOMEM on failure. */
int pagemap_reserve(struct vir_region *r, uint32_t idx)
{
	struct pagemap_leaf **slot;

	VM_ASSERT(idx / PAGEMAP_LEAF < r->nleaves);
	slot = leaf_slot(r, idx / PAGEMAP_LEAF);
	if (*slot)
		return VM_OK;
	if (FAULT_POINT(REGION_PAGES) || !(*slot = slab_alloc(LEAF_BYTES)))
		return VM_ENOMEM;
	if (idx / PAGEMAP_LEAF >= r->leaf_hi)
		r->leaf_hi = idx / PAGEMAP_LEAF + 1;
	sanity_changed(r->slot);
	return VM_OK;
}

/* Set page idx of r (its slot must be reserved). */
void pagemap_set(struct vir_region *r, uint32_t idx, struct phys_region *pr)
{
	struct pagemap_leaf *l;

	VM_ASSERT(idx / PAGEMAP_LEAF < r->nleaves);
	l = *leaf_slot(r, idx / PAGEMAP_LEAF);
	VM_ASSERT(l);
	l->pr[idx % PAGEMAP_LEAF] = pr;
	if (pr && idx < r->page_lo)
		r->page_lo = idx;
	if (pr && idx >= r->page_hi)
		r->page_hi = idx + 1;
	MUTATED();
	sanity_changed(r->slot);
}

/* The first slot >= j of leaf l that holds a page, or PAGEMAP_LEAF.  Leaves are
 * mostly empty, so empty slots are skipped four at a time. */
static uint32_t leaf_next(const struct pagemap_leaf *l, uint32_t j)
{
	while (j < PAGEMAP_LEAF && (j & 3))
		if (l->pr[j++])
			return j - 1;
	for (; j < PAGEMAP_LEAF; j += 4) {
		if (!l->pr[j] && !l->pr[j + 1] && !l->pr[j + 2] && !l->pr[j + 3])
			continue;
		while (!l->pr[j])
			j++;
		return j;
	}
	return PAGEMAP_LEAF;
}

/* The first page index >= from of r that has a page, or r's map capacity when none
 * (callers walking a region stop at region_npages). */
uint32_t pagemap_next(const struct vir_region *r, uint32_t from)
{
	uint32_t i, j;

	if (from < r->page_lo)
		from = r->page_lo; /* no page was ever below it */
	if (from >= r->page_hi)
		return pagemap_capacity(r); /* nor at or past page_hi */
	i = from / PAGEMAP_LEAF;
	j = from % PAGEMAP_LEAF;
	while (i < r->leaf_hi && i * PAGEMAP_LEAF < r->page_hi) {
		uint32_t n;
		struct pagemap_leaf *const *run = leaf_run(r, i, &n);

		for (uint32_t k = 0; k < n; k++, i++, j = 0) {
			uint32_t x;

			if (!run[k])
				continue;
			x = leaf_next(run[k], j);
			if (x < PAGEMAP_LEAF)
				return i * PAGEMAP_LEAF + x;
		}
	}
	return pagemap_capacity(r);
}

/* Number of leaves r's map holds (each one slab object). */
uint32_t pagemap_leaf_count(const struct vir_region *r)
{
	uint32_t count = 0;

	for (uint32_t i = 0, n; i < r->leaf_hi; i += n) {
		struct pagemap_leaf *const *run = leaf_run(r, i, &n);

		for (uint32_t k = 0; k < n; k++)
			count += run[k] != NULL;
	}
	return count;
}
