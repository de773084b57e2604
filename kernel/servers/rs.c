/* rs.c - a minimal reincarnation server: it stays alive receiving and answers
 * every request ENOSYS (notifications get no answer). */
#include "ulib.h"

int main(void);

int main(void)
{
	message m;
	uint32_t status;

	__builtin_memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_receive(ANY, &m, &status) != VM_OK || (status & IPC_FLG_NOTIFY))
			continue;
		m.m_type = VM_ENOSYS;
		ipc_sendnb(m.m_source, &m);
	}
}
