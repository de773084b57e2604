/* seam.h - everything vm/ needs from below.
 *
 * kernel/ implements it with traps into the i386 microkernel; stubs/ implements it
 * with a model of that kernel so VM's own message loop runs as a Linux process.
 * vm/ never contains #ifdef HOSTED: the Makefile chooses what is linked.
 * Every function returns VM_OK (0) or a negative errno unless stated otherwise. */
#ifndef VMFUZZ_SEAM_H
#define VMFUZZ_SEAM_H

#include <stdint.h>
#include "ipc.h"
#include "bootinfo.h"
#include "fault_sites.h"

/* ---- IPC ---- */
/* Receive the next message for VM.  *status gets IPC_FLG_* bits.  Returns VM_OK, or
 * VM_EAGAIN when the hosted feed is empty (the image blocks instead). */
int seam_receive(message *m, uint32_t *status);
/* Non-blocking send of a reply.  A failure is returned, never fatal. */
int seam_send_nb(endpoint_t dst, const message *m);
/* Notify dst (a MINIX notify: a pending bit, no payload).  Like kc_kill it is never
 * failed by injection; a failure (dst gone) is ignored by VM. */
int seam_notify(endpoint_t dst);

/* ---- Kernel calls ---- */
/* Fill the boot description (boot processes, memory map, kernel PDEs, sanity level). */
int kc_bootinfo(struct boot_info *bi);
/* Create a process in child_slot as a copy of parent's kernel state; the child stays
 * stopped until kc_addrspace binds it.  *child_ep gets its new endpoint. */
int kc_fork(endpoint_t parent, int32_t child_slot, endpoint_t *child_ep);
/* Undo a kc_fork whose child never ran (VM rolls back a failed fork). */
int kc_fork_abort(endpoint_t child);
/* Free the kernel's slot of an exiting process (VM_EXIT). */
int kc_exit(endpoint_t ep);
/* Install pdir_phys as ep's page directory and let ep run (clears the boot/fork inhibit). */
int kc_addrspace(endpoint_t ep, uint32_t pdir_phys);
/* Flush ep's TLB after VM changed its page table. */
int kc_flush_tlb(endpoint_t ep);
/* Resume ep after VM served (or refused) its page fault. */
int kc_clear_pagefault(endpoint_t ep);
/* Send signal sig to ep (SIGSEGV for an unhandled page fault). */
int kc_kill(endpoint_t ep, int sig);
/* Copy len bytes between address spaces through the page tables.  Never raises a
 * memory request: an unmapped or read-only destination gives VM_EFAULT. */
int kc_copy(endpoint_t src, uint32_t src_addr, endpoint_t dst, uint32_t dst_addr, uint32_t len);
/* May ep map physical range [phys, phys+len)?  VM_OK or VM_EPERM. */
int kc_privquery_mem(endpoint_t ep, uint32_t phys, uint32_t len);
/* Swap the kernel's slots of two processes (live update). */
int kc_update(endpoint_t a, endpoint_t b);

#define SIGSEGV 11
#define SIGKILL 9

/* ---- Physical memory ---- */
/* A pointer VM may read and write for [phys, phys+len).  The hosted build marks the
 * pages dirty (for restore); the image returns its window onto RAM. */
void *phys_ptr(uint32_t phys, uint32_t len);
/* Sanitizer hooks: mark [phys, phys+len) unusable / usable (no-ops in the image). */
void seam_poison(uint32_t phys, uint32_t len);
void seam_unpoison(uint32_t phys, uint32_t len);
/* Object-level sanitizer hooks for VM's own slab objects. */
void seam_poison_obj(void *p, uint32_t len);
void seam_unpoison_obj(void *p, uint32_t len);
/* Must VM fill the pages [phys, phys+len) it frees with FREE_PATTERN?  Always in the
 * image; the hosted build says no only while the harness ends processes before a
 * restore (ram_discard_frees) and no page of the range was free at the snapshot:
 * restore gives such a page back its snapshot bytes whenever it was written. */
int seam_scrub_free(uint32_t phys, uint32_t len);

/* ---- Console, panic, trace ---- */
void seam_puts(const char *s);
/* A broken internal invariant.  Never returns (the harness long-jumps or aborts). */
__attribute__((noreturn)) void seam_panic(const char *file, int line, const char *why);

/* Trace events the oracles judge by. */
enum trace_ev {
	TR_ACL_DENY,     /* a = sender, b = call number */
	TR_DROP_FORGED,  /* a = m_source, b = m_type: dropped, not answered */
	TR_REPLY_FAILED, /* a = destination, b = result */
	TR_SANITY_FAIL,  /* a = invariant id, b = the object kind it failed on (SOBJ_*) */
	TR_PF_SEGV,      /* a = endpoint, b = address: unhandled page fault */
	TR_MUTATION,     /* internal: not emitted per mutation (see vm.mutations) */
};
void seam_trace(enum trace_ev ev, int32_t a, int32_t b);

/* What a failed sanity invariant was about (TR_SANITY_FAIL's b, a finding's
 * signature): for a region, one of its pages or PTEs, the region's memory type;
 * otherwise the structure checked (the process table entry or its region tree, a page
 * table, the slab, the ACL entries, the page allocator, the block cache, the DMA range table, the
 * watch table). */
#define SANITY_OBJECTS(O)                                                              \
	O(SOBJ_NONE, "?") O(SOBJ_ANON, "anon") O(SOBJ_DIRECTPHYS, "directphys")           \
	O(SOBJ_SHARED, "shared") O(SOBJ_CACHE, "cache") O(SOBJ_PROC, "proc")              \
	O(SOBJ_PAGETABLE, "pagetable") O(SOBJ_SLAB, "slab") O(SOBJ_ACL, "acl")            \
	O(SOBJ_ALLOC, "alloc") O(SOBJ_BLOCKCACHE, "blockcache") O(SOBJ_DMA, "dma")   \
	O(SOBJ_FILE, "file") O(SOBJ_VFS, "vfs") O(SOBJ_WATCH, "watch")
enum sanity_obj {
#define SOBJ_ENUM(id, name) id,
	SANITY_OBJECTS(SOBJ_ENUM)
#undef SOBJ_ENUM
	SOBJ_COUNT
};
/* The name of object kind id ("?" for none or an unknown id). */
static inline const char *sanity_obj_name(int32_t id)
{
#define SOBJ_NAME(id, name) name,
	static const char *const names[SOBJ_COUNT] = { SANITY_OBJECTS(SOBJ_NAME) };
#undef SOBJ_NAME
	return id > SOBJ_NONE && id < SOBJ_COUNT ? names[id] : names[SOBJ_NONE];
}

/* ---- Fault injection ---- */
/* True when the fault engine wants this hit of site to fail.  Only called through
 * FAULT_POINT (vm/vm.h), which is constant 0 in the plain image. */
int seam_fault(enum fault_site site);

#endif
