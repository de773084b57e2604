/* bootinfo.h - the boot description the kernel (or the hosted model) hands VM. */
#ifndef VMFUZZ_BOOTINFO_H
#define VMFUZZ_BOOTINFO_H

#include <stdint.h>
#include "ipc.h"
#include "layout.h"

#define BOOT_MAX_PROCS 8
#define BOOT_MAX_SEGS  3
#define BOOT_MAX_MEM   8

#define SEG_W 0x1 /* writable */
#define SEG_X 0x2 /* executable */

/* One loaded segment: memsz bytes at vaddr, backed by contiguous physical pages
 * starting at phys (page-aligned; bytes past filesz are already zero). */
struct boot_seg {
	uint32_t phys, vaddr, filesz, memsz, flags;
};

struct boot_proc {
	int32_t slot;
	endpoint_t endpt;
	int32_t is_sys;
	uint32_t nsegs;
	struct boot_seg seg[BOOT_MAX_SEGS];
	uint32_t stack_top, stack_size; /* demand-zero stack region below stack_top */
	vm_callmask_t mask;
	char name[8];
};

struct mem_range {
	uint32_t base, size; /* page-aligned */
};

struct boot_info {
	uint32_t nprocs;              /* every boot process except VM itself */
	struct boot_proc proc[BOOT_MAX_PROCS];
	uint32_t nmem;                /* RAM VM may manage; boot segments lie inside it */
	struct mem_range mem[BOOT_MAX_MEM];
	uint32_t kern_pde[KERNEL_PDE_COUNT]; /* supervisor entries copied into every directory */
	endpoint_t vm_endpt;
	int32_t sanity_level;         /* boot parameter: SCL_NONE..SCL_DETAIL */
};

#endif
