/* hosted.h - the hosted platform: the kernel model, simulated RAM, the MMU walker
 * and the IPC feed that play the kernel for vm/ in a Linux process.
 * Used by tests/ and harness/; vm/ sees only include/seam.h. */
#ifndef VMFUZZ_HOSTED_H
#define VMFUZZ_HOSTED_H

#include <stdint.h>
#include "ipc.h"
#include "seam.h"
#include "layout.h"

#define HOSTED_RAM_SIZE FUZZ_RAM_SIZE /* simulated RAM (include/layout.h) */
#define HOSTED_KERNEL_RESERVED (1u << 20) /* [0, 1 MiB) belongs to the "kernel" */

/* ---- Kernel model ---- */
#define KP_INUSE     0x1
#define KP_PAGEFAULT 0x2 /* blocked on a page fault VM has not cleared */
#define KP_KILLED    0x4 /* got a signal from VM (SIGSEGV) */
#define KP_STOPPED   0x8 /* created by fork / boot, not yet given an address space */
struct kproc {
	uint32_t flags;
	endpoint_t endpt;
	int32_t generation;  /* generation of the current (or last) occupant */
	uint32_t pdir;       /* physical address of the page directory, 0 = none */
	int32_t last_signal;
	int32_t ever_used;
	uint32_t notified;   /* notifications VM sent it (seam_notify) */
};
struct kmodel_state {
	struct kproc proc[NR_PROCS];
	/* Slots in use (KP_INUSE) and slots in use or ever used, kept by kmodel_slot_changed
	 * (the harness's selectors read them; hosted_kmodel_sets_ok checks them). */
	uint32_t live_bits[NR_PROCS / 32], used_bits[NR_PROCS / 32];
	uint32_t kern_pde[KERNEL_PDE_COUNT];
	int32_t sanity_level;
	/* counters the oracles read */
	uint32_t replies, reply_failures, kcalls, tlb_flushes, notifies;
};
extern struct kmodel_state kmodel;
/* Slot kp's KP_INUSE or ever_used changed: bring kmodel's slot bitmaps up to date. */
void kmodel_slot_changed(const struct kproc *kp);
/* True when kmodel.live_bits and used_bits agree with every slot's flags. */
int hosted_kmodel_sets_ok(void);

/* Boot the hosted system: RAM, kernel model, then vm_boot().  Aborts on failure
 * (a failed boot is a bug in this project, not a finding). */
void hosted_boot(int sanity_level);
/* Remember the present state (VM, kernel model, RAM) as the restore point. */
void hosted_snapshot(void);
/* Return VM (but the sanity checker's scratch, vm.used_bits), the kernel model and
 * RAM to the snapshot; RAM (contents and ASan poisoning) through the dirty bitmap.  The feed, the reply log and the
 * feed_fail_sends countdown are emptied; the hooks are kept. */
void hosted_restore(void);
/* Until the next restore VM need not fill the pages it frees with FREE_PATTERN when
 * none was blank at the snapshot (seam_scrub_free, stubs/ram.c): for a teardown whose
 * RAM the restore puts back. */
void ram_discard_frees(void);
/* A 64-bit FNV-1a digest of VM's state struct (but vm.used_bits), the kernel model
 * and all of RAM.  Equal after a restore and after a fresh boot within one process (host pointers
 * inside VM's state point into RAM, which is allocated once). */
uint64_t hosted_digest(void);

/* ---- RAM ---- */
extern uint8_t *hosted_ram;
/* The byte at offset off of segment seg (0 text, 1 data) of the boot image of the
 * process in slot; data bytes past the segment's filesz are zero. */
uint8_t hosted_boot_byte(int32_t slot, int seg, uint32_t off);
/* Pages written since the last snapshot or restore. */
uint32_t hosted_dirty_pages(void);

/* ---- IPC feed ---- */
/* Queue a message for VM's next receive, with IPC_FLG_* status bits. */
void feed_push(const message *m, uint32_t status);
uint32_t feed_pending(void);
/* Replies VM sent, in order, since the last feed_reset_replies(). */
struct reply_rec {
	endpoint_t dst;
	message m;
};
#define REPLY_LOG_MAX 64
uint32_t reply_count(void);
const struct reply_rec *reply_get(uint32_t i);
void feed_reset_replies(void);
/* Make the next n sends fail (the receiver "is not ready"); 0 turns it off.
 * A failed send (this, or a destination that is not live) returns VM_EDEADSRCDST,
 * counts in kmodel.reply_failures and is not logged. */
void feed_fail_sends(uint32_t n);

/* Convenience: push one request from src and run vm_step until the feed is empty.
 * Returns the m_type of the reply VM sent to src, or VM_SUSPEND when none came. */
int hosted_call(endpoint_t src, int type, message *m);

/* ---- MMU walker ---- */
/* Translate vaddr in ep's address space as a user access.  VM_OK with *phys, or a
 * page-fault error code (PFERR_* bits, >0) when the access would fault; VM_ESRCH for
 * a dead endpoint.  Never sets accessed/dirty bits. */
int mmu_translate(endpoint_t ep, uint32_t vaddr, int write, uint32_t *phys);
/* A user read or write of 32 bits at vaddr (4-byte aligned) in ep: a miss is delivered
 * to VM as a kernel VM_PAGEFAULT, vm_step runs, and the access is retried (at most
 * MMU_RETRY_MAX times).  VM_OK, or VM_EFAULT when VM killed the process or gave up
 * (also at once for a process that is killed, stopped or still blocked on an
 * uncleared fault); VM_EINVAL for a misaligned vaddr or VM's own endpoint; VM_ESRCH
 * for a dead endpoint. */
#define MMU_RETRY_MAX 4
int proc_read32(endpoint_t ep, uint32_t vaddr, uint32_t *val);
int proc_write32(endpoint_t ep, uint32_t vaddr, uint32_t val);

/* ---- Hooks for the harness ---- */
/* Called for every seam_trace event. */
void hosted_set_trace_hook(void (*fn)(enum trace_ev ev, int32_t a, int32_t b));
/* Decides seam_fault; NULL = never fail. */
void hosted_set_fault_hook(int (*fn)(enum fault_site site));
/* Called by seam_panic; must not return (long-jump or abort).  NULL = print and abort. */
void hosted_set_panic_hook(void (*fn)(const char *file, int line, const char *why));
/* Console output from VM is dropped unless verbose is set. */
void hosted_set_verbose(int on);

#endif
