/* shadow_calls.c - what each call does to the memory oracle's shadows: the memory
 * rules' calls and the memory effects MEMFX-* (see shadow.c). */
#include <string.h>
#include "shadow.h"
#include "vm_info.h"
#include "vm_exec.h"

/* ---- The memory rules' calls ---- */
/* An mmap or munmap of [a, e) in s that meets the heap (its base or the part below
 * heap_end) leaves VM's heap, the region at heap_base, of a length not followed. */
static void heap_met(struct shadow *s, uint64_t a, uint64_t e)
{
	uint64_t end = s->heap_end > s->heap_base ? s->heap_end : (uint64_t)s->heap_base + 1;
	if (s->heap_base && a < end && e > s->heap_base)
		s->heap_unsure = 1;
}

static void on_mmap(const message *m, int32_t code, const message *rep)
{
	uint32_t flags = m->u.mmap.flags;
	endpoint_t who = m->m_source;
	if ((flags & MAP_THIRDPARTY) && m->u.mmap.forwhom != SELF)
		who = m->u.mmap.forwhom;
	struct shadow *s = shadow_of(who);
	if (!s)
		return;
	if (code != VM_OK) {
		if (flags & MAP_FIXED) {
			range_op(s, m->u.mmap.addr, range_end(m->u.mmap.addr, m->u.mmap.len), OP_UNKNOWN, NO_ATTR);
			heap_met(s, m->u.mmap.addr, range_end(m->u.mmap.addr, m->u.mmap.len));
		}
		return;
	}
	uint32_t ret = rep ? rep->u.mmap.retaddr : m->u.mmap.addr;
	if (flags & MAP_FIXED)
		heap_met(s, ret, range_end(ret, m->u.mmap.len));
	if (!rep && !(flags & MAP_FIXED)) { /* the reply was lost: it went somewhere */
		forget_unmapped(s, 0);
		return;
	}
	range_op(s, ret, range_end(ret, m->u.mmap.len), OP_FRESH,
		 (struct attr){ .content = (flags & MAP_UNINITIALIZED) ? CK_UNKNOWN : CK_ZERO,
				.wprot = (m->u.mmap.prot & PROT_WRITE) ? WP_RW : WP_RO, .kind = K_MMAP });
}

/* The heap of s grows to end (what was unmapped in [heap base, end) reads as zero,
 * with the heap's write permission), because of rule why. */
static void heap_grow(struct shadow *s, uint64_t end, enum rule why)
{
	const struct sh_iv *h = &s->iv[iv_find(s, s->heap_base)];
	uint8_t wprot = h->map == MS_MAPPED ? h->wprot : WP_UNKNOWN;
	range_op(s, s->heap_base, end, OP_BRK, (struct attr){ .wprot = wprot, .kind = K_HEAP, .why = (uint8_t)why });
	if (end > s->heap_end)
		s->heap_end = end;
}

static void on_brk(const message *m, int32_t code)
{
	struct shadow *s = shadow_of(m->m_source);
	if (!s || code != VM_OK)
		return;
	if (!s->heap_base) { /* the heap is somewhere: what was unmapped may be mapped now */
		forget_unmapped(s, 0);
		return;
	}
	if (m->u.brk.addr <= s->heap_base)
		return;
	heap_grow(s, range_end(m->u.brk.addr, 0), R_MEMORY);
}

/* A fork's child keeps shared memory shared (aliases, windows, cache mappings),
 * except a REMAP source's own region: the child's copy of it is anonymous memory
 * again, a private copy-on-write copy (MEMFX-01). */
static void fork_private(struct shadow *c, const struct shadow *p)
{
	for (uint32_t i = 0; i < p->niv; i++) {
		const struct sh_iv *v = &p->iv[i];
		if (!v->obj || sh.obj[v->obj].kind != OB_SHARED || v->kind == K_ALIAS)
			continue;
		if (iv_volatile(v))
			range_op(c, v->start, iv_end(p, i), OP_LOST, (struct attr){ .why = R_SHARE });
		else
			copy_private(c, p, v, v->start, iv_end(p, i), R_SHARE);
	}
}

static void on_fork(const message *m, int32_t code, const message *rep)
{
	int32_t slot = m->u.fork.slot;
	if (code != VM_OK || slot < 0 || slot >= NR_PROCS)
		return;
	endpoint_t child = rep ? rep->u.fork.child : kmodel.proc[slot].endpt;
	struct shadow *p = shadow_of(m->u.fork.parent), *c = shadow_of(child);
	if (!p || !c || p == c)
		return;
	shadow_copy(c, p);
	c->ep = child;
	for (uint32_t i = 0; i < c->niv; i++) /* every interval of the child is the fork's */
		c->iv[i].by = sh.by;
	fork_private(c, p);
}

/* A kernel copy of len bytes into [a, a + len) of s succeeded (VM_INFO, and under
 * rule why GETRUSAGE): a finding when that memory is unmapped or read-only, else
 * those bytes are unknown now. */
static void copy_out(struct shadow *s, const char *call, uint32_t a, uint32_t len, endpoint_t ep, enum rule why)
{
	uint64_t end = clip_end((uint64_t)a + len);
	const struct sh_iv *v;
	uint32_t at;
	char d[200];
	if (why != R_MEMORY)
		sh.rule_checked[why]++;
	if (range_has(s, a, end, MS_UNMAPPED, &at, &v)) {
		snprintf(d, sizeof d, "%s copied %u bytes to 0x%x in %d, but 0x%x is unmapped", call, len, a, ep, at);
		if (why == R_MEMORY)
			state_finding(v, "unmapped-reachable", "unmapped", d);
		else
			model_finding(why, call, "unmapped", d);
	} else if (range_has(s, a, end, -1, &at, &v)) {
		snprintf(d, sizeof d, "%s copied %u bytes to 0x%x in %d, but 0x%x is read-only", call, len, a, ep, at);
		if (why == R_MEMORY)
			state_finding(v, "ro-write", "ro", d);
		else
			model_finding(why, call, "ro", d);
	} else
		range_op(s, a, end, OP_OVERWRITTEN, NO_ATTR);
}

static void on_info(const message *m, int32_t code, const message *rep)
{
	struct shadow *s = shadow_of(m->m_source);
	uint32_t len;
	if (!s || code != VM_OK)
		return;
	if (m->u.info.what == VMIW_STATS)
		len = 20;
	else if (m->u.info.what == VMIW_USAGE)
		len = 32;
	else {
		int32_t n = rep ? rep->u.info.count : m->u.info.count; /* lost reply: at most */
		len = 16u * (uint32_t)(n < 0 ? 0 : n > MAX_VRI_COUNT ? MAX_VRI_COUNT : n);
		if (!rep) { /* the copy's length is not known */
			uint64_t a = m->u.info.ptr;
			range_op(s, a, clip_end(a + len), OP_OVERWRITTEN, NO_ATTR);
			return;
		}
	}
	copy_out(s, "VM_INFO", m->u.info.ptr, len, m->m_source, R_MEMORY);
}

/* ---- Shared memory: REMAP, REMAP_RO, SHM_UNMAP (MEMFX-01..03) ---- */
/* Move the private words of s in [a, e) into o (object address = address). */
static void words_move(struct shadow *s, uint64_t a, uint64_t e, struct sh_obj *o)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr >= a && (uint64_t)s->w[i].addr + 4 <= e)
			obj_word_set(o, s->w[i].addr, s->w[i].val);
		else
			s->w[k++] = s->w[i];
	s->nw = k;
}

/* The private memory of s in [a, e) becomes one new shared memory made by call
 * (its words move there, object address = address); intervals already shared keep
 * their memory.  With no memory left, [a, e) becomes volatile. */
static void make_shared(struct shadow *s, uint64_t a, uint64_t e, int32_t call)
{
	int i = iv_split(s, a), j = i < 0 ? -1 : iv_split(s, e);
	struct sh_obj *o = NULL;
	if (i < 0 || j < 0) {
		shadow_forget(s);
		return;
	}
	for (int k = i; k < j; k++) {
		struct sh_iv *v = &s->iv[k];
		uint64_t ve = iv_end(s, (uint32_t)k);
		if (v->obj)
			continue;
		if (!o && !(o = obj_new(OB_SHARED, R_SHARE, call))) {
			v->vol = 1;
			words_drop(s, v->start, ve);
			continue;
		}
		words_move(s, v->start, ve, o);
		v->obj = obj_index(o);
		v->delta = 0;
		v->by = sh.by;
	}
	iv_merge(s);
}

/* Every shared memory [a, e) of s maps becomes volatile (an alias the model cannot
 * see may write it). */
static void shared_lost(const struct shadow *s, uint64_t a, uint64_t e)
{
	if (a >= e)
		return;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < e; i++)
		if (s->iv[i].obj)
			sh.obj[s->iv[i].obj].vol = 1;
}

/* A run of one interval's state, copied out of a shadow. */
struct piece {
	uint64_t a, e;
	struct sh_iv v;
};

/* The intervals of s over [a, e), clipped; their count, or -1 past max. */
static int pieces_of(const struct shadow *s, uint64_t a, uint64_t e, struct piece *p, int max)
{
	int n = 0;
	if (a >= e)
		return 0;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < e; i++) {
		if (n == max)
			return -1;
		p[n].a = s->iv[i].start > a ? s->iv[i].start : a;
		p[n].e = iv_end(s, i) < e ? iv_end(s, i) : e;
		p[n].v = s->iv[i];
		n++;
	}
	return n;
}

struct remap_req {
	endpoint_t dst, src;
	uint32_t dst_addr, src_addr, size;
};

/* The fields of a VM_REMAP or VM_REMAP_RO (one layout, two payload names). */
static void remap_req(const message *m, struct remap_req *r)
{
	if (m->m_type == VM_REMAP)
		*r = (struct remap_req){ m->u.remap.dst, m->u.remap.src, m->u.remap.dst_addr, m->u.remap.src_addr,
					 m->u.remap.size };
	else
		*r = (struct remap_req){ m->u.remap_ro.dst, m->u.remap_ro.src, m->u.remap_ro.dst_addr,
					 m->u.remap_ro.src_addr, m->u.remap_ro.size };
}

/* dst's [d, d + (e - a)) becomes an alias of src's [a, e), piece by piece: each
 * maps what the source piece maps (the shared memory, at the same object address),
 * with the source's content; what the model does not know (src NULL: all) is
 * volatile. */
static void alias_build(struct shadow *dst, uint32_t d, const struct shadow *src, uint64_t a, uint64_t e, int ro)
{
	struct piece p[SH_PIECES];
	struct attr at = { .content = CK_UNKNOWN, .wprot = ro ? WP_RO : WP_RW, .vol = 1, .kind = K_ALIAS,
			   .why = ro ? R_SHARE_RO : R_SHARE, .rid = rid_new() };
	int n = src ? pieces_of(src, a, e, p, SH_PIECES) : -1;
	if (n < 0) {
		if (src)
			shared_lost(src, a, e);
		range_op(dst, d, d + (e - a), OP_FRESH, at);
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct sh_iv *v = &p[i].v;
		struct attr pa = at;
		if (v->map == MS_MAPPED && v->obj && !v->vol) {
			pa.content = v->content, pa.img = v->img, pa.vol = 0, pa.obj = v->obj;
			pa.delta = v->delta + (uint32_t)a - d;
		}
		range_op(dst, d + (p[i].a - a), d + (p[i].e - a), OP_FRESH, pa);
	}
}

/* VM_REMAP / VM_REMAP_RO OK: the source region becomes shared memory and the alias
 * at ret_addr maps it; an alias the model cannot place (lost reply, untracked
 * destination) makes that memory volatile. */
static void on_remap(const message *m, const message *rep)
{
	struct remap_req r;
	remap_req(m, &r);
	struct shadow *src = target_of(m, r.src), *dst = target_of(m, r.dst);
	uint64_t a = r.src_addr, e = range_end(r.src_addr, r.size);
	if (src)
		make_shared(src, a, e, m->m_type);
	if (src && (!dst || !rep))
		shared_lost(src, a, e);
	if (dst && !rep)
		forget_unmapped(dst, 1);
	else if (dst)
		alias_build(dst, m->m_type == VM_REMAP ? rep->u.remap.ret_addr : rep->u.remap_ro.ret_addr, src, a, e,
			    m->m_type == VM_REMAP_RO);
}

/* VM_SHM_UNMAP / VM_UNMAP_PHYS OK: the whole region holding addr is gone (rule
 * why); it must be of a kind in `kinds` (bits 1 << K_*).  When the model does not
 * know such a region there, s is forgotten. */
static void unmap_region(struct shadow *s, uint32_t addr, unsigned kinds, enum rule why)
{
	uint32_t i = iv_find(s, addr), lo = i, hi = i;
	const struct sh_iv *v = &s->iv[i];
	if (v->map != MS_MAPPED || !(kinds & (1u << v->kind)) || !v->rid) {
		shadow_forget(s);
		return;
	}
	while (lo > 0 && s->iv[lo - 1].map == MS_MAPPED && s->iv[lo - 1].rid == v->rid)
		lo--;
	while (hi + 1 < s->niv && s->iv[hi + 1].map == MS_MAPPED && s->iv[hi + 1].rid == v->rid)
		hi++;
	range_op(s, s->iv[lo].start, iv_end(s, hi), OP_UNMAPPED, (struct attr){ .why = (uint8_t)why });
}

/* ---- Device windows: MAP_PHYS, UNMAP_PHYS (MEMFX-04, -05) ---- */
/* MAP_PHYS maps device frames: [reply - offset, roundup(reply + len)), page i onto
 * frame (phaddr's page) + i, one shared memory by physical address for every
 * window; a lost reply forgets the target and the device memory. */
static void on_map_phys(const message *m, int32_t code, const message *rep)
{
	struct shadow *s = target_of(m, m->u.map_phys.endpt);
	struct sh_obj *o;
	if (!s || code != VM_OK)
		return;
	if (!rep) {
		shadow_forget(s);
		if ((o = phys_obj()))
			o->vol = 1;
		return;
	}
	uint32_t a = rep->u.map_phys.reply & ~PAGE_MASK, frame = m->u.map_phys.phaddr & ~PAGE_MASK;
	struct attr at = { .content = CK_UNKNOWN, .vol = 1, .kind = K_WINDOW, .why = R_WINDOW, .rid = rid_new() };
	if ((o = phys_obj()))
		at.vol = 0, at.obj = obj_index(o), at.delta = frame - a;
	range_op(s, a, range_end(rep->u.map_phys.reply, m->u.map_phys.len), OP_FRESH, at);
}

/* ---- The block cache (MEMFX-06, -07) ---- */
static struct sh_cache *cache_find(int32_t dev, uint64_t off)
{
	for (uint32_t i = 0; i < sh.ncache; i++)
		if (sh.cache[i].dev == dev && sh.cache[i].off == off)
			return &sh.cache[i];
	return NULL;
}

/* Drop the entries of dev in [lo, hi) (a miss reads as unknown memory). */
static void cache_drop(int32_t dev, uint64_t lo, uint64_t hi)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < sh.ncache; i++)
		if (sh.cache[i].dev != dev || sh.cache[i].off < lo || sh.cache[i].off >= hi)
			sh.cache[k++] = sh.cache[i];
	sh.ncache = k;
}

/* Block (dev, off) is shared memory obj now (a full table forgets the block). */
static void cache_put(int32_t dev, uint64_t off, uint8_t obj)
{
	struct sh_cache *c = cache_find(dev, off);
	if (!c && sh.ncache < SH_MAX_CACHE)
		c = &sh.cache[sh.ncache++];
	if (c)
		*c = (struct sh_cache){ dev, off, obj };
}

/* Copy the words of [p, p + PAGE_SIZE) of s into block o (object address =
 * address); a volatile byte makes o volatile. */
static void block_words(const struct shadow *s, uint32_t p, struct sh_obj *o)
{
	struct sh_word w[SH_MAX_W];
	uint64_t pe = (uint64_t)p + PAGE_SIZE;
	for (uint32_t i = iv_find(s, p); i < s->niv && s->iv[i].start < pe; i++) {
		const struct sh_iv *v = &s->iv[i];
		uint64_t a = v->start > p ? v->start : p, e = iv_end(s, i) < pe ? iv_end(s, i) : pe;
		if (iv_volatile(v)) {
			o->vol = 1;
			return;
		}
		for (uint32_t k = 0, n = words_in(s, v, a, e, w, SH_MAX_W); k < n; k++)
			obj_word_set(o, w[k].addr, w[k].val);
	}
}

/* A new block holding what page p of s holds now: its words, and its content when
 * one private interval covers the page; NULL when no memory is left. */
static struct sh_obj *block_snapshot(const struct shadow *s, uint32_t p)
{
	struct sh_obj *o = obj_new(OB_CACHE, R_CACHE, VM_MAPCACHEPAGE);
	if (!o)
		return NULL;
	uint32_t i = iv_find(s, p);
	const struct sh_iv *v = &s->iv[i];
	o->base = p;
	o->owner = s->ep;
	o->content = CK_UNKNOWN;
	if (iv_end(s, i) >= (uint64_t)p + PAGE_SIZE && v->map == MS_MAPPED && !v->delta)
		o->content = v->content, o->img = v->img;
	block_words(s, p, o);
	return o;
}

/* VM_SETCACHEPAGE OK: block (dev, dev_offset + i) holds a copy of the caller's page
 * block + i as it is now (the first SH_MAP_PAGES pages; the rest are forgotten);
 * failed: the blocks it names may have changed, they are forgotten. */
static void on_setcache(const message *m, int32_t code)
{
	const struct vm_pl_setcachepage *q = &m->u.setcachepage;
	uint32_t n = q->pages < 0 ? 0 : (uint32_t)q->pages, known = n < SH_MAP_PAGES ? n : SH_MAP_PAGES;
	struct shadow *s = shadow_of(m->m_source);
	uint32_t phys;
	cache_drop(q->dev, q->dev_offset, q->dev_offset + (uint64_t)n * PAGE_SIZE);
	if (code != VM_OK || !s)
		return;
	for (uint32_t i = 0; i < known; i++) {
		uint32_t p = q->block + i * PAGE_SIZE;
		struct sh_obj *o = block_snapshot(s, p);
		if (!o)
			return;
		if (sh.plant == PL_CACHE && mmu_translate(s->ep, p, 0, &phys) == VM_OK)
			o->plant_phys = phys & ~PAGE_MASK;
		cache_put(q->dev, q->dev_offset + (uint64_t)i * PAGE_SIZE, obj_index(o));
	}
}

/* VM_MAPCACHEPAGE OK: page i of [addr, +pages) maps block (dev, dev_offset + i);
 * a block the model does not hold, or past SH_MAP_PAGES, is volatile; a lost reply
 * makes the blocks volatile and what may now be mapped unknown. */
static void on_mapcache(const message *m, const message *rep)
{
	const struct vm_pl_mapcachepage *q = &m->u.mapcachepage;
	uint32_t n = q->pages < 0 ? 0 : (uint32_t)q->pages;
	struct shadow *s = shadow_of(m->m_source);
	if (!s)
		return;
	if (!rep) {
		for (uint32_t i = 0; i < sh.ncache; i++)
			if (sh.cache[i].dev == q->dev && sh.cache[i].off >= q->dev_offset &&
			    sh.cache[i].off < q->dev_offset + (uint64_t)n * PAGE_SIZE)
				sh.obj[sh.cache[i].obj].vol = 1;
		forget_unmapped(s, 1);
		return;
	}
	uint16_t rid = rid_new();
	uint64_t a = rep->u.mapcachepage.addr, end = a + (uint64_t)n * PAGE_SIZE;
	struct attr lost = { .content = CK_UNKNOWN, .vol = 1, .kind = K_CACHE, .why = R_CACHE, .rid = rid };
	range_op(s, a, clip_end(end), OP_FRESH, lost);
	for (uint32_t i = 0; i < n && i < SH_MAP_PAGES && a + (uint64_t)(i + 1) * PAGE_SIZE <= SH_END; i++) {
		uint32_t p = (uint32_t)a + i * PAGE_SIZE;
		const struct sh_cache *c = cache_find(q->dev, q->dev_offset + (uint64_t)i * PAGE_SIZE);
		if (!c)
			continue;
		const struct sh_obj *o = &sh.obj[c->obj];
		range_op(s, p, (uint64_t)p + PAGE_SIZE, OP_FRESH,
			 (struct attr){ .content = o->content, .wprot = WP_RW, .img = o->img, .obj = c->obj,
					.delta = o->base - p, .kind = K_CACHE, .why = R_CACHE, .rid = rid });
	}
}

/* ---- PROCCTL, the RS calls, GETRUSAGE (MEMFX-08..12) ---- */
static void on_procctl(const message *m)
{
	struct shadow *s;
	if (m->u.procctl.param == VMPPARAM_HANDLEMEM)
		return; /* pages become present; no content changes */
	if (m->u.procctl.param != VMPPARAM_CLEAR) {
		forget_all();
		return;
	}
	if (!(s = target_of(m, m->u.procctl.who)))
		return;
	range_op(s, 0, SH_END, OP_UNMAPPED, (struct attr){ .why = R_CLEAR });
	shadow_heap_set(s, 0, 0);
}

/* ---- EXEC_NEWMEM (MEMFX-13) ---- */
/* The sizes of an EXEC_NEWMEM at args in ep, read as the kernel would: 0, or -1 when
 * they cannot be read (the buffer went with the exec, or no peek). */
static int exec_sizes(endpoint_t ep, uint32_t args, struct vm_exec_newmem *e)
{
	uint32_t *w = (uint32_t *)e;
	if (!sh.plat->peek || (args & 3) || args + (uint32_t)sizeof *e < args)
		return -1;
	for (uint32_t i = 0; i < sizeof *e / 4; i++)
		if (sh.plat->peek(ep, args + 4 * i, &w[i]) != 0)
			return -1;
	return 0;
}

/* EXEC_NEWMEM OK: the target's memory is only its new image: text at TEXT_VADDR, the
 * heap above it, the stack below STACK_TOP, zero and writable (unknown where the sizes
 * cannot be read back). */
static void on_exec(const message *m)
{
	struct shadow *s = target_of(m, m->u.exec_newmem.endpt);
	struct vm_exec_newmem e;
	uint64_t text, heap, stack;
	if (!s)
		return;
	range_op(s, 0, SH_END, OP_UNMAPPED, (struct attr){ .why = R_EXEC });
	shadow_heap_set(s, 0, 0);
	if (exec_sizes(m->m_source, m->u.exec_newmem.args, &e) != 0) {
		range_op(s, TEXT_VADDR, STACK_TOP, OP_UNKNOWN, NO_ATTR);
		return;
	}
	text = range_end(TEXT_VADDR, e.text_bytes);
	heap = clip_end((((uint64_t)e.data_bytes + e.bss_bytes + PAGE_MASK) & ~(uint64_t)PAGE_MASK) + text);
	stack = STACK_TOP - (((uint64_t)e.stack_bytes + PAGE_MASK) & ~(uint64_t)PAGE_MASK);
	struct attr zero = { .content = CK_ZERO, .wprot = WP_RW, .kind = K_MMAP, .why = R_EXEC };
	if (text > TEXT_VADDR)
		range_op(s, TEXT_VADDR, text, OP_FRESH, zero);
	zero.kind = K_HEAP;
	range_op(s, text, heap, OP_FRESH, zero);
	shadow_heap_set(s, (uint32_t)text, heap);
	zero.kind = K_STACK;
	range_op(s, stack, STACK_TOP, OP_FRESH, zero);
}

/* ---- File mappings (MEMFX-14) ---- */
/* [a, a + len) of s is a fresh private mapping of a file: mapped, its content not
 * known (what is read there first is kept like any word), writable iff wr. */
static void file_mapped(struct shadow *s, uint32_t a, uint32_t len, int wr)
{
	range_op(s, a, range_end(a, len), OP_FRESH,
		 (struct attr){ .content = CK_UNKNOWN, .wprot = wr ? WP_RW : WP_RO, .kind = K_MMAP, .why = R_FILE });
}

/* VFS's answer (VM_VFS_REPLY from the boot VFS): every OK it caused answers a waiting
 * file mmap, whose request the reply carries back (the request buffer is the reply's):
 * its target got the file at retaddr.  That holds for an OK to VFS too: VM never
 * answers a VFS_REPLY itself (a refusal is an errno), so VFS's OK is the answer to a
 * file mmap VFS itself waits for.  Errors, page-ins and kills change no memory the
 * shadow knows. */
static void on_vfs_reply(const struct outcome *o)
{
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		const struct vm_pl_mmap *q;
		struct shadow *s;
		if (!rp || rp->m.m_type != VM_OK)
			continue;
		q = &rp->m.u.mmap;
		s = shadow_of((q->flags & MAP_THIRDPARTY) && q->forwhom != SELF ? q->forwhom : rp->dst);
		if (s)
			file_mapped(s, q->retaddr, q->len, (q->prot & PROT_WRITE) != 0);
	}
}

/* How a VM_RS_UPDATE ended: the code its requester got, which after the swap may be
 * sent to the other endpoint (VM_SUSPEND: not known). */
static int32_t update_code(const struct msg_seen *seen)
{
	int32_t c;
	if (seen->code != VM_SUSPEND)
		return seen->code;
	if ((c = out_code(seen->o, seen->m.u.rs_update.src)) != VM_SUSPEND)
		return c;
	return out_code(seen->o, seen->m.u.rs_update.dst);
}

static void swap_shadows(struct shadow *a, struct shadow *b)
{
	static struct shadow t;
	endpoint_t ea = a->ep, eb = b->ep;
	shadow_copy(&t, a);
	shadow_copy(a, b);
	shadow_copy(b, &t);
	a->ep = ea, b->ep = eb;
	blame_all(a, R_UPDATE);
	blame_all(b, R_UPDATE);
}

static void on_update(const struct msg_seen *seen)
{
	const message *m = &seen->m;
	int32_t code = update_code(seen);
	struct shadow *a, *b;
	if (code == VM_SUSPEND) {
		forget_all();
		return;
	}
	if (code != VM_OK)
		return;
	a = target_of(m, m->u.rs_update.src);
	b = target_of(m, m->u.rs_update.dst);
	if (a && b && a != b)
		swap_shadows(a, b);
	else if (a || b)
		shadow_forget(a ? a : b);
}

/* RS_PREPARE's mmaps: each anonymous mmap of src in the mmap range (a REMAP source
 * too) is copied into dst at the same address, copy-on-write (its words too);
 * anything else src maps that VM might take over (mmaps outside the range, windows,
 * aliases, cache mappings or unknown memory in it) is not known in dst, and shared
 * memory there is not known any more (dst may share it). */
static void prepare_mmaps(struct shadow *dst, const struct shadow *src)
{
	for (uint32_t i = 0; i < src->niv; i++) {
		const struct sh_iv *v = &src->iv[i];
		uint64_t a = v->start, e = iv_end(src, i);
		if (v->map == MS_UNMAPPED)
			continue;
		if (v->kind != K_MMAP) { /* only its part in the mmap range */
			a = a < MMAP_BASE ? MMAP_BASE : a;
			e = e > MMAP_TOP ? MMAP_TOP : e;
		}
		if (a >= e)
			continue;
		if (v->kind != K_MMAP || (v->obj && sh.obj[v->obj].kind != OB_SHARED) || iv_volatile(v) ||
		    v->map != MS_MAPPED || a < MMAP_BASE || e > MMAP_TOP) {
			if (v->obj) /* dst may share it now */
				sh.obj[v->obj].vol = 1;
			range_op(dst, a, e, OP_LOST, (struct attr){ .why = R_PREPARE });
			continue;
		}
		copy_private(dst, src, v, a, e, R_PREPARE);
	}
}

static void on_prepare(const message *m)
{
	struct shadow *src = target_of(m, m->u.rs_prepare.src), *dst = target_of(m, m->u.rs_prepare.dst);
	if (!dst)
		return;
	if (!src || src == dst) {
		shadow_forget(dst);
		return;
	}
	if (dst->heap_base && src->heap_base && !src->heap_unsure && !dst->heap_unsure) {
		/* dst's heap may end below heap_end (an unmapped tail): grow from its base */
		uint64_t end = dst->heap_base + (src->heap_end - src->heap_base);
		heap_grow(dst, clip_end(end), R_PREPARE);
	} else
		forget_unmapped(dst, 0);
	if (!(m->u.rs_prepare.flags & SF_VM_NOMMAP))
		prepare_mmaps(dst, src);
}

static void on_memctl(const message *m, const message *rep)
{
	struct shadow *s = target_of(m, m->u.rs_memctl.endpt);
	switch (m->u.rs_memctl.req) {
	case VM_RS_MEM_PIN:
	case VM_RS_MEM_GET_PREALLOC_MAP:
		return;
	case VM_RS_MEM_HEAP_PREALLOC: /* the heap region's end + len */
		if (s && s->heap_base && !s->heap_unsure)
			heap_grow(s, range_end(s->heap_end, m->u.rs_memctl.len), R_PREALLOC);
		else if (s)
			forget_unmapped(s, 0);
		return;
	case VM_RS_MEM_MAP_PREALLOC:
		if (s && rep)
			range_op(s, rep->u.rs_memctl.addr, range_end(rep->u.rs_memctl.addr, rep->u.rs_memctl.len), OP_FRESH,
				 (struct attr){ .content = CK_ZERO, .wprot = WP_RW, .kind = K_MMAP, .why = R_PREALLOC });
		else if (s)
			forget_unmapped(s, 0);
		return;
	default:
		forget_all();
	}
}

/* GETRUSAGE from PM copies a struct vm_rusage_info into PM at addr; from anyone
 * else VM should refuse, and if it did not, what it wrote is unknown. */
static void on_rusage(const message *m)
{
	struct shadow *s = shadow_of(m->m_source);
	uint32_t a = m->u.getrusage.addr, len = sizeof(struct vm_rusage_info);
	if (!s)
		return;
	if (m->m_source == sh.pm_ep)
		copy_out(s, "VM_GETRUSAGE", a, len, m->m_source, R_RUSAGE);
	else
		range_op(s, a, clip_end((uint64_t)a + len), OP_OVERWRITTEN, NO_ATTR);
}

/* A call shadow_after_msg does not name succeeded: its memory effect, or (a call the
 * model does not describe) every shadow is forgotten. */
static void on_success(const message *m, const message *rep)
{
	struct shadow *s;
	switch (m->m_type) {
	case VM_REMAP:
	case VM_REMAP_RO:
		on_remap(m, rep);
		break;
	case VM_MAPCACHEPAGE:
		on_mapcache(m, rep);
		break;
	case VM_SHM_UNMAP:
		if ((s = target_of(m, m->u.shm_unmap.forwhom)))
			unmap_region(s, m->u.shm_unmap.addr, 1u << K_ALIAS | 1u << K_CACHE, R_SHM_UNMAP);
		break;
	case VM_FORGETCACHEPAGE:
		cache_drop(m->u.forgetcachepage.dev, m->u.forgetcachepage.dev_offset,
			   m->u.forgetcachepage.dev_offset + (uint64_t)(uint32_t)m->u.forgetcachepage.pages * PAGE_SIZE);
		break;
	case VM_CLEARCACHE:
		cache_drop(m->u.clearcache.dev, 0, UINT64_MAX);
		break;
	case VM_PROCCTL:
		on_procctl(m);
		break;
	case VM_RS_PREPARE:
		on_prepare(m);
		break;
	case VM_RS_MEMCTL:
		on_memctl(m, rep);
		break;
	case VM_GETRUSAGE:
		on_rusage(m);
		break;
	case VM_EXEC_NEWMEM:
		on_exec(m);
		break;
	default:
		forget_all();
		break;
	}
}

/* The calls named here model every outcome themselves (a call left unanswered
 * too); any other call changes memory when it succeeds (on_success), and left
 * unanswered may have done anything. */
void shadow_after_msg(const struct run_ctx *x, const struct msg_seen *seen)
{
	const message *m = &seen->m, *rep = seen->rep;
	int32_t code = seen->code;
	struct shadow *s;
	(void)x;
	if (!seen->r)
		return;
	plant_after_msg(m, code, rep);
	if (!seen->was_live)
		return; /* dropped unseen */
	sh.by = by_of(m->m_type);
	switch (m->m_type) {
	/* The memory rules (kind memory). */
	case VM_MMAP:
		on_mmap(m, code, rep);
		break;
	case VM_MUNMAP:
		if ((s = shadow_of(m->m_source))) {
			range_op(s, m->u.munmap.addr, range_end(m->u.munmap.addr, m->u.munmap.len),
				 code == VM_OK ? OP_UNMAPPED : OP_UNKNOWN, NO_ATTR);
			heap_met(s, m->u.munmap.addr, range_end(m->u.munmap.addr, m->u.munmap.len));
		}
		break;
	case VM_BRK:
		on_brk(m, code);
		break;
	case VM_FORK:
		on_fork(m, code, rep);
		break;
	case VM_INFO:
		on_info(m, code, rep);
		break;
	/* The memory effects (kind model, MEMFX-*). */
	case VM_MAP_PHYS:
		on_map_phys(m, code, rep);
		break;
	case VM_UNMAP_PHYS:
		if (code == VM_OK && (s = target_of(m, m->u.unmap_phys.endpt)))
			unmap_region(s, m->u.unmap_phys.vaddr, 1u << K_WINDOW, R_UNMAP_PHYS);
		break;
	case VM_SETCACHEPAGE: /* a failure drops the blocks it names too */
		if (code == VM_SUSPEND)
			forget_all();
		else
			on_setcache(m, code);
		break;
	case VM_RS_UPDATE:
		on_update(seen);
		break;
	case VM_EXIT: /* the endpoint is dead: its shadow is never used again */
	case VM_WILLEXIT:
	case VM_PAGEFAULT:
	case NOTIFY_MESSAGE:
	case VM_GETPHYS:
	case VM_GETREF:
	case VM_RS_SET_PRIV:
		break;
	case VM_VFS_REPLY: /* never answered itself: a reply to VFS answers VFS's own mmap */
		on_vfs_reply(seen->o);
		break;
	case VM_VFS_MMAP:
		if (code == VM_OK && (s = target_of(m, m->u.vfs_mmap.who)))
			file_mapped(s, m->u.vfs_mmap.vaddr, m->u.vfs_mmap.len, (m->u.vfs_mmap.flags & PROT_WRITE) != 0);
		break;
	case VM_ADDDMA: /* DMA ranges hold no memory (README): nothing to shadow */
	case VM_DELDMA:
	case VM_GETDMA:
	case VM_WATCH_EXIT: /* the watch table holds no memory */
	case VM_NOTIFY_SIG:
	case VM_QUERY_EXIT:
	case VM_PUSH_SIG: /* the frame's pages become present: their values stay */
		break;
	case VM_MUNMAP_TEXT:
		if ((s = shadow_of(m->m_source)))
			range_op(s, m->u.munmap_text.addr, range_end(m->u.munmap_text.addr, m->u.munmap_text.len),
				 code == VM_OK ? OP_UNMAPPED : OP_UNKNOWN, NO_ATTR);
		break;
	default:
		if (code == VM_OK)
			on_success(m, rep);
		else if (code == VM_SUSPEND && call_by_type(m->m_type) >= 0) /* what it did is not known */
			forget_all();
		break;
	}
}
