/* kmodel.c - the hosted kernel's process table and the boot description it hands VM.
 *
 * Every boot process of include/boot_table.h but VM gets two segments, synthesised
 * from the table's page counts and placed back to back in RAM from
 * HOSTED_KERNEL_RESERVED upward:
 *   text  at TEXT_VADDR, text_pages pages, not writable (SEG_X), fully file-backed;
 *   data  right after the text, data_pages pages, writable (SEG_W), file-backed up
 *         to half a page before its end (the rest is bss, zero).
 * File bytes follow hosted_boot_byte(), so a test can tell which process and offset a page
 * came from.  The stack is demand-zero: STACK_TOP, BOOT_STACK_SIZE, no pages.
 * VM's own slot is in use (it runs on the host), without a directory. */
#include <string.h>
#include "boot_table.h"
#include "stubs.h"

struct kmodel_state kmodel;

struct boot_row {
	int32_t slot;
	const char *name;
	int32_t is_sys;
	vm_callmask_t mask;
	uint32_t text_pages, data_pages;
};

#define BOOT_ROW(slot, name, sys, mask, tp, dp) { slot, name, sys, mask, tp, dp },
static const struct boot_row boot_rows[] = { BOOT_PROCS(BOOT_ROW) BOOT_PROCS_FUZZ(BOOT_ROW) };
#undef BOOT_ROW
#define NBOOT_ROWS (sizeof boot_rows / sizeof boot_rows[0])

/* The byte at offset off of segment seg (0 text, 1 data) of the process in slot. */
uint8_t hosted_boot_byte(int32_t slot, int seg, uint32_t off)
{
	return boot_image_byte(slot, seg, off);
}

/* Fill the process part of bi (everything but VM) from the boot table. */
static void describe_procs(struct boot_info *bi)
{
	uint32_t phys = HOSTED_KERNEL_RESERVED;

	for (size_t i = 0; i < NBOOT_ROWS; i++) {
		const struct boot_row *r = &boot_rows[i];
		struct boot_proc *bp;
		uint32_t tlen = r->text_pages * PAGE_SIZE, dlen = r->data_pages * PAGE_SIZE;

		if (r->slot == VM_PROC_NR)
			continue;
		if (bi->nprocs == BOOT_MAX_PROCS)
			hosted_die("boot table has more processes than BOOT_MAX_PROCS");
		bp = &bi->proc[bi->nprocs++];
		bp->slot = r->slot;
		bp->endpt = ep_make(0, r->slot);
		bp->is_sys = r->is_sys;
		bp->mask = r->mask;
		strncpy(bp->name, r->name, sizeof bp->name - 1);
		bp->nsegs = 2;
		bp->seg[0] = (struct boot_seg){ phys, TEXT_VADDR, tlen, tlen, SEG_X };
		phys += tlen;
		bp->seg[1] = (struct boot_seg){ phys, TEXT_VADDR + tlen, dlen - PAGE_SIZE / 2, dlen, SEG_W };
		phys += dlen;
		bp->stack_top = STACK_TOP;
		bp->stack_size = BOOT_STACK_SIZE;
	}
}

/* Write the file part of every boot segment into RAM (the rest is already zero). */
static void load_images(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->nprocs; i++) {
		const struct boot_proc *bp = &bi->proc[i];

		for (uint32_t s = 0; s < bp->nsegs; s++) {
			const struct boot_seg *sg = &bp->seg[s];
			uint8_t *p = phys_ptr(sg->phys, sg->memsz);

			for (uint32_t off = 0; off < sg->filesz; off++)
				p[off] = hosted_boot_byte(bp->slot, (int)s, off);
		}
	}
}

int kc_bootinfo(struct boot_info *bi)
{
	if (!bi)
		return VM_EINVAL;
	kmodel.kcalls++;
	memset(bi, 0, sizeof *bi);
	describe_procs(bi);
	bi->nmem = 1;
	bi->mem[0] = (struct mem_range){ HOSTED_KERNEL_RESERVED, HOSTED_RAM_SIZE - HOSTED_KERNEL_RESERVED };
	memcpy(bi->kern_pde, kmodel.kern_pde, sizeof bi->kern_pde);
	bi->vm_endpt = ep_make(0, VM_PROC_NR);
	bi->sanity_level = kmodel.sanity_level;
	return VM_OK;
}

void kmodel_init(int sanity_level)
{
	struct boot_info bi;

	memset(&kmodel, 0, sizeof kmodel);
	for (int32_t s = 0; s < NR_PROCS; s++)
		kmodel.proc[s].endpt = ep_make(0, s);
	for (size_t i = 0; i < NBOOT_ROWS; i++) {
		struct kproc *kp = &kmodel.proc[boot_rows[i].slot];

		kp->flags = KP_INUSE | (boot_rows[i].slot == VM_PROC_NR ? 0 : KP_STOPPED);
		kp->ever_used = 1;
		kmodel_slot_changed(kp);
	}
	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++)
		kmodel.kern_pde[i] = (i << 22) | PTE_P | PTE_W | PDE_PS;
	kmodel.sanity_level = sanity_level;
	memset(&bi, 0, sizeof bi);
	describe_procs(&bi);
	load_images(&bi);
}

void kmodel_slot_changed(const struct kproc *kp)
{
	int32_t s = (int32_t)(kp - kmodel.proc);
	uint32_t bit = 1u << (s % 32);

	kmodel.live_bits[s / 32] &= ~bit;
	kmodel.used_bits[s / 32] &= ~bit;
	if (kp->flags & KP_INUSE)
		kmodel.live_bits[s / 32] |= bit;
	if ((kp->flags & KP_INUSE) || kp->ever_used)
		kmodel.used_bits[s / 32] |= bit;
}

int hosted_kmodel_sets_ok(void)
{
	for (int32_t s = 0; s < NR_PROCS; s++) {
		const struct kproc *kp = &kmodel.proc[s];
		uint32_t live = (kmodel.live_bits[s / 32] >> (s % 32)) & 1, used = (kmodel.used_bits[s / 32] >> (s % 32)) & 1;
		if (live != ((kp->flags & KP_INUSE) != 0) || used != ((kp->flags & KP_INUSE) || kp->ever_used))
			return 0;
	}
	return 1;
}

struct kproc *kproc_live(endpoint_t ep)
{
	int32_t slot = ep_slot(ep);
	struct kproc *kp;

	if (slot < 0 || slot >= NR_PROCS)
		return NULL;
	kp = &kmodel.proc[slot];
	if (!(kp->flags & KP_INUSE) || kp->endpt != ep)
		return NULL;
	return kp;
}
