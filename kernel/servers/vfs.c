/* vfs.c - a stand-in file server: it only ever listens to PM (as a file server
 * waits for its peer), so a non-blocking send from anyone else finds it not ready.
 * init's SENDNB self-test relies on that. */
#include "ulib.h"

int main(void);

int main(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_receive(PM_PROC_NR, &m, NULL) != VM_OK)
			continue;
		m.m_type = VM_ENOSYS;
		ipc_sendnb(m.m_source, &m);
	}
}
