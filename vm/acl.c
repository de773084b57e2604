/* acl.c - which VM calls each process may make.
 *
 * Entry USER_ACL (0) is shared by every user process; each system service owns one
 * entry of its own.  A process with NO_ACL is denied everything (VM itself never
 * gets this far: the loop refuses requests claiming its endpoint).  Every change bumps
 * the mutation counter. */
#include "vm.h"

/* Boot state: only the shared user entry exists, holding the boot table's user mask. */
void acl_init(void)
{
	vm_memset(&vm.acl, 0, sizeof(vm.acl));
	vm.acl.inuse = 1;
	vm.acl.mask[USER_ACL] = MASK_USER;
}

/* Give vmp a mask: a system process gets an entry of its own (the one it holds, else a
 * free one; VM_ENOMEM when none is left, vmp unchanged), a user process the shared
 * entry (its mask replaces the shared one). */
int acl_set(struct vmproc *vmp, vm_callmask_t mask, int is_sys)
{
	if (is_sys && !(vmp->acl > USER_ACL && vmp->acl < NR_SYS_PROCS) && ~vm.acl.inuse == 0)
		return VM_ENOMEM; /* every entry held by another process */
	acl_clear(vmp);
	mask &= VM_ALL_CALLS;
	if (!is_sys) {
		vm.acl.mask[USER_ACL] = mask;
		vmp->acl = USER_ACL;
		MUTATED();
		sanity_changed(vmp->slot);
		return VM_OK;
	}
	for (int i = 1; i < NR_SYS_PROCS; i++) {
		if (vm.acl.inuse & ((uint64_t)1 << i))
			continue;
		vm.acl.inuse |= (uint64_t)1 << i;
		vm.acl.mask[i] = mask;
		vmp->acl = i;
		MUTATED();
		sanity_changed(vmp->slot);
		return VM_OK;
	}
	return VM_ENOMEM;
}

/* A child of a user process stays a user process; a child of a system process has
 * no ACL until RS gives it one. */
void acl_fork(struct vmproc *child, const struct vmproc *parent)
{
	child->acl = parent->acl == USER_ACL ? USER_ACL : NO_ACL;
	MUTATED();
	sanity_changed(child->slot);
}

/* Release vmp's own entry, if any. */
void acl_clear(struct vmproc *vmp)
{
	if (vmp->acl > USER_ACL && vmp->acl < NR_SYS_PROCS) {
		vm.acl.inuse &= ~((uint64_t)1 << vmp->acl);
		vm.acl.mask[vmp->acl] = 0;
	}
	vmp->acl = NO_ACL;
	MUTATED();
	sanity_changed(vmp->slot);
}

/* VM_OK when vmp may make call c, VM_ECALLDENIED otherwise. */
int acl_check(const struct vmproc *vmp, int c)
{
	if (c < 0 || c >= NR_VM_CALLS || vmp->acl < 0 || vmp->acl >= NR_SYS_PROCS)
		return VM_ECALLDENIED;
	return (vm.acl.mask[vmp->acl] & VM_CALL_BIT(c)) ? VM_OK : VM_ECALLDENIED;
}

/* Number of ACL entries in use, the shared user entry included. */
uint32_t acl_entries_in_use(void)
{
	return (uint32_t)__builtin_popcountll(vm.acl.inuse);
}
