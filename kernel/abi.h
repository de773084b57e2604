/* abi.h - the trap interface between ring-3 programs (kernel/lib) and the kernel.
 *
 * IPC trap (int IPC_VECTOR): eax = IPC_* op, ebx = endpoint, ecx = message address.
 *   Returns eax = VM_OK or a negative errno, ebx = receive status (IPC_FLG_* bits).
 * Kernel-call trap (int KCALL_VECTOR): eax = KC_* number, ebx, ecx, edx, esi, edi =
 *   arguments.  Returns eax = VM_OK or a negative errno, edx = an extra result. */
#ifndef KERNEL_ABI_H
#define KERNEL_ABI_H

#define IPC_VECTOR   0x30
#define KCALL_VECTOR 0x31

/* IPC primitives, MINIX numbering. */
#define IPC_SEND    1
#define IPC_RECEIVE 2
#define IPC_SENDREC 3
#define IPC_NOTIFY  4
#define IPC_SENDNB  5

/* Kernel calls; bit n of a process's kernel-call mask allows call n. */
#define KCALLS(K)                    \
	K(0, BOOTINFO, bootinfo)     \
	K(1, FORK, fork)             \
	K(2, FORK_ABORT, fork_abort) \
	K(3, EXIT, exit)             \
	K(4, ADDRSPACE, addrspace)   \
	K(5, FLUSH_TLB, flush_tlb)   \
	K(6, CLEAR_PF, clear_pf)     \
	K(7, KILL, kill)             \
	K(8, COPY, copy)             \
	K(9, PRIVQUERY_MEM, privquery_mem) \
	K(10, UPDATE, update)        \
	K(11, PRINT, print)          \
	K(12, SHUTDOWN, shutdown)

enum kcall_num {
#define KC_ENUM(n, NAME, name) KC_##NAME = (n),
	KCALLS(KC_ENUM)
#undef KC_ENUM
	KC_COUNT
};
#define KC_BIT(n) (1u << (n))
/* VM may make every kernel call (shutdown: its panic ends the run); servers may
 * print; init may print and shut down. */
#define KC_MASK_VM   ((1u << KC_COUNT) - 1)
#define KC_MASK_SYS  KC_BIT(KC_PRINT)
#define KC_MASK_INIT (KC_BIT(KC_PRINT) | KC_BIT(KC_SHUTDOWN))

/* shutdown(status): status 0 is success.  QEMU's isa-debug-exit device turns the
 * value written to its port into exit code (value << 1) | 1; the kernel writes
 * DEBUG_EXIT_BASE + status, so success exits with 33. */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_BASE 0x10

#endif
