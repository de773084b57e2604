/* ipc.h - the message, endpoints and result codes shared by every part of vmfuzz.
 *
 * The layout is byte-identical on i386 (the image) and x86-64 (the hosted build):
 * every field is a fixed-width integer, guest addresses are uint32_t, never pointers. */
#ifndef VMFUZZ_IPC_H
#define VMFUZZ_IPC_H

#include <stdint.h>
#include <stddef.h>

typedef int32_t endpoint_t;

/* ---- Endpoints: (generation << 15) + slot, as in MINIX. ---- */
#define EP_GENERATION_SHIFT 15
#define EP_GENERATION_SIZE  (1 << EP_GENERATION_SHIFT)
#define MAX_NR_TASKS        1023
#define EP_SLOT_TOP         (EP_GENERATION_SIZE - MAX_NR_TASKS) /* 31745 */
#define EP_MAX_GENERATION   (INT32_MAX / EP_GENERATION_SIZE - 1)

#define ANY   ((endpoint_t)(EP_SLOT_TOP - 1)) /* 31744 */
#define NONE  ((endpoint_t)(EP_SLOT_TOP - 2)) /* 31743 */
#define SELF  ((endpoint_t)(EP_SLOT_TOP - 3)) /* 31742 */

/* Kernel tasks (negative slots). */
#define ASYNCM ((endpoint_t)-5)
#define IDLE   ((endpoint_t)-4)
#define CLOCK  ((endpoint_t)-3)
#define SYSTEM ((endpoint_t)-2)
#define KERNEL ((endpoint_t)-1)
#define NR_TASKS 5

/* Boot servers at MINIX's slots. */
#define PM_PROC_NR    0
#define VFS_PROC_NR   1
#define RS_PROC_NR    2
#define MEM_PROC_NR   3
#define SCHED_PROC_NR 4
#define TTY_PROC_NR   5
#define DS_PROC_NR    6
#define MIB_PROC_NR   7
#define VM_PROC_NR    8
#define PFS_PROC_NR   9
#define MFS_PROC_NR   10
#define INIT_PROC_NR  11
#define AGENT_PROC_NR 12 /* the guest agent of the fuzz image */

#define NR_PROCS     256
#define NR_SYS_PROCS 64

/* Endpoint arithmetic in unsigned 32-bit so no input can overflow a signed int. */
static inline endpoint_t ep_make(int32_t gen, int32_t slot)
{
	return (endpoint_t)(((uint32_t)gen << EP_GENERATION_SHIFT) + (uint32_t)slot);
}
static inline int32_t ep_generation(endpoint_t e)
{
	return (int32_t)(((uint32_t)e + MAX_NR_TASKS) >> EP_GENERATION_SHIFT);
}
static inline int32_t ep_slot(endpoint_t e)
{
	return (int32_t)(((uint32_t)e + MAX_NR_TASKS) & (EP_GENERATION_SIZE - 1)) - MAX_NR_TASKS;
}

/* ---- Result codes: negative errno inside servers (MINIX/NetBSD numbering). ---- */
#define VM_ERRNOS(E)           \
	E(EPERM, 1)            \
	E(ENOENT, 2)           \
	E(ESRCH, 3)            \
	E(EINTR, 4)            \
	E(EIO, 5)              \
	E(ENXIO, 6)            \
	E(E2BIG, 7)            \
	E(EBADF, 9)            \
	E(EDEADLK, 11)         \
	E(ENOMEM, 12)          \
	E(EACCES, 13)          \
	E(EFAULT, 14)          \
	E(EBUSY, 16)           \
	E(EEXIST, 17)          \
	E(EINVAL, 22)          \
	E(ENOSPC, 28)          \
	E(ERANGE, 34)          \
	E(EAGAIN, 35)          \
	E(ENOSYS, 78)          \
	E(EOVERFLOW, 84)       \
	E(ELOCKED, 101)        \
	E(EDEADSRCDST, 202)    \
	E(EDONTREPLY, 203)     \
	E(ENOTREADY, 205)      \
	E(EBADCALL, 209)       \
	E(ECALLDENIED, 210)    \
	E(ETRAPDENIED, 211)    \
	E(EDEADEPT, 215)       \
	E(EBADEPT, 216)

enum vm_errno {
#define VM_ERRNO_ENUM(name, num) VM_##name = -(num),
	VM_ERRNOS(VM_ERRNO_ENUM)
#undef VM_ERRNO_ENUM
};

#define VM_OK      0
#define VM_SUSPEND (-998) /* handler result: send no reply now */

/* ---- The 64-byte message. ---- */
#define MSG_PAYLOAD_SIZE 56

#include "vm_calls.h"

typedef struct message {
	endpoint_t m_source;
	int32_t m_type;
	union {
		uint8_t raw[MSG_PAYLOAD_SIZE];
		uint32_t word[MSG_PAYLOAD_SIZE / 4];
#define VM_PAYLOAD_MEMBER(num, NAME, name, handler) struct vm_pl_##name name;
		VM_CALLS(VM_PAYLOAD_MEMBER)
#undef VM_PAYLOAD_MEMBER
	} u;
} message;

_Static_assert(sizeof(message) == 64, "a message is 64 bytes");
_Static_assert(offsetof(message, u) == 8, "the payload starts at byte 8");

/* Receive status flags (the seam's receive reports them). */
#define IPC_FLG_MSG_FROM_KERNEL (1u << 16)
#define IPC_FLG_NOTIFY          (1u << 17)

/* Notifications occupy 0x1000-0x10FF. */
#define NOTIFY_MESSAGE 0x1000

#endif
