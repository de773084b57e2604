/* break.c - VM_BRK: grow the caller's heap region up to the new break. */
#include "vm.h"

/* VM_BRK for the caller itself.  Growing never shrinks; a break below the current
 * one is VM_OK and changes nothing. */
int do_brk(message *m)
{
	struct vmproc *vmp = proc_get(m->m_source);

	if (vmp->endpt == vm.self)
		return VM_EPERM;
	return map_extend_upto(vmp, m->u.brk.addr);
}
