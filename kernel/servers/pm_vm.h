/* pm_vm.h - PM's process calls to VM, shared by its self-test peer (pm.c) and its
 * soak service (pm_soak.c). */
#ifndef KERNEL_PM_VM_H
#define KERNEL_PM_VM_H

#include "ipc.h"

/* VM forks parent into slot: VM's code, the child's endpoint in *child. */
int pm_fork(endpoint_t parent, int32_t slot, endpoint_t *child);
/* End child the way PM does, VM_WILLEXIT then VM_EXIT: the first failure, or VM_OK. */
int pm_end(endpoint_t child);

#endif
