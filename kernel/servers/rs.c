/* rs.c - a minimal reincarnation server: it stays alive receiving, makes the exit
 * watch calls init's self-tests ask of it (ST_WATCH, ST_WATCH_QUERY; VM's
 * notifications of exits and signals get no answer, the queue holds them), serves
 * init's soak's shared-memory requests (kernel/servers/rs_soak.c) and answers
 * every other request ENOSYS. */
#include "ulib.h"
#include "rs_soak.h"
#include "../servers/selftest.h"

int main(void);

/* ST_WATCH or ST_WATCH_QUERY: the VM call, its result as m_type, the fields in words. */
static void watch_call(message *m)
{
	message v;

	__builtin_memset(&v, 0, sizeof(v));
	if (m->m_type == ST_WATCH) {
		v.u.watch_exit.endpt = (endpoint_t)m->u.word[0];
		m->m_type = vm_call(VM_WATCH_EXIT, &v);
	} else {
		m->m_type = vm_call(VM_QUERY_EXIT, &v);
		m->u.word[0] = (uint32_t)v.u.query_exit.endpt;
		m->u.word[1] = (uint32_t)v.u.query_exit.is_more;
	}
}

int main(void)
{
	message m;
	uint32_t status;

	__builtin_memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_receive(ANY, &m, &status) != VM_OK || (status & IPC_FLG_NOTIFY))
			continue;
		if (rs_soak_serve(&m, m.m_source))
			continue;
		if (m.m_type == ST_WATCH || m.m_type == ST_WATCH_QUERY)
			watch_call(&m);
		else
			m.m_type = VM_ENOSYS;
		ipc_sendnb(m.m_source, &m);
	}
}
