/* sanity.c - the sanity checker: re-derives VM's invariants from scratch.
 *
 * Every page VM manages must be exactly one of: free, a slab page, a page directory
 * or page table, a large region page array, or the page of a physical block; every
 * block's refcount equals its sharer list; regions are ordered, aligned and in the
 * user range; every present user PTE maps exactly its region page with no more
 * rights than the page may have; slab objects equal the objects the regions hold;
 * the DMA range table's rows are valid, disjoint per owner and agree with their
 * owners' lives (dma_check, dma.c).  A failure also names the kind of object it was found on (vm.sanity_obj, SOBJ_*):
 * the memory type of the region for a region, its pages and PTEs, else the structure
 * being checked, so two defects that break one invariant in different places differ.
 *
 * Incremental checks (vm.sanity_incremental, below SCL_DETAIL): VM marks a process
 * changed whenever its regions, their pages, its page table, its ACL entry change or
 * its exit is announced (the last two are no input of its check, but a look at the
 * process then names a defect nothing marked before VM_EXIT spreads it: measured over
 * the plants and the seeds, dropping them moved 10 first findings), and the first
 * sharer (the one counting the block) of a block whose head or cache hold changed; a
 * sharer joins behind the head (pb.c), so a fork marks the child, not the parent, and
 * one that leaves from behind the head marks only the block's count
 * (sanity_count_changed: the check walks that list by itself, check_counted; the
 * head's totals do not change); a check then re-derives only the changed processes,
 * walking the sharer list of each block among their pages (once per check however
 * many of its sharers changed), and takes the totals of the others from their last
 * check; the slab allocator marks the pages it changes and only those are re-checked
 * (slab.c); the allocator's bitmaps are read up to the last managed page; every other
 * global check (ACL, block cache, DMA table, accounting) runs in full.  What it cannot see: a
 * changed process's page that an unchanged one also uses, and a change no primitive
 * marked; the full pass (sanity_check: the harness runs it after every conversation,
 * and every check is full without the switch, and at SCL_DETAIL for the first
 * SANITY_FULL_MAX checks of a conversation) does. */
#include "vm.h"

#define SANITY_TEXT_ROW(id, text) [id] = text,
const char *const sanity_text[SAN_COUNT] = { SANITY_INVARIANTS(SANITY_TEXT_ROW) };
#undef SANITY_TEXT_ROW

/* Running totals of one check, passed to the callbacks. */
struct tally {
	int err;          /* a failure found by a callback (mark_used, check_cached) */
	int32_t err_obj;  /* the object kind being checked when err was set */
	int32_t obj;      /* the object kind being checked now (SOBJ_*) */
	uint32_t used;    /* pages seen in use */
	uint32_t objects; /* slab objects the regions account for */
	uint32_t cached;  /* cached blocks seen (from regions or the cache alone) */
};

/* A callback found invariant err broken (the first one counts). */
static void tally_fail(struct tally *t, int err)
{
	if (t->err)
		return;
	t->err = err;
	t->err_obj = t->obj;
}

/* Record page phys as used once; a second use or a free page is SAN_PAGE_REUSED. */
static void mark_used(uint32_t phys, void *arg)
{
	struct tally *t = arg;
	uint32_t pg = phys >> PAGE_SHIFT, bit = 1u << (pg & 31);

	if (t->err)
		return;
	if (phys >= PHYS_MAX || !mem_page_is_managed(phys)) {
		tally_fail(t, SAN_PAGE_UNMANAGED);
		return;
	}
	if ((vm.used_bits[pg >> 5] & bit) || mem_page_is_free(phys)) {
		tally_fail(t, SAN_PAGE_REUSED);
		return;
	}
	vm.used_bits[pg >> 5] |= bit;
	t->used++;
}

/* Walk pb's sharer list for this check: stamp each sharer that points back at pb
 * (san_listed; *back: there was one) and, when the list counts the refcount (with the
 * cache's hold), the block (san_walked).  1 when it counted right. */
static int walk_sharers(struct phys_block *pb, int *back)
{
	uint32_t n = 0;

	*back = 0;
	for (struct phys_region *s = pb->first; s && n <= pb->refcount; s = s->next_sharer) {
		n++;
		if (s->ph == pb) {
			s->san_listed = vm.san_epoch;
			*back = 1;
		}
	}
	if (n + ((pb->flags & PBF_INCACHE) ? 1 : 0) != pb->refcount)
		return 0;
	pb->san_walked = vm.san_epoch;
	return 1;
}

/* The sharer list of pr's block counts its refcount (with the cache's hold) and holds
 * pr.  The list is walked once per check (vm.san_epoch): the walk stamps each sharer
 * that points back at the block, and the block once it counted right, so the other
 * sharers of a block shared by hundreds of processes only read their stamp. */
static int check_sharers(struct phys_region *pr)
{
	struct phys_block *pb = pr->ph;
	int back;

	if (pb->san_walked == vm.san_epoch)
		return pr->san_listed == vm.san_epoch ? 0 : SAN_REFCOUNT;
	return walk_sharers(pb, &back) && pr->san_listed == vm.san_epoch ? 0 : SAN_REFCOUNT;
}

/* Check one page reference: links and sharer count (its PTE is checked from the
 * page table's side, check_mapping). */
static int check_page(struct vir_region *r, uint32_t idx, struct tally *t)
{
	struct phys_region *pr = region_page(r, idx);
	int err;

	if (!slab_is_live(pr, sizeof(*pr)) || !slab_is_live(pr->ph, sizeof(*pr->ph)))
		return SAN_PR_LINK;
	if (pr->parent != r || pr->offset != idx << PAGE_SHIFT)
		return SAN_PR_LINK;
	if ((err = check_sharers(pr)) != 0)
		return err;
	t->objects++;
	if (pr->ph->first == pr) { /* count each block once, at its list head */
		t->objects++;
		t->cached += (pr->ph->flags & PBF_INCACHE) != 0;
		if (!(pr->ph->flags & PBF_DEVICE))
			mark_used(pr->ph->phys, t);
	}
	return 0;
}

/* The object kind of region r: its memory type. */
static int32_t region_obj(const struct vir_region *r)
{
	if (r->type == &mem_type_anon)
		return SOBJ_ANON;
	if (r->type == &mem_type_directphys)
		return SOBJ_DIRECTPHYS;
	if (r->type == &mem_type_shared)
		return SOBJ_SHARED;
	if (r->type == &mem_type_file)
		return SOBJ_FILE;
	return r->type == &mem_type_cache ? SOBJ_CACHE : SOBJ_NONE;
}

/* Check one region of vmp (prev is the region before it, or NULL).  A region that is
 * no live object is the process's (SOBJ_PROC); anything else is the region's type. */
static int check_region(struct vmproc *vmp, struct vir_region *r, struct vir_region *prev, struct tally *t)
{
	int err;

	t->obj = SOBJ_PROC;
	if (!slab_is_live(r, sizeof(*r)) || r->slot != vmp->slot)
		return SAN_PR_LINK;
	t->obj = region_obj(r);
	if (!page_aligned(r->vaddr) || !page_aligned(r->length) || r->length == 0)
		return SAN_REGION_ALIGN;
	if (r->vaddr < USER_BASE || r->length > USER_TOP - r->vaddr)
		return SAN_REGION_RANGE;
	if (prev && prev->vaddr + prev->length > r->vaddr)
		return SAN_REGION_ORDER;
	if (region_npages(r) > pagemap_capacity(r) || !pagemap_present(r))
		return SAN_PR_LINK;
	t->objects += 1 + pagemap_leaf_count(r); /* the region and its map leaves */
	if (pagemap_top_pages(r) == 0)
		t->objects++; /* a slab top table */
	for (uint32_t i = 0; i < pagemap_top_pages(r); i++)
		mark_used(r->top_phys[i], t);
	for (uint32_t i = pagemap_next(r, 0); i < pagemap_capacity(r); i = pagemap_next(r, i + 1)) {
		if (i >= region_npages(r))
			return SAN_PR_LINK;
		if ((err = check_page(r, i, t)) != 0)
			return err;
	}
	return t->err;
}

struct stray_arg {
	struct vmproc *vmp;
	struct tally *t;
};

/* A present PTE must map exactly the page of its region page, as a user page, and
 * be writable only where the page may be written (SAN_PTE); a PTE where no region
 * page is is SAN_PTE_STRAY.  (A region page without a PTE is fine: it faults in.)
 * A failure is the region's type, or the page table's where no region is. */
static int check_mapping(uint32_t vaddr, uint32_t pte, void *arg)
{
	struct stray_arg *sa = arg;
	struct vir_region *r = region_find(sa->vmp, vaddr);
	struct phys_region *pr;
	uint32_t idx;

	sa->t->obj = r ? region_obj(r) : SOBJ_PAGETABLE;
	if (!r || !(pr = region_page(r, idx = (vaddr - r->vaddr) >> PAGE_SHIFT)))
		return SAN_PTE_STRAY;
	if ((pte & PTE_ADDR_MASK) != pr->ph->phys || !(pte & PTE_U) ||
	    ((pte & PTE_W) && !(map_expected_pte(r, idx) & PTE_W)))
		return SAN_PTE;
	return 0;
}

/* Check one live process: slot, page table, regions, stray mappings. */
static int check_proc(struct vmproc *vmp, struct tally *t)
{
	struct vir_region *r, *prev = NULL;
	struct stray_arg sa = { vmp, t };
	int err;

	t->obj = SOBJ_PROC;
	if (ep_slot(vmp->endpt) != vmp->slot && vmp->endpt != NONE) /* NONE: a fork in progress */
		return SAN_PROC;
	if (vmp->endpt == vm.self)
		return vmp->regions ? SAN_PROC : 0;
	t->obj = SOBJ_PAGETABLE;
	if (vmp->pt.dir_phys == PHYS_NONE)
		return SAN_PT_MISSING;
	if (!pt_kernel_intact(&vmp->pt))
		return SAN_PT_KERNEL;
	pt_for_each_page(&vmp->pt, mark_used, t);
	t->obj = SOBJ_PROC;
	if ((err = region_tree_check(vmp)) != 0)
		return err;
	for (r = region_first(vmp); r; prev = r, r = region_next(vmp, r))
		if ((err = check_region(vmp, r, prev, t)) != 0)
			return err;
	if ((err = pt_for_each_mapping(&vmp->pt, check_mapping, &sa)) != 0)
		return err;
	return t->err;
}

/* ACL ownership, gathered during the process walk (check_all) so the table's 256
 * slots are read once per check: owned holds the entries seen (the user entry and each
 * live process's system one); bad is set when an entry is out of range or has a
 * second owner. */
struct acl_seen {
	uint64_t owned;
	int bad;
};

/* Count live process vmp's ACL entry into a. */
static void acl_note(const struct vmproc *vmp, struct acl_seen *a)
{
	if (vmp->acl <= USER_ACL)
		return;
	if (vmp->acl >= NR_SYS_PROCS || (a->owned & ((uint64_t)1 << vmp->acl)))
		a->bad = 1;
	else
		a->owned |= (uint64_t)1 << vmp->acl;
}

/* ACL entries: the user entry is always in use; each system entry has one owner
 * (a: what the process walk saw). */
static int check_acl(const struct acl_seen *a)
{
	if (!(vm.acl.inuse & 1) || a->bad)
		return SAN_ACL;
	return a->owned == vm.acl.inuse ? 0 : SAN_ACL;
}

/* Set bits of w; the bitmaps are mostly all-zero or all-one words. */
static uint32_t bits_in(uint32_t w)
{
	return w == 0 ? 0 : w == ~0u ? 32 : (uint32_t)__builtin_popcount(w);
}

/* The allocator's counters equal its bitmaps; every free page is managed.  The
 * incremental check reads the words up to the last managed page (only the pool's
 * primitives set bits, and only there); the full one reads every word, counting past
 * that page only when a word there is not zero. */
static int check_alloc_counts(int incremental)
{
	uint32_t nfree = 0, nmanaged = 0, tail = 0;
	uint32_t last = vm.alloc.words < PHYS_MAX_PAGES / 32 ? vm.alloc.words : PHYS_MAX_PAGES / 32;
	uint32_t words = PHYS_MAX_PAGES / 32;

	/* The full check's words past the last managed page: when all are zero they add
	 * nothing to either count, and the loop below stops at the last managed page;
	 * else it reads them all, as before. */
	for (uint32_t i = last; !incremental && i < PHYS_MAX_PAGES / 32; i++)
		tail |= vm.alloc.free_bits[i] | vm.alloc.managed_bits[i];
	if (incremental || tail == 0)
		words = last;
	for (uint32_t i = 0; i < words; i++) {
		if (vm.alloc.free_bits[i] & ~vm.alloc.managed_bits[i])
			return SAN_FREE_COUNT;
		nfree += bits_in(vm.alloc.free_bits[i]);
		nmanaged += bits_in(vm.alloc.managed_bits[i]);
	}
	return nfree == vm.alloc.nfree && nmanaged == vm.alloc.nmanaged ? 0 : SAN_FREE_COUNT;
}

/* A cache entry's block: held by the cache; when no region links it, it is counted
 * (and its page marked) here. */
static void check_cached(struct phys_block *pb, void *arg)
{
	struct tally *t = arg;

	if (!slab_is_live(pb, sizeof(*pb)) || !(pb->flags & PBF_INCACHE) || (pb->flags & PBF_DEVICE)) {
		tally_fail(t, SAN_CACHE);
		return;
	}
	if (pb->first)
		return;
	if (pb->refcount != 1) {
		tally_fail(t, SAN_REFCOUNT);
		return;
	}
	t->objects++;
	t->cached++;
	mark_used(pb->phys, t);
}

/* ---- Changed processes ---- */
void sanity_changed(int32_t slot)
{
	if (slot >= 0 && slot < NR_PROCS) {
		vm.san_dirty[slot / 32] |= 1u << (slot % 32);
		vm.touched[slot / 32] |= 1u << (slot % 32);
	}
}

void sanity_all_changed(void)
{
	for (int32_t s = 0; s < NR_PROCS; s++)
		sanity_changed(s);
}

void sanity_pt_changed(const struct pt *pt)
{
	uintptr_t off = (uintptr_t)pt - (uintptr_t)&vm.proc[0].pt;

	if ((uintptr_t)pt >= (uintptr_t)&vm.proc[0].pt && off % sizeof(struct vmproc) == 0 &&
	    off / sizeof(struct vmproc) < NR_PROCS)
		sanity_changed((int32_t)(off / sizeof(struct vmproc)));
	else
		sanity_all_changed();
}

void sanity_block_changed(const struct phys_block *pb)
{
	/* The first sharer's check to meet the block walks its list (check_sharers), and
	 * the head's also counts the block and its page: the callers mark the head before
	 * and after the head changes, and whoever joins or leaves marks itself.  So a page
	 * shared by hundreds of processes does not re-derive them all. */
	if (pb->first)
		sanity_changed(pb->first->parent ? pb->first->parent->slot : -1);
}

void sanity_count_changed(struct phys_block *pb)
{
	if (vm.san_ncounts && vm.san_counts[vm.san_ncounts - 1] == pb)
		return; /* marked again before anything else was */
	if (vm.san_ncounts < SAN_COUNTS_MAX)
		vm.san_counts[vm.san_ncounts++] = pb;
	else
		sanity_block_changed(pb);
}

void sanity_block_gone(const struct phys_block *pb)
{
	for (uint32_t i = 0; i < vm.san_ncounts;)
		if (vm.san_counts[i] == pb)
			vm.san_counts[i] = vm.san_counts[--vm.san_ncounts];
		else
			i++;
}

/* The object kind the full check names for a count failure of pb: the type of the
 * region of its sharer in the lowest slot (the lowest address there), which the full
 * check's process walk meets first; the block cache's when no live region shares it. */
static int32_t count_failure_obj(const struct phys_block *pb)
{
	const struct phys_region *low = NULL;
	uint32_t n = 0;

	for (const struct phys_region *s = pb->first; s && n <= pb->refcount; s = s->next_sharer, n++) {
		if (s->ph != pb || !slab_is_live(s->parent, sizeof(*s->parent)))
			continue; /* the check of its own process fails on it */
		if (!low || s->parent->slot < low->parent->slot ||
		    (s->parent->slot == low->parent->slot && s->parent->vaddr + s->offset < low->parent->vaddr + low->offset))
			low = s;
	}
	return low ? region_obj(low->parent) : SOBJ_BLOCKCACHE;
}

/* A block whose sharer count changed (sanity_count_changed) and whose list no process
 * check walked in this one: its list counts its refcount, with a sharer pointing back
 * (walk_sharers, as check_sharers, without a process to start from). */
static int check_counted(struct phys_block *pb, struct tally *t)
{
	int back;

	if (pb->san_walked == vm.san_epoch)
		return 0;
	if (walk_sharers(pb, &back) && (!pb->first || back))
		return 0;
	t->obj = count_failure_obj(pb);
	return SAN_REFCOUNT;
}

/* Check live process vmp (recheck), or take its totals from its last check. */
static int check_or_reuse(struct vmproc *vmp, struct tally *t, int recheck)
{
	struct san_tally *k = &vm.san_tally[vmp->slot];
	uint32_t used = t->used, objects = t->objects, cached = t->cached;
	int err;

	if (!recheck) {
		t->used += k->used;
		t->objects += k->objects;
		t->cached += k->cached;
		return 0;
	}
	if ((err = check_proc(vmp, t)) != 0) {
		sanity_changed(vmp->slot);
		return err;
	}
	k->used = t->used - used;
	k->objects = t->objects - objects;
	k->cached = t->cached - cached;
	return 0;
}

/* Slot s of the process table: a free slot holds nothing (and leaves vm.san_live); a
 * live process is noted into a, re-derived when recheck is set, else its last totals
 * are taken, and joins vm.san_live.  0 or the failed invariant. */
static int check_slot(int32_t s, struct tally *t, int recheck, struct acl_seen *a)
{
	struct vmproc *vmp = &vm.proc[s];
	uint32_t bit = 1u << (s % 32);

	if (!(vmp->flags & VMF_INUSE)) {
		vm.san_live[s / 32] &= ~bit;
		if (vmp->regions || vmp->pt.dir_phys != PHYS_NONE || vmp->acl != NO_ACL || vmp->powers) {
			t->obj = SOBJ_PROC;
			return SAN_PROC;
		}
		return 0;
	}
	vm.san_live[s / 32] |= bit;
	acl_note(vmp, a);
	return check_or_reuse(vmp, t, recheck);
}

/* The process table, a word (32 slots) of marks at a time: the full check visits every
 * slot and re-derives every live process; the incremental one visits only the slots
 * changed since their last check and those live at it (vm.san_live), re-deriving the
 * changed ones (a free slot nobody marked is the full check's).  The changed marks are
 * cleared as the walk passes the slots; on a failure the slots not passed keep theirs,
 * and a live process that failed is marked again (check_or_reuse). */
static int check_procs(struct tally *t, int incremental, struct acl_seen *a)
{
	for (int32_t w = 0; w < NR_PROCS / 32; w++) {
		uint32_t dirty = vm.san_dirty[w];
		uint32_t visit = incremental ? dirty | vm.san_live[w] : ~0u;

		vm.san_dirty[w] = 0;
		for (; visit; visit &= visit - 1) {
			int32_t b = __builtin_ctz(visit);
			int err = check_slot(w * 32 + b, t, !incremental || ((dirty >> b) & 1), a);

			if (err) {
				vm.san_dirty[w] |= dirty & (~0u << b); /* this slot's mark and the later ones */
				return err;
			}
		}
	}
	return 0;
}

/* Every check in turn (t->obj: the kind of object each one is about); 0 or the first
 * failed invariant.  incremental: only changed processes are re-derived. */
static int check_all(struct tally *t, int incremental)
{
	struct acl_seen acl = { 1, 0 }; /* the user entry */
	int err;

	t->obj = SOBJ_ALLOC;
	if ((err = check_alloc_counts(incremental)) != 0)
		return err;
	t->obj = SOBJ_SLAB;
	uint32_t unvisited = 0;
	err = incremental ? slab_check_incremental(mark_used, t, &unvisited) : slab_check(mark_used, t);
	t->used += unvisited;
	if (err != 0 || (err = t->err) != 0)
		return err;
	if ((err = check_procs(t, incremental, &acl)) != 0)
		return err;
	for (uint32_t i = 0; incremental && i < vm.san_ncounts; i++)
		if ((err = check_counted(vm.san_counts[i], t)) != 0)
			return err;
	vm.san_ncounts = 0;
	t->obj = SOBJ_ACL;
	if ((err = check_acl(&acl)) != 0)
		return err;
	t->obj = SOBJ_BLOCKCACHE;
	cache_for_each(check_cached, t);
	if (t->err)
		return t->err;
	if (t->cached != cache_pages())
		return SAN_CACHE;
	t->obj = SOBJ_DMA;
	if ((err = dma_check()) != 0)
		return err;
	t->obj = SOBJ_VFS;
	if ((err = vfs_check()) != 0)
		return err;
	t->obj = SOBJ_WATCH;
	if ((err = watch_check()) != 0)
		return err;
	t->obj = SOBJ_ALLOC;
	if (t->used + mem_free_count() != mem_managed_count())
		return SAN_ACCOUNT;
	t->obj = SOBJ_SLAB;
	if (t->objects != slab_live_objects())
		return SAN_ACCOUNT;
	return 0;
}

/* One check, full or incremental; 0 or the first failed invariant, whose object
 * kind goes to vm.sanity_obj (a failure a callback found is the kind it was checking
 * then). */
static int run_check(int incremental)
{
	struct tally t = { 0, SOBJ_NONE, SOBJ_NONE, 0, 0, 0 };
	int err;

	if (++vm.san_epoch == 0) /* never 0, the stamp of a fresh (zeroed) block or sharer */
		vm.san_epoch = 1;
	vm.in_sanity = 1;
	/* mark_used sets bits of managed pages only: clear up to the last one */
	vm_memset(vm.used_bits, 0, (vm.alloc.words < PHYS_MAX_PAGES / 32 ? vm.alloc.words : PHYS_MAX_PAGES / 32) * 4u);
	err = check_all(&t, incremental);
	vm.in_sanity = 0;
	vm.sanity_obj = !err ? SOBJ_NONE : t.err && err == t.err ? t.err_obj : t.obj;
	return err;
}

int sanity_check(void)
{
	return run_check(0);
}

int sanity_check_incremental(void)
{
	return run_check(1);
}

/* The SANITYCHECK(l) hook: check when l is within the active level and the state
 * changed (the mutation counter moved) since the last check passed; a failure is
 * traced with its invariant id, then VM panics.  Under vm.sanity_incremental, level 3
 * runs its first vm.san_full_left checks full and the rest incremental, so a
 * conversation's cost stays bounded (every replay without --fast stays full). */
void sanity_at(int l, const char *file, int line)
{
	int err;

	if (l > vm.sanity_level || vm.in_sanity || !vm.booted)
		return;
	if (vm.sane_at_valid && vm.sane_at == vm.mutations)
		return;
	int incremental = vm.sanity_incremental && (vm.sanity_level < SCL_DETAIL || vm.san_full_left <= 0);
	if (vm.sanity_incremental && !incremental)
		vm.san_full_left--; /* level 3 under the engines: a bounded number of full checks */
	err = run_check(incremental);
	if (!err) {
		vm.sane_at = vm.mutations;
		vm.sane_at_valid = 1;
		return;
	}
	seam_trace(TR_SANITY_FAIL, err, vm.sanity_obj);
	vm_log("VM: sanity check failed at %s:%d: %s (%s)", file, line, sanity_text[err],
	       sanity_obj_name(vm.sanity_obj));
	PANIC(sanity_text[err]);
}
