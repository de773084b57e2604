/* rs.c - a minimal reincarnation server: it stays alive receiving and answers
 * every request ENOSYS (notifications get no answer) but init's soak's shared-memory
 * requests (kernel/servers/rs_soak.c). */
#include "ulib.h"
#include "rs_soak.h"

int main(void);

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
		m.m_type = VM_ENOSYS;
		ipc_sendnb(m.m_source, &m);
	}
}
