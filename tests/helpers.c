/* helpers.c - shared helpers of the VM unit tests (see helpers.h). */
#include <string.h>
#include "helpers.h"
#include "test.h"

/* ---- Messages ---- */

message msg_zero(void)
{
	message m;

	memset(&m, 0, sizeof m);
	return m;
}

/* Copy the last reply to dst from the reply log into *m; 1 when there was one (a
 * request VM sent VFS, VFS_VMCALL, is no reply). */
static int last_reply_to(endpoint_t dst, message *m)
{
	for (uint32_t i = reply_count(); i > 0; i--) {
		const struct reply_rec *r = reply_get(i - 1);

		if (r && r->dst == dst && r->m.m_type != VFS_VMCALL) {
			*m = r->m;
			return 1;
		}
	}
	return 0;
}

uint32_t replies_to(endpoint_t dst)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < reply_count(); i++) {
		const struct reply_rec *r = reply_get(i);

		if (r && r->dst == dst && r->m.m_type != VFS_VMCALL)
			n++;
	}
	return n;
}

int call(endpoint_t src, int type, message *m)
{
	message req = *m;
	int r;

	req.m_source = src;
	req.m_type = type;
	feed_reset_replies();
	r = hosted_call(src, type, &req);
	if (last_reply_to(src, m))
		return m->m_type;
	CHECK_EQ(r, VM_SUSPEND); /* hosted_call and the reply log agree */
	return VM_SUSPEND;
}

int pm_fork(endpoint_t parent, int32_t slot, endpoint_t *child)
{
	message m = msg_zero();
	int r;

	m.u.fork.parent = parent;
	m.u.fork.slot = slot;
	r = call(PM_PROC_NR, VM_FORK, &m);
	if (r == VM_OK && child)
		*child = m.u.fork.child;
	return r;
}

int fork_child(endpoint_t parent, endpoint_t *child)
{
	int32_t slot = free_slot();

	CHECK(slot >= 0);
	return pm_fork(parent, slot, child);
}

int pm_willexit(endpoint_t ep)
{
	message m = msg_zero();

	m.u.willexit.endpt = ep;
	return call(PM_PROC_NR, VM_WILLEXIT, &m);
}

int pm_exit_only(endpoint_t ep)
{
	message m = msg_zero();

	m.u.exit.endpt = ep;
	return call(PM_PROC_NR, VM_EXIT, &m);
}

int pm_exit(endpoint_t ep)
{
	int r = pm_willexit(ep);

	return r != VM_OK ? r : pm_exit_only(ep);
}

int mmap_for(endpoint_t ep, endpoint_t forwhom, uint32_t addr, uint32_t len, uint32_t prot,
	     uint32_t extra_flags, uint32_t *ret)
{
	message m = msg_zero();
	int r;

	m.u.mmap.addr = addr;
	m.u.mmap.len = len;
	m.u.mmap.prot = prot;
	m.u.mmap.flags = MAP_ANONPRIV | extra_flags;
	m.u.mmap.fd = -1;
	m.u.mmap.forwhom = forwhom;
	r = call(ep, VM_MMAP, &m);
	if (r == VM_OK && ret)
		*ret = m.u.mmap.retaddr;
	return r;
}

int mmap_anon(endpoint_t ep, uint32_t addr, uint32_t len, uint32_t prot, uint32_t extra_flags,
	      uint32_t *ret)
{
	return mmap_for(ep, SELF, addr, len, prot, extra_flags, ret);
}

int munmap_call(endpoint_t ep, uint32_t addr, uint32_t len)
{
	message m = msg_zero();

	m.u.munmap.addr = addr;
	m.u.munmap.len = len;
	return call(ep, VM_MUNMAP, &m);
}

int brk_call(endpoint_t ep, uint32_t addr)
{
	message m = msg_zero();

	m.u.brk.addr = addr;
	return call(ep, VM_BRK, &m);
}

int map_phys_call(endpoint_t src, endpoint_t target, uint32_t phys, uint32_t len, uint32_t *va)
{
	message m = msg_zero();
	int r;

	m.u.map_phys.endpt = target;
	m.u.map_phys.phaddr = phys;
	m.u.map_phys.len = len;
	r = call(src, VM_MAP_PHYS, &m);
	if (va)
		*va = m.u.map_phys.reply;
	return r;
}

int unmap_phys_call(endpoint_t src, endpoint_t target, uint32_t va)
{
	message m = msg_zero();

	m.u.unmap_phys.endpt = target;
	m.u.unmap_phys.vaddr = va;
	return call(src, VM_UNMAP_PHYS, &m);
}

int remap_call(int type, endpoint_t dst, endpoint_t src, uint32_t dst_addr, uint32_t src_addr,
	       uint32_t size, uint32_t *ret)
{
	message m = msg_zero();
	int r;

	m.u.remap.dst = dst;
	m.u.remap.src = src;
	m.u.remap.dst_addr = dst_addr;
	m.u.remap.src_addr = src_addr;
	m.u.remap.size = size;
	r = call(RS_PROC_NR, type, &m);
	if (ret)
		*ret = m.u.remap.ret_addr;
	return r;
}

int procctl_call(endpoint_t src, int param, endpoint_t who, uint32_t addr, uint32_t len, uint32_t flags)
{
	message m = msg_zero();

	m.u.procctl.param = param;
	m.u.procctl.who = who;
	m.u.procctl.m1 = addr;
	m.u.procctl.len = len;
	m.u.procctl.flags = flags;
	return call(src, VM_PROCCTL, &m);
}

int getrusage_call(endpoint_t src, endpoint_t who, uint32_t addr)
{
	message m = msg_zero();

	m.u.getrusage.endpt = who;
	m.u.getrusage.addr = addr;
	return call(src, VM_GETRUSAGE, &m);
}

/* ---- Result classes ---- */

int is_errno(int r)
{
	switch (r) {
#define ERRNO_CASE(name, num) case -(num):
		VM_ERRNOS(ERRNO_CASE)
#undef ERRNO_CASE
		return 1;
	default:
		return 0;
	}
}

int is_legal_reply(int r)
{
	return r == VM_OK || is_errno(r);
}

int is_bad_ep_errno(int r)
{
	return r == VM_EINVAL || r == VM_ESRCH || r == VM_EDEADEPT;
}

/* ---- Processes ---- */

int32_t free_slot(void)
{
	for (int32_t s = AGENT_PROC_NR + 1; s < NR_PROCS; s++)
		if (!(vm.proc[s].flags & VMF_INUSE) && !(kmodel.proc[s].flags & KP_INUSE))
			return s;
	return -1;
}

struct vmproc *vmp_of(endpoint_t ep)
{
	int32_t s = ep_slot(ep);

	if (s < 0 || s >= NR_PROCS)
		return NULL;
	if (!(vm.proc[s].flags & VMF_INUSE) || vm.proc[s].endpt != ep)
		return NULL;
	return &vm.proc[s];
}

uint32_t live_slots(void)
{
	uint32_t n = 0;

	for (int32_t s = 0; s < NR_PROCS; s++)
		if (vm.proc[s].flags & VMF_INUSE)
			n++;
	return n;
}

const struct boot_info *boot_info(void)
{
	static struct boot_info bi;

	memset(&bi, 0, sizeof bi);
	CHECK_EQ(kc_bootinfo(&bi), VM_OK);
	return &bi;
}

const struct boot_proc *boot_proc_of(int32_t slot)
{
	const struct boot_info *bi = boot_info();

	for (uint32_t i = 0; i < bi->nprocs; i++)
		if (bi->proc[i].slot == slot)
			return &bi->proc[i];
	return NULL;
}

uint32_t boot_break(int32_t slot)
{
	const struct boot_proc *bp = boot_proc_of(slot);
	uint32_t brk = 0;

	CHECK(bp != NULL);
	for (uint32_t i = 0; i < bp->nsegs; i++)
		if (bp->seg[i].flags & SEG_W)
			brk = bp->seg[i].vaddr + bp->seg[i].memsz;
	return brk;
}

struct vir_region *data_region(endpoint_t ep)
{
	struct vmproc *vmp = vmp_of(ep);

	if (!vmp)
		return NULL;
	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
		if ((r->flags & VR_WRITABLE) && !(r->flags & VR_STACK) && region_page(r, 0))
			return r;
	return NULL;
}

struct vir_region *stack_region(endpoint_t ep)
{
	struct vmproc *vmp = vmp_of(ep);

	if (!vmp)
		return NULL;
	return region_find(vmp, STACK_TOP - 4);
}

uint32_t proc_backed_pages(struct vmproc *vmp)
{
	uint32_t n = 0;

	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
		for (uint32_t i = 0; i < r->length / PAGE_SIZE; i++)
			if (region_page(r, i) && region_page(r, i)->ph->phys != PHYS_NONE)
				n++;
	return n;
}

struct phys_block *block_at(endpoint_t ep, uint32_t vaddr)
{
	struct vmproc *vmp = vmp_of(ep);
	struct vir_region *r;
	struct phys_region *pr;

	if (!vmp || !(r = region_find(vmp, vaddr)))
		return NULL;
	pr = region_page(r, (vaddr - r->vaddr) / PAGE_SIZE);
	return pr ? pr->ph : NULL;
}

uint32_t *pte_ptr(const struct pt *pt, uint32_t vaddr)
{
	uint32_t *dir, pde;

	if (pt->dir_phys == PHYS_NONE)
		return NULL;
	dir = phys_ptr(pt->dir_phys, PAGE_SIZE);
	pde = dir[vaddr >> 22];
	if (!(pde & PTE_P) || (pde & PDE_PS))
		return NULL;
	return (uint32_t *)phys_ptr(pde & PTE_ADDR_MASK, PAGE_SIZE) + ((vaddr >> PAGE_SHIFT) & (PTE_ENTRIES - 1));
}

static uint32_t seen_bits[PHYS_MAX_PAGES / 32];
static uint32_t seen_count;

/* Count phys once in seen_bits. */
static void see_page(uint32_t phys, void *arg)
{
	uint32_t pg = phys / PAGE_SIZE;

	(void)arg;
	if (pg < PHYS_MAX_PAGES && !(seen_bits[pg / 32] & (1u << (pg % 32)))) {
		seen_bits[pg / 32] |= 1u << (pg % 32);
		seen_count++;
	}
}

uint32_t pages_of_all_procs(void)
{
	memset(seen_bits, 0, sizeof seen_bits);
	seen_count = 0;
	for (int32_t s = 0; s < NR_PROCS; s++) {
		struct vmproc *vmp = &vm.proc[s];

		if (!(vmp->flags & VMF_INUSE))
			continue;
		for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
			for (uint32_t i = 0; i < r->length / PAGE_SIZE; i++)
				if (region_page(r, i) && region_page(r, i)->ph->phys != PHYS_NONE)
					see_page(region_page(r, i)->ph->phys, NULL);
		if (vmp->pt.dir_phys != PHYS_NONE)
			pt_for_each_page(&vmp->pt, see_page, NULL);
	}
	return seen_count;
}

/* ---- Leak baseline ---- */

void baseline_take(struct baseline *b)
{
	b->mem_free = mem_free_count();
	b->slab_live = slab_live_objects();
	b->acl_entries = acl_entries_in_use();
	b->live_slots = live_slots();
}

/* ---- Fault injection ---- */

static struct {
	enum fault_site site;
	uint32_t nth, fired;
	uint32_t hits[FS_COUNT];
} faults;

static int fault_hook(enum fault_site site)
{
	if (site >= FS_COUNT)
		return 0;
	faults.hits[site]++;
	if (site == faults.site && faults.nth && faults.hits[site] == faults.nth) {
		faults.fired = 1;
		return 1;
	}
	return 0;
}

void fault_fail_nth(enum fault_site site, uint32_t n)
{
	memset(&faults, 0, sizeof faults);
	faults.site = site;
	faults.nth = n;
	hosted_set_fault_hook(fault_hook);
}

uint32_t fault_hits(enum fault_site site)
{
	return site < FS_COUNT ? faults.hits[site] : 0;
}

int fault_fired(void)
{
	return faults.fired != 0;
}

/* ---- Trace capture ---- */

static struct trace_rec trace_buf[TRACE_CAP];
static uint32_t trace_n;

static void trace_hook(enum trace_ev ev, int32_t a, int32_t b)
{
	if (trace_n < TRACE_CAP)
		trace_buf[trace_n++] = (struct trace_rec){ ev, a, b };
}

void trace_capture(void)
{
	trace_n = 0;
	hosted_set_trace_hook(trace_hook);
}

uint32_t trace_count(enum trace_ev ev)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < trace_n; i++)
		if (trace_buf[i].ev == ev)
			n++;
	return n;
}

const struct trace_rec *trace_last(enum trace_ev ev)
{
	for (uint32_t i = trace_n; i > 0; i--)
		if (trace_buf[i - 1].ev == ev)
			return &trace_buf[i - 1];
	return NULL;
}

void set_mask_from(endpoint_t setter, endpoint_t target, vm_callmask_t mask)
{
	uint32_t a = data_region(setter)->vaddr + 0x100;
	message m = msg_zero();

	CHECK_EQ(proc_write32(setter, a, (uint32_t)mask), VM_OK);
	CHECK_EQ(proc_write32(setter, a + 4, (uint32_t)(mask >> 32)), VM_OK);
	m.u.rs_set_priv.endpt = target;
	m.u.rs_set_priv.buf = a;
	m.u.rs_set_priv.sys = 1;
	CHECK_EQ(call(setter, VM_RS_SET_PRIV, &m), VM_OK);
}

void rs_grant_all(void)
{
	set_mask_from(RS_PROC_NR, RS_PROC_NR, ~(vm_callmask_t)0);
}
