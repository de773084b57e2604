/* pm_vm.c - PM's process calls to VM (pm_vm.h). */
#include "ulib.h"
#include "pm_vm.h"

int pm_fork(endpoint_t parent, int32_t slot, endpoint_t *child)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.fork.parent = parent;
	m.u.fork.slot = slot;
	r = vm_call(VM_FORK, &m);
	*child = m.u.fork.child;
	return r;
}

int pm_end(endpoint_t child)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.willexit.endpt = child;
	r = vm_call(VM_WILLEXIT, &m);
	__builtin_memset(&m, 0, sizeof(m));
	m.u.exit.endpt = child;
	return r == VM_OK ? vm_call(VM_EXIT, &m) : r;
}
