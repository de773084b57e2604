/* rs.c - requests from RS: VM_RS_SET_PRIV installs a process's VM call mask. */
#include "vm.h"

/* VM_RS_SET_PRIV: give endpt the mask at buf in the caller (RS), as a system service
 * (own ACL entry) or, with sys == 0, as a user process (the mask becomes the shared
 * user mask).  buf == 0 keeps the shared user mask for a user process and is
 * VM_EINVAL for a system one (system services do not share).  VM_EINVAL for a bad
 * target, VM_EPERM for VM itself, VM_EFAULT when buf cannot be read, VM_ENOMEM when
 * no ACL entry is left; a failure changes nothing. */
int do_rs_set_priv(message *m)
{
	struct vmproc *vmp = proc_get(m->u.rs_set_priv.endpt);
	int sys = m->u.rs_set_priv.sys != 0;
	vm_callmask_t mask;
	int err;

	if (!vmp)
		return VM_EINVAL;
	if (vmp->endpt == vm.self)
		return VM_EPERM;
	if (!m->u.rs_set_priv.buf) {
		if (sys)
			return VM_EINVAL;
		mask = vm.acl.mask[USER_ACL];
	} else if ((err = copy_from_proc(m->m_source, m->u.rs_set_priv.buf, &mask, sizeof(mask))) != VM_OK) {
		return err;
	}
	if (sys && vmp->acl <= USER_ACL && acl_entries_in_use() >= NR_SYS_PROCS)
		return VM_ENOMEM;
	return acl_set(vmp, mask, sys);
}
