/* hello.c - the program init's exec self-test runs: a file of the image VFS's file set
 * (kernel/servers/vfs.c), linked at TEXT_VADDR as a flat binary (hello.ld: text and
 * read-only data only, since the file is mapped read-only).  PM execs a fork of init
 * into it; it prints one line, checks where it runs, and reports its exit status to
 * PM (ST_HELLO_EXIT), which ends it.  Stack only: no data, no bss. */
#include "ulib.h"
#include "layout.h"
#include "../servers/selftest.h"

int main(void);

int main(void)
{
	static const char line[] = "hello: exec'd from the image VFS's file set\n";
	message m;
	uint32_t here = (uint32_t)(uintptr_t)&main, sp = (uint32_t)(uintptr_t)&m;

	kcall(KC_PRINT, (uint32_t)(uintptr_t)line, sizeof(line) - 1, 0, 0, 0, NULL);
	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_HELLO_EXIT;
	m.u.word[0] = HELLO_STATUS;
	m.u.word[1] = here >= TEXT_VADDR && here < TEXT_VADDR + VFS_HELLO_PAGES * PAGE_SIZE &&
		      sp < STACK_TOP && sp > STACK_TOP - HELLO_STACK_BYTES;
	ipc_send(PM_PROC_NR, &m);
	for (;;)
		ipc_receive(PM_PROC_NR, &m, NULL);
}
