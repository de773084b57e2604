/* mem.c - the address-space rules of the protocol model: VM_MMAP, VM_MUNMAP, VM_BRK,
 * VM_MAP_PHYS, VM_UNMAP_PHYS, VM_REMAP, VM_REMAP_RO, VM_SHM_UNMAP, VM_GETPHYS,
 * VM_GETREF, VM_INFO REGION, the block cache (SETCACHEPAGE, MAPCACHEPAGE,
 * FORGETCACHEPAGE, CLEARCACHE), kernel page faults and user accesses.
 *
 * Each rule is written from the protocol (the MINIX fact sheet, section 8 above all),
 * the deviations the README documents, or a hardened choice named in docs/model.md;
 * never from vm/'s code.  A predict function collects every refusal that applies
 * (when several checks fail, the order is VM's choice: any of their codes is right);
 * with none, the call must succeed (ENOMEM only when no room exists, or when the core
 * finds memory really short or a fault injected).  Commit checks the OUT fields
 * (exact where the protocol fixes them, constraints where it does not) and applies
 * the effect of a success to the model's address spaces. */
#include <string.h>
#include "model.h"
#include "layout.h"
#include "vm_info.h"

#define SG (mdl.sg)

#define LEN_2G 0x80000000u
#define DEV_WINDOW_BASE 0xA0000u  /* platform fact: the kernels' device window */
#define DEV_WINDOW_TOP  0x100000u
#define CACHE_REQ_MAX   16        /* pages per cache request this VM may refuse above */
#define VMSF_ONCE       1
#define PF_SHORT_PAGES  64 /* free pages below which a fault may fail for memory */

/* Region flags VM_INFO REGION reports (MINIX's VR_* values, fact sheet 7.2). */
#define VR_WRITABLE 0x001

/* ---- Collecting refusals ---- */
struct why {
	struct mpred *p;
	int n;     /* codes collected */
	int deny;  /* one of them is a privilege refusal (EPERM + acl_deny) */
};

/* One more refusal code; the first one names the rule. */
static void why_add(struct why *w, const char *rule, int32_t code)
{
	if (w->n++ == 0)
		mpred_set(w->p, rule, code);
	else
		mpred_add(w->p, code);
}

/* A privilege refusal: EPERM with an acl_deny event. */
static void why_deny(struct why *w, const char *rule)
{
	why_add(w, rule, VM_EPERM);
	w->deny = 1;
}

/* An endpoint field that names no process (bad) or VM itself (bad or EPERM). */
static void why_ep(struct why *w, const char *rule, int mep, int32_t bad)
{
	why_add(w, mep == MEP_VM ? "EP-02" : rule, bad);
	if (mep == MEP_VM)
		why_add(w, "EP-02", VM_EPERM);
}

/* Done collecting: 1 when a refusal was predicted. */
static int why_done(struct why *w)
{
	if (w->deny)
		w->p->deny = w->n == 1 ? MDENY_YES : MDENY_ANY;
	return w->n > 0;
}

/* The model cannot tell: counted, nothing judged or committed. */
static void dont_know(struct mpred *p, const char *rule)
{
	SG.unknown++;
	mpred_dont_know(p, rule);
}

static uint64_t up64(uint64_t x)
{
	return (x + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
}

/* The model process an endpoint field names (SELF: the caller when self_ok). */
static int target(const message *m, endpoint_t ep, int self_ok, struct mproc **t)
{
	return mep_check(ep, m->m_source, self_ok, t);
}

/* ---- Placement (MMAP-09, PHYS-05, REMAP-06, MAPC-04) ---- */
/* Where a new extent of len bytes (page-rounded, > 0) may go without a fixed address:
 * 1 a hole exists in the mmap range (VM must place it), 2 only elsewhere in the user
 * range (VM may place it or answer ENOMEM), 0 nowhere (ENOMEM). */
static int room_for(const struct mspace *as, uint64_t len)
{
	uint32_t at;
	if (len == 0 || len > USER_TOP - USER_BASE)
		return 0;
	if (ms_hole(as, MMAP_BASE, MMAP_TOP, len, &at))
		return 1;
	return ms_hole(as, USER_BASE, USER_TOP, len, &at) ? 2 : 0;
}

/* The placement prediction of a request that needs len bytes anywhere. */
static void predict_room(struct mpred *p, const struct mspace *as, uint64_t len, const char *rule)
{
	int r = room_for(as, len);
	if (r == 0)
		mpred_set(p, rule, VM_ENOMEM);
	else if (r == 2)
		mpred_add(p, VM_ENOMEM);
}

/* Check a placed address: page-aligned, inside the user range, free before. */
static int placed_ok(const struct mspace *as, uint32_t a, uint64_t len, const char *rule, const char *obj)
{
	if ((a & PAGE_MASK) || a < USER_BASE || (uint64_t)a + len > USER_TOP) {
		mfind(rule, obj, "placed at 0x%x (+0x%llx): not page-aligned inside [0x%x, 0x%x)", a,
		      (unsigned long long)len, USER_BASE, USER_TOP);
		return 0;
	}
	if (!ms_range_free(as, a, (uint64_t)a + len)) {
		mfind(rule, obj, "placed at 0x%x (+0x%llx) over memory that was mapped", a, (unsigned long long)len);
		return 0;
	}
	return 1;
}

/* ==== VM_MMAP ==== */
/* MMAP-01..04, 11: the length, the file descriptor and the flag combinations. */
static void rule_mmap_01_04_args(const struct vm_pl_mmap *q, struct why *w)
{
	uint64_t len = up64(q->len);
	int anon = q->fd == -1 || (q->flags & MAP_ANON);
	if (q->len == 0 || len > 0xFFFFF000ull)
		why_add(w, "MMAP-01", VM_EINVAL);
	else if (anon && len > USER_TOP - USER_BASE) { /* larger than the user range */
		why_add(w, "MMAP-11", VM_EINVAL);
		why_add(w, "MMAP-11", VM_ENOMEM);
	}
	if (!anon && (q->fd < 0 || (q->offset & PAGE_MASK) || (q->flags & (MAP_PREALLOC | MAP_CONTIG))))
		why_add(w, "MMAP-02", VM_EINVAL); /* a file: VFS-01 */
	if (!anon && (q->flags & MAP_SHARED) && (q->prot & PROT_WRITE))
		why_add(w, "MMAP-02", VM_ENXIO); /* shared writable file memory: VFS-02 */
	if ((q->flags & MAP_ANON) && q->fd != -1)
		why_add(w, "MMAP-03", VM_EINVAL);
	if (anon && (q->flags & MAP_CONTIG) && !(q->flags & MAP_PREALLOC))
		why_add(w, "MMAP-04", VM_EINVAL);
}

/* MMAP-05..07: the powers of the caller's identity and the third-party target; *t
 * becomes the target (the caller unless MAP_THIRDPARTY). */
static void rule_mmap_05_07_powers(const message *m, struct mpred *p, struct why *w, struct mproc **t)
{
	const struct vm_pl_mmap *q = &m->u.mmap;
	int exec = (p->src->priv & MPRIV_EXEC) != 0, r;
	*t = p->src;
	if (q->flags & MAP_THIRDPARTY) {
		if (!exec)
			why_deny(w, "MMAP-05");
		r = target(m, q->forwhom, 1, t);
		if (r != MEP_OK)
			why_ep(w, "MMAP-06", r, VM_ESRCH);
	}
	if ((q->flags & MAP_UNINITIALIZED) && !exec)
		why_deny(w, "MMAP-07");
}

/* MMAP-08: a fixed address must be page-aligned and its range inside the user range
 * (for a file mapping the range's end is judged once VFS has answered: VFS-04). */
static void rule_mmap_08_fixed(const struct vm_pl_mmap *q, struct why *w)
{
	uint64_t len = up64(q->len);
	int anon = q->fd == -1 || (q->flags & MAP_ANON);
	if (!(q->flags & MAP_FIXED))
		return;
	if (q->addr & PAGE_MASK)
		why_add(w, "MMAP-08", VM_EINVAL);
	else if (!anon && q->addr < USER_BASE)
		why_add(w, "MMAP-08", VM_EINVAL);
	else if (anon && (q->addr < USER_BASE || (uint64_t)q->addr + len > USER_TOP)) {
		why_add(w, "MMAP-08", VM_EINVAL);
		why_add(w, "MMAP-08", VM_ENOMEM);
	}
}

/* MMAP-09/10: where an accepted mapping may go, and what memory it may take.
 * p->u: [1] rounded length, [2] writable, [3] the hint is usable (must be honoured) */
static void rule_mmap_09_place(const struct vm_pl_mmap *q, struct mpred *p, struct mproc *t)
{
	uint64_t len = up64(q->len);
	p->tgt = t;
	p->u[1] = (uint32_t)len;
	p->u[2] = (q->prot & PROT_WRITE) != 0;
	mpred_set(p, len >= LEN_2G ? "MMAP-11" : "MMAP-09", VM_OK);
	/* MEM-01: a new region (its pages too with MAP_PREALLOC), and with MAP_FIXED the
	 * cut of the extent that goes on past the range */
	p->need_pages = 2 + mcost_new_region(len, (q->flags & MAP_PREALLOC) != 0);
	if (q->flags & MAP_FIXED)
		p->need_pages += mcost_cut(&t->as, q->addr, (uint64_t)q->addr + len);
	if ((q->flags & MAP_CONTIG) && len > PAGE_SIZE)
		mpred_add(p, VM_ENOMEM); /* a contiguous run is VM's luck (fragmentation) */
	if (q->flags & MAP_FIXED)
		return; /* the range is replaced: always room */
	p->u[3] = !(q->addr & PAGE_MASK) && q->addr >= USER_BASE && (uint64_t)q->addr + len <= USER_TOP &&
		  ms_range_free(&t->as, q->addr, (uint64_t)q->addr + len);
	if (!p->u[3])
		predict_room(p, &t->as, len, "MMAP-09");
}

/* VM_MMAP: every refusal that applies (MMAP-01..08, 11), else the placement rules. */
static void rule_mmap(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_mmap *q = &m->u.mmap;
	struct why w = { p, 0, 0 };
	struct mproc *t;
	(void)st;
	rule_mmap_01_04_args(q, &w);
	rule_mmap_05_07_powers(m, p, &w, &t);
	rule_mmap_08_fixed(q, &w);
	if (why_done(&w))
		return;
	if (t && q->fd != -1 && !(q->flags & MAP_ANON)) { /* VFS-03: a file waits for VFS */
		mpred_set(p, "VFS-03", VM_SUSPEND);
		mpred_add(p, VM_ENOMEM); /* the request queue is full */
		mpred_add(p, VM_EIO);    /* VFS did not take the request */
		p->tgt = t;
		return;
	}
	if (!t || t->as.lost) {
		dont_know(p, "MMAP-09");
		return;
	}
	rule_mmap_09_place(q, p, t);
}

/* MMAP-08/09/10: the answered address against the constraints, then the extent. */
static void commit_mmap(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_mmap *q = &s->m.u.mmap;
	struct mproc *t = p->tgt;
	uint64_t len = p->u[1];
	uint32_t a;
	struct mext *x;
	if (p->got == VM_SUSPEND && t && q->fd != -1 && !(q->flags & MAP_ANON))
		mvfs_wait(s->m.m_source, t->endpt, q);
	if (p->got != VM_OK || !t)
		return;
	if (q->flags & MAP_FIXED) {
		if (p->rep && p->rep->u.mmap.retaddr != q->addr) {
			mfind("MMAP-08", "anon", "MAP_FIXED at 0x%x answered OK at 0x%x", q->addr, p->rep->u.mmap.retaddr);
			return;
		}
		a = q->addr;
		ms_remove(&t->as, a, (uint64_t)a + len);
	} else {
		if (!p->rep) { /* the reply was lost: the address is unknown */
			t->as.lost = 1;
			return;
		}
		a = p->rep->u.mmap.retaddr;
		if (p->u[3] && a != q->addr) {
			mfind("MMAP-09", "anon", "the hint 0x%x (+0x%llx) was free and usable, VM placed the mapping at 0x%x",
			      q->addr, (unsigned long long)len, a);
			return;
		}
		if (!placed_ok(&t->as, a, len, "MMAP-09", "anon"))
			return;
	}
	x = ms_insert(&t->as, a, (uint32_t)(a + len), MK_ANON, (int)p->u[2]);
	if (x && (q->flags & MAP_PREALLOC)) {
		uint32_t n = (uint32_t)(len >> PAGE_SHIFT);
		ms_run_set(&t->as, a, n, ms_fresh(n), 0);
	}
}

/* ==== VM_MUNMAP ==== */
static void rule_munmap(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_munmap *q = &m->u.munmap;
	struct why w = { p, 0, 0 };
	uint64_t len = up64(q->len), e = (uint64_t)q->addr + len;
	(void)st;
	if (q->addr & PAGE_MASK)
		why_add(&w, "MUNMAP-01", VM_EFAULT);
	if (q->len == 0 || len > 0xFFFFF000ull || e > MS_END)
		why_add(&w, "MUNMAP-02", VM_EINVAL);
	if (why_done(&w))
		return;
	if (p->src->as.lost) {
		dont_know(p, "MUNMAP-05");
		return;
	}
	mpred_set(p, q->len >= LEN_2G ? "MUNMAP-04" : "MUNMAP-05", VM_OK);
	if (e > USER_TOP) { /* MUNMAP-03: beyond the user range, VM may refuse */
		p->rule = "MUNMAP-03";
		mpred_add(p, VM_EINVAL);
	}
	p->need_pages = 2 + mcost_cut(&p->src->as, q->addr, e); /* MEM-01 */
}

/* MUNMAP-05: the range leaves every extent it meets. */
static void commit_munmap(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_munmap *q = &s->m.u.munmap;
	if (p->got == VM_OK)
		ms_remove(&p->src->as, q->addr, (uint64_t)q->addr + up64(q->len));
}

/* ==== VM_BRK ==== */
/* p->u: [0] new end of the heap extent (0: no change), [1] heap unknown (BRK-03) */
static void rule_brk(const message *m, uint32_t st, struct mpred *p)
{
	const struct mspace *as = &p->src->as;
	uint32_t v = m->u.brk.addr;
	uint64_t e;
	int h = ms_heap(as);
	(void)st;
	if (as->lost) {
		dont_know(p, "BRK-03");
		return;
	}
	if (h < 0) { /* which region VM calls the heap now is its choice */
		mpred_set(p, "BRK-03", VM_OK);
		mpred_add(p, VM_ENOMEM); /* no heap region at all: ENOMEM even below it */
		p->u[1] = 1;
		SG.unknown++;
		return;
	}
	if (v <= as->ext[h].end) {
		mpred_set(p, "BRK-01", VM_OK);
		return;
	}
	e = up64(v);
	if (e > USER_TOP || !ms_range_free(as, as->ext[h].end, e)) {
		mpred_set(p, "BRK-02", VM_ENOMEM);
		return;
	}
	mpred_set(p, "BRK-02", VM_OK);
	p->u[0] = (uint32_t)e;
	p->need_pages = 2 + 2 * mcost_region(e - as->ext[h].start); /* MEM-01: old and new map */
}

/* BRK-02: the heap region ends at the new rounded break; BRK-03: a growth of an
 * unknown heap loses the process. */
static void commit_brk(const struct msg_seen *s, const struct mpred *p)
{
	struct mspace *as = &p->src->as;
	int h = ms_heap(as);
	if (p->got != VM_OK)
		return;
	if (p->u[1]) { /* BRK-03: some region may have grown past the break */
		int i = ms_ext_at(as, as->heap_start);
		uint32_t v = s->m.u.brk.addr;
		if (v > as->heap_start && (i < 0 || v > as->ext[i].end))
			as->lost = 1;
		return;
	}
	if (p->u[0] && h >= 0)
		as->ext[h].end = p->u[0];
}

/* ==== VM_MAP_PHYS ==== */
/* p->u: [0] window bytes, [1] offset in the first page */
static void rule_map_phys(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_map_phys *q = &m->u.map_phys;
	struct why w = { p, 0, 0 };
	struct mproc *t;
	int r = target(m, q->endpt, 1, &t);
	uint32_t off = q->phaddr & PAGE_MASK;
	uint64_t end = (uint64_t)q->phaddr + q->len;
	(void)st;
	if (r != MEP_OK)
		why_ep(&w, "PHYS-01", r, VM_EINVAL);
	else if (t != p->src && !(p->src->priv & MPRIV_EXEC))
		why_deny(&w, "PHYS-02");
	if (q->len == 0 || end > MS_END || (uint64_t)off + q->len > 0xFFFFF000ull)
		why_add(&w, "PHYS-03", VM_EINVAL); /* the range, or its window's rounding, wraps */
	if (r == MEP_OK && q->len &&
	    ((mproc_slot(t) != MEM_PROC_NR && mproc_slot(t) != TTY_PROC_NR) || q->phaddr < DEV_WINDOW_BASE ||
	     end > DEV_WINDOW_TOP))
		why_deny(&w, "PHYS-04");
	if (why_done(&w))
		return;
	if (t->as.lost) {
		dont_know(p, "PHYS-05");
		return;
	}
	p->tgt = t;
	p->u[0] = (uint32_t)up64((uint64_t)off + q->len);
	p->u[1] = off;
	mpred_set(p, "PHYS-05", VM_OK);
	p->need_pages = 2 + mcost_new_region(p->u[0], 0) + mcost_held(NULL, 0, p->u[0]) + mcost_pt_any(p->u[0]); /* MEM-01 */
	predict_room(p, &t->as, p->u[0], "PHYS-05");
}

/* PHYS-05: the answered address keeps phaddr's offset and its window was free; the
 * window extent: page i is frame + i, frame ids allotted now, present when touched. */
static void commit_map_phys(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_map_phys *q = &s->m.u.map_phys;
	struct mproc *t = p->tgt;
	uint32_t a, n;
	struct mext *x;
	if (p->got != VM_OK || !t)
		return;
	if (!p->rep) {
		t->as.lost = 1;
		return;
	}
	a = p->rep->u.map_phys.reply;
	if ((a & PAGE_MASK) != p->u[1]) {
		mfind("PHYS-05", "phys", "MAP_PHYS of 0x%x answered 0x%x: the offset in the page must be 0x%x", q->phaddr,
		      a, p->u[1]);
		return;
	}
	a &= ~PAGE_MASK;
	if (!placed_ok(&t->as, a, p->u[0], "PHYS-05", "phys"))
		return;
	x = ms_insert(&t->as, a, a + p->u[0], MK_PHYS, 1);
	if (!x)
		return;
	n = p->u[0] >> PAGE_SHIFT;
	x->frame = q->phaddr & ~PAGE_MASK;
	x->fid = ms_fresh(n);
}

/* ==== VM_UNMAP_PHYS, VM_SHM_UNMAP ==== */
/* Shared by both: the target, its power, the address, the kind of the extent there.
 * p->u[0]: the extent's start (the whole extent goes). */
static void rule_unmap_whole(const message *m, struct mpred *p, endpoint_t ep, uint32_t addr, int phys)
{
	struct why w = { p, 0, 0 };
	struct mproc *t;
	int r = target(m, ep, 1, &t), i;
	const char *r_ep = phys ? "UPHYS-01" : "SHM-01", *r_al = phys ? "UPHYS-03" : "SHM-02",
		   *r_kind = phys ? "UPHYS-04" : "SHM-03";
	if (r != MEP_OK)
		why_ep(&w, r_ep, r, VM_EINVAL);
	else if (phys && t != p->src && !(p->src->priv & MPRIV_EXEC))
		why_deny(&w, "UPHYS-02");
	if (addr & PAGE_MASK)
		why_add(&w, r_al, VM_EFAULT);
	if (r == MEP_OK && !t->as.lost) {
		i = ms_ext_at(&t->as, addr);
		if (i < 0 || (phys && t->as.ext[i].kind != MK_PHYS) ||
		    (!phys && t->as.ext[i].kind != MK_ALIAS && t->as.ext[i].kind != MK_CACHE))
			why_add(&w, r_kind, VM_EFAULT);
		else if (!phys && t->as.ext[i].kind == MK_CACHE && w.n == 0) {
			mpred_set(p, "SHM-03", VM_OK); /* a cache mapping is shared memory too:
							* VM may or may not call it a segment */
			mpred_add(p, VM_EFAULT);
			p->tgt = t;
			p->u[0] = t->as.ext[i].start;
			return;
		}
	}
	if (why_done(&w))
		return;
	if (t->as.lost) {
		dont_know(p, r_kind);
		return;
	}
	p->tgt = t;
	p->u[0] = t->as.ext[ms_ext_at(&t->as, addr)].start;
	mpred_set(p, phys ? "UPHYS-05" : "SHM-04", VM_OK);
}

/* UPHYS-05, SHM-04: the whole extent holding the address goes. */
static void commit_unmap_whole(const struct mpred *p)
{
	struct mproc *t = p->tgt;
	int i;
	if (p->got != VM_OK || !t)
		return;
	i = ms_ext_at(&t->as, p->u[0]);
	if (i >= 0)
		ms_remove_ext(&t->as, i);
}

/* VM_UNMAP_PHYS: UPHYS-01..05. */
static void rule_unmap_phys(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	rule_unmap_whole(m, p, m->u.unmap_phys.endpt, m->u.unmap_phys.vaddr, 1);
}

/* VM_SHM_UNMAP: SHM-01..04. */
static void rule_shm_unmap(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	rule_unmap_whole(m, p, m->u.shm_unmap.forwhom, m->u.shm_unmap.addr, 0);
}

/* The commit of both whole-extent unmaps. */
static void commit_unmap_any(const struct msg_seen *s, const struct mpred *p)
{
	(void)s;
	commit_unmap_whole(p);
}

/* ==== VM_REMAP, VM_REMAP_RO ==== */
/* p->u: [0] source slot, [1] source extent start, [2] bytes, [3] dst_addr fixed */
static void rule_remap(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_remap *q = &m->u.remap;
	struct why w = { p, 0, 0 };
	struct mproc *d, *s;
	int rd = target(m, q->dst, 1, &d), rs = target(m, q->src, 1, &s);
	uint64_t size = up64(q->size);
	(void)st;
	if (rd != MEP_OK)
		why_ep(&w, "REMAP-01", rd, VM_EINVAL);
	if (rs != MEP_OK)
		why_ep(&w, "REMAP-01", rs, VM_EINVAL);
	if (q->size == 0 || size > 0xFFFFF000ull)
		why_add(&w, "REMAP-02", VM_EINVAL);
	if (rs == MEP_OK && !s->as.lost) {
		int i = ms_ext_at(&s->as, q->src_addr);
		if (i < 0)
			why_add(&w, "REMAP-03", VM_EINVAL);
		else {
			const struct mext *x = &s->as.ext[i];
			if (x->start != q->src_addr || (uint64_t)(x->end - x->start) != size)
				why_add(&w, "REMAP-04", VM_EFAULT);
			if (x->kind == MK_ALIAS || x->kind == MK_PHYS || x->kind == MK_CACHE) {
				why_add(&w, "REMAP-05", VM_EFAULT);
				why_add(&w, "REMAP-05", VM_EINVAL);
			}
		}
	}
	if (q->dst_addr && rd == MEP_OK && !d->as.lost && size && size <= 0xFFFFF000ull) {
		if ((q->dst_addr & PAGE_MASK) || q->dst_addr < USER_BASE || (uint64_t)q->dst_addr + size > USER_TOP) {
			why_add(&w, "REMAP-06", VM_EINVAL);
			why_add(&w, "REMAP-06", VM_ENOMEM);
		} else if (!ms_range_free(&d->as, q->dst_addr, (uint64_t)q->dst_addr + size))
			why_add(&w, "REMAP-06", VM_ENOMEM);
	}
	/* A refusal was found but one side's space is not known: that side's own checks
	 * (source: EINVAL, EFAULT; destination: EINVAL, ENOMEM) may come first. */
	if (w.n && rs == MEP_OK && s->as.lost) {
		mpred_add(p, VM_EFAULT);
		mpred_add(p, VM_EINVAL);
	}
	if (w.n && rd == MEP_OK && d->as.lost) {
		mpred_add(p, VM_ENOMEM);
		mpred_add(p, VM_EINVAL);
	}
	if (why_done(&w))
		return;
	if (d->as.lost || s->as.lost) {
		dont_know(p, "REMAP-07");
		return;
	}
	p->tgt = d;
	p->tgt2 = s;
	p->u[1] = q->src_addr;
	p->u[2] = (uint32_t)size;
	p->u[3] = q->dst_addr != 0;
	mpred_set(p, "REMAP-07", VM_OK);
	p->need_pages = 2 + mcost_new_region(size, 0) + mcost_held(NULL, 0, size) + mcost_pt_any(size); /* MEM-01 */
	if (!q->dst_addr)
		predict_room(p, &d->as, size, "REMAP-06");
}

/* REMAP-06/07: the alias at dst_addr (or a free user address), linked to its source,
 * which becomes shared memory. */
static void commit_remap(const struct msg_seen *s, const struct mpred *p)
{
	struct mproc *d = p->tgt, *sp = p->tgt2;
	const struct vm_pl_remap *q = &s->m.u.remap;
	int ro = s->m.m_type == VM_REMAP_RO, i;
	uint32_t a;
	struct mext *x, *src;
	if (p->got != VM_OK || !d || !sp)
		return;
	if (!p->rep) {
		d->as.lost = 1;
		return;
	}
	a = p->rep->u.remap.ret_addr;
	if (p->u[3] && a != q->dst_addr) {
		mfind("REMAP-06", "placed", "the alias is due at 0x%x, VM placed it at 0x%x", q->dst_addr, a);
		return;
	}
	if (!placed_ok(&d->as, a, p->u[2], "REMAP-06", "alias"))
		return;
	i = ms_ext_at(&sp->as, p->u[1]);
	if (i < 0)
		return;
	src = &sp->as.ext[i];
	if (!src->link) {
		src->link = ++SG.next_link;
		src->flags |= MX_SHSRC;
	}
	uint32_t link = src->link;
	x = ms_insert(&d->as, a, a + p->u[2], MK_ALIAS, !ro);
	if (!x)
		return;
	x->link = link;
	x->srcpg = 0;
	if (ro)
		x->flags |= MX_RO_ALIAS;
}

/* ==== VM_GETPHYS, VM_GETREF ==== */
/* p->u: [0] present (1) */
static void rule_page_query(const message *m, struct mpred *p, endpoint_t ep, uint32_t addr, const char *r1,
			    const char *r2, const char *r3)
{
	struct why w = { p, 0, 0 };
	struct mproc *t;
	int r = target(m, ep, 0, &t), st;
	uint32_t f, ph;
	if (r != MEP_OK)
		why_ep(&w, r1, r, VM_EINVAL);
	if (why_done(&w))
		return;
	if (t->as.lost) {
		dont_know(p, r2);
		return;
	}
	st = ms_ext_at(&t->as, addr) < 0 ? 0 : ms_page(&t->as, addr, &f, &ph);
	if (st < 0) { /* the page's state is lost: present or not, nothing is checked */
		SG.unknown++;
		mpred_set(p, r2, VM_OK);
		mpred_add(p, VM_EFAULT);
		mpred_add(p, VM_EINVAL);
		return;
	}
	p->tgt = t;
	if (st == 0) {
		mpred_set(p, r2, VM_EFAULT);
		mpred_add(p, VM_EINVAL);
		return;
	}
	mpred_set(p, r3, VM_OK);
}

/* VM_GETPHYS: GPHYS-01..03. */
static void rule_getphys(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	rule_page_query(m, p, m->u.getphys.endpt, m->u.getphys.addr, "GPHYS-01", "GPHYS-02", "GPHYS-03");
}

/* VM_GETREF: GREF-01..03. */
static void rule_getref(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	rule_page_query(m, p, m->u.getref.endpt, m->u.getref.addr, "GREF-01", "GREF-02", "GREF-03");
}

/* GPHYS-03: the frame of the page plus the offset; one frame, one address. */
static void commit_getphys(const struct msg_seen *s, const struct mpred *p)
{
	struct mproc *t = p->tgt;
	uint32_t addr = s->m.u.getphys.addr, f, ph, got, known;
	int i;
	if (p->got != VM_OK || !t || !p->rep || ms_page(&t->as, addr, &f, &ph) != 1)
		return;
	i = ms_ext_at(&t->as, addr);
	got = p->rep->u.getphys.ret_addr;
	const char *kind = ms_kind_name(i >= 0 ? t->as.ext[i].kind : MK_NONE);
	if ((got & PAGE_MASK) != (addr & PAGE_MASK)) {
		mfind("GPHYS-03", kind, "GETPHYS of 0x%x answered 0x%x: the offset in the page must stay", addr, got);
		return;
	}
	got &= ~PAGE_MASK;
	if (ph && got != ph) {
		mfind("GPHYS-03", kind, "GETPHYS of 0x%x in %d: frame 0x%x, the model knows 0x%x", addr, t->endpt, got,
		      ph);
		return;
	}
	if (ms_learnt(f, &known) && known != got) {
		mfind("GPHYS-03", kind, "GETPHYS of 0x%x in %d: frame 0x%x, but the same page was at 0x%x before",
		      addr, t->endpt, got, known);
		return;
	}
	/* another live frame at the same address: two pages where one is shared */
	for (uint32_t k = 0; k < SG.nlearn; k++)
		if (SG.learn[k].phys == got && SG.learn[k].fid != f && ms_refcount(SG.learn[k].fid) > 0 &&
		    ms_refcount(f) > 0) {
			mfind("GPHYS-03", kind, "GETPHYS of 0x%x in %d: frame 0x%x also backs another page of the model",
			      addr, t->endpt, got);
			return;
		}
	ms_learn(f, got);
}

/* GREF-03: mappings of the frame over every process, plus the cache's hold. */
static void commit_getref(const struct msg_seen *s, const struct mpred *p)
{
	struct mproc *t = p->tgt;
	uint32_t addr = s->m.u.getref.addr, f, ph;
	int want, i;
	if (p->got != VM_OK || !t || !p->rep || ms_page(&t->as, addr, &f, &ph) != 1)
		return;
	want = ms_refcount(f);
	if (want < 0) {
		SG.unknown++;
		return;
	}
	i = ms_ext_at(&t->as, addr);
	if (p->rep->u.getref.retc != want)
		mfind("GREF-03", ms_kind_name(i >= 0 ? t->as.ext[i].kind : MK_NONE),
		      "GETREF of 0x%x in %d answered %d, the page has %d reference(s)", addr, t->endpt,
		      p->rep->u.getref.retc, want);
}

/* ==== VM_INFO REGION (called by the core's VM_INFO row) ==== */
/* p->u: [0] entries due, [1] index of the first extent reported */
static void rule_info_region(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_info *q = &m->u.info;
	struct why w = { p, 0, 0 };
	struct mproc *t;
	int r = target(m, q->endpt, 1, &t);
	uint32_t first = 0, n = 0, want;
	(void)st;
	if (r != MEP_OK)
		why_ep(&w, "REGION-01", r, VM_EINVAL);
	if (q->count < 0)
		why_add(&w, "REGION-02", VM_EINVAL);
	if (why_done(&w))
		return;
	if (t->as.lost || p->src->as.lost) {
		dont_know(p, "REGION-03");
		return;
	}
	while (first < t->as.n && t->as.ext[first].start < q->next)
		first++;
	want = (uint32_t)(q->count > MAX_VRI_COUNT ? MAX_VRI_COUNT : q->count);
	n = t->as.n - first < want ? t->as.n - first : want;
	p->tgt = t;
	p->u[0] = n;
	p->u[1] = first;
	mpred_set(p, "REGION-04", VM_OK);
	p->need_pages = 2;
	if (n) {
		int c = space_prefault_check(&p->src->as, q->ptr, n * (uint32_t)sizeof(struct vm_region_info), 1);
		if (c == MS_UNKNOWN) {
			dont_know(p, "REGION-03");
			return;
		}
		if (c != VM_OK)
			mpred_set(p, "REGION-03", c);
	} else if (space_prefault_check(&p->src->as, q->ptr, 1, 1) != VM_OK)
		mpred_add(p, VM_EFAULT); /* nothing to copy: VM may still check the buffer */
}

/* REGION-04: the count, the resume address and every entry (read back from the
 * caller's buffer). */
static void commit_info_region(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_info *q = &s->m.u.info;
	struct mproc *t = p->tgt;
	uint32_t n = p->u[0], len = n * (uint32_t)sizeof(struct vm_region_info);
	const struct platform *pl = mdl.x->plat;
	if (p->got == VM_EFAULT && t && n)
		space_prefault_refused(&p->src->as, q->ptr, len, 1);
	if (p->got != VM_OK || !t)
		return;
	if (p->rep) {
		uint32_t next = n ? t->as.ext[p->u[1] + n - 1].end : q->next;
		if ((uint32_t)p->rep->u.info.count != n) {
			mfind("REGION-04", "count", "VM_INFO REGION of %d from 0x%x: %d entries, the model has %u", t->endpt,
			      q->next, p->rep->u.info.count, n);
			return;
		}
		if (p->rep->u.info.next != next) {
			mfind("REGION-04", "next", "VM_INFO REGION of %d: next 0x%x, the model's is 0x%x", t->endpt,
			      p->rep->u.info.next, next);
			return;
		}
	}
	for (uint32_t k = 0; p->rep && pl->peek && !(q->ptr & 3) && k < n; k++) {
		const struct mext *x = &t->as.ext[p->u[1] + k];
		uint32_t v[4], a = q->ptr + k * 16;
		int ok = 1;
		for (int j = 0; j < 4 && ok; j++)
			ok = pl->peek(s->m.m_source, a + 4 * (uint32_t)j, &v[j]) == 0;
		if (!ok)
			break;
		uint32_t prot = PROT_READ | (x->wr ? PROT_WRITE : 0);
		if (v[0] != x->start || v[1] != x->end - x->start || v[2] != prot || !(v[3] & VR_WRITABLE) != !x->wr) {
			mfind("REGION-04", ms_kind_name(x->kind),
			      "VM_INFO REGION entry %u of %d: 0x%x+0x%x prot %u flags 0x%x, the model has 0x%x+0x%x prot %u",
			      k, t->endpt, v[0], v[1], v[2], v[3], x->start, x->end - x->start, prot);
			return;
		}
	}
	space_prefault(&p->src->as, q->ptr, len, 1);
	space_clobber(&p->src->as, q->ptr, len);
}

/* ==== The block cache ==== */
static struct mcache_ent *cache_find(int32_t dev, uint64_t off)
{
	for (uint32_t i = 0; i < SG.ncache; i++)
		if (SG.cache[i].used && SG.cache[i].dev == dev && SG.cache[i].off == off)
			return &SG.cache[i];
	return NULL;
}

/* Remove entry e from the table (the last one takes its place). */
static void cache_drop(struct mcache_ent *e)
{
	e->used = 0;
	*e = SG.cache[--SG.ncache];
}

/* CACHE-01/02: the page count and the offsets every cache call checks (the cache
 * payloads share their leading fields, VM_FIELDS_vmmcp). */
static void why_cache_args(struct why *w, int32_t pages, uint64_t dev_offset, uint64_t ino_offset)
{
	if (pages < 1 || pages > CACHE_REQ_MAX)
		why_add(w, "CACHE-01", VM_EINVAL);
	if ((dev_offset & PAGE_MASK) || (ino_offset & PAGE_MASK))
		why_add(w, "CACHE-02", VM_EFAULT);
}

/* SETC-03: may page va of as become a cache block? */
static int setc_page_ok(const struct mspace *as, uint32_t va, int *unknown)
{
	uint32_t f, ph;
	int i = ms_ext_at(as, va), st, rc;
	if (i < 0)
		return 0;
	const struct mext *x = &as->ext[i];
	if (x->kind != MK_TEXT && x->kind != MK_DATA && x->kind != MK_STACK && x->kind != MK_ANON)
		return 0;
	if (x->flags & MX_SHSRC)
		return 0; /* shared memory: an alias may map it later (issue 7) */
	st = ms_page(as, va, &f, &ph);
	if (st <= 0) {
		*unknown |= st < 0;
		return 0;
	}
	rc = ms_refcount(f);
	if (rc < 0)
		*unknown = 1;
	return rc == 1;
}

/* A cache call whose answer the model did not know (dont_know) or whose failure it
 * excused: which entries the cache holds is not known any more, so lookups are not
 * judged (as past the table's size, CACHE-05).  Any other call: nothing. */
void cache_forget_call(const message *m)
{
	if (m->m_type == VM_SETCACHEPAGE || m->m_type == VM_MAPCACHEPAGE || m->m_type == VM_FORGETCACHEPAGE ||
	    m->m_type == VM_CLEARCACHE)
		SG.cache_lossy = 1;
}

/* VM_SETCACHEPAGE: CACHE-01/02, SETC-03 for every page of the block, else SETC-04. */
static void rule_setcache(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_setcachepage *q = &m->u.setcachepage;
	struct why w = { p, 0, 0 };
	const struct mspace *as = &p->src->as;
	int unknown = 0;
	(void)st;
	why_cache_args(&w, q->pages, q->dev_offset, q->ino_offset);
	if (q->pages >= 1 && q->pages <= CACHE_REQ_MAX) {
		uint64_t e = (uint64_t)q->block + ((uint64_t)q->pages << PAGE_SHIFT);
		if ((q->block & PAGE_MASK) || e > MS_END)
			why_add(&w, "SETC-03", VM_EFAULT);
		else if (!as->lost)
			for (int32_t k = 0; k < q->pages; k++)
				if (!setc_page_ok(as, q->block + ((uint32_t)k << PAGE_SHIFT), &unknown) && !unknown) {
					why_add(&w, "SETC-03", VM_EFAULT);
					break;
				}
	}
	if (why_done(&w))
		return;
	if (as->lost) {
		dont_know(p, "SETC-03");
		return;
	}
	mpred_set(p, "SETC-04", VM_OK);
	if (unknown) { /* a page's state or count is lost: either answer */
		SG.unknown++;
		mpred_add(p, VM_EFAULT);
	}
	p->need_pages = 2;
}

/* SETC-04: an entry per page (replacing one at the same key); past the table's size
 * VM evicts, and the model stops judging lookups (CACHE-05). */
static void commit_setcache(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_setcachepage *q = &s->m.u.setcachepage;
	struct mspace *as = &p->src->as;
	if (p->got != VM_OK)
		return;
	for (int32_t k = 0; k < q->pages; k++) {
		uint32_t va = q->block + ((uint32_t)k << PAGE_SHIFT), f, ph;
		uint64_t off = q->dev_offset + ((uint64_t)k << PAGE_SHIFT);
		struct mcache_ent *e = cache_find(q->dev, off);
		int st = ms_page(as, va, &f, &ph);
		if (st == 0)
			continue;
		if (st < 0)
			f = ph = 0; /* an entry whose frame the model does not know */
		if (e)
			cache_drop(e);
		if (SG.ncache == MCACHE_MAX) { /* VM evicts one (LRU): which is its choice */
			SG.cache_lossy = 1;
			if (SG.cache[0].fid)
				ms_ufid(SG.cache[0].fid);
			cache_drop(&SG.cache[0]);
		}
		e = &SG.cache[SG.ncache++];
		e->dev = q->dev;
		e->off = off;
		e->fid = f;
		e->phys = ph;
		e->once = (q->flags & VMSF_ONCE) != 0;
		e->used = 1;
	}
}

/* p->u: [0] pages */
static void rule_mapcache(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_mapcachepage *q = &m->u.mapcachepage;
	struct why w = { p, 0, 0 };
	int miss = 0, maybe = SG.cache_lossy;
	(void)st;
	why_cache_args(&w, q->pages, q->dev_offset, q->ino_offset);
	if (why_done(&w))
		return;
	if (p->src->as.lost) {
		dont_know(p, "MAPC-03");
		return;
	}
	for (int32_t k = 0; k < q->pages; k++) {
		struct mcache_ent *e = cache_find(q->dev, q->dev_offset + ((uint64_t)k << PAGE_SHIFT));
		if (!e || e->once)
			miss = 1;
	}
	p->u[0] = (uint32_t)q->pages;
	if (miss && !maybe) {
		mpred_set(p, "MAPC-03", VM_ENOENT);
		return;
	}
	mpred_set(p, "MAPC-04", VM_OK);
	if (miss || maybe) {
		p->rule = "CACHE-05";
		mpred_add(p, VM_ENOENT);
	}
	uint64_t clen = (uint64_t)q->pages << PAGE_SHIFT;
	p->need_pages = 2 + mcost_new_region(clen, 0) + mcost_held(NULL, 0, clen) + mcost_pt_any(clen); /* MEM-01 */
	predict_room(p, &p->src->as, (uint64_t)q->pages << PAGE_SHIFT, "MAPC-04");
}

/* MAPC-04: the answered address was free; a writable cache extent maps the cached
 * frames. */
static void commit_mapcache(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_mapcachepage *q = &s->m.u.mapcachepage;
	struct mspace *as = &p->src->as;
	uint32_t n = p->u[0], a;
	struct mext *x;
	if (p->got != VM_OK)
		return;
	if (!p->rep) {
		as->lost = 1;
		return;
	}
	a = p->rep->u.mapcachepage.addr;
	if (!placed_ok(as, a, (uint64_t)n << PAGE_SHIFT, "MAPC-04", "cache"))
		return;
	x = ms_insert(as, a, a + (n << PAGE_SHIFT), MK_CACHE, 1);
	if (!x)
		return;
	for (uint32_t k = 0; k < n; k++) {
		struct mcache_ent *e = cache_find(q->dev, q->dev_offset + ((uint64_t)k << PAGE_SHIFT));
		uint32_t va = a + (k << PAGE_SHIFT);
		if (e && !e->once)
			ms_run_set(as, va, 1, e->fid, e->phys);
		else
			ms_run_set(as, va, 1, 0, 0); /* an entry the model had lost */
	}
}

/* VM_FORGETCACHEPAGE: FORGC-01 (its argument checks are lenient). */
static void rule_forgetcache(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_forgetcachepage *q = &m->u.forgetcachepage;
	struct why w = { p, 0, 0 };
	(void)st;
	why_cache_args(&w, q->pages, q->dev_offset, q->ino_offset);
	if (why_done(&w)) {
		mpred_add(p, VM_OK); /* FORGET's checks are not fixed by the protocol */
		p->rule = "FORGC-01";
		return;
	}
	mpred_set(p, "FORGC-01", VM_OK);
}

/* FORGC-01: the entries go (bad arguments answered OK: the model stops judging
 * lookups). */
static void commit_forgetcache(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_forgetcachepage *q = &s->m.u.forgetcachepage;
	if (p->got != VM_OK)
		return;
	if (q->pages < 1 || (q->dev_offset & PAGE_MASK)) {
		SG.cache_lossy = 1;
		return;
	}
	for (int32_t k = 0; k < q->pages && k < 4096; k++) {
		struct mcache_ent *e = cache_find(q->dev, q->dev_offset + ((uint64_t)k << PAGE_SHIFT));
		if (e)
			cache_drop(e);
	}
}

/* VM_CLEARCACHE: CLEARC-01. */
static void rule_clearcache(const message *m, uint32_t st, struct mpred *p)
{
	(void)m;
	(void)st;
	mpred_set(p, "CLEARC-01", VM_OK);
}

/* CLEARC-01: every entry of the device goes. */
static void commit_clearcache(const struct msg_seen *s, const struct mpred *p)
{
	if (p->got != VM_OK)
		return;
	for (uint32_t i = 0; i < SG.ncache;)
		if (SG.cache[i].dev == s->m.u.clearcache.dev)
			cache_drop(&SG.cache[i]);
		else
			i++;
}

/* ==== Kernel page faults and user accesses ==== */
/* Did the kernel mark p killed (VM killed it before; the kernel keeps it so)? */
static int killed(const struct mproc *p)
{
	const struct platform *pl = mdl.x ? mdl.x->plat : NULL;
	return pl && pl->proc_flags && (pl->proc_flags(p->endpt) & PF_KILLED);
}

/* PF-01/02 for page va of process p: 1 must succeed, 0 must kill, -1 not judged
 * (a process VM killed before never runs again: its accesses fail). */
static int access_due(const struct mproc *p, uint32_t va, int write)
{
	if (!p || p->is_vm || p->as.lost || killed(p))
		return -1;
	return ms_touch_ok(&p->as, va, write);
}

/* The kind of the extent holding va in p, for signatures. */
static const char *kind_at(const struct mproc *p, uint32_t va)
{
	int i = p ? ms_ext_at(&p->as, va) : -1;
	return ms_kind_name(i >= 0 ? p->as.ext[i].kind : MK_NONE);
}

/* Is VM really out of memory for a fault (a page, a page table, slab objects)? Then
 * it may kill the faulting process (PF-01's exception, as an injected failure). */
static int memory_short(const struct outcome *o)
{
	return o->free_before < PF_SHORT_PAGES;
}

/* Judge one access or fault: ok says whether it succeeded, segv whether VM killed. */
static void judge_access(struct mproc *p, uint32_t va, int write, int due, int ok, int segv,
			 const struct outcome *o, const char *what)
{
	if (due < 0) {
		SG.unknown++;
		return;
	}
	if (due == 1 && !ok && !(o->injected > 0) && !memory_short(o)) {
		mfind("PF-01", kind_at(p, va), "%s of 0x%x by %d failed%s, but it is inside a %s extent", what, va,
		      p->endpt, segv ? " (killed)" : "", write ? "writable" : "mapped");
		return;
	}
	if (due == 1 && !ok) { /* an injected failure or memory ran out: VM may have got
				* (or copied) the page and not its PTE: its state is unknown now */
		uint32_t f, ph;
		if (ms_page(&p->as, va, &f, &ph) == 1)
			ms_ufid(f);
		ms_run_set(&p->as, va & ~PAGE_MASK, 1, 0, 0);
		return;
	}
	if (due == 0 && (ok || !segv)) {
		mfind("PF-02", kind_at(p, va), "%s of 0x%x by %d %s, but it is %s", what, va, p->endpt,
		      ok ? "succeeded" : "failed without a kill", ms_ext_at(&p->as, va) < 0 ? "in no extent" : "read-only");
		return;
	}
	if (ok)
		ms_touch(&p->as, va, write);
}

/* The verdict is due before the access: VM may kill the process during it. */
void space_before_access(const struct run_ctx *x, struct mproc *p, uint32_t addr, int write)
{
	(void)x;
	SG.pre_due = access_due(p, addr, write);
}

/* PF-01/02 for a READ/WRITE record, judged against the verdict made before it. */
void space_access(const struct run_ctx *x, struct mproc *p, const struct access_seen *a)
{
	int due = SG.pre_due, segv;
	(void)x;
	SG.pre_due = -1;
	if (!p)
		return;
	segv = out_events(a->o, TR_PF_SEGV, p->endpt) > 0;
	judge_access(p, a->addr, a->write, due, a->rc == VM_OK, segv, a->o, a->write ? "write" : "read");
}

/* p->u: [0] due + 1 */
static void rule_pagefault(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	mpred_set(p, "PF-03", VM_SUSPEND);
	p->u[0] = (uint32_t)(access_due(p->src, m->u.pagefault.addr, (m->u.pagefault.flags & PFERR_WRITE) != 0) + 1);
}

/* PF-01/02 for a kernel page fault: success is the absence of a kill. */
static void commit_pagefault(const struct msg_seen *s, const struct mpred *p)
{
	int segv = out_events(s->o, TR_PF_SEGV, p->src->endpt) > 0;
	if (!p->src->is_vm && !p->src->as.lost && killed(p->src)) {
		/* a fault message of a process VM killed before is not judged (PF-02), but
		 * VM may serve it, or get the page and fail later (and kill again): a page of
		 * an extent may be present now */
		if (ms_ext_at(&p->src->as, s->m.u.pagefault.addr) >= 0)
			ms_run_set(&p->src->as, s->m.u.pagefault.addr & ~PAGE_MASK, 1, 0, 0);
		return;
	}
	judge_access(p->src, s->m.u.pagefault.addr, (s->m.u.pagefault.flags & PFERR_WRITE) != 0, (int)p->u[0] - 1,
		     !segv, segv, s->o, "kernel page fault");
}

/* ---- The table ---- */
const struct mcall space_calls[] = {
	{ VM_MMAP, rule_mmap, commit_mmap },
	{ VM_MUNMAP, rule_munmap, commit_munmap },
	{ VM_BRK, rule_brk, commit_brk },
	{ VM_MAP_PHYS, rule_map_phys, commit_map_phys },
	{ VM_UNMAP_PHYS, rule_unmap_phys, commit_unmap_any },
	{ VM_SHM_UNMAP, rule_shm_unmap, commit_unmap_any },
	{ VM_REMAP, rule_remap, commit_remap },
	{ VM_REMAP_RO, rule_remap, commit_remap },
	{ VM_GETPHYS, rule_getphys, commit_getphys },
	{ VM_GETREF, rule_getref, commit_getref },
	{ VM_INFO, rule_info_region, commit_info_region },
	{ VM_SETCACHEPAGE, rule_setcache, commit_setcache },
	{ VM_MAPCACHEPAGE, rule_mapcache, commit_mapcache },
	{ VM_FORGETCACHEPAGE, rule_forgetcache, commit_forgetcache },
	{ VM_CLEARCACHE, rule_clearcache, commit_clearcache },
	{ VM_PAGEFAULT, rule_pagefault, commit_pagefault },
};
const int space_ncalls = (int)(sizeof space_calls / sizeof space_calls[0]);
