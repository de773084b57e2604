/* helpers.h - shared helpers of the VM unit tests: protocol calls as the boot
 * servers make them, process and page inspection, and the leak baseline. */
#ifndef VMFUZZ_TEST_HELPERS_H
#define VMFUZZ_TEST_HELPERS_H

#include <stdint.h>
#include "vm.h"
#include "hosted.h"

/* ---- Messages ---- */
/* Send type from src with payload *m (m_source/m_type are filled in) and run VM.
 * The reply VM sent to src, if any, is copied back into *m.  Returns its m_type,
 * or VM_SUSPEND when VM sent src no reply.  The reply log is reset first. */
int call(endpoint_t src, int type, message *m);
/* A message with an all-zero payload. */
message msg_zero(void);
/* Number of replies VM sent dst since the last call()/feed_reset_replies() (requests
 * to VFS, VFS_VMCALL, are not counted). */
uint32_t replies_to(endpoint_t dst);

/* VM_FORK from PM: parent forks into child slot; *child gets the new endpoint. */
int pm_fork(endpoint_t parent, int32_t slot, endpoint_t *child);
/* pm_fork into the lowest free slot. */
int fork_child(endpoint_t parent, endpoint_t *child);
/* VM_WILLEXIT from PM. */
int pm_willexit(endpoint_t ep);
/* VM_EXIT from PM. */
int pm_exit_only(endpoint_t ep);
/* VM_WILLEXIT then VM_EXIT from PM; the first failure, or VM_OK. */
int pm_exit(endpoint_t ep);
/* VM_MMAP from ep: anonymous private memory; *ret gets the address on VM_OK. */
int mmap_anon(endpoint_t ep, uint32_t addr, uint32_t len, uint32_t prot, uint32_t extra_flags,
	      uint32_t *ret);
/* mmap_anon on behalf of forwhom (SELF, or another process with MAP_THIRDPARTY in
 * extra_flags): the same message but for its forwhom field. */
int mmap_for(endpoint_t ep, endpoint_t forwhom, uint32_t addr, uint32_t len, uint32_t prot,
	     uint32_t extra_flags, uint32_t *ret);
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_ANONPRIV (MAP_ANON | MAP_PRIVATE) /* 0x1002 */
/* VM_MUNMAP from ep. */
int munmap_call(endpoint_t ep, uint32_t addr, uint32_t len);
/* VM_BRK from ep. */
int brk_call(endpoint_t ep, uint32_t addr);
/* VM_MAP_PHYS from src: len bytes of physical memory at phys into target's address
 * space (SELF: src's own).  When va is given it gets the reply's address field,
 * whatever the answer (meaningful on VM_OK only). */
int map_phys_call(endpoint_t src, endpoint_t target, uint32_t phys, uint32_t len, uint32_t *va);
/* VM_UNMAP_PHYS from src: the device region at va of target (SELF: src's own). */
int unmap_phys_call(endpoint_t src, endpoint_t target, uint32_t va);
/* VM_REMAP or VM_REMAP_RO (type) sent by RS, which needs the call first (rs_grant_all):
 * src's region at src_addr, size bytes, shown in dst at dst_addr (0: VM picks).  When
 * ret is given it gets the reply's address field, whatever the answer. */
int remap_call(int type, endpoint_t dst, endpoint_t src, uint32_t dst_addr, uint32_t src_addr,
	       uint32_t size, uint32_t *ret);
/* VM_PROCCTL from src: param (VMPPARAM_*) for who, over [addr, addr + len), with flags. */
int procctl_call(endpoint_t src, int param, endpoint_t who, uint32_t addr, uint32_t len, uint32_t flags);
/* VM_GETRUSAGE from src: who's usage written at addr in src. */
int getrusage_call(endpoint_t src, endpoint_t who, uint32_t addr);

/* setter (RS, or a process RS let make VM_RS_SET_PRIV) gives target a system mask of
 * its own, written into the setter's data region and read from there by VM. */
void set_mask_from(endpoint_t setter, endpoint_t target, vm_callmask_t mask);
/* RS gives itself every VM call (through VM_RS_SET_PRIV), so tests can send the
 * IPC server's calls (GETPHYS, GETREF, REMAP, SHM_UNMAP) from RS. */
void rs_grant_all(void);

/* ---- Result classes ---- */
/* True when r is one of the negative errnos of include/ipc.h. */
int is_errno(int r);
/* True when r is VM_OK or a known negative errno (a legal reply). */
int is_legal_reply(int r);
/* True when r is a "bad endpoint" answer: VM_EINVAL, VM_ESRCH or VM_EDEADEPT. */
int is_bad_ep_errno(int r);

/* ---- Processes ---- */
/* The lowest slot after the boot processes that neither VM nor the kernel model uses;
 * -1 when none. */
int32_t free_slot(void);
/* VM's entry of a live endpoint (checks the endpoint), or NULL. */
struct vmproc *vmp_of(endpoint_t ep);
/* Number of slots VM marks in use. */
uint32_t live_slots(void);
/* The boot description the kernel model hands VM (fetched once per call). */
const struct boot_info *boot_info(void);
/* The boot description of slot, or NULL. */
const struct boot_proc *boot_proc_of(int32_t slot);
/* The break of a boot process: the end of its last writable segment. */
uint32_t boot_break(int32_t slot);
/* The first writable, non-stack region of ep that has page 0 backed, or NULL. */
struct vir_region *data_region(endpoint_t ep);
/* The stack region of ep (the region just below STACK_TOP), or NULL. */
struct vir_region *stack_region(endpoint_t ep);
/* Number of backed pages (phys_block with a physical page) in vmp's regions. */
uint32_t proc_backed_pages(struct vmproc *vmp);
/* The phys_block behind vaddr in ep, or NULL when none is linked. */
struct phys_block *block_at(endpoint_t ep, uint32_t vaddr);
/* Pointer to the PTE for vaddr in pt, or NULL when no page table covers it. */
uint32_t *pte_ptr(const struct pt *pt, uint32_t vaddr);
/* Distinct physical pages held by every live process's regions, plus their
 * directory and page-table pages. */
uint32_t pages_of_all_procs(void);

/* ---- Leak baseline ---- */
struct baseline {
	uint32_t mem_free, slab_live, acl_entries, live_slots;
};
void baseline_take(struct baseline *b);
/* CHECK that the present state equals b, field by field. */
#define CHECK_BASELINE(b)                                                      \
	do {                                                                   \
		struct baseline now_;                                          \
		baseline_take(&now_);                                          \
		CHECK_EQ(now_.mem_free, (b).mem_free);                         \
		CHECK_EQ(now_.slab_live, (b).slab_live);                       \
		CHECK_EQ(now_.acl_entries, (b).acl_entries);                   \
		CHECK_EQ(now_.live_slots, (b).live_slots);                     \
	} while (0)

/* ---- Fault injection ---- */
/* Fail the n-th hit (1-based) of site from now on, once; n == 0 fails nothing.
 * Hits of every site are counted. */
void fault_fail_nth(enum fault_site site, uint32_t n);
/* Hits of site since the last fault_fail_nth(). */
uint32_t fault_hits(enum fault_site site);
/* True when the scheduled failure happened. */
int fault_fired(void);

/* ---- Trace capture ---- */
struct trace_rec {
	enum trace_ev ev;
	int32_t a, b;
};
#define TRACE_CAP 64
/* Start recording trace events (the buffer is cleared). */
void trace_capture(void);
uint32_t trace_count(enum trace_ev ev);
/* The last recorded event of kind ev, or NULL. */
const struct trace_rec *trace_last(enum trace_ev ev);

#endif
