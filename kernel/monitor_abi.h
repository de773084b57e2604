/* monitor_abi.h - the plain image's console and monitor kernel calls (kernel/abi.h
 * KCALLS_MONITOR, kernel/sysinfo.c), used by init's soak and monitor
 * (kernel/user/soak.c, kernel/user/monitor.c):
 *   CONSOLE_GETC()          edx = the next character typed on the serial console;
 *                           VM_EAGAIN when none is waiting (the caller polls)
 *   SYSINFO(SI_*, arg, buf) a fact of the system in edx (or in buf for SI_PROC)
 *   VMCTL(VMCTL_*, arg)     a control request to VM, delivered as a kernel message
 *                           VM's seam answers outside its message loop (no handler
 *                           runs); VM_EBUSY when VM is not waiting for a message */
#ifndef KERNEL_MONITOR_ABI_H
#define KERNEL_MONITOR_ABI_H

#include <stdint.h>
#include "ipc.h"

#define SI_UPTIME_MS 0 /* edx = milliseconds since boot (the 100 Hz timer) */
#define SI_SOAK      1 /* edx = "soak=N" of the kernel command line (0: no soak) */
#define SI_MONITOR   2 /* edx = 1 when the command line holds "monitor" */
#define SI_PROC      3 /* arg = slot: struct si_proc into buf; VM_EINVAL past NR_PROCS */

#define SIP_INUSE     0x1
#define SIP_KILLED    0x2
#define SIP_PAGEFAULT 0x4
#define SIP_BLOCKED   0x8 /* sending or receiving */
struct si_proc {
	uint32_t flags;   /* SIP_* */
	endpoint_t endpt; /* NONE for a free slot */
	int32_t gen;
	char name[8];
};

#define VMCTL_SANITY 1 /* arg = level: VM's sanity level becomes arg, then one full check,
			* whose result VM prints on the console */

/* The receive status bit of a VMCTL request (the fuzz image's control bit is 1 << 20). */
#define IPC_FLG_VMCTL (1u << 21)
#define VMCTL_TYPE    0x7E00 /* m_type; u.word[0] op, word[1] arg */

#endif
