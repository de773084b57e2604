/* boot_table.h - the boot processes and their initial VM call masks.
 *
 * B(slot, name, is_sys, mask, text_pages, data_pages)
 *   slot:    MINIX process slot (generation 0, so endpoint == slot)
 *   is_sys:  1 = system service (own ACL entry), 0 = user process (shared USER ACL)
 *   mask:    the VM calls it may make (like MINIX's system.conf); VM itself is always
 *            allowed.  PAGEFAULT is not a call of the mask.
 *   text_pages, data_pages: the image sizes the hosted kernel model synthesises (the
 *            QEMU image takes the real sizes from the ELF modules).
 * BOOT_PROCS_FUZZ adds the guest agent of the fuzz image; the hosted build always has
 * it, so one conversation replays the same in both. */
#ifndef VMFUZZ_BOOT_TABLE_H
#define VMFUZZ_BOOT_TABLE_H

#include "ipc.h"

#define MASK_PM   (VM_BASIC_CALLS | VM_CALL_BIT(VMC_EXIT) | VM_CALL_BIT(VMC_FORK) | \
		   VM_CALL_BIT(VMC_EXEC_NEWMEM) | VM_CALL_BIT(VMC_WILLEXIT) | VM_CALL_BIT(VMC_GETRUSAGE) | \
		   VM_CALL_BIT(VMC_PUSH_SIG) | VM_CALL_BIT(VMC_NOTIFY_SIG))
#define MASK_VFS  (VM_BASIC_CALLS | VM_CALL_BIT(VMC_PROCCTL) | VM_CALL_BIT(VMC_VFS_MMAP) | \
		   VM_CALL_BIT(VMC_VFS_REPLY) | VM_CALL_BIT(VMC_SETCACHEPAGE)) /* VFS fills the cache
		   * with the pages of its in-memory files (it is their file system too) */
#define MASK_RS   (VM_BASIC_CALLS | VM_CALL_BIT(VMC_RS_SET_PRIV) | VM_CALL_BIT(VMC_RS_UPDATE) | \
		   VM_CALL_BIT(VMC_RS_MEMCTL) | VM_CALL_BIT(VMC_PROCCTL) | VM_CALL_BIT(VMC_RS_PREPARE) | \
		   VM_CALL_BIT(VMC_WATCH_EXIT) | VM_CALL_BIT(VMC_QUERY_EXIT))
#define MASK_NONE ((vm_callmask_t)0)
#define MASK_USER VM_BASIC_CALLS /* the shared mask of every user process */

#define BOOT_PROCS(B)                                  \
	B(PM_PROC_NR, "pm", 1, MASK_PM, 8, 4)          \
	B(VFS_PROC_NR, "vfs", 1, MASK_VFS, 8, 4)       \
	B(RS_PROC_NR, "rs", 1, MASK_RS, 8, 4)          \
	B(VM_PROC_NR, "vm", 1, MASK_NONE, 0, 0)        \
	B(INIT_PROC_NR, "init", 0, MASK_USER, 4, 2)

#define BOOT_PROCS_FUZZ(B) \
	B(AGENT_PROC_NR, "agent", 0, MASK_USER, 4, 2)

/* The byte at offset off of segment seg (0 text, 1 data) of the synthetic boot image
 * of slot, which the hosted model and the fuzz image both load, so the two builds
 * boot the same memory. */
static inline uint8_t boot_image_byte(int32_t slot, int seg, uint32_t off)
{
	return (uint8_t)(0x40u + (uint32_t)slot * 0x11u + (uint32_t)seg * 0x05u + off * 3u + (off >> 9));
}

#endif
