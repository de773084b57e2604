/* platform.h - the system a conversation runs against, as the runner (harness/runner.c)
 * and the oracles see it: the hosted build (harness/host.c, the one harness file that
 * reads vm/'s internals) or the QEMU fuzz image (harness/guest/plat.c, through the fuzz
 * kernel calls).  No libc beyond string.h: the guest agent builds this freestanding.
 *
 * An outcome (include/outcome.h, shared with the fuzz kernel, which fills it for the
 * guest) is everything one request or access did that a client, the kernel or a
 * debugger attached to VM could observe. */
#ifndef VMFUZZ_PLATFORM_H
#define VMFUZZ_PLATFORM_H

#include <stdint.h>
#include "ipc.h"
#include "outcome.h"
#include "seam.h"
#include "selcore.h"

/* Kernel-side process flags (proc_flags). */
#define PF_LIVE      0x1
#define PF_PAGEFAULT 0x2 /* blocked on a page fault VM has not cleared */
#define PF_KILLED    0x4 /* got a signal from VM */
#define PF_STOPPED   0x8 /* no address space yet */

/* A deliver status bit beside IPC_FLG_*: a kernel page fault, so the live source is
 * first marked blocked on it (as the kernel does before telling VM). */
#define DELIVER_MARK_PF (1u << 24)

/* reset's how. */
#define RESET_FAIL_SENDS  0x1
#define RESET_INCREMENTAL 0x2

struct platform {
	const char *name; /* "hosted", "qemu" */
	/* Back to the boot state for a new conversation: sanity level, fault counters zeroed
	 * and no schedule; how: RESET_FAIL_SENDS (every reply send fails),
	 * RESET_INCREMENTAL (VM's per-handler checks re-derive changed processes only,
	 * where the platform can; its full check stays full). */
	void (*reset)(int level, uint32_t how);
	/* Deliver m (m_source as given) with IPC_FLG_* status bits; run VM until it waits
	 * again; fill *o. */
	void (*deliver)(const message *m, uint32_t status, struct outcome *o);
	/* A 32-bit user access of ep at addr (4-byte aligned) through VM's page tables; a
	 * miss is a kernel page fault for VM, retried; fills *o (rc, value). */
	void (*access)(endpoint_t ep, uint32_t addr, int write, uint32_t value, struct outcome *o);
	/* Arm the fault engine: the nth hit of site from now fails, once or from then on. */
	void (*fault)(int site, uint32_t nth, int mode);
	/* The kernel's process table, for selectors and oracles. */
	const struct sel_table *procs;
	/* PF_* of the slot of ep, 0 when ep is not a live endpoint. */
	uint32_t (*proc_flags)(endpoint_t ep);
	/* Start addresses of the first max regions of slot, address order; the count. */
	int (*regions)(int32_t slot, uint32_t *vaddr, int max);
	/* VM's sanity checker at the conversation's level; fills o->life and sanity_fail. */
	void (*sanity)(struct outcome *o);
	/* The boot description VM was given (NULL where the platform cannot tell). */
	const struct boot_info *(*bootinfo)(void);
	/* Read 32 bits of ep's memory as the kernel would for a copy: 0 and *val when the
	 * page is present, -1 otherwise; never faults anything in (NULL where unavailable). */
	int (*peek)(endpoint_t ep, uint32_t addr, uint32_t *val);
	/* The system-wide counter which (CHK_FREE_PAGES, CHK_SLAB_OBJECTS, CHK_PROCS: live
	 * processes) in *v: 0, or -1 where the platform cannot tell (NULL: none). */
	int (*counter)(int which, uint32_t *v);
	/* A digest of the whole system state (NULL where unavailable). */
	uint64_t (*digest)(void);
	/* Trace output (one line, no newline). */
	void (*print)(const char *line);
};

/* ---- Outcome helpers (runner.c) ---- */
/* Reply i of o (0 = oldest), or NULL when it was not kept. */
const struct out_reply *out_reply_get(const struct outcome *o, uint32_t i);
/* The last reply to dst, or NULL (a request VM sent VFS, VFS_VMCALL, is no reply). */
const message *out_reply_to(const struct outcome *o, endpoint_t dst);
/* The code dst got: its last reply's m_type, the result of a failed send to dst, or
 * VM_SUSPEND when nothing was sent to it. */
int32_t out_code(const struct outcome *o, endpoint_t dst);
/* Number of events ev with first argument a (a == INT32_MIN: any). */
int out_events(const struct outcome *o, int32_t ev, int32_t a);
/* True when ep is a live endpoint on platform p. */
int plat_is_live(const struct platform *p, endpoint_t ep);

#endif
