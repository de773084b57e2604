/* pm.c - a minimal process manager: it stays alive receiving, answers unknown
 * requests ENOSYS, and plays the peer of init's IPC self-tests (kernel/servers/selftest.h). */
#include "ulib.h"
#include "selftest.h"

int main(void);

/* ST_CYCLE from src: sendrec a ping back while src may be about to sendrec us. */
static int ping_back(endpoint_t src)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_PING;
	return ipc_sendrec(src, &m);
}

int main(void)
{
	message m;
	uint32_t status;
	int last_ping = VM_OK;

	__builtin_memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_receive(ANY, &m, &status) != VM_OK)
			continue;
		endpoint_t src = m.m_source;
		if (status & IPC_FLG_NOTIFY) {
			__builtin_memset(&m, 0, sizeof(m));
			m.m_type = ST_NOTIFY_ACK;
			m.u.word[0] = status;
			m.u.word[1] = (uint32_t)src;
			ipc_send(src, &m);
		} else if (m.m_type == ST_CYCLE) {
			last_ping = ping_back(src);
		} else if (m.m_type == ST_QUERY) {
			m.m_type = last_ping;
			ipc_send(src, &m);
		} else {
			m.m_type = VM_ENOSYS;
			ipc_sendnb(src, &m);
		}
	}
}
