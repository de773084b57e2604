/* leak.c - the leak oracle: after a clean conversation, end every process and check
 * that everything VM and the kernel model hold returns to the boot baseline.
 *
 * 1. Slots: the kernel model and VM agree on every slot (same live endpoint or both
 *    free).  A disagreement is a process one side ended and the other still holds.
 * 2. Every live process that is not a boot process (its slot's boot endpoint,
 *    generation 0) is ended as PM would: VM_WILLEXIT then VM_EXIT from PM, through
 *    the message loop (so VM's sanity checks run around each).  When PM is dead or
 *    does not answer OK, the same handlers are called directly and the detail of a
 *    later finding notes it.  Afterwards only boot processes may be live, on both
 *    sides.
 * 3. The surviving boot processes legitimately hold what they gained (brk, mmap,
 *    faults, page tables, region objects).  Rather than re-derive that from VM's
 *    internals, the harness ends them too (the handlers, directly) and compares with
 *    the same teardown applied to the boot state at init; the block cache, which
 *    outlives processes by design, is emptied first through VM_CLEARCACHE's handler
 *    for every device a successful VM_SETCACHEPAGE named, and the DMA range table,
 *    whose rows outlive their owners by design, through VM_DELDMA's handler for every
 *    row a successful VM_ADDDMA made and no successful VM_DELDMA released, and VM's
 *    requests to VFS are answered (failed) as VFS would until none is left: pages free
 *    and managed, slab objects and slab pages, ACL entries, DMA rows, exit/signal
 *    watch rows (a watcher's rows end with it, so none may be left), live slots of
 *    both sides must be exactly equal.  So "boot baseline + what the survivors hold" is measured by VM
 *    itself, and any page, page-table page, slab object, ACL entry or slot that the
 *    conversation left behind shows as a difference.
 * Under RUN_FAST (the engines) step 3 ends only the boot processes the conversation
 * touched (VM marks every process whose regions, pages, page table or ACL changed)
 * and compares with the boot state minus what ending each of them alone from the boot
 * state gives back (measured once at init): the cost follows what the conversation
 * did, not the size of the system.  Slab pages are compared by the full teardown
 * only (freeing them is not additive).  A fast verdict is also the full one's: the
 * self-tests replay random conversations both ways.
 * Runs with the fault hook off and reply sends working, so the teardown never fails
 * by injection.  Signature key: the counter ("leak:slots", "leak:pages", "leak:acl",
 * "leak:dma", "leak:vfs", "leak:watch", "leak:slab-objects", "leak:slab-pages"), call=teardown; harness/run.c then names the
 * record that first leaves it (re-running prefixes: leak:<counter>:<call>[:injected]),
 * which this oracle, run from the runner, cannot do.  Self-test plants: leak:kslot (VM
 * forgets to end the kernel's slot at VM_EXIT), leak:fork-abort (a VM_FORK that failed
 * by an injected failure forgets to give the kernel's new slot back), leak:pages,
 * leak:slab, leak:acl (the teardown's exit path forgets a page, a slab object, an ACL
 * entry).
 * LeakSanitizer covers the host heap (vm-replay, leak:host). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "host.h"

enum lplant { LP_NONE, LP_KSLOT, LP_PAGES, LP_SLAB, LP_ACL, LP_HOST, LP_FORK_ABORT };
static const char *const lplant_name[] = { "",         "leak:kslot", "leak:pages",     "leak:slab",
					   "leak:acl", "leak:host",  "leak:fork-abort" };

static struct {
	const struct platform *plat;
	endpoint_t boot_ep[NR_PROCS]; /* NONE when no boot process had the slot */
	struct host_counts base;      /* every process ended, from the boot state */
	struct host_counts boot;      /* the boot state */
	struct host_counts alone[NR_PROCS]; /* the boot state with only boot process s ended */
	char note[200];
	enum lplant plant;
	int planted;
	int32_t dev[CONV_MAX_RECORDS]; /* devices the conversation cached pages of */
	uint32_t ndev;
	struct { endpoint_t ep; uint32_t start, size; } dma[VM_DMA_MAX]; /* rows the protocol
					* says VM holds: ADDDMA OK, no DELDMA OK since */
	uint32_t ndma;
	struct outcome o;
} lk;

static void leak_finding(const char *counter, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void leak_finding(const char *counter, const char *fmt, ...)
{
	char key[64], at[64], detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (lk.note[0]) {
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof detail - n, " (note: %s)", lk.note);
	}
	snprintf(key, sizeof key, "leak:%s", counter);
	snprintf(at, sizeof at, "leak-%s", counter);
	finding_set("leak", key, "teardown", at, "%s", detail);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	if (lk.note[0])
		return; /* the first one explains the rest */
	va_start(ap, fmt);
	vsnprintf(lk.note, sizeof lk.note, fmt, ap);
	va_end(ap);
}

/* The kernel model and VM agree on slot s (both free, or both live with one endpoint). */
static int slot_agrees(int32_t s, int *vl, endpoint_t *vep, int *kl, endpoint_t *kep)
{
	*vl = host_vm_slot(s, vep);
	*kl = host_k_slot(s, kep);
	return *vl == *kl && (!*vl || *vep == *kep);
}

/* A leak:slots finding for the first slot where the sides disagree, or where a
 * process lives that may not (boot_only: anything but a boot process).  live gets the
 * slots live on either side (a slot free on both agrees), for the caller's walk. */
static int check_slots(const char *when, int boot_only, uint32_t live[NR_PROCS / 32])
{
	host_slots_live(live);
	for (int32_t s = 0; s < NR_PROCS; s++) {
		int vl, kl;
		if (!(live[s / 32] >> (s % 32) & 1))
			continue;
		endpoint_t vep, kep;
		if (!slot_agrees(s, &vl, &vep, &kl, &kep)) {
			leak_finding("slots", "%s: slot %d is %s %d for the kernel model but %s %d for VM", when, s,
				     kl ? "live" : "free", kep, vl ? "live" : "free", vep);
			return 1;
		}
		if (boot_only && vl && vep != lk.boot_ep[s]) {
			leak_finding("slots", "%s: process %d in slot %d is still live", when, vep, s);
			return 1;
		}
	}
	return 0;
}

/* Send m from src through VM's loop; the code src got.  A VM alarm is a finding. */
static int32_t call_vm(endpoint_t src, message *m)
{
	m->m_source = src;
	lk.plat->deliver(m, 0, &lk.o);
	vm_alarm_finding(&lk.o);
	return out_code(&lk.o, src);
}

/* End ep with VM's exit handlers called directly, from PM. */
static void end_direct(endpoint_t ep)
{
	host_end_direct(lk.boot_ep[PM_PROC_NR], ep, &lk.o);
	vm_alarm_finding(&lk.o);
}

/* End ep as PM would: VM_WILLEXIT, VM_EXIT through the loop; directly when PM is
 * gone or refuses. */
static void end_via_pm(endpoint_t ep)
{
	endpoint_t pm = lk.boot_ep[PM_PROC_NR], vep;
	message m;
	if (!plat_is_live(lk.plat, pm) || !host_vm_slot(PM_PROC_NR, &vep)) {
		note("PM is not live: processes were ended by calling VM's exit handlers directly");
		end_direct(ep);
		return;
	}
	memset(&m, 0, sizeof m);
	m.m_type = VM_WILLEXIT;
	m.u.willexit.endpt = ep;
	int32_t c1 = call_vm(pm, &m);
	if (finding_get())
		return;
	memset(&m, 0, sizeof m);
	m.m_type = VM_EXIT;
	m.u.exit.endpt = ep;
	int32_t c2 = c1 == VM_OK ? call_vm(pm, &m) : c1;
	if (finding_get())
		return;
	if (c2 != VM_OK) {
		note("PM's %s of %d was answered %d: ended by calling VM's exit handlers directly",
		     c1 != VM_OK ? "VM_WILLEXIT" : "VM_EXIT", ep, c2);
		end_direct(ep);
	}
}

/* The planted teardown bugs, when one is set: the exit path forgets a page, a slab
 * object or an ACL entry (once per run). */
static void plant_fire(void)
{
	if (lk.planted || lk.plant < LP_PAGES || lk.plant > LP_ACL)
		return;
	lk.planted = 1;
	host_plant_leak(lk.plant == LP_PAGES ? 0 : lk.plant == LP_SLAB ? 1 : 2);
}

/* End every live process but VM with the handlers directly (step 3). */
static void end_all(int plant)
{
	for (int32_t s = 0; s < NR_PROCS && !finding_get(); s++) {
		endpoint_t ep;
		if (s != VM_PROC_NR && host_vm_slot(s, &ep)) {
			end_direct(ep);
			if (plant)
				plant_fire();
		}
	}
}

/* Empty the block cache of every device the conversation filled. */
static void clear_caches(void)
{
	for (uint32_t i = 0; i < lk.ndev && !finding_get(); i++) {
		host_clear_cache(lk.dev[i], &lk.o);
		vm_alarm_finding(&lk.o);
	}
}

/* Release every DMA row the conversation left (they outlive their owners). */
static void release_dmas(void)
{
	for (uint32_t i = 0; i < lk.ndma && !finding_get(); i++) {
		host_release_dma(lk.dma[i].ep, lk.dma[i].start, lk.dma[i].size, &lk.o);
		vm_alarm_finding(&lk.o);
	}
}

/* Answer what VM still asks VFS (requests outlive their requesters until answered). */
static void drain_vfs(void)
{
	if (finding_get())
		return;
	host_vfs_drain(&lk.o);
	vm_alarm_finding(&lk.o);
}

/* Follow the DMA rows a message made or released (the protocol's view: DMA-06, 07). */
static void track_dma(const message *m, int32_t code)
{
	uint32_t i = 0;
	if (code != VM_OK)
		return;
	if (m->m_type == VM_ADDDMA && lk.ndma < VM_DMA_MAX) {
		lk.dma[lk.ndma].ep = m->u.adddma.endpt;
		lk.dma[lk.ndma].start = m->u.adddma.start;
		lk.dma[lk.ndma++].size = m->u.adddma.size;
	} else if (m->m_type == VM_DELDMA) {
		while (i < lk.ndma && (lk.dma[i].ep != m->u.deldma.endpt || lk.dma[i].start != m->u.deldma.start ||
				       lk.dma[i].size != m->u.deldma.size))
			i++;
		if (i < lk.ndma)
			lk.dma[i] = lk.dma[--lk.ndma];
	}
}

/* Compare c with the baseline b (fast: slab pages are not compared). */
static int compare(const struct host_counts *c, const struct host_counts *b, int fast)
{
	if (c->vm_live != b->vm_live || c->k_live != b->k_live)
		leak_finding("slots", "after ending every process %u slots are live for VM and %u for the kernel model; boot teardown leaves %u and %u",
			     c->vm_live, c->k_live, b->vm_live, b->k_live);
	else if (c->acl != b->acl)
		leak_finding("acl", "after ending every process ACL entries 0x%llx are in use; boot teardown leaves 0x%llx",
			     (unsigned long long)c->acl, (unsigned long long)b->acl);
	else if (c->dma != b->dma)
		leak_finding("dma", "after ending every process and releasing the DMA rows the conversation made, %u rows are left; boot teardown leaves %u",
			     c->dma, b->dma);
	else if (c->vfs != b->vfs)
		leak_finding("vfs", "after ending every process and answering VM's requests to VFS, %u requests are left; boot teardown leaves %u",
			     c->vfs, b->vfs);
	else if (c->watch != b->watch)
		leak_finding("watch", "after ending every process %u exit/signal watch rows are left; boot teardown leaves %u",
			     c->watch, b->watch);
	else if (c->objects != b->objects)
		leak_finding("slab-objects", "after ending every process %u slab objects are live; boot teardown leaves %u",
			     c->objects, b->objects);
	else if (!fast && c->slab_pages != b->slab_pages)
		leak_finding("slab-pages", "after ending every process %u slab pages are held; boot teardown leaves %u",
			     c->slab_pages, b->slab_pages);
	else if (c->managed != b->managed || c->free != b->free)
		leak_finding("pages", "after ending every process %u of %u pages are free%s; boot teardown leaves %u of %u (%d pages held)",
			     c->free, c->managed, fast ? " or slab pages (fast teardown)" : "", b->free, b->managed,
			     (int)(c->managed - c->free) - (int)(b->managed - b->free));
	return finding_get() != NULL;
}

/* The counts the fast teardown must find: the boot state minus, for each boot process
 * it ended (or that was gone already), what ending that one alone gives back.  Pages
 * are counted as free or slab together (which slab pages empty out is not additive),
 * slab pages are not compared on their own. */
static void fast_baseline(struct host_counts *e, const uint8_t *ended)
{
	*e = lk.boot;
	e->free += e->slab_pages;
	e->slab_pages = 0;
	for (int32_t s = 0; s < NR_PROCS; s++) {
		const struct host_counts *a = &lk.alone[s];
		if (!ended[s])
			continue;
		e->free += (a->free + a->slab_pages) - (lk.boot.free + lk.boot.slab_pages);
		e->managed += a->managed - lk.boot.managed;
		e->objects += a->objects - lk.boot.objects;
		e->vm_live += a->vm_live - lk.boot.vm_live;
		e->k_live += a->k_live - lk.boot.k_live;
		e->acl &= a->acl;
		e->dma += a->dma - lk.boot.dma;
		e->vfs += a->vfs - lk.boot.vfs;
	}
}

void leak_init(const struct platform *plat)
{
	lk.plat = plat;
	for (int32_t s = 0; s < NR_PROCS; s++)
		if (!host_k_slot(s, &lk.boot_ep[s]))
			lk.boot_ep[s] = NONE;
	plat->reset(HARNESS_SANITY_FLOOR, 0);
	host_quiesce();
	host_counts(&lk.boot);
	end_all(0);
	host_counts(&lk.base);
	for (int32_t s = 0; s < NR_PROCS; s++) {
		if (lk.boot_ep[s] == NONE || s == VM_PROC_NR)
			continue;
		plat->reset(HARNESS_SANITY_FLOOR, 0);
		host_quiesce();
		end_direct(lk.boot_ep[s]);
		host_counts(&lk.alone[s]);
	}
	plat->reset(HARNESS_SANITY_FLOOR, 0);
}

int leak_plant(const char *name)
{
	for (int i = 1; i < (int)(sizeof lplant_name / sizeof lplant_name[0]); i++)
		if (!strcmp(name, lplant_name[i])) {
			lk.plant = (enum lplant)i;
			return 0;
		}
	if (!strcmp(name, "none")) {
		lk.plant = LP_NONE;
		return 0;
	}
	return -1;
}

static void leak_begin(const struct run_ctx *x)
{
	(void)x;
	lk.ndev = 0;
	lk.ndma = 0;
}

/* After every message: remember the devices VM_SETCACHEPAGE filled and the DMA rows
 * the conversation holds; planted bugs
 * that act on a message's outcome. */
static void leak_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	const message *m = &s->m;
	(void)x;
	if (m->m_type == VM_SETCACHEPAGE && s->code == VM_OK) {
		uint32_t i = 0;
		while (i < lk.ndev && lk.dev[i] != m->u.setcachepage.dev)
			i++;
		if (i == lk.ndev && lk.ndev < CONV_MAX_RECORDS)
			lk.dev[lk.ndev++] = m->u.setcachepage.dev;
	}
	track_dma(m, s->code);
	if (lk.plant == LP_KSLOT && m->m_type == VM_EXIT && s->code == VM_OK)
		host_plant_kslot(ep_slot(m->u.exit.endpt)); /* VM did not end the kernel's slot */
	if (lk.plant == LP_FORK_ABORT && m->m_type == VM_FORK && s->code != VM_OK && s->o->injected)
		host_plant_kslot(m->u.fork.slot); /* the rollback did not give the kernel's slot back */
	if (lk.plant == LP_HOST && m->m_type == VM_FORK && s->code == VM_OK) {
		void *volatile p = malloc(64); /* planted host heap leak */
		p = NULL;
		(void)p;
	}
}

/* Step 3 under RUN_FAST: end the boot processes the conversation touched, compare. */
static void end_touched(struct host_counts *c)
{
	static uint8_t ended[NR_PROCS];
	struct host_counts e;
	for (int32_t s = 0; s < NR_PROCS && !finding_get(); s++) {
		endpoint_t ep;
		ended[s] = s != VM_PROC_NR && lk.boot_ep[s] != NONE && host_touched(s);
		if (ended[s] && host_vm_slot(s, &ep)) {
			end_direct(ep);
			plant_fire();
		}
	}
	clear_caches();
	release_dmas();
	drain_vfs();
	if (finding_get())
		return;
	host_counts(c);
	c->free += c->slab_pages; /* as fast_baseline counts them */
	c->slab_pages = 0;
	fast_baseline(&e, ended);
	e.watch = c->watch; /* boot watchers that were not ended keep their rows: not judged */
	compare(c, &e, 1);
}

/* After a clean conversation: end every process, compare with the baseline. */
static void leak_end(const struct run_ctx *x)
{
	struct host_counts c;
	(void)x;
	lk.note[0] = 0;
	lk.planted = 0;
	finding_context(x->rec, "teardown");
	host_quiesce(); /* the teardown must not fail by injection nor count hits */
	uint32_t live[NR_PROCS / 32];
	if (check_slots("at the end of the conversation", 0, live))
		return;
	for (int32_t s = 0; s < NR_PROCS && !finding_get(); s++) {
		endpoint_t ep;
		if ((live[s / 32] >> (s % 32) & 1) && s != VM_PROC_NR && host_vm_slot(s, &ep) && ep != lk.boot_ep[s])
			end_via_pm(ep);
	}
	if (finding_get() || check_slots("after PM ended every process it did not boot with", 1, live))
		return;
	if (x->flags & RUN_FAST) {
		end_touched(&c);
		return;
	}
	end_all(1);
	clear_caches();
	release_dmas();
	drain_vfs();
	if (finding_get())
		return;
	host_counts(&c);
	compare(&c, &lk.base, 0);
}

const struct oracle leak_oracle = {
	.name = "leak",
	.begin = leak_begin,
	.after_msg = leak_after_msg,
	.end = leak_end,
};
