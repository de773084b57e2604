/* selftest.h - the messages init's IPC self-tests exchange with PM (kernel/servers/pm.c).
 * Types lie outside every server protocol range (VM 0xC00-0xCFF, notify 0x1000-) and
 * the soak's (soak.h: 0x1F10-0x1F1F). */
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

/* The exec self-test (init -> PM ST_EXEC_RUN): PM forks init into ST_EXEC_RUN_SLOT,
 * VM_EXEC_NEWMEM gives it a new image (text VFS_HELLO_PAGES pages, bss a page, stack
 * HELLO_STACK_BYTES), RS maps the file VFS_HELLO_FD over the text (ST_EXEC_MAP), the
 * kernel starts it at TEXT_VADDR (PMCTL_EXEC).  The program (kernel/user/hello.c)
 * reports ST_HELLO_EXIT; PM ends it and answers init: word[i] = check i. */
#define ST_EXEC_RUN   0x1F20
#define ST_EXEC_MAP   0x1F21 /* PM -> RS: VM_MMAP of the hello file for word[0] at
			      * TEXT_VADDR (MAP_THIRDPARTY | MAP_FIXED); reply: the result */
#define ST_HELLO_EXIT 0x1F22 /* hello -> PM: word[0] = exit status, word[1] = 1 when it
			      * ran at TEXT_VADDR on its new stack */
#define ST_EXEC_RUN_SLOT 42
#define HELLO_STATUS  7
#define HELLO_STACK_BYTES 0x4000u
enum { EXR_FORK, EXR_NEWMEM, EXR_MAP, EXR_START, EXR_STATUS, EXR_PLACE, EXR_EXIT,
       EXR_REFUSED, /* 1 when PMCTL refused a process not waiting for PM and a bad entry */
       EXR_CHECKS };
/* The hello file: descriptor, inode and size in VFS's file set (device VFS_TEST_DEV). */
#define VFS_HELLO_FD    4
#define VFS_HELLO_INO   11
#define VFS_HELLO_PAGES 1

/* The signal self-test: init -> PM ST_SIG_FORK (PM forks init into ST_SIG_SLOT; the
 * child answers ST_SIG_READY with its handler and waits for PM), init -> RS ST_WATCH of
 * the child, init -> PM ST_SIG_SEND: PM reads the child's stack pointer (PMCTL_GETSP),
 * VM_PUSH_SIG there, the kernel delivers the signal to the handler (PMCTL_SIGNAL), PM
 * tells RS with VM_NOTIFY_SIG; the handler reports ST_SIG_HANDLED, PM ends the child
 * and answers init's ST_SIG_WAIT. */
#define ST_SIG_FORK    0x1F23 /* reply: ST_PARENT with word[0] = child, or ST_CHILD */
#define ST_SIG_READY   0x1F24 /* child -> PM (sendrec): word[0] = handler address */
#define ST_SIG_SEND    0x1F25 /* init -> PM: word[i] = check i (SGR_*) */
#define ST_SIG_HANDLED 0x1F26 /* handler -> PM: word[0] = signo, word[1] = the address of
			       * its argument (the frame VM prepared + 4) */
#define ST_SIG_WAIT    0x1F27 /* init -> PM, answered once the child is ended: word[0] =
			       * signo the handler saw, word[1] = 1 when its argument was on the frame, word[2] =
			       * the VM_EXIT result */
#define ST_SIG_SLOT    43
#define ST_SIGNO       15 /* SIGTERM */
enum { SGR_GETSP, SGR_PUSH_SIG, SGR_FRAME,
       SGR_BAD_FRAME, /* PMCTL_SIGNAL with a frame at the stack pointer: VM_EINVAL */
       SGR_DELIVER, SGR_NOTIFY, SGR_CHECKS };

#endif
