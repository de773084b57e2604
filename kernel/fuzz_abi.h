/* fuzz_abi.h - the fuzz image's kernel calls (kernel/abi.h KCALLS_FUZZ) and the
 * structures they exchange with the guest agent (harness/guest) and VM's fuzz seam
 * (kernel/lib/vmseam.c built with KERNEL_FUZZ).
 *
 * Agent side (only in the agent's kernel-call mask):
 *   FZ_INPUT(buf, cap, flags*)   copy the input module into buf; edx = its length
 *                                (the whole length, even past cap); *flags = FZI_*
 *   FZ_PROCS(struct fz_proc[NR_PROCS]*)  the process table as selectors see it
 *   FZ_FAULT(op, site, nth, mode)  FZF_RESET: zero the hit counters, drop the
 *                                schedule, start counting (the first record);
 *                                FZF_ARM: fail the nth hit of site counted from now,
 *                                once or from then on (past FZ_FAULT_RULES rules
 *                                dropped, as the hosted engine does); FZF_FAILSENDS: refuse the next
 *                                nth reply sends of VM
 *   FZ_MSG(message*, flags, struct outcome*)  deliver the message to VM with
 *                                m_source as given and the FZM_* status bits, run VM
 *                                until it waits again, report what it did
 *   FZ_ACCESS(ep, addr, write, value, struct outcome*)  a 32-bit user access of ep
 *                                through VM's page tables; a miss is a kernel
 *                                VM_PAGEFAULT for VM, retried up to FZ_RETRY_MAX times
 *   FZ_CTL(op, arg, struct outcome*, struct fz_ctl*)  a control request answered by
 *                                VM's fuzz seam outside its message loop (no handler,
 *                                no fault site); its answer goes to the fz_ctl
 *   FZ_BOOTINFO(struct boot_info*)  the boot description the kernel gave VM
 *   FZ_PEEK(ep, addr)            edx = the 32 bits at ep's addr (4-byte aligned) when
 *                                its page is present to a user read; VM_EFAULT (never a
 *                                page fault) otherwise, VM_ESRCH for no live ep
 *   FZ_SNAP(op)                  FZS_TAKE: remember VM, its pool and the process table
 *                                as they are now (VM waiting for a message); FZS_RESTORE:
 *                                put back every page written since and the process
 *                                table, reset the fault engine (kernel/snapshot.c)
 *   FZ_SHM()                     edx = FZSHM_VADDR when the host shares memory
 *                                (kernel/shm_abi.h, kernel/shm.c); VM_ENXIO when not
 * The outcome is include/outcome.h's, the one the hosted platform fills: the kernel
 * fills every field but hang (a request VM never finishes is a QEMU timeout).
 * VM side (only in VM's mask):
 *   FZ_HIT(site)                 edx = 1 when this hit must fail
 *   FZ_TRACE(ev, a, b, name, text)  a seam_trace event; for TR_SANITY_FAIL name and
 *                                text are the failed invariant's (SAN_*) and statement,
 *                                b the kind of object it failed on (SOBJ_*, seam.h)
 *   FZ_PANIC(file, line, why)    VM panicked: it never runs again
 *   FZ_IDLE(mutations, free)     VM is about to wait for its next message; its
 *                                mutation counter and free page count
 *   FZ_CTLDONE(struct fz_ctl*)   the answer to a control request
 *   FZ_SHM()                     as the agent's: where VM's edge map lives */
#ifndef KERNEL_FUZZ_ABI_H
#define KERNEL_FUZZ_ABI_H

#include <stdint.h>
#include "ipc.h"
#include "outcome.h"
#include "shm_abi.h" /* FZI_* */


#define FZS_TAKE    0
#define FZS_RESTORE 1

/* A batch of inputs in the input module (harness/guest/batch.c): BATCH_MAGIC, then per
 * input its length and FZI_* flags (32-bit little-endian each) and its bytes, padded
 * to a multiple of 4. */
#define BATCH_MAGIC "VMFZBAT1"
#define BATCH_MAGIC_LEN 8

#define FZF_RESET     0
#define FZF_ARM       1
#define FZF_FAILSENDS 2

#define FZM_FROM_KERNEL 0x1 /* status IPC_FLG_MSG_FROM_KERNEL */
#define FZM_NOTIFY      0x2 /* status IPC_FLG_NOTIFY */
#define FZM_MARK_PF     0x4 /* a live source is blocked on a page fault (a kernel KPF) */

#define FZC_LEVEL   1 /* arg = sanity level for vm.sanity_level */
#define FZC_SANITY  2 /* run sanity_check(): ctl.result and the outcome's sanity_* */
#define FZC_REGIONS 3 /* arg = slot: ctl.result = region count, ctl.vaddr = the first ones */

/* An extra receive status bit: a control request from the kernel to VM's seam. */
#define IPC_FLG_FZ_CTL (1u << 20)
#define FZ_CTL_TYPE    0x7F00 /* m_type of a control request; u.word[0] op, word[1] arg */

#define FZ_RETRY_MAX 4  /* page-fault retries of an access (stubs' MMU_RETRY_MAX) */
#define FZ_CTL_REGIONS 16

#define FZP_INUSE     0x1
#define FZP_PAGEFAULT 0x2
#define FZP_KILLED    0x4
#define FZP_STOPPED   0x8 /* no address space yet (boot or fork) */
struct fz_proc {
	uint32_t flags;
	endpoint_t endpt;
	int32_t generation;
	int32_t ever_used;
};

struct fz_ctl {
	int32_t result;
	uint32_t vaddr[FZ_CTL_REGIONS];
};

#endif
