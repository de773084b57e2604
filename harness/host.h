/* host.h - the hosted platform (harness/host.c): the one harness file that reads
 * vm/'s internals and calls its handlers directly.  Everything else in harness/ sees
 * the system through struct platform (platform.h) and these few hosted-only helpers. */
#ifndef VMFUZZ_HARNESS_HOST_H
#define VMFUZZ_HARNESS_HOST_H

#include <stdint.h>
#include "platform.h"

extern const struct platform host_platform;

/* Boot the hosted system at the floor level and snapshot it. */
void host_init(void);
/* Self-test: plant "model:errno", "model:acl-allow", "model:acl-deny", "model:power",
 * "model:reply-dst", "model:out-field", "model:frame", "sanity:fork-refcount",
 * "sanity:remap-refcount" or "none"; -1 when the name is not one of them. */
int host_plant(const char *name);
/* Fault injection off, reply sends working, and the pages VM frees left unfilled
 * where the next restore puts them back (the leak oracle's teardown: the run ends
 * with it). */
void host_quiesce(void);

/* ---- What the leak oracle counts and does (VM's side) ---- */
struct host_counts {
	uint32_t free, managed, objects, slab_pages, vm_live, k_live;
	uint32_t dma; /* rows of VM's DMA range table */
	uint32_t vfs; /* requests in VM's VFS queue */
	uint32_t watch; /* rows of VM's exit/signal watch table */
	uint64_t acl;
};
void host_counts(struct host_counts *c);
/* True when the conversation changed anything of slot s (VM's touched marks). */
int host_touched(int32_t s);
/* VM's view of slot s: 1 and *ep when VM holds a live process there. */
int host_vm_slot(int32_t s, endpoint_t *ep);
/* The kernel model's view of slot s: 1 and *ep when the slot is live. */
int host_k_slot(int32_t s, endpoint_t *ep);
/* The slots live for VM or for the kernel model, a bit each (the others are free on
 * both sides), in one pass: the leak oracle's walks visit only these. */
void host_slots_live(uint32_t live[NR_PROCS / 32]);
/* End ep with VM's exit handlers called directly, as if from pm (outside the loop);
 * a VM panic inside shows in *o. */
void host_end_direct(endpoint_t pm, endpoint_t ep, struct outcome *o);
/* Empty VM's block cache of device dev through VM_CLEARCACHE's handler, directly. */
void host_clear_cache(int32_t dev, struct outcome *o);
/* Release VM's DMA row (ep, start, size) through VM_DELDMA's handler, directly. */
void host_release_dma(endpoint_t ep, uint32_t start, uint32_t size, struct outcome *o);
/* Answer every request VM's VFS queue holds as the boot VFS would, failing them
 * (EIO), through VM_VFS_REPLY's handler, directly (nothing when VFS is gone: its exit
 * failed them). */
void host_vfs_drain(struct outcome *o);
/* Planted leaks (self-test): 0 pages, 1 slab object, 2 ACL entry. */
void host_plant_leak(int what);
/* Planted kernel slot leak: the kernel keeps slot s live. */
void host_plant_kslot(int32_t s);

#endif
