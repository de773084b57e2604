/* selftest.h - the messages init's IPC self-tests exchange with PM (kernel/servers/pm.c).
 * Types lie outside every server protocol range (VM 0xC00-0xCFF, notify 0x1000-). */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stdint.h>

#define ST_CYCLE     0x1F00 /* PM: sendrec a ST_PING back to the sender (cycle test) */
#define ST_QUERY     0x1F01 /* PM: reply with the result of its last ST_PING sendrec */
#define ST_PING      0x1F02 /* PM -> the ST_CYCLE sender */
#define ST_NOTIFY_ACK 0x1F03 /* PM -> a notifier: word[0] = status, word[1] = m_source seen */
#define ST_FORK      0x1F04 /* PM: VM_FORK the sender into slot ST_FORK_SLOT */
#define ST_CHILD     0x1F05 /* PM -> the forked child (the sendrec's reply there) */
#define ST_PARENT    0x1F06 /* PM -> the parent: word[0] = child endpoint */
#define ST_CHILD_DONE 0x1F07 /* child -> PM: word[0] = 1 when its copy-on-write check held */
#define ST_FORK_QUERY 0x1F08 /* PM: reply once the child reported and PM ended it:
			      * word[0] = the child's report, word[1] = VM_EXIT result */
#define ST_FORK_SLOT 40
#define ST_EXEC      0x1F09 /* PM: fork the sender into ST_EXEC_SLOT (the child never
			     * runs), exercise VM_EXEC_NEWMEM on it, end it; reply word[i] =
			     * the result of check i (ST_EXEC_CHECKS of them) */
#define ST_EXEC_SLOT 41
#define ST_EXEC_CHECKS 8

/* The in-memory file set of the image's VFS (kernel/servers/vfs.c): one file. */
#define VFS_TEST_FD    3
#define VFS_TEST_DEV   1
#define VFS_TEST_INO   10
#define VFS_TEST_PAGES 2
/* The word at byte offset off of that file. */
static inline uint32_t vfs_test_word(uint32_t off)
{
	return 0xF11E0000u ^ off;
}
#define ST_SIGFRAME  0x1F0D /* PM: VM_PUSH_SIG for the sender at sp word[0]; reply: the
			     * result as m_type, word[0] = the frame VM answered */
#define ST_NOTIFY_SIG 0x1F0E /* PM: VM_NOTIFY_SIG of the sender for ipc_endpt word[0];
			      * reply: the result as m_type */
#define ST_WATCH     0x1F0B /* RS: VM_WATCH_EXIT of word[0]; reply: the result */
#define ST_WATCH_QUERY 0x1F0C /* RS: VM_QUERY_EXIT; reply: the result, word[0] = endpt,
			       * word[1] = is_more */

#endif
