/* t_watch.c - VM_WATCH_EXIT, VM_NOTIFY_SIG, VM_QUERY_EXIT (the exit and signal watch
 * table), VM_PUSH_SIG (a signal frame on the stack) and VM_MUNMAP_TEXT (munmap of
 * text only): successes, every refusal, exits of watchers and targets, endpoint
 * reuse, the table limit and the sanity check. */
#include "helpers.h"
#include "test.h"

#define WATCH_CALLS (VM_CALL_BIT(VMC_WATCH_EXIT) | VM_CALL_BIT(VMC_QUERY_EXIT))

/* VM_WATCH_EXIT from src for ep. */
static int watch(endpoint_t src, endpoint_t ep)
{
	message m = msg_zero();

	m.u.watch_exit.endpt = ep;
	return call(src, VM_WATCH_EXIT, &m);
}

/* VM_NOTIFY_SIG from PM: ep's signal, for ipc. */
static int notify_sig(endpoint_t ep, endpoint_t ipc)
{
	message m = msg_zero();

	m.u.notify_sig.endpt = ep;
	m.u.notify_sig.ipc_endpt = ipc;
	return call(PM_PROC_NR, VM_NOTIFY_SIG, &m);
}

/* VM_QUERY_EXIT from src; the reply's fields in *ep and *more. */
static int query(endpoint_t src, endpoint_t *ep, int32_t *more)
{
	message m = msg_zero();
	int r = call(src, VM_QUERY_EXIT, &m);

	*ep = m.u.query_exit.endpt;
	*more = m.u.query_exit.is_more;
	return r;
}

/* A watcher (a child of init that RS gives WATCH_EXIT and QUERY_EXIT) and a target. */
static void setup(endpoint_t *w, endpoint_t *t)
{
	CHECK_EQ(fork_child(INIT_PROC_NR, w), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, t), VM_OK);
	set_mask_from(RS_PROC_NR, *w, WATCH_CALLS);
}

/* The kernel model's count of notifications ep got. */
static uint32_t notified(endpoint_t ep)
{
	return kmodel.proc[ep_slot(ep)].notified;
}

TEST(WATCH0001, "WATCH_EXIT then the target's exit: the watcher is notified and QUERY_EXIT answers it once")
{
	endpoint_t w, t, ep;
	int32_t more;
	uint32_t n0;

	setup(&w, &t);
	CHECK_EQ(query(w, &ep, &more), VM_ESRCH);
	CHECK_EQ(watch(w, t), VM_OK);
	CHECK_EQ(vm.watch.n, 1);
	CHECK_EQ(query(w, &ep, &more), VM_ESRCH); /* still alive */
	n0 = notified(w);
	CHECK_EQ(pm_exit(t), VM_OK);
	CHECK_EQ(notified(w), n0 + 1);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(query(w, &ep, &more), VM_OK);
	CHECK_EQ(ep, t);
	CHECK_EQ(more, 0);
	CHECK_EQ(query(w, &ep, &more), VM_ESRCH);
	CHECK_EQ(vm.watch.n, 0);
}

TEST(WATCH0002, "without the calls in its mask a process is denied all three; RS and PM hold them at boot")
{
	uint32_t mut = vm.mutations;
	message m = msg_zero();

	CHECK_EQ(watch(INIT_PROC_NR, PM_PROC_NR), VM_ECALLDENIED);
	CHECK_EQ(call(INIT_PROC_NR, VM_QUERY_EXIT, &m), VM_ECALLDENIED);
	m = msg_zero();
	m.u.notify_sig.endpt = INIT_PROC_NR;
	m.u.notify_sig.ipc_endpt = RS_PROC_NR;
	CHECK_EQ(call(INIT_PROC_NR, VM_NOTIFY_SIG, &m), VM_ECALLDENIED);
	CHECK_EQ(vm.mutations, mut);
	CHECK_EQ(watch(RS_PROC_NR, INIT_PROC_NR), VM_OK);
	CHECK_EQ(notify_sig(INIT_PROC_NR, RS_PROC_NR), VM_OK);
}

TEST(WATCH0003, "WATCH_EXIT of a dead, stale, never-used or garbage endpoint or VM is ESRCH; of oneself EINVAL")
{
	endpoint_t w, t, gone;
	uint32_t mut;

	setup(&w, &t);
	CHECK_EQ(fork_child(INIT_PROC_NR, &gone), VM_OK);
	CHECK_EQ(pm_exit(gone), VM_OK);
	mut = vm.mutations;
	CHECK_EQ(watch(w, gone), VM_ESRCH);
	CHECK_EQ(watch(w, ep_make(0, free_slot())), VM_ESRCH);
	CHECK_EQ(watch(w, 0x7fffffff), VM_ESRCH);
	CHECK_EQ(watch(w, VM_PROC_NR), VM_ESRCH);
	CHECK_EQ(watch(w, w), VM_EINVAL);
	CHECK_EQ(vm.mutations, mut);
	CHECK_EQ(vm.watch.n, 0);
}

TEST(WATCH0004, "a duplicate WATCH_EXIT is OK and adds no row; two watchers of one target each get the exit")
{
	endpoint_t w, t, w2, ep;
	int32_t more;

	setup(&w, &t);
	CHECK_EQ(fork_child(INIT_PROC_NR, &w2), VM_OK);
	set_mask_from(RS_PROC_NR, w2, WATCH_CALLS);
	CHECK_EQ(watch(w, t), VM_OK);
	CHECK_EQ(watch(w, t), VM_OK);
	CHECK_EQ(vm.watch.n, 1);
	CHECK_EQ(watch(w2, t), VM_OK);
	CHECK_EQ(vm.watch.n, 2);
	CHECK_EQ(pm_exit(t), VM_OK);
	CHECK_EQ(query(w2, &ep, &more), VM_OK);
	CHECK_EQ(ep, t);
	CHECK_EQ(query(w, &ep, &more), VM_OK);
	CHECK_EQ(ep, t);
	CHECK_EQ(query(w, &ep, &more), VM_ESRCH);
}

TEST(WATCH0005, "the table holds VM_WATCH_MAX rows: one more is ENOSPC; an exit needs no free row")
{
	endpoint_t w, t, ep;
	endpoint_t c[VM_WATCH_MAX];
	int32_t more;

	setup(&w, &t);
	for (int i = 0; i < VM_WATCH_MAX; i++) {
		CHECK_EQ(fork_child(INIT_PROC_NR, &c[i]), VM_OK);
		CHECK_EQ(watch(w, c[i]), VM_OK);
	}
	CHECK_EQ(vm.watch.n, VM_WATCH_MAX);
	CHECK_EQ(watch(w, t), VM_ENOSPC);
	CHECK_EQ(notify_sig(t, w), VM_ENOSPC);
	CHECK_EQ(pm_exit(c[3]), VM_OK);
	CHECK_EQ(pm_exit(c[1]), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(query(w, &ep, &more), VM_OK); /* registration order: c[1] before c[3] */
	CHECK_EQ(ep, c[1]);
	CHECK_EQ(more, 1);
	CHECK_EQ(query(w, &ep, &more), VM_OK);
	CHECK_EQ(ep, c[3]);
	CHECK_EQ(more, 0);
	CHECK_EQ(watch(w, t), VM_OK);
}

TEST(WATCH0006, "a watcher's exit drops its watches and queued events; its slot's next occupant inherits nothing")
{
	endpoint_t w, t, t2, again, ep;
	int32_t more;
	int32_t slot;

	setup(&w, &t);
	CHECK_EQ(fork_child(INIT_PROC_NR, &t2), VM_OK);
	CHECK_EQ(watch(w, t), VM_OK);
	CHECK_EQ(watch(w, t2), VM_OK);
	CHECK_EQ(pm_exit(t2), VM_OK); /* an exit event queued for w */
	CHECK_EQ(notify_sig(t, w), VM_OK);
	CHECK_EQ(vm.watch.n, 3);
	slot = ep_slot(w);
	CHECK_EQ(pm_exit(w), VM_OK);
	CHECK_EQ(vm.watch.n, 0);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &again), VM_OK);
	CHECK(again != w);
	set_mask_from(RS_PROC_NR, again, WATCH_CALLS);
	CHECK_EQ(query(again, &ep, &more), VM_ESRCH);
	CHECK_EQ(pm_exit(t), VM_OK); /* nobody watches t any more */
	CHECK_EQ(query(again, &ep, &more), VM_ESRCH);
}

TEST(WATCH0007, "a target's slot reused after its exit is a new process: the event names the old endpoint")
{
	endpoint_t w, t, again, ep;
	int32_t more;
	int32_t slot;

	setup(&w, &t);
	CHECK_EQ(watch(w, t), VM_OK);
	slot = ep_slot(t);
	CHECK_EQ(pm_exit(t), VM_OK);
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &again), VM_OK);
	CHECK(again != t);
	CHECK_EQ(watch(w, t), VM_ESRCH); /* the old endpoint stays dead */
	CHECK_EQ(watch(w, again), VM_OK);
	CHECK_EQ(query(w, &ep, &more), VM_OK);
	CHECK_EQ(ep, t);
	CHECK_EQ(more, 0);
	CHECK_EQ(pm_exit(again), VM_OK);
	CHECK_EQ(query(w, &ep, &more), VM_OK);
	CHECK_EQ(ep, again);
}

TEST(WATCH0008, "NOTIFY_SIG queues the signal for ipc_endpt once and notifies it; refusals change nothing")
{
	endpoint_t w, t, gone, ep;
	int32_t more;
	uint32_t n0, mut;

	setup(&w, &t);
	CHECK_EQ(fork_child(INIT_PROC_NR, &gone), VM_OK);
	CHECK_EQ(pm_exit(gone), VM_OK);
	mut = vm.mutations;
	n0 = notified(w);
	CHECK_EQ(notify_sig(gone, w), VM_ESRCH);
	CHECK_EQ(notify_sig(VM_PROC_NR, w), VM_ESRCH);
	CHECK_EQ(notify_sig(t, gone), VM_EINVAL);
	CHECK_EQ(notify_sig(t, VM_PROC_NR), VM_EINVAL);
	CHECK_EQ(notify_sig(t, t), VM_EINVAL);
	CHECK_EQ(vm.mutations, mut);
	CHECK_EQ(notified(w), n0);
	CHECK_EQ(notify_sig(t, w), VM_OK);
	CHECK_EQ(notify_sig(t, w), VM_OK); /* already queued: no second row */
	CHECK_EQ(vm.watch.n, 1);
	CHECK_EQ(notified(w), n0 + 2);
	CHECK_EQ(pm_exit(t), VM_OK); /* the signal event stays */
	CHECK_EQ(query(w, &ep, &more), VM_OK);
	CHECK_EQ(ep, t);
	CHECK_EQ(more, 0);
	CHECK_EQ(query(w, &ep, &more), VM_ESRCH);
}

TEST(WATCH0009, "the watch table's sanity check: a corrupt row is SAN_WATCH on object watch")
{
	endpoint_t w, t;

	setup(&w, &t);
	CHECK_EQ(watch(w, t), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	vm.watch.row[0].kind = WATCH_EXITED; /* an exit event of a live target */
	CHECK_EQ(sanity_check(), SAN_WATCH);
	CHECK_EQ(vm.sanity_obj, SOBJ_WATCH);
	vm.watch.row[0].kind = WATCH_LIVE;
	vm.watch.row[1] = vm.watch.row[0]; /* a row past n */
	CHECK_EQ(sanity_check(), SAN_WATCH);
	vm.watch.n = 2; /* a duplicate */
	CHECK_EQ(sanity_check(), SAN_WATCH);
	vm.watch.n = 1;
	vm_memset(&vm.watch.row[1], 0, sizeof vm.watch.row[1]);
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* The region of ep with flag, or NULL. */
static struct vir_region *region_with(endpoint_t ep, uint32_t flag)
{
	struct vmproc *vmp = vmp_of(ep);

	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
		if (r->flags & flag)
			return r;
	return NULL;
}

/* VM_PUSH_SIG from PM for ep at sp; *frame gets the reply's frame field. */
static int push_sig(endpoint_t ep, uint32_t sp, uint32_t *frame)
{
	message m = msg_zero();
	int r;

	m.u.push_sig.endpt = ep;
	m.u.push_sig.sp = sp;
	r = call(PM_PROC_NR, VM_PUSH_SIG, &m);
	*frame = m.u.push_sig.frame;
	return r;
}

TEST(SIG0001, "PUSH_SIG makes the frame below sp present and writable and answers its start")
{
	endpoint_t c;
	struct vir_region *st;
	uint32_t top, frame;

	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	st = region_with(c, VR_STACK);
	CHECK(st != NULL);
	top = st->vaddr + st->length;
	CHECK_EQ(push_sig(c, top - 0x10, &frame), VM_OK);
	CHECK_EQ(frame, top - 0x10 - VM_SIGFRAME_BYTES);
	CHECK(pt_lookup(&vmp_of(c)->pt, frame & ~PAGE_MASK) & PTE_W);
	CHECK_EQ(sanity_check(), SAN_OK);
	/* a frame across two pages */
	CHECK_EQ(push_sig(c, top - PAGE_SIZE + 0x20, &frame), VM_OK);
	CHECK(pt_lookup(&vmp_of(c)->pt, top - 2 * PAGE_SIZE) & PTE_W);
}

TEST(SIG0002, "PUSH_SIG refuses a bad endpoint, VM, an exiting process, a low sp and a frame outside writable regions")
{
	endpoint_t c, gone;
	struct vir_region *st, *tx;
	uint32_t frame, mut;

	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &gone), VM_OK);
	CHECK_EQ(pm_exit(gone), VM_OK);
	st = region_with(c, VR_STACK);
	tx = region_with(c, VR_TEXT);
	CHECK(st && tx);
	mut = vm.mutations;
	CHECK_EQ(push_sig(gone, st->vaddr + 0x800, &frame), VM_EINVAL);
	CHECK_EQ(push_sig(VM_PROC_NR, st->vaddr + 0x800, &frame), VM_EINVAL);
	CHECK_EQ(push_sig(c, VM_SIGFRAME_BYTES - 1, &frame), VM_EFAULT);
	CHECK_EQ(push_sig(c, st->vaddr + 0x10, &frame), VM_EFAULT); /* the stack does not grow */
	CHECK_EQ(push_sig(c, tx->vaddr + 0x800, &frame), VM_EFAULT); /* read-only text */
	CHECK_EQ(push_sig(c, 0x7ff00000, &frame), VM_EFAULT);        /* nothing mapped */
	CHECK_EQ(vm.mutations, mut);
	CHECK_EQ(pm_willexit(c), VM_OK);
	CHECK_EQ(push_sig(c, st->vaddr + 0x800, &frame), VM_EINVAL);
	message m = msg_zero();
	CHECK_EQ(call(INIT_PROC_NR, VM_PUSH_SIG, &m), VM_ECALLDENIED);
}

TEST(SIG0003, "PUSH_SIG over a copy-on-write stack page gives the process its own copy, the parent keeps its data")
{
	endpoint_t c;
	struct vir_region *st;
	uint32_t top, frame, pte_parent, pte_child;

	st = region_with(INIT_PROC_NR, VR_STACK);
	top = st->vaddr + st->length;
	CHECK_EQ(push_sig(INIT_PROC_NR, top, &frame), VM_OK); /* init's top stack page present */
	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(push_sig(c, top, &frame), VM_OK);
	pte_parent = pt_lookup(&vmp_of(INIT_PROC_NR)->pt, top - PAGE_SIZE);
	pte_child = pt_lookup(&vmp_of(c)->pt, top - PAGE_SIZE);
	CHECK(pte_child & PTE_W);
	CHECK((pte_parent & ~PAGE_MASK) != (pte_child & ~PAGE_MASK));
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* VM_MUNMAP_TEXT from ep. */
static int munmap_text(endpoint_t ep, uint32_t addr, uint32_t len)
{
	message m = msg_zero();

	m.u.munmap_text.addr = addr;
	m.u.munmap_text.len = len;
	return call(ep, VM_MUNMAP_TEXT, &m);
}

TEST(TEXT0001, "MUNMAP_TEXT unmaps the caller's text (a boot segment, also in a forked copy)")
{
	endpoint_t c;
	struct vir_region *tx;
	uint32_t base, len;

	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	tx = region_with(c, VR_TEXT);
	CHECK(tx != NULL);
	base = tx->vaddr;
	len = tx->length;
	CHECK_EQ(munmap_text(c, base + PAGE_SIZE, 1), VM_OK); /* rounded up to a page */
	CHECK(region_find(vmp_of(c), base + PAGE_SIZE) == NULL);
	CHECK(region_find(vmp_of(c), base) != NULL);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(munmap_text(c, base, len), VM_EINVAL); /* a hole inside now */
	CHECK_EQ(munmap_text(c, base, PAGE_SIZE), VM_OK);
	CHECK(region_find(vmp_of(INIT_PROC_NR), base) != NULL); /* the parent keeps its text */
}

TEST(TEXT0002, "MUNMAP_TEXT refuses anything but text: data, stack, mmap, holes; unaligned is EFAULT, zero or wrapping EINVAL")
{
	endpoint_t c;
	struct vir_region *tx, *st;
	uint32_t va, mut;

	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(mmap_anon(c, 0, 0x2000, PROT_READ, 0, &va), VM_OK); /* read-only, not text */
	tx = region_with(c, VR_TEXT);
	st = region_with(c, VR_STACK);
	mut = vm.mutations;
	CHECK_EQ(munmap_text(c, tx->vaddr + 1, PAGE_SIZE), VM_EFAULT);
	CHECK_EQ(munmap_text(c, tx->vaddr, 0), VM_EINVAL);
	CHECK_EQ(munmap_text(c, tx->vaddr, 0xfffff000), VM_EINVAL);
	CHECK_EQ(munmap_text(c, va, 0x1000), VM_EINVAL);
	CHECK_EQ(munmap_text(c, st->vaddr, PAGE_SIZE), VM_EINVAL);
	CHECK_EQ(munmap_text(c, tx->vaddr, tx->length + PAGE_SIZE), VM_EINVAL); /* text then data */
	CHECK_EQ(munmap_text(c, 0x7ff00000, PAGE_SIZE), VM_EINVAL);             /* a hole */
	CHECK_EQ(vm.mutations, mut);
	CHECK(region_find(vmp_of(c), va) != NULL);
}
