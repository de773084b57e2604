/* t_acl.c - call masks: a denied call is answered ECALLDENIED and changes nothing. */
#include "helpers.h"
#include "test.h"

typedef int (*handler_fn)(message *m);

/* Every call of the table (VM_PAGEFAULT excluded) with its handler, or NULL. */
struct call_row {
	int type, num;
	const char *name;
	handler_fn handler;
};
#define CALL_ROW(num, NAME, name, handler) { VM_##NAME, num, #NAME, handler },
static const struct call_row call_rows[] = { VM_CALLS(CALL_ROW) };
#undef CALL_ROW
#define NCALLS (sizeof call_rows / sizeof call_rows[0])

/* The mask the boot table gives a boot slot. */
static vm_callmask_t boot_mask(int32_t slot)
{
	const struct boot_proc *bp = boot_proc_of(slot);

	CHECK(bp != NULL);
	return bp->mask;
}

/* A payload that would make the call do something if it got through. */
static message busy_payload(void)
{
	message m = msg_zero();

	m.u.fork.parent = INIT_PROC_NR; /* also exit.endpt, willexit.endpt, ... */
	m.u.fork.slot = free_slot();
	return m;
}

/* Send every table call outside src's mask (with a handler when handled is 1, without
 * one when 0) and check it is denied without effect. */
static void check_all_denied(endpoint_t src, vm_callmask_t mask, int handled)
{
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct call_row *c = &call_rows[i];
		message m = busy_payload();
		struct baseline b;
		uint32_t muts = vm.mutations, digest_regions = region_count(&vm.proc[INIT_PROC_NR]);

		if (c->num >= NR_VM_CALLS || (mask & VM_CALL_BIT(c->num)) || !c->handler != !handled)
			continue;
		baseline_take(&b);
		CHECK_EQ(call(src, c->type, &m), VM_ECALLDENIED);
		CHECK_EQ(vm.mutations, muts);
		CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), digest_regions);
		CHECK_BASELINE(b);
	}
}

TEST(ACL0001, "VM_FORK from init is denied with ECALLDENIED and creates no process")
{
	struct baseline b;
	uint32_t muts = vm.mutations;
	message m = busy_payload();
	int32_t slot = m.u.fork.slot;

	baseline_take(&b);
	CHECK_EQ(call(INIT_PROC_NR, VM_FORK, &m), VM_ECALLDENIED);
	CHECK_EQ(vm.mutations, muts);
	CHECK_BASELINE(b);
	CHECK_EQ(vm.proc[slot].flags & VMF_INUSE, 0);
	CHECK_EQ(kmodel.proc[slot].flags & KP_INUSE, 0);
}

TEST(ACL0002, "VM_WILLEXIT and VM_EXIT from a user process are denied and leave the target alive")
{
	message m = msg_zero();
	uint32_t muts = vm.mutations;

	m.u.willexit.endpt = AGENT_PROC_NR;
	CHECK_EQ(call(INIT_PROC_NR, VM_WILLEXIT, &m), VM_ECALLDENIED);
	m = msg_zero();
	m.u.exit.endpt = AGENT_PROC_NR;
	CHECK_EQ(call(INIT_PROC_NR, VM_EXIT, &m), VM_ECALLDENIED);
	CHECK_EQ(vm.mutations, muts);
	CHECK(vmp_of(AGENT_PROC_NR) != NULL);
	CHECK_EQ(vm.proc[AGENT_PROC_NR].flags & VMF_EXITING, 0);
}

TEST(ACL0003, "every handled call outside the user mask is denied to init and the agent without effect")
{
	check_all_denied(INIT_PROC_NR, MASK_USER, 1);
	check_all_denied(AGENT_PROC_NR, MASK_USER, 1);
}

TEST(ACL0004, "every handled call outside PM's, VFS's and RS's masks is denied to them without effect")
{
	check_all_denied(PM_PROC_NR, boot_mask(PM_PROC_NR), 1);
	check_all_denied(VFS_PROC_NR, boot_mask(VFS_PROC_NR), 1);
	check_all_denied(RS_PROC_NR, boot_mask(RS_PROC_NR), 1);
}

TEST(ACL0016, "every call without a handler outside the sender's mask is denied (ECALLDENIED, not ENOSYS)")
{
	check_all_denied(INIT_PROC_NR, MASK_USER, 0);
	check_all_denied(PM_PROC_NR, boot_mask(PM_PROC_NR), 0);
	check_all_denied(VFS_PROC_NR, boot_mask(VFS_PROC_NR), 0);
	check_all_denied(RS_PROC_NR, boot_mask(RS_PROC_NR), 0);
}

TEST(ACL0005, "a call inside the sender's mask that has no handler answers ENOSYS without effect")
{
	static const int32_t senders[] = { PM_PROC_NR, VFS_PROC_NR, RS_PROC_NR, INIT_PROC_NR };
	int tried = 0;

	for (unsigned s = 0; s < sizeof senders / sizeof senders[0]; s++) {
		vm_callmask_t mask = boot_mask(senders[s]);

		for (unsigned i = 0; i < NCALLS; i++) {
			const struct call_row *c = &call_rows[i];
			message m = busy_payload();
			uint32_t muts = vm.mutations;

			if (c->num >= NR_VM_CALLS || c->handler || !(mask & VM_CALL_BIT(c->num)))
				continue;
			CHECK_EQ(call(senders[s], c->type, &m), VM_ENOSYS);
			CHECK_EQ(vm.mutations, muts);
			tried++;
		}
	}
	rs_grant_all(); /* RS may make every call: each one without a handler is ENOSYS */
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct call_row *c = &call_rows[i];
		message m = busy_payload();
		uint32_t muts = vm.mutations;

		if (c->num >= NR_VM_CALLS || c->handler)
			continue;
		CHECK_EQ(call(RS_PROC_NR, c->type, &m), VM_ENOSYS);
		CHECK_EQ(vm.mutations, muts);
		tried++;
	}
	(void)tried; /* none left once every row has a handler */
}

TEST(ACL0006, "a denial emits one acl_deny trace naming the sender and the call number")
{
	message m = busy_payload();

	trace_capture();
	CHECK_EQ(call(INIT_PROC_NR, VM_FORK, &m), VM_ECALLDENIED);
	CHECK_EQ(trace_count(TR_ACL_DENY), 1);
	CHECK_EQ(trace_last(TR_ACL_DENY)->a, INIT_PROC_NR);
	CHECK_EQ(trace_last(TR_ACL_DENY)->b, VMC_FORK);
}

TEST(ACL0007, "an allowed call emits no acl_deny trace")
{
	uint32_t a;
	endpoint_t child;

	trace_capture();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(trace_count(TR_ACL_DENY), 0);
}

TEST(ACL0008, "the denial is the only reply and goes to the sender")
{
	message m = busy_payload();

	CHECK_EQ(call(AGENT_PROC_NR, VM_EXIT, &m), VM_ECALLDENIED);
	CHECK_EQ(reply_count(), 1);
	CHECK_EQ(reply_get(0)->dst, AGENT_PROC_NR);
	CHECK_EQ(reply_get(0)->m.m_type, VM_ECALLDENIED);
}

TEST(ACL0009, "message types outside the call table answer ENOSYS without effect")
{
	static const int types[] = { VM_RQ_BASE + NR_VM_CALLS, VM_RQ_BASE + 0xFE, VM_RQ_BASE - 1, 0, 1,
				     VM_RQ_BASE + 0x100, NOTIFY_MESSAGE, -1, 0x7FFFFFFF };
	uint32_t muts = vm.mutations;

	for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++) {
		message m = busy_payload();

		CHECK_EQ(call(PM_PROC_NR, types[i], &m), VM_ENOSYS);
		CHECK_EQ(call(INIT_PROC_NR, types[i], &m), VM_ENOSYS);
	}
	CHECK_EQ(vm.mutations, muts);
}

TEST(ACL0010, "call numbers inside the range but absent from the table are refused with ENOSYS or ECALLDENIED")
{
	static const int nums[] = { 6, 7, 8, 9, 11, 18, 20, 22, 25, 31, 32 };
	uint32_t muts = vm.mutations;

	for (unsigned i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		message m = busy_payload();
		int r = call(PM_PROC_NR, VM_RQ_BASE + nums[i], &m);

		CHECK(r == VM_ENOSYS || r == VM_ECALLDENIED);
	}
	CHECK_EQ(vm.mutations, muts);
}

TEST(ACL0011, "a forked child of init has the user mask: FORK is denied, MMAP, MUNMAP and BRK are allowed")
{
	endpoint_t child;
	message m;
	uint32_t a;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	m = busy_payload();
	CHECK_EQ(call(child, VM_FORK, &m), VM_ECALLDENIED);
	CHECK_EQ(mmap_anon(child, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(munmap_call(child, a, PAGE_SIZE), VM_OK);
	CHECK_EQ(brk_call(child, boot_break(INIT_PROC_NR) + PAGE_SIZE), VM_OK);
}

TEST(ACL0012, "a forked child of a system process has no ACL and is denied even the basic calls")
{
	endpoint_t child;
	struct baseline b;
	uint32_t muts;

	baseline_take(&b);
	CHECK_EQ(fork_child(PM_PROC_NR, &child), VM_OK);
	CHECK_EQ(vmp_of(child)->acl, NO_ACL);
	CHECK_EQ(acl_entries_in_use(), b.acl_entries);
	muts = vm.mutations;
	CHECK_EQ(mmap_anon(child, 0, PAGE_SIZE, PROT_RW, 0, NULL), VM_ECALLDENIED);
	CHECK_EQ(brk_call(child, boot_break(PM_PROC_NR) + PAGE_SIZE), VM_ECALLDENIED);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
}

TEST(ACL0013, "system services with the basic calls may mmap for themselves")
{
	uint32_t a;

	CHECK_EQ(mmap_anon(VFS_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK(region_find(&vm.proc[VFS_PROC_NR], a) != NULL);
	CHECK_EQ(mmap_anon(RS_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(mmap_anon(PM_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
}

TEST(ACL0014, "a user process may not map for a third party: EPERM with an acl_deny trace and no new region")
{
	uint32_t n = region_count(&vm.proc[AGENT_PROC_NR]), ni = region_count(&vm.proc[INIT_PROC_NR]);

	trace_capture();
	CHECK_EQ(mmap_for(INIT_PROC_NR, AGENT_PROC_NR, 0, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY, NULL), VM_EPERM);
	CHECK_EQ(trace_count(TR_ACL_DENY), 1);
	CHECK_EQ(region_count(&vm.proc[AGENT_PROC_NR]), n);
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), ni);
}

TEST(ACL0015, "the most negative message type answers ENOSYS (no overflow computing the call number)")
{
	message m = busy_payload();
	uint32_t muts = vm.mutations;

	CHECK_EQ(call(PM_PROC_NR, (int)0x80000000, &m), VM_ENOSYS);
	m = busy_payload();
	CHECK_EQ(call(INIT_PROC_NR, (int)0x80000000 + 5, &m), VM_ENOSYS);
	CHECK_EQ(vm.mutations, muts);
}

/* ---- Powers belong to a process identity, never to a slot ---- */

#define DEV_PAGE 0xA0000u /* inside the device window the kernel model grants MEM and TTY */

/* The boot process of slot exits; PM forks init into that slot and setter gives the
 * newcomer the boot process's mask, so only the powers can tell them apart. */
static endpoint_t newcomer_in(int32_t slot, endpoint_t setter)
{
	endpoint_t n;

	CHECK_EQ(pm_exit(ep_make(0, slot)), VM_OK);
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &n), VM_OK);
	CHECK(n != ep_make(0, slot));
	CHECK_EQ(ep_slot(n), slot);
	set_mask_from(setter, n, boot_mask(slot));
	CHECK_EQ(vmp_of(n)->powers, 0);
	return n;
}

/* r is EPERM with one more acl_deny trace (the k-th since trace_capture), naming n. */
static void check_denied(int r, endpoint_t n, uint32_t k)
{
	CHECK_EQ(r, VM_EPERM);
	CHECK_EQ(trace_count(TR_ACL_DENY), k);
	CHECK_EQ(trace_last(TR_ACL_DENY)->a, n);
}

/* Every power check refuses n: EPERM, one acl_deny trace naming n each, no change. */
static void check_powerless(endpoint_t n)
{
	endpoint_t dev;
	uint32_t va, data = data_region(INIT_PROC_NR)->vaddr, muts;

	CHECK_EQ(pm_fork(INIT_PROC_NR, MEM_PROC_NR, &dev), VM_OK); /* owns a device window */
	CHECK_EQ(map_phys_call(dev, SELF, DEV_PAGE, PAGE_SIZE, &va), VM_OK);
	muts = vm.mutations;
	trace_capture();
	check_denied(mmap_for(n, INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY, NULL), n, 1);
	check_denied(mmap_for(n, INIT_PROC_NR, data, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY | MAP_FIXED, NULL), n, 2);
	check_denied(mmap_for(n, SELF, 0, PAGE_SIZE, PROT_RW, MAP_UNINITIALIZED, NULL), n, 3);
	check_denied(map_phys_call(n, dev, DEV_PAGE, PAGE_SIZE, NULL), n, 4);
	check_denied(unmap_phys_call(n, dev, va), n, 5);
	check_denied(procctl_call(n, VMPPARAM_CLEAR, dev, 0, PAGE_SIZE, 0), n, 6);
	check_denied(procctl_call(n, VMPPARAM_HANDLEMEM, INIT_PROC_NR, data, PAGE_SIZE, 0), n, 7);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(data_region(INIT_PROC_NR)->vaddr, data);
	CHECK(region_find(vmp_of(dev), va) != NULL);
}

TEST(ACL0017, "a process PM forks into VFS's slot after VFS exits holds none of VFS's powers, even with its mask")
{
	check_powerless(newcomer_in(VFS_PROC_NR, RS_PROC_NR));
	CHECK_EQ(mmap_for(RS_PROC_NR, INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY, NULL), VM_OK); /* the boot RS still may */
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(ACL0018, "a process PM forks into RS's slot after RS exits holds none of RS's powers, even with its mask")
{
	endpoint_t n;

	/* VFS may set masks, so the newcomer gets RS's mask after RS is gone */
	set_mask_from(RS_PROC_NR, VFS_PROC_NR, boot_mask(VFS_PROC_NR) | VM_CALL_BIT(VMC_RS_SET_PRIV));
	n = newcomer_in(RS_PROC_NR, VFS_PROC_NR);
	check_powerless(n);
	CHECK_EQ(mmap_for(VFS_PROC_NR, INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY, NULL), VM_OK); /* the boot VFS still may */
}

TEST(ACL0019, "a process in PM's slot after PM exits may not read usage with GETRUSAGE (EPERM, acl_deny)")
{
	vm_callmask_t pm = boot_mask(PM_PROC_NR);
	message m = msg_zero();
	endpoint_t n;

	set_mask_from(RS_PROC_NR, RS_PROC_NR, boot_mask(RS_PROC_NR) | pm); /* RS stands in for PM */
	m.u.willexit.endpt = PM_PROC_NR;
	CHECK_EQ(call(RS_PROC_NR, VM_WILLEXIT, &m), VM_OK);
	m.u.exit.endpt = PM_PROC_NR;
	CHECK_EQ(call(RS_PROC_NR, VM_EXIT, &m), VM_OK);
	m = msg_zero();
	m.u.fork.parent = INIT_PROC_NR;
	m.u.fork.slot = PM_PROC_NR;
	CHECK_EQ(call(RS_PROC_NR, VM_FORK, &m), VM_OK);
	n = m.u.fork.child;
	set_mask_from(RS_PROC_NR, n, pm);
	trace_capture();
	CHECK_EQ(getrusage_call(n, INIT_PROC_NR, data_region(n)->vaddr), VM_EPERM);
	CHECK_EQ(trace_count(TR_ACL_DENY), 1);
	CHECK_EQ(trace_last(TR_ACL_DENY)->a, n);
}
