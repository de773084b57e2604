/* t_rs.c - VM_RS_SET_PRIV: RS installs VM call masks read from its own memory. */
#include <string.h>
#include "helpers.h"
#include "test.h"

static int32_t vm_proc_acl(int32_t slot)
{
	return vm.proc[slot].acl;
}

/* Write mask into RS's data region; returns its address there. */
static uint32_t mask_in_rs(vm_callmask_t mask)
{
	uint32_t a = data_region(RS_PROC_NR)->vaddr + 0x100;

	CHECK_EQ(proc_write32(RS_PROC_NR, a, (uint32_t)mask), VM_OK);
	CHECK_EQ(proc_write32(RS_PROC_NR, a + 4, (uint32_t)(mask >> 32)), VM_OK);
	return a;
}

static int set_priv(endpoint_t target, uint32_t buf, int sys)
{
	message m = msg_zero();

	m.u.rs_set_priv.endpt = target;
	m.u.rs_set_priv.buf = buf;
	m.u.rs_set_priv.sys = sys;
	return call(RS_PROC_NR, VM_RS_SET_PRIV, &m);
}

static int getphys(endpoint_t src, endpoint_t target, uint32_t addr, uint32_t *phys)
{
	message m = msg_zero();
	int r;

	m.u.getphys.endpt = target;
	m.u.getphys.addr = addr;
	r = call(src, VM_GETPHYS, &m);
	if (r == VM_OK && phys)
		*phys = m.u.getphys.ret_addr;
	return r;
}

TEST(RSP0001, "RS gives a user process a system mask from its memory: calls in it pass, others are denied")
{
	endpoint_t child;
	uint32_t entries = acl_entries_in_use();

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(set_priv(child, mask_in_rs(VM_CALL_BIT(VMC_GETPHYS)), 1), VM_OK);
	CHECK(vmp_of(child)->acl > USER_ACL);
	CHECK_EQ(acl_entries_in_use(), entries + 1);
	CHECK_EQ(getphys(child, child, TEXT_VADDR, NULL), VM_OK);
	CHECK_EQ(brk_call(child, boot_break(INIT_PROC_NR) + PAGE_SIZE), VM_ECALLDENIED);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSP0002, "the exit of a process with its own ACL entry gives the entry back")
{
	endpoint_t child;
	uint32_t entries = acl_entries_in_use();

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(set_priv(child, mask_in_rs(VM_BASIC_CALLS), 1), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(acl_entries_in_use(), entries);
}

TEST(RSP0003, "a user mask replaces the mask every user process shares")
{
	CHECK_EQ(set_priv(INIT_PROC_NR, mask_in_rs(VM_CALL_BIT(VMC_BRK)), 0), VM_OK);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, NULL), VM_ECALLDENIED);
	CHECK_EQ(mmap_anon(AGENT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, NULL), VM_ECALLDENIED);
	CHECK_EQ(brk_call(INIT_PROC_NR, boot_break(INIT_PROC_NR) + PAGE_SIZE), VM_OK);
}

TEST(RSP0004, "no buffer keeps the shared user mask for a user process and is EINVAL for a system one")
{
	vm_callmask_t user = vm.acl.mask[USER_ACL];
	uint32_t muts;

	CHECK_EQ(set_priv(INIT_PROC_NR, 0, 0), VM_OK);
	CHECK_EQ(vm.acl.mask[USER_ACL], user);
	muts = vm.mutations;
	CHECK_EQ(set_priv(INIT_PROC_NR, 0, 1), VM_EINVAL);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
}

TEST(RSP0005, "an unreadable buffer, a bad target or VM itself is refused and changes no ACL")
{
	struct acl_state before = vm.acl;

	CHECK_EQ(set_priv(INIT_PROC_NR, 0x1000, 1), VM_EFAULT);
	CHECK_EQ(set_priv(INIT_PROC_NR, 0xFFFFFFFE, 1), VM_EFAULT);
	CHECK_EQ(set_priv(ep_make(5, 40), mask_in_rs(0), 1), VM_EINVAL);
	CHECK_EQ(set_priv(ANY, mask_in_rs(0), 1), VM_EINVAL);
	CHECK_EQ(set_priv(VM_PROC_NR, mask_in_rs(0), 1), VM_EPERM);
	CHECK(memcmp(&before, &vm.acl, sizeof(before)) == 0);
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
}

TEST(RSP0006, "only RS may set masks: init asking is denied")
{
	message m = msg_zero();

	m.u.rs_set_priv.endpt = INIT_PROC_NR;
	CHECK_EQ(call(INIT_PROC_NR, VM_RS_SET_PRIV, &m), VM_ECALLDENIED);
}

TEST(RSP0007, "with every system entry taken, a new system mask is ENOMEM and the target keeps its ACL")
{
	int32_t slot = free_slot();
	uint32_t n = 0;
	endpoint_t child;

	while (acl_entries_in_use() < NR_SYS_PROCS) {
		CHECK_EQ(pm_fork(INIT_PROC_NR, slot + (int32_t)n, &child), VM_OK);
		CHECK_EQ(set_priv(child, mask_in_rs(VM_BASIC_CALLS), 1), VM_OK);
		n++;
	}
	CHECK_EQ(set_priv(INIT_PROC_NR, mask_in_rs(VM_BASIC_CALLS), 1), VM_ENOMEM);
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
	CHECK_EQ(sanity_check(), SAN_OK);
}
