/* cache.c - the block cache: file systems hand VM pages of theirs, keyed by device
 * and device offset (VM_SETCACHEPAGE), map cached pages into themselves
 * (VM_MAPCACHEPAGE), and drop them (VM_FORGETCACHEPAGE, VM_CLEARCACHE).  A cached
 * block is held by the cache (PBF_INCACHE, one count of its refcount); the table is
 * small and fixed, and a full table gives up its least recently used entry.  No cached
 * block is ever written in place by its old owner: SETCACHEPAGE refuses shared memory,
 * and a region that becomes a REMAP source moves off its cached blocks first
 * (cache_copies_prepare/apply). */
#include "vm.h"

#define CACHE_MAX_PAGES 16 /* pages per request */

/* The entry for (dev, off), or NULL. */
static struct cache_entry *cache_find(int32_t dev, uint64_t off)
{
	for (int i = 0; i < CACHE_MAX; i++)
		if (vm.cache[i].pb && vm.cache[i].dev == dev && vm.cache[i].dev_off == off)
			return &vm.cache[i];
	return NULL;
}

struct phys_block *cache_find_ino(int32_t dev, uint64_t ino, uint64_t ino_off)
{
	for (int i = 0; i < CACHE_MAX; i++) {
		struct cache_entry *e = &vm.cache[i];

		if (e->pb && e->dev == dev && e->ino == ino && e->ino_off == ino_off && !(e->flags & VMSF_ONCE)) {
			e->stamp = ++vm.cache_clock;
			return e->pb;
		}
	}
	return NULL;
}

/* Drop the cache's hold on e's block; the block goes when nothing else holds it. */
static void cache_drop(struct cache_entry *e)
{
	struct phys_block *pb = e->pb;

	sanity_block_changed(pb);
	pb->flags &= ~PBF_INCACHE;
	pb->refcount--;
	if (pb->refcount == 0) {
		mem_free(pb->phys, 1);
		pb_free(pb);
	}
	e->pb = NULL;
	MUTATED();
}

/* A free entry, evicting the least recently used one when the table is full. */
static struct cache_entry *cache_slot(void)
{
	struct cache_entry *lru = &vm.cache[0];

	for (int i = 0; i < CACHE_MAX; i++) {
		if (!vm.cache[i].pb)
			return &vm.cache[i];
		if (vm.cache[i].stamp < lru->stamp)
			lru = &vm.cache[i];
	}
	cache_drop(lru);
	return lru;
}

/* Check the shared request fields: page-aligned offsets and 1..CACHE_MAX_PAGES pages
 * whose offsets do not wrap.  VM_OK, VM_EFAULT or VM_EINVAL. */
static int cache_check(const message *m)
{
	const struct vm_pl_setcachepage *c = &m->u.setcachepage;

	if ((c->dev_offset & PAGE_MASK) || (c->ino_offset & PAGE_MASK))
		return VM_EFAULT;
	if (c->pages < 1 || c->pages > CACHE_MAX_PAGES)
		return VM_EINVAL;
	if (c->dev_offset > UINT64_MAX - (uint64_t)c->pages * PAGE_SIZE)
		return VM_EINVAL;
	return VM_OK;
}

/* The caller's page i of the block being offered: a present anonymous page with no
 * other sharer, in a region that is not shared memory (MINIX takes only plain
 * anonymous pages of refcount 1).  A VM_REMAP source is refused even where its alias
 * has not linked the page yet: the alias would link it later and share the cached
 * block, and the owner's writes in place would change it. */
static struct phys_region *offered_page(struct vmproc *vmp, uint32_t block, uint32_t i)
{
	uint32_t va = block + (i << PAGE_SHIFT);
	struct vir_region *r = region_find(vmp, va);
	struct phys_region *pr;

	if (va < block || !r || r->type != &mem_type_anon || (r->flags & VR_SHARED))
		return NULL;
	pr = region_page(r, (va - r->vaddr) >> PAGE_SHIFT);
	return pr && pr->ph->refcount == 1 && !(pr->ph->flags & PBF_DEVICE) ? pr : NULL;
}

/* VM_SETCACHEPAGE: enter `pages` pages of the caller at `block` into the cache under
 * (dev, dev_offset + i pages).  Each must be an unshared anonymous page outside shared
 * memory (VM_EFAULT otherwise, checked before anything changes); an entry already
 * there for another block is replaced.  The caller's pages become copy-on-write. */
int do_setcache(message *m)
{
	const struct vm_pl_setcachepage *c = &m->u.setcachepage;
	struct vmproc *vmp = proc_get(m->m_source);
	int err;

	if ((err = cache_check(m)) != VM_OK)
		return err;
	if (!page_aligned(c->block))
		return VM_EFAULT;
	for (int32_t i = 0; i < c->pages; i++)
		if (!offered_page(vmp, c->block, (uint32_t)i))
			return VM_EFAULT;
	for (int32_t i = 0; i < c->pages; i++) {
		struct phys_region *pr = offered_page(vmp, c->block, (uint32_t)i);
		uint64_t off = c->dev_offset + ((uint64_t)i << PAGE_SHIFT);
		struct cache_entry *e = cache_find(c->dev, off);

		if (e)
			cache_drop(e);
		e = cache_slot();
		e->pb = pr->ph;
		e->dev = c->dev;
		e->dev_off = off;
		e->ino = c->ino;
		e->ino_off = c->ino_offset + ((uint64_t)i << PAGE_SHIFT);
		e->flags = c->flags & VMSF_ONCE;
		e->stamp = ++vm.cache_clock;
		pr->ph->flags |= PBF_INCACHE;
		pr->ph->refcount++;
		sanity_block_changed(pr->ph);
		if (pt_lookup(&vmp->pt, c->block + ((uint32_t)i << PAGE_SHIFT)) & PTE_P)
			map_map_page(vmp, pr->parent, pr->offset >> PAGE_SHIFT); /* now read-only */
		MUTATED();
	}
	kc_flush_tlb(vmp->endpt);
	return VM_OK;
}

/* VM_MAPCACHEPAGE: map `pages` cached pages (dev, dev_offset + i pages) into a new
 * shared region of the caller; replies its address.  VM_ENOENT when any page is not
 * cached or is a discard-after-use block (nothing is mapped then). */
int do_mapcache(message *m)
{
	const struct vm_pl_mapcachepage *c = &m->u.mapcachepage;
	struct vmproc *vmp = proc_get(m->m_source);
	struct vir_region *r;
	int err;

	if ((err = cache_check(m)) != VM_OK)
		return err;
	for (int32_t i = 0; i < c->pages; i++) {
		struct cache_entry *e = cache_find(c->dev, c->dev_offset + ((uint64_t)i << PAGE_SHIFT));
		if (!e || (e->flags & VMSF_ONCE))
			return VM_ENOENT;
	}
	r = map_new_region(vmp, 0, (uint32_t)c->pages << PAGE_SHIFT, VR_SHARED | VR_WRITABLE, &mem_type_cache, 0, &err);
	if (!r)
		return err;
	for (int32_t i = 0; i < c->pages; i++) {
		struct cache_entry *e = cache_find(c->dev, c->dev_offset + ((uint64_t)i << PAGE_SHIFT));

		e->stamp = ++vm.cache_clock;
		if (pb_reference(r, (uint32_t)i, e->pb) != VM_OK) {
			map_free_region(vmp, r);
			return VM_ENOMEM;
		}
	}
	m->u.mapcachepage.addr = r->vaddr;
	return VM_OK;
}

/* VM_FORGETCACHEPAGE: drop the cache entries of `pages` pages from dev_offset on
 * (pages not cached are ignored). */
int do_forgetcache(message *m)
{
	const struct vm_pl_forgetcachepage *c = &m->u.forgetcachepage;
	int err;

	if ((err = cache_check(m)) != VM_OK)
		return err;
	for (int32_t i = 0; i < c->pages; i++) {
		struct cache_entry *e = cache_find(c->dev, c->dev_offset + ((uint64_t)i << PAGE_SHIFT));
		if (e)
			cache_drop(e);
	}
	return VM_OK;
}

/* VM_CLEARCACHE: drop every cached page of dev. */
int do_clearcache(message *m)
{
	for (int i = 0; i < CACHE_MAX; i++)
		if (vm.cache[i].pb && vm.cache[i].dev == m->u.clearcache.dev)
			cache_drop(&vm.cache[i]);
	return VM_OK;
}

/* The page of r that links e's block (its phys_region), or NULL. */
static struct phys_region *cached_page_in(const struct cache_entry *e, const struct vir_region *r)
{
	if (!e->pb)
		return NULL;
	for (struct phys_region *s = e->pb->first; s; s = s->next_sharer)
		if (s->parent == r)
			return s;
	return NULL;
}

/* Free the copies cache_copies_prepare made that were not linked. */
void cache_copies_cancel(struct phys_block *copy[CACHE_MAX])
{
	for (int i = 0; i < CACHE_MAX; i++) {
		if (copy[i]) {
			mem_free(copy[i]->phys, 1);
			slab_free(copy[i], sizeof(*copy[i]));
			copy[i] = NULL;
		}
	}
}

/* Before r (an anonymous region) becomes shared memory (a VM_REMAP source), written
 * in place: a copy of each of its pages that a cached block is, for cache_copies_apply
 * to move r onto, so no write in place reaches the block (MEMFX-06: the owner's later
 * writes never change a cached block).  VM_ENOMEM when a copy cannot be had: the
 * copies made are freed, nothing changed. */
int cache_copies_prepare(const struct vir_region *r, struct phys_block *copy[CACHE_MAX])
{
	for (int i = 0; i < CACHE_MAX; i++)
		copy[i] = NULL;
	for (int i = 0; i < CACHE_MAX; i++) {
		struct phys_region *pr = cached_page_in(&vm.cache[i], r);

		copy[i] = pr ? pb_copy(pr->ph) : NULL;
		if (pr && !copy[i]) {
			cache_copies_cancel(copy);
			return VM_ENOMEM;
		}
	}
	return VM_OK;
}

/* Move r's pages off the cached blocks onto the copies cache_copies_prepare made, with
 * nothing changed in between; the cache keeps its blocks.  Cannot fail; the caller
 * rewrites r's present PTEs.  Returns the number of pages moved. */
uint32_t cache_copies_apply(struct vir_region *r, struct phys_block *copy[CACHE_MAX])
{
	uint32_t moved = 0;

	for (int i = 0; i < CACHE_MAX; i++) {
		struct phys_region *pr;

		if (!copy[i])
			continue;
		pr = cached_page_in(&vm.cache[i], r);
		VM_ASSERT(pr);
		pb_relink(r, pr->offset >> PAGE_SHIFT, copy[i]);
		copy[i] = NULL;
		moved++;
	}
	return moved;
}

/* Number of blocks the cache holds. */
uint32_t cache_pages(void)
{
	uint32_t n = 0;

	for (int i = 0; i < CACHE_MAX; i++)
		n += vm.cache[i].pb != NULL;
	return n;
}

/* Call fn for each cached block (the sanity checker). */
void cache_for_each(void (*fn)(struct phys_block *pb, void *arg), void *arg)
{
	for (int i = 0; i < CACHE_MAX; i++)
		if (vm.cache[i].pb)
			fn(vm.cache[i].pb, arg);
}
