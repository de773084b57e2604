/* layout.h - address-space layout shared by the kernel, VM and the hosted model. */
#ifndef VMFUZZ_LAYOUT_H
#define VMFUZZ_LAYOUT_H

#define PAGE_SIZE  4096u
#define PAGE_SHIFT 12
#define PAGE_MASK  (PAGE_SIZE - 1)

/* i386 two-level paging. */
#define PDE_ENTRIES 1024
#define PTE_ENTRIES 1024
#define BIG_PAGE_SIZE (4u << 20)

#define PTE_P   0x001u /* present */
#define PTE_W   0x002u /* writable */
#define PTE_U   0x004u /* user */
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_A   0x020u /* accessed */
#define PTE_D   0x040u /* dirty */
#define PDE_PS  0x080u /* 4 MiB page (kernel identity map only) */
#define PTE_ADDR_MASK 0xFFFFF000u

/* Physical memory: at most 128 MiB, identity-mapped supervisor-only by the kernel
 * through the first KERNEL_PDE_COUNT directory entries (4 MiB pages) of every
 * address space.  VM's own page table (built by the kernel) makes the same range
 * user-accessible: that is VM's window onto RAM, so phys_ptr(p) is p there. */
#define PHYS_MAX        (128u << 20)
/* RAM of the hosted build (stubs/hosted.h), [1 MiB, FUZZ_RAM_SIZE) of it VM's pool,
 * and the same pool in the fuzz image (kernel/boot.c), so an input runs out of memory
 * at the same point in both.  Sized for fuzzing: what an execution can map, and so
 * what checking and undoing it costs, is bounded by it, and out-of-memory paths are
 * reached with a few large requests. */
#define FUZZ_RAM_SIZE   (8u << 20)
#define PHYS_MAX_PAGES  (PHYS_MAX / PAGE_SIZE)
#define KERNEL_PDE_COUNT (PHYS_MAX / BIG_PAGE_SIZE) /* 32 */

/* User address space [USER_BASE, USER_TOP). */
#define USER_BASE   0x08000000u
#define USER_TOP    0xF0000000u
#define TEXT_VADDR  0x08048000u /* where boot images are linked */
#define MMAP_BASE   0x20000000u /* search range for mmap without a usable hint */
#define MMAP_TOP    0xE0000000u
#define STACK_TOP   USER_TOP
#define BOOT_STACK_SIZE (64u << 10)

#endif
