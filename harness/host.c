/* host.c - the hosted platform: VM's own message loop in this process, the kernel
 * model of stubs/ as the kernel.  The one harness file that reads vm/'s internals
 * (its state struct, its counters, its handlers); everything else in harness/ goes
 * through struct platform (platform.h) and host.h.
 *
 * A VM panic long-jumps back to the request that caused it and is reported in the
 * outcome (VM_PANICKED); VM is not run again before the next reset. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "host.h"
#include "hosted.h"
#include "vm.h"

static const char *const sanity_name[SAN_COUNT] = {
#define SAN_NAME(id, text) #id,
	SANITY_INVARIANTS(SAN_NAME)
#undef SAN_NAME
};

/* Planted defects (self-test).  The protocol model must see each model:NAME: it
 * breaks VM the way a real defect in one rule family would, by corrupting VM's state
 * at the start of a conversation or the reply it sent.  VM's own sanity checker must
 * see each sanity:NAME at its next check: two handlers that break one invariant
 * (SAN_REFCOUNT), so their findings must not share a signature. */
enum mplant {
	MP_NONE,
	MP_ERRNO,     /* VM_MUNMAP answers EFAULT where it answered EINVAL */
	MP_ACL_ALLOW, /* the shared user mask also allows VM_FORK */
	MP_ACL_DENY,  /* the shared user mask lost VM_MMAP */
	MP_POWER,     /* init holds RS's and VFS's power to map for others */
	MP_REPLY_DST, /* VM_RS_UPDATE replies to the requester's old endpoint */
	MP_OUT_FIELD, /* VM_GETREF's retc is one too many */
	MP_FRAME,     /* VM_GETPHYS answers the next frame */
	MP_SAN_FORK,  /* VM_FORK OK forgot to count the child's share of the parent's first page */
	MP_SAN_REMAP, /* VM_REMAP OK counted a reference to the source's first page twice */
	MP_COUNT
};
static const char *const mplant_name[MP_COUNT] = {
	"", "model:errno", "model:acl-allow", "model:acl-deny", "model:power", "model:reply-dst",
	"model:out-field", "model:frame", "sanity:fork-refcount", "sanity:remap-refcount",
};

static struct {
	enum mplant plant;
	struct outcome *o; /* where trace events and a panic go */
	jmp_buf panic_jmp;
	int armed;
	struct boot_info bi;
	int32_t sanity_fail, sanity_obj; /* as TR_SANITY_FAIL named them */
} hs;

/* ---- Hooks ---- */
static void on_trace(enum trace_ev ev, int32_t a, int32_t b)
{
	struct outcome *o = hs.o;
	if (ev == TR_SANITY_FAIL) {
		hs.sanity_fail = a;
		hs.sanity_obj = b;
	}
	if (!o)
		return;
	if (o->nev == OUT_EV_MAX) {
		o->ev_lost++;
		return;
	}
	o->ev[o->nev].ev = ev;
	o->ev[o->nev].a = a;
	o->ev[o->nev].b = b;
	o->nev++;
}

/* Fill o with the sanity failure id (name and statement) and the kind of object it
 * failed on (SOBJ_*). */
static void sanity_into(struct outcome *o, int32_t id, int32_t obj)
{
	o->sanity_fail = id > 0 && id < SAN_COUNT ? id : -1;
	snprintf(o->sanity_inv, sizeof o->sanity_inv, "%s", o->sanity_fail > 0 ? sanity_name[id] : "");
	snprintf(o->sanity_text, sizeof o->sanity_text, "%s", o->sanity_fail > 0 ? sanity_text[id] : "");
	snprintf(o->sanity_obj, sizeof o->sanity_obj, "%s", o->sanity_fail > 0 ? sanity_obj_name(obj) : "");
}

static void on_panic(const char *file, int line, const char *why)
{
	static struct outcome spare;
	struct outcome *o = hs.o ? hs.o : &spare;
	o->life = VM_PANICKED;
	o->panic_line = line;
	snprintf(o->panic_file, sizeof o->panic_file, "%s", file);
	snprintf(o->panic_why, sizeof o->panic_why, "%s", why);
	sanity_into(o, hs.sanity_fail, hs.sanity_obj);
	if (!hs.armed) {
		fprintf(stderr, "VM panic outside a request: %s:%d: %s\n", file, line, why);
		abort();
	}
	longjmp(hs.panic_jmp, 1);
}

/* ---- Planted defects ---- */
int host_plant(const char *name)
{
	for (int i = 0; i < MP_COUNT; i++)
		if ((i && !strcmp(name, mplant_name[i])) || (!i && !strcmp(name, "none"))) {
			hs.plant = (enum mplant)i;
			return 0;
		}
	return -1;
}

/* The plants that corrupt VM's state, applied after every restore. */
static void plant_state(void)
{
	if (hs.plant == MP_ACL_ALLOW)
		vm.acl.mask[USER_ACL] |= VM_CALL_BIT(VMC_FORK);
	else if (hs.plant == MP_ACL_DENY)
		vm.acl.mask[USER_ACL] &= ~VM_CALL_BIT(VMC_MMAP);
	else if (hs.plant == MP_POWER)
		vm.proc[INIT_PROC_NR].powers |= POWER_EXEC;
}

/* The plants that corrupt a reply rp to request m. */
static void plant_reply(const message *m, struct out_reply *rp)
{
	if (hs.plant == MP_ERRNO && m->m_type == VM_MUNMAP && rp->m.m_type == VM_EINVAL)
		rp->m.m_type = VM_EFAULT;
	else if (hs.plant == MP_REPLY_DST && m->m_type == VM_RS_UPDATE)
		rp->dst = m->m_source;
	else if (hs.plant == MP_OUT_FIELD && m->m_type == VM_GETREF && rp->m.m_type == VM_OK)
		rp->m.u.getref.retc++;
	else if (hs.plant == MP_FRAME && m->m_type == VM_GETPHYS && rp->m.m_type == VM_OK)
		rp->m.u.getphys.ret_addr += PAGE_SIZE;
}

/* ---- The platform ---- */
static void host_reset(int level, uint32_t how)
{
	hosted_restore();
	vm.sanity_incremental = (how & RESET_INCREMENTAL) != 0;
	vm.san_full_left = SANITY_FULL_MAX; /* level 3's full checks in this conversation */
	hosted_set_trace_hook(on_trace);
	hosted_set_fault_hook(fault_hook);
	hosted_set_panic_hook(on_panic);
	vm.sanity_level = level;
	kmodel.sanity_level = level;
	fault_reset();
	feed_fail_sends((how & RESET_FAIL_SENDS) ? UINT32_MAX : 0);
	plant_state();
}

/* Start filling o for one request. */
static void out_begin(struct outcome *o)
{
	o->nreplies = o->nev = o->ev_lost = 0;
	o->hang = o->rc = 0;
	o->value = 0;
	o->life = VM_ALIVE;
	o->sanity_fail = -1;
	o->sanity_obj[0] = 0;
	o->mut_before = vm.mutations;
	o->free_before = mem_free_count();
	o->injected = fault_injected();
	hs.o = o;
	hs.sanity_fail = -1;
	hs.sanity_obj = SOBJ_NONE;
	feed_reset_replies();
}

/* Finish o: replies from the feed's log, counters. */
static void out_end(struct outcome *o)
{
	uint32_t n = reply_count();
	for (uint32_t i = 0; i < n; i++) {
		const struct reply_rec *rp = reply_get(i);
		if (rp) {
			o->reply[o->nreplies % OUT_REPLY_MAX].dst = rp->dst;
			o->reply[o->nreplies % OUT_REPLY_MAX].m = rp->m;
		}
		o->nreplies++;
	}
	o->mut_after = vm.mutations;
	o->injected = fault_injected() - o->injected;
	hs.o = NULL;
}

static void plant_replies(const message *m, struct outcome *o)
{
	for (uint32_t i = 0; hs.plant != MP_NONE && i < o->nreplies && i < OUT_REPLY_MAX; i++)
		plant_reply(m, &o->reply[i]);
}

/* The first page VM holds for live endpoint ep at or above address from (SELF: the
 * sender of m), or NULL. */
static struct phys_region *first_page(const message *m, endpoint_t ep, uint32_t from)
{
	struct vmproc *vmp = proc_get(ep == SELF ? m->m_source : ep);
	struct vir_region *r = vmp ? region_find_ge(vmp, from) : NULL;
	for (; r; r = region_next(vmp, r)) {
		uint32_t i = pagemap_next(r, 0);
		if (i < region_npages(r))
			return region_page(r, i);
	}
	return NULL;
}

/* The sanity:* plants: right after m succeeded, change a block's refcount as a
 * defect in m's handler would (as part of m's effects: the mutation counter moves). */
static void plant_refcount(const message *m, struct outcome *o)
{
	const message *rep = out_reply_to(o, m->m_source);
	struct phys_region *pr = NULL;
	int delta = 0;
	if (o->life != VM_ALIVE || !rep || rep->m_type != VM_OK)
		return;
	if (hs.plant == MP_SAN_FORK && m->m_type == VM_FORK)
		pr = first_page(m, m->u.fork.parent, 0), delta = -1;
	else if (hs.plant == MP_SAN_REMAP && m->m_type == VM_REMAP)
		pr = first_page(m, m->u.remap.src, m->u.remap.src_addr), delta = 1;
	if (!pr)
		return;
	pr->ph->refcount += (uint32_t)delta;
	MUTATED();
	o->mut_after = vm.mutations;
}

static void host_deliver(const message *m, uint32_t status, struct outcome *o)
{
	out_begin(o);
	if (status & DELIVER_MARK_PF) { /* the kernel blocks the faulter */
		int32_t s = ep_slot(m->m_source);
		if (s >= 0 && s < NR_PROCS && (kmodel.proc[s].flags & KP_INUSE) && kmodel.proc[s].endpt == m->m_source)
			kmodel.proc[s].flags |= KP_PAGEFAULT;
	}
	feed_push(m, status & ~DELIVER_MARK_PF);
	hs.armed = 1;
	if (setjmp(hs.panic_jmp) == 0)
		for (int steps = 0; vm_step();)
			if (++steps > STEP_CAP) {
				o->hang = 1;
				break;
			}
	hs.armed = 0;
	out_end(o);
	plant_refcount(m, o);
	plant_replies(m, o);
}

static void host_access(endpoint_t ep, uint32_t addr, int write, uint32_t value, struct outcome *o)
{
	out_begin(o);
	o->value = value;
	hs.armed = 1;
	if (setjmp(hs.panic_jmp) == 0)
		o->rc = write ? proc_write32(ep, addr, value) : proc_read32(ep, addr, &o->value);
	hs.armed = 0;
	out_end(o);
}

static void host_fault(int site, uint32_t nth, int mode)
{
	fault_arm(site, nth, mode);
}

static int km_live(int32_t s) { return (kmodel.proc[s].flags & KP_INUSE) != 0; }
static int km_used(int32_t s) { return km_live(s) || kmodel.proc[s].ever_used; }
static endpoint_t km_endpt(int32_t s) { return kmodel.proc[s].endpt; }
static int32_t km_generation(int32_t s) { return kmodel.proc[s].generation; }
/* km_live and km_used of every slot as bitmaps (selcore_nth's fast path): the kernel
 * model keeps them (kmodel_slot_changed), so no pass over the table per selector. */
static void km_sets(uint32_t live[NR_PROCS / 32], uint32_t used[NR_PROCS / 32])
{
	memcpy(live, kmodel.live_bits, sizeof kmodel.live_bits);
	memcpy(used, kmodel.used_bits, sizeof kmodel.used_bits);
}
static const struct sel_table kmodel_table = { km_live, km_used, km_endpt, km_generation, km_sets };

static uint32_t host_proc_flags(endpoint_t ep)
{
	int32_t s = ep_slot(ep);
	if (s < 0 || s >= NR_PROCS || !km_live(s) || kmodel.proc[s].endpt != ep)
		return 0;
	return kmodel.proc[s].flags & (PF_LIVE | PF_PAGEFAULT | PF_KILLED | PF_STOPPED);
}

static int host_regions(int32_t slot, uint32_t *vaddr, int max)
{
	if (slot < 0 || slot >= NR_PROCS || !(vm.proc[slot].flags & VMF_INUSE))
		return 0;
	struct vmproc *vmp = &vm.proc[slot];
	int n = 0;
	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r), n++)
		if (n < max)
			vaddr[n] = r->vaddr;
	return n;
}

/* Run VM's checker into o (the object kind is read after the check ran). */
static void check_into(struct outcome *o)
{
	int32_t id = sanity_check();
	sanity_into(o, id, vm.sanity_obj);
}

static void host_sanity(struct outcome *o)
{
	if (!hosted_kmodel_sets_ok()) { /* the selectors' view of the table went stale */
		fprintf(stderr, "host: the kernel model's slot bitmaps disagree with its table\n");
		abort();
	}
	out_begin(o);
	hs.armed = 1;
	if (setjmp(hs.panic_jmp) == 0)
		check_into(o);
	hs.armed = 0;
	out_end(o);
}

static const struct boot_info *host_bootinfo(void)
{
	return &hs.bi;
}

/* A kernel read: the page must be present for a user access (no fault is raised). */
static int host_peek(endpoint_t ep, uint32_t addr, uint32_t *val)
{
	uint32_t phys;
	if ((addr & 3) || mmu_translate(ep, addr, 0, &phys) != VM_OK)
		return -1;
	memcpy(val, hosted_ram + phys, 4);
	return 0;
}

static void host_print(const char *line)
{
	printf("%s\n", line);
}

/* A counter a CHECK record compares with its value at the start. */
static int host_counter(int which, uint32_t *v)
{
	struct host_counts c;
	host_counts(&c);
	*v = which == CHK_FREE_PAGES ? c.free : which == CHK_SLAB_OBJECTS ? c.objects : c.vm_live;
	return which == CHK_FREE_PAGES || which == CHK_SLAB_OBJECTS || which == CHK_PROCS ? 0 : -1;
}

const struct platform host_platform = {
	.name = "hosted",
	.reset = host_reset,
	.deliver = host_deliver,
	.access = host_access,
	.fault = host_fault,
	.procs = &kmodel_table,
	.proc_flags = host_proc_flags,
	.regions = host_regions,
	.sanity = host_sanity,
	.bootinfo = host_bootinfo,
	.peek = host_peek,
	.counter = host_counter,
	.digest = hosted_digest,
	.print = host_print,
};

void host_init(void)
{
	hosted_set_panic_hook(on_panic);
	hosted_boot(HARNESS_SANITY_FLOOR);
	memset(vm.touched, 0, sizeof vm.touched); /* each run starts with nothing touched */
	hosted_snapshot();
	uint32_t kcalls = kmodel.kcalls;
	if (kc_bootinfo(&hs.bi) != VM_OK)
		hs.bi.nprocs = 0;
	kmodel.kcalls = kcalls; /* asking is not part of the system's state */
	hosted_set_trace_hook(on_trace);
	hosted_set_fault_hook(fault_hook);
}

void host_quiesce(void)
{
	hosted_set_fault_hook(NULL);
	feed_fail_sends(0);
	ram_discard_frees(); /* the restore after the run puts RAM back */
}

/* ---- The leak oracle's view of VM ---- */
void host_counts(struct host_counts *c)
{
	memset(c, 0, sizeof *c);
	c->free = mem_free_count();
	c->managed = mem_managed_count();
	c->objects = slab_live_objects();
	c->slab_pages = vm.slab.pages;
	c->acl = vm.acl.inuse;
	c->dma = vm.dma.n;
	c->vfs = vm.vfs.n;
	c->watch = watch_rows();
	for (int32_t s = 0; s < NR_PROCS; s++) {
		c->vm_live += (vm.proc[s].flags & VMF_INUSE) != 0;
		c->k_live += (kmodel.proc[s].flags & KP_INUSE) != 0;
	}
}

int host_touched(int32_t s)
{
	return s >= 0 && s < NR_PROCS && (vm.touched[s / 32] & (1u << (s % 32)));
}

int host_vm_slot(int32_t s, endpoint_t *ep)
{
	*ep = vm.proc[s].endpt;
	return (vm.proc[s].flags & VMF_INUSE) != 0;
}

int host_k_slot(int32_t s, endpoint_t *ep)
{
	*ep = kmodel.proc[s].endpt;
	return km_live(s);
}

void host_slots_live(uint32_t live[NR_PROCS / 32])
{
	memset(live, 0, sizeof(uint32_t) * (NR_PROCS / 32));
	for (int32_t s = 0; s < NR_PROCS; s++)
		if ((vm.proc[s].flags & VMF_INUSE) || km_live(s))
			live[s / 32] |= 1u << (s % 32);
}

/* Run fn(arg) as VM code outside the loop: a panic inside is caught into o. */
static void guarded(void (*fn)(const message *), const message *m, struct outcome *o)
{
	out_begin(o);
	hs.armed = 1;
	if (setjmp(hs.panic_jmp) == 0)
		fn(m);
	hs.armed = 0;
	out_end(o);
}

static void end_direct(const message *req)
{
	message m = *req;
	m.m_type = VM_WILLEXIT;
	m.u.willexit.endpt = req->u.exit.endpt;
	do_willexit(&m);
	m = *req;
	m.m_type = VM_EXIT;
	do_exit(&m);
}

void host_end_direct(endpoint_t pm, endpoint_t ep, struct outcome *o)
{
	message m;
	memset(&m, 0, sizeof m);
	m.m_source = pm;
	m.u.exit.endpt = ep;
	guarded(end_direct, &m, o);
}

static void clear_cache(const message *req)
{
	message m = *req;
	do_clearcache(&m);
}

void host_clear_cache(int32_t dev, struct outcome *o)
{
	message m;
	memset(&m, 0, sizeof m);
	m.m_type = VM_CLEARCACHE;
	m.u.clearcache.dev = dev;
	guarded(clear_cache, &m, o);
}

static void release_dma(const message *req)
{
	message m = *req;
	do_deldma(&m);
}

void host_release_dma(endpoint_t ep, uint32_t start, uint32_t size, struct outcome *o)
{
	message m;
	memset(&m, 0, sizeof m);
	m.m_type = VM_DELDMA;
	m.u.deldma.endpt = ep;
	m.u.deldma.start = start;
	m.u.deldma.size = size;
	guarded(release_dma, &m, o);
}

static void vfs_answer(const message *req)
{
	message m = *req;
	do_vfs_reply(&m);
}

void host_vfs_drain(struct outcome *o)
{
	for (int i = 0; i <= VM_VFS_QUEUE_MAX && vm.vfs.n && vm.vfs.active; i++) {
		message m;
		memset(&m, 0, sizeof m);
		m.m_source = ep_make(0, VFS_PROC_NR);
		m.m_type = VM_VFS_REPLY;
		m.u.vfs_reply.endpt = vm.vfs.q[0].endpt;
		m.u.vfs_reply.reqid = vm.vfs.q[0].reqid;
		m.u.vfs_reply.result = VM_EIO;
		guarded(vfs_answer, &m, o);
	}
}

void host_plant_leak(int what)
{
	if (what == 0)
		mem_alloc(1, 0);
	else if (what == 1)
		slab_alloc(16);
	else
		vm.acl.inuse |= (uint64_t)1 << (NR_SYS_PROCS - 1);
}

void host_plant_kslot(int32_t s)
{
	if (s >= 0 && s < NR_PROCS) {
		kmodel.proc[s].flags |= KP_INUSE;
		kmodel_slot_changed(&kmodel.proc[s]);
	}
}
