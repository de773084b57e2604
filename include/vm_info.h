/* vm_info.h - the structures VM_INFO copies to the caller's buffer (MINIX's
 * vm_stats_info, vm_usage_info and vm_region_info, with fixed-width fields). */
#ifndef VMFUZZ_VM_INFO_H
#define VMFUZZ_VM_INFO_H

#include <stdint.h>

struct vm_stats_info {  /* VMIW_STATS */
	uint32_t pagesize;  /* bytes per page */
	uint32_t total;     /* pages VM manages */
	uint32_t free;      /* free pages */
	uint32_t largest;   /* longest run of free pages */
	uint32_t cached;    /* pages in the block cache */
};

/* VMIW_USAGE of a process, or of the kernel for a negative endpoint (any kernel task,
 * as MINIX): then total = vtotal = mvirtual = the bytes of VM's pages in use that back
 * no process's or the cache's memory (page directories and tables, slab, large page
 * maps), maxrss = total in pages, and common, shared, minflt, majflt are 0. */
struct vm_usage_info {  /* VMIW_USAGE */
	uint32_t total;     /* bytes of memory backing the process */
	uint32_t common;    /* of those, bytes shared with another process */
	uint32_t shared;    /* bytes of shared-memory regions */
	uint32_t vtotal;    /* bytes of address space in regions */
	uint32_t mvirtual;  /* of those, bytes in the mmap range */
	uint32_t maxrss;    /* largest total seen, in pages */
	uint32_t minflt;    /* minor page faults served */
	uint32_t majflt;    /* major page faults served */
};

struct vm_region_info { /* VMIW_REGION, one per region */
	uint32_t addr, length;
	uint32_t prot;      /* PROT_READ | PROT_WRITE */
	uint32_t flags;     /* VR_* */
};

_Static_assert(sizeof(struct vm_stats_info) == 20, "vm_stats_info layout");
_Static_assert(sizeof(struct vm_usage_info) == 32, "vm_usage_info layout");
_Static_assert(sizeof(struct vm_region_info) == 16, "vm_region_info layout");


/* VM_GETRUSAGE fills this at addr in PM (MINIX fills the memory fields of PM's
 * struct rusage; the layout here is fixed-width and VM's own). */
struct vm_rusage_info {
	uint32_t maxrss;    /* largest resident size seen, in KiB */
	uint32_t minflt;    /* minor page faults served */
	uint32_t majflt;    /* major page faults served */
};
_Static_assert(sizeof(struct vm_rusage_info) == 12, "vm_rusage_info layout");

#endif
