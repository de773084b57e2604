/* ipc.c - the IPC and kernel-call traps seen from ring 3. */
#include "ulib.h"

/* Trap into the kernel's IPC entry: op on endpoint ep with message m. */
static int ipc_trap(uint32_t op, endpoint_t ep, message *m, uint32_t *status)
{
	uint32_t r, st;

	__asm__ volatile("int %4"
			 : "=a"(r), "=b"(st)
			 : "a"(op), "b"(ep), "i"(IPC_VECTOR), "c"(m)
			 : "memory");
	if (status)
		*status = st;
	return (int)r;
}

int ipc_send(endpoint_t dst, message *m) { return ipc_trap(IPC_SEND, dst, m, NULL); }
int ipc_sendnb(endpoint_t dst, message *m) { return ipc_trap(IPC_SENDNB, dst, m, NULL); }
int ipc_sendrec(endpoint_t dst, message *m) { return ipc_trap(IPC_SENDREC, dst, m, NULL); }
int ipc_notify(endpoint_t dst) { return ipc_trap(IPC_NOTIFY, dst, NULL, NULL); }
int ipc_receive(endpoint_t src, message *m, uint32_t *status)
{
	return ipc_trap(IPC_RECEIVE, src, m, status);
}

int kcall(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t *out)
{
	uint32_t r, o;

	__asm__ volatile("int %2"
			 : "=a"(r), "=d"(o)
			 : "i"(KCALL_VECTOR), "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	if (out)
		*out = o;
	return (int)r;
}

void sys_shutdown(int status)
{
	kcall(KC_SHUTDOWN, (uint32_t)status, 0, 0, 0, 0, NULL);
	for (;;)
		;
}
