/* vmclient.c - VM calls from ring 3: a sendrec to VM whose reply's m_type is the
 * result (VM_OK or a negative errno). */
#include "ulib.h"

int vm_call(int type, message *m)
{
	m->m_type = type;
	int r = ipc_sendrec(VM_PROC_NR, m);
	return r != VM_OK ? r : m->m_type;
}

int vm_brk(uint32_t addr)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.brk.addr = addr;
	return vm_call(VM_BRK, &m);
}
