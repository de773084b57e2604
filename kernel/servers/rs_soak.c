/* rs_soak.c - RS's shared-memory service for init's soak (kernel/servers/soak.h):
 * RS plays the IPC server, which MINIX lets map one process's memory into another
 * (VM_REMAP).  RS's boot mask lacks VM_REMAP, so on the first request RS grants it to
 * itself with VM_RS_SET_PRIV, as RS grants calls to the services it starts. */
#include "ulib.h"
#include "boot_table.h"
#include "soak.h"
#include "rs_soak.h"

/* Add VM_REMAP and VM_SHM_UNMAP to RS's own VM call mask (once). */
static int grant_remap(void)
{
	static int granted;
	static vm_callmask_t mask = MASK_RS | VM_CALL_BIT(VMC_REMAP) | VM_CALL_BIT(VMC_SHM_UNMAP);
	message m;
	int r;

	if (granted)
		return VM_OK;
	__builtin_memset(&m, 0, sizeof(m));
	m.u.rs_set_priv.endpt = RS_PROC_NR;
	m.u.rs_set_priv.buf = (uint32_t)&mask;
	m.u.rs_set_priv.sys = 1;
	r = vm_call(VM_RS_SET_PRIV, &m);
	granted = r == VM_OK;
	return r;
}

/* SK_SHARE from src: remap the source region into src; reply result and address. */
static void share(const message *req, endpoint_t src)
{
	message m;
	int r = grant_remap();

	__builtin_memset(&m, 0, sizeof(m));
	if (r == VM_OK) {
		m.u.remap.dst = src;
		m.u.remap.src = (endpoint_t)req->u.word[0];
		m.u.remap.src_addr = req->u.word[1];
		m.u.remap.size = req->u.word[2];
		r = vm_call(VM_REMAP, &m);
	}
	m.u.word[0] = r == VM_OK ? m.u.remap.ret_addr : 0;
	m.m_type = r;
	ipc_send(src, &m);
}

int rs_soak_serve(const message *m, endpoint_t src)
{
	if (m->m_type != SK_SHARE)
		return 0;
	share(m, src);
	return 1;
}
