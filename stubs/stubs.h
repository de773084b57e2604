/* stubs.h - prototypes shared between the files of stubs/ (not used outside it),
 * grouped by the file that implements them. */
#ifndef VMFUZZ_STUBS_H
#define VMFUZZ_STUBS_H

#include <stdint.h>
#include "hosted.h"

#define HOSTED_RAM_PAGES (HOSTED_RAM_SIZE / PAGE_SIZE)

/* ---- ram.c ---- */
/* Allocate the RAM array (first call only). */
void ram_init(void);
/* Zero all RAM, drop every poisoning and mark every page dirty (boot). */
void ram_reset(void);
/* True when [phys, phys+len) lies inside RAM (no wrap). */
int ram_range_ok(uint32_t phys, uint32_t len);
/* Read-only view of RAM (no dirty marking); the range must be ram_range_ok. */
const uint8_t *ram_view(uint32_t phys);
/* Remember RAM contents and poisoning as the restore point and clear the dirty
 * bitmap.  free_bits is VM's allocator bitmap (1 = free page): pages handed out
 * before the snapshot and not free are restored every time (VM caches pointers). */
void ram_snapshot(const uint32_t *free_bits);
/* Put every dirty or sticky page back as it was at ram_snapshot (contents and
 * poisoning); free_bits is VM's allocator bitmap before its state is restored (under
 * ASan a page blank at the snapshot and free and wholly poisoned now is skipped). */
void ram_restore(const uint32_t *free_bits);
/* Fill every page free in free_bits with FREE_PATTERN, keeping its poisoning (boot:
 * free RAM looks like RAM VM freed). */
void ram_fill_free(const uint32_t *free_bits);
/* Page phys need not be restored every time: VM never keeps a pointer into it (a
 * page table, reached through phys_ptr at each use), so a write marks it dirty. */
void ram_unstick(uint32_t phys);
/* Forget which pages phys_ptr handed out so far (the kernel model's own writes
 * at boot leave no pointer in VM). */
void ram_forget_touched(void);
/* Number of pages restore copies back every time. */
uint32_t ram_sticky_pages(void);
/* True once ram_snapshot has run. */
int ram_has_snapshot(void);
/* Fold all of RAM into an FNV-1a style 64-bit hash h. */
uint64_t ram_hash(uint64_t h);

/* ---- kmodel.c ---- */
/* Reset the kernel model to boot: boot processes placed in RAM, VM in its slot. */
void kmodel_init(int sanity_level);
/* The kernel's entry of a live endpoint (INUSE, matching generation), or NULL. */
struct kproc *kproc_live(endpoint_t ep);

/* ---- feed.c ---- */
/* Empty the feed, the reply log and the send-failure countdown. */
void feed_reset(void);
/* Run vm_step() until the feed is empty. */
void feed_drain(void);

/* ---- console.c ---- */
/* While off != 0, seam_fault says 0 without asking the hook. */
void hosted_faults_off(int off);
/* Print "hosted: <why>" on stderr and abort (a bug of the bench, not a finding). */
__attribute__((noreturn)) void hosted_die(const char *why);

/* ---- mmu.c ---- */
/* Walk ep's page tables like a user access of the CPU (see mmu_translate), without
 * the liveness check: kp is the process's kernel entry. */
int mmu_walk(const struct kproc *kp, uint32_t vaddr, int write, uint32_t *phys);

#endif
