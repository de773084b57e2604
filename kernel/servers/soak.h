/* soak.h - the messages of init's soak (kernel/user/soak.c) with PM's process service
 * (kernel/servers/pm_soak.c) and RS's shared-memory service (kernel/servers/rs_soak.c).
 * Types lie outside every server protocol range and after selftest.h's. */
#ifndef KERNEL_SOAK_H
#define KERNEL_SOAK_H

#include "ipc.h"

#define SK_SPAWN  0x1F10 /* -> PM: fork the sender (a sendrec; both copies get the reply) */
#define SK_CHILD  0x1F11 /* PM -> the new child */
#define SK_PARENT 0x1F12 /* PM -> the parent: word[0] = the child's endpoint */
#define SK_EXIT   0x1F13 /* child -> PM: word[0] = exit status; PM ends it (no reply) */
#define SK_WAIT   0x1F14 /* -> PM: word[0] = a child; reply once it exited or was killed:
			  * m_type VM_OK, word[0] = 1 when killed, word[1] = its status,
			  * word[2] = the result of VM_WILLEXIT + VM_EXIT */
#define SK_SHARE  0x1F15 /* -> RS: VM_REMAP of word[0]'s anonymous region at word[1], of
			  * word[2] bytes, into the sender; reply m_type = the result,
			  * word[0] = the address of the shared alias */

/* The slots PM forks soak processes into (init's own fork test uses ST_FORK_SLOT). */
#define SK_SLOT_BASE 64
#define SK_SLOTS     32

#endif
