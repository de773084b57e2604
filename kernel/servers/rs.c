/* rs.c - a minimal reincarnation server: it stays alive receiving, makes the exit
 * watch calls init's self-tests ask of it (ST_WATCH, ST_WATCH_QUERY; VM's
 * notifications of exits and signals get no answer, the queue holds them), serves
 * init's soak's shared-memory requests (kernel/servers/rs_soak.c), maps the program
 * of PM's exec self-test for its process (ST_EXEC_MAP: RS holds the exec power that
 * mmap for another process needs) and answers every other request ENOSYS. */
#include "ulib.h"
#include "rs_soak.h"
#include "layout.h"
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

/* ST_EXEC_MAP: map the hello file (VFS_HELLO_FD) read-only at TEXT_VADDR of process
 * word[0], over the text region VM_EXEC_NEWMEM made; VM asks VFS which file that is.
 * The result as m_type. */
static void exec_map(message *m)
{
	message v;

	__builtin_memset(&v, 0, sizeof(v));
	v.u.mmap.addr = TEXT_VADDR;
	v.u.mmap.len = VFS_HELLO_PAGES * PAGE_SIZE;
	v.u.mmap.prot = PROT_READ | PROT_EXEC;
	v.u.mmap.flags = MAP_PRIVATE | MAP_FIXED | MAP_THIRDPARTY;
	v.u.mmap.fd = VFS_HELLO_FD;
	v.u.mmap.forwhom = (endpoint_t)m->u.word[0];
	m->m_type = vm_call(VM_MMAP, &v);
	m->u.word[0] = v.u.mmap.retaddr;
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
		else if (m.m_type == ST_EXEC_MAP)
			exec_map(&m);
		else
			m.m_type = VM_ENOSYS;
		ipc_sendnb(m.m_source, &m);
	}
}
