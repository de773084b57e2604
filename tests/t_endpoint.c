/* t_endpoint.c - forged sources are dropped unanswered; endpoint fields are checked. */
#include "helpers.h"
#include "test.h"

/* Push m from src with status and run VM; check that it was dropped: no reply at all,
 * vm.dropped + 1, one drop trace naming src and the type, and no state change. */
static void check_dropped(endpoint_t src, int type, uint32_t status)
{
	message m = msg_zero();
	uint32_t dropped = vm.dropped, muts = vm.mutations;
	struct baseline b;

	baseline_take(&b);
	m.m_source = src;
	m.m_type = type;
	m.u.mmap.len = PAGE_SIZE;
	m.u.mmap.prot = PROT_RW;
	m.u.mmap.flags = MAP_ANONPRIV;
	m.u.mmap.fd = -1;
	feed_reset_replies();
	trace_capture();
	feed_push(&m, status);
	while (vm_step())
		;
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(vm.dropped, dropped + 1);
	CHECK_EQ(trace_count(TR_DROP_FORGED), 1);
	CHECK_EQ(trace_last(TR_DROP_FORGED)->a, src);
	CHECK_EQ(trace_last(TR_DROP_FORGED)->b, type);
	CHECK_EQ(vm.mutations, muts);
	CHECK_BASELINE(b);
}

TEST(EP0001, "a request from a stale generation of a live slot is dropped without a reply")
{
	check_dropped(ep_make(1, INIT_PROC_NR), VM_MMAP, 0);
	check_dropped(ep_make(7, PM_PROC_NR), VM_FORK, 0);
	check_dropped(ep_make(EP_MAX_GENERATION, RS_PROC_NR), VM_BRK, 0);
}

TEST(EP0002, "a request from a slot nobody uses is dropped without a reply")
{
	check_dropped(100, VM_MMAP, 0);
	check_dropped(NR_PROCS - 1, VM_BRK, 0);
	check_dropped(MEM_PROC_NR, VM_MMAP, 0);
}

TEST(EP0003, "a request from kernel tasks, ANY, NONE, SELF or out-of-range endpoints is dropped without a reply")
{
	static const endpoint_t bad[] = { KERNEL, SYSTEM, CLOCK, IDLE, ASYNCM, ANY, NONE, SELF, NR_PROCS,
					  0x7FFFFFFF, (endpoint_t)0x80000000, -1024, (endpoint_t)0xFFFFF000 };

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_dropped(bad[i], VM_MMAP, 0);
}

TEST(EP0004, "a request from an exited child's old endpoint is dropped, even after its slot is reused")
{
	endpoint_t child, again;
	int32_t slot = free_slot();

	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &child), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	check_dropped(child, VM_MMAP, 0);
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &again), VM_OK);
	check_dropped(child, VM_BRK, 0);
	check_dropped(child, VM_PAGEFAULT, IPC_FLG_MSG_FROM_KERNEL);
}

TEST(EP0005, "a VM_PAGEFAULT without the from-kernel flag is dropped and maps nothing")
{
	const struct boot_proc *bp = boot_proc_of(INIT_PROC_NR);
	uint32_t phys, v = bp->stack_top - 4;

	CHECK(mmu_translate(INIT_PROC_NR, v, 0, &phys) > 0);
	check_dropped(INIT_PROC_NR, VM_PAGEFAULT, 0);
	CHECK(mmu_translate(INIT_PROC_NR, v, 0, &phys) > 0);
	CHECK(region_page(region_find(&vm.proc[INIT_PROC_NR], v), (v - region_find(&vm.proc[INIT_PROC_NR], v)->vaddr) / PAGE_SIZE) == NULL);
}

TEST(EP0006, "a kernel VM_PAGEFAULT on behalf of a stale or dead endpoint is dropped without a reply")
{
	check_dropped(ep_make(1, INIT_PROC_NR), VM_PAGEFAULT, IPC_FLG_MSG_FROM_KERNEL);
	check_dropped(100, VM_PAGEFAULT, IPC_FLG_MSG_FROM_KERNEL);
	check_dropped(SYSTEM, VM_PAGEFAULT, IPC_FLG_MSG_FROM_KERNEL);
}

TEST(EP0007, "a kernel VM_PAGEFAULT is never answered with a message")
{
	const struct boot_proc *bp = boot_proc_of(INIT_PROC_NR);
	message m = msg_zero();
	uint32_t phys;

	m.m_source = INIT_PROC_NR;
	m.m_type = VM_PAGEFAULT;
	m.u.pagefault.addr = bp->stack_top - 4;
	m.u.pagefault.flags = PFERR_USER | PFERR_WRITE;
	feed_reset_replies();
	feed_push(&m, IPC_FLG_MSG_FROM_KERNEL);
	while (vm_step())
		;
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, bp->stack_top - 4, 1, &phys), VM_OK);
}

TEST(EP0008, "a notification is ignored: no reply, nothing dropped, nothing changed")
{
	message m = msg_zero();
	uint32_t muts = vm.mutations, dropped = vm.dropped;

	m.m_source = PM_PROC_NR;
	m.m_type = NOTIFY_MESSAGE;
	feed_reset_replies();
	feed_push(&m, IPC_FLG_NOTIFY);
	m.m_source = ep_make(3, 77);
	feed_push(&m, IPC_FLG_NOTIFY);
	while (vm_step())
		;
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(vm.dropped, dropped);
}

TEST(EP0009, "fork naming a stale or dead parent answers a bad-endpoint errno and creates nothing")
{
	struct baseline b;
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	baseline_take(&b);
	CHECK(is_bad_ep_errno(pm_fork(child, free_slot(), NULL)));
	CHECK(is_bad_ep_errno(pm_fork(ep_make(1, INIT_PROC_NR), free_slot(), NULL)));
	CHECK(is_bad_ep_errno(pm_fork(VM_PROC_NR, free_slot(), NULL)) || pm_fork(VM_PROC_NR, free_slot(), NULL) == VM_EPERM);
	CHECK_BASELINE(b);
}

TEST(EP0010, "willexit and exit naming VM itself are refused and VM stays in its slot")
{
	uint32_t muts = vm.mutations;

	CHECK(is_errno(pm_willexit(VM_PROC_NR)));
	CHECK(is_errno(pm_exit_only(VM_PROC_NR)));
	CHECK(vm.proc[VM_PROC_NR].flags & VMF_INUSE);
	CHECK_EQ(vm.proc[VM_PROC_NR].flags & VMF_EXITING, 0);
	CHECK_EQ(vm.mutations, muts);
}

TEST(EP0011, "VM refuses requests that claim to come from VM itself for its own address space")
{
	uint32_t muts = vm.mutations;
	int r = mmap_anon(VM_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, NULL);

	CHECK(is_errno(r) || r == VM_SUSPEND);
	CHECK(is_errno(brk_call(VM_PROC_NR, 0x10000000)) || brk_call(VM_PROC_NR, 0x10000000) == VM_SUSPEND);
	CHECK_EQ(vm.mutations, muts);
	CHECK(vm.proc[VM_PROC_NR].regions == NULL);
}

TEST(EP0012, "a reply the kernel refuses is counted and traced, and VM goes on")
{
	uint32_t failed = vm.reply_failed, a;

	trace_capture();
	feed_fail_sends(1);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_SUSPEND);
	CHECK_EQ(vm.reply_failed, failed + 1);
	CHECK_EQ(trace_count(TR_REPLY_FAILED), 1);
	CHECK_EQ(trace_last(TR_REPLY_FAILED)->a, INIT_PROC_NR);
	CHECK_EQ(trace_last(TR_REPLY_FAILED)->b, VM_OK);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}
