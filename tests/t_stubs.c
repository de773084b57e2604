/* t_stubs.c - the hosted platform itself: RAM, dirty pages and restore, the MMU
 * walker, kernel calls, the IPC feed, boot description and digest.
 *
 * Tests of the walker and of kc_copy build their own page tables in the kernel's
 * reserved first megabyte (VM never touches it) for a process the kernel model
 * forks behind VM's back, so they do not depend on how VM maps anything. */
#include <string.h>
#include "helpers.h"
#include "test.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define HAVE_ASAN 1
#endif
#endif

/* Physical pages of the hand-made address space (all below HOSTED_KERNEL_RESERVED). */
#define H_PDIR  0x10000u
#define H_PT    0x11000u /* user page table for 0x08000000..0x083FFFFF */
#define H_RO    0x12000u
#define H_RW    0x13000u
#define H_SUP   0x14000u
#define H_PTSUP 0x15000u /* page table behind a supervisor-only PDE */
/* Its virtual pages. */
#define V_RO    0x08048000u /* H_RO, user, read-only */
#define V_RW    0x08049000u /* H_RW, user, writable */
#define V_SUP   0x0804A000u /* H_SUP, supervisor, writable */
#define V_NONE  0x0804B000u /* not mapped */
#define V_SUPPD 0x08400000u /* user writable PTE under a supervisor PDE */
#define V_BIG   0x10000000u /* 4 MiB user writable page at phys 4 MiB */
#define V_BIGRO 0x10400000u /* 4 MiB user read-only page, also at phys 4 MiB */

_Static_assert(H_PTSUP + PAGE_SIZE <= HOSTED_KERNEL_RESERVED, "hand-made tables in the reserved range");

static void put32(uint32_t phys, uint32_t v)
{
	memcpy(phys_ptr(phys, 4), &v, 4);
}

/* Fork a process in the kernel model only (VM does not know it) and give it the
 * hand-made address space above.  Returns its endpoint. */
static endpoint_t hand_proc(void)
{
	endpoint_t ep;
	int32_t slot = free_slot();

	CHECK(slot >= 0);
	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &ep), VM_OK);
	memset(phys_ptr(H_PDIR, 6 * PAGE_SIZE), 0, 6 * PAGE_SIZE);
	memcpy(phys_ptr(H_PDIR, sizeof kmodel.kern_pde), kmodel.kern_pde, sizeof kmodel.kern_pde);
	put32(H_PDIR + (V_RO >> 22) * 4, H_PT | PTE_P | PTE_W | PTE_U);
	put32(H_PDIR + (V_SUPPD >> 22) * 4, H_PTSUP | PTE_P | PTE_W);
	put32(H_PDIR + (V_BIG >> 22) * 4, 0x00400000u | PTE_P | PTE_W | PTE_U | PDE_PS);
	put32(H_PDIR + (V_BIGRO >> 22) * 4, 0x00400000u | PTE_P | PTE_U | PDE_PS);
	put32(H_PT + ((V_RO >> 12) & 1023) * 4, H_RO | PTE_P | PTE_U);
	put32(H_PT + ((V_RW >> 12) & 1023) * 4, H_RW | PTE_P | PTE_W | PTE_U);
	put32(H_PT + ((V_SUP >> 12) & 1023) * 4, H_SUP | PTE_P | PTE_W);
	put32(H_PTSUP + 0, H_RW | PTE_P | PTE_W | PTE_U);
	CHECK_EQ(kc_addrspace(ep, H_PDIR), VM_OK);
	return ep;
}

TEST(STUB0001, "phys_ptr marks the touched pages dirty and hosted_restore reverts a RAM write")
{
	uint8_t *p;

	CHECK_EQ(hosted_dirty_pages(), 0);
	p = phys_ptr(0x20FFC, 8); /* straddles two pages */
	memset(p, 0xA5, 8);
	CHECK_EQ(hosted_dirty_pages(), 2);
	(void)phys_ptr(0x21000, 0); /* an empty range touches nothing */
	CHECK_EQ(hosted_dirty_pages(), 2);
	hosted_restore();
	CHECK_EQ(hosted_dirty_pages(), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(hosted_ram[0x20FFC + i], 0);
}

static void phys_ptr_past_end(void)
{
	(void)phys_ptr(HOSTED_RAM_SIZE - 4, 8);
}

static void phys_ptr_wrapping(void)
{
	(void)phys_ptr(0xFFFFF000u, 0x2000);
}

TEST(STUB0002, "phys_ptr of a range past the end of RAM or wrapping 4 GiB is an internal panic")
{
	const char *why = NULL;

	CHECK(test_expect_panic(phys_ptr_past_end, &why));
	CHECK(why != NULL);
	CHECK(test_expect_panic(phys_ptr_wrapping, NULL));
	CHECK(phys_ptr(HOSTED_RAM_SIZE - 4, 4) == hosted_ram + HOSTED_RAM_SIZE - 4);
}

TEST(STUB0003, "the MMU walker refuses user access to supervisor pages and writes to read-only PTEs")
{
	endpoint_t ep = hand_proc();
	uint32_t phys = 0;

	CHECK_EQ(mmu_translate(ep, V_RO + 0x123, 0, &phys), VM_OK);
	CHECK_EQ(phys, H_RO + 0x123);
	CHECK_EQ(mmu_translate(ep, V_RO, 1, &phys), PFERR_PRESENT | PFERR_WRITE | PFERR_USER);
	CHECK_EQ(mmu_translate(ep, V_RW + 4, 1, &phys), VM_OK);
	CHECK_EQ(phys, H_RW + 4);
	CHECK_EQ(mmu_translate(ep, V_SUP, 0, &phys), PFERR_PRESENT | PFERR_USER);
	CHECK_EQ(mmu_translate(ep, V_SUPPD, 0, &phys), PFERR_PRESENT | PFERR_USER);
	CHECK_EQ(mmu_translate(ep, 0x1000, 0, &phys), PFERR_PRESENT | PFERR_USER); /* kernel PDE */
	CHECK_EQ(mmu_translate(ep, V_NONE, 0, &phys), PFERR_USER);
	CHECK_EQ(mmu_translate(ep, V_NONE, 1, &phys), PFERR_WRITE | PFERR_USER);
	CHECK_EQ(mmu_translate(ep, 0x40000000u, 0, &phys), PFERR_USER); /* no PDE */
	CHECK_EQ(mmu_translate(ep_make(7, 200), V_RO, 0, &phys), VM_ESRCH);
}

TEST(STUB0004, "the MMU walker translates 4 MiB PS pages and honours their write bit")
{
	endpoint_t ep = hand_proc();
	uint32_t phys = 0;

	CHECK_EQ(mmu_translate(ep, V_BIG + 0x123454, 1, &phys), VM_OK);
	CHECK_EQ(phys, 0x00523454u);
	CHECK_EQ(mmu_translate(ep, V_BIGRO + 0x3FFFFC, 0, &phys), VM_OK);
	CHECK_EQ(phys, 0x007FFFFCu);
	CHECK_EQ(mmu_translate(ep, V_BIGRO, 1, &phys), PFERR_PRESENT | PFERR_WRITE | PFERR_USER);
}

TEST(STUB0005, "kc_copy gives VM_EFAULT on an unmapped or read-only destination and copies nothing")
{
	endpoint_t ep = hand_proc();
	uint32_t v = 0;

	memset(phys_ptr(H_RO, 16), 0x5A, 16);
	memset(phys_ptr(H_RW, PAGE_SIZE), 0, PAGE_SIZE);
	CHECK_EQ(kc_copy(ep, V_RO, ep, V_NONE, 16), VM_EFAULT);
	CHECK_EQ(kc_copy(ep, V_RO, ep, V_RO, 16), VM_EFAULT);
	CHECK_EQ(kc_copy(ep, V_RO, ep, V_SUP, 16), VM_EFAULT);
	CHECK_EQ(kc_copy(ep, V_RO, ep, V_RW + PAGE_SIZE - 8, 16), VM_EFAULT); /* runs into V_SUP */
	CHECK_EQ(hosted_ram[H_RW + PAGE_SIZE - 8], 0);                       /* nothing copied */
	CHECK_EQ(kc_copy(ep, V_NONE, ep, V_RW, 16), VM_EFAULT);
	CHECK_EQ(kc_copy(ep, 0xFFFFFFF0u, ep, V_RW, 0x20), VM_EFAULT); /* wraps */
	CHECK_EQ(kc_copy(ep, V_RO, ep, V_RW + 4, 16), VM_OK);
	CHECK_EQ(hosted_ram[H_RW + 4], 0x5A);
	CHECK_EQ(hosted_ram[H_RW + 19], 0x5A);
	CHECK_EQ(hosted_ram[H_RW + 20], 0);
	/* VM's own side is its physical window. */
	put32(0x30000, 0xFEEDF00Du);
	CHECK_EQ(kc_copy(VM_PROC_NR, 0x30000, ep, V_RW + 64, 4), VM_OK);
	CHECK_EQ(proc_read32(ep, V_RW + 64, &v), VM_OK);
	CHECK_EQ(v, 0xFEEDF00Du);
	CHECK_EQ(kc_copy(ep_make(3, 200), V_RO, ep, V_RW, 4), VM_EINVAL);
	CHECK_EQ(kc_copy(ep, V_RO, ep, V_RW, 0), VM_OK);
	CHECK_EQ(feed_pending(), 0); /* never a page fault */
}

TEST(STUB0006, "a slot's generation increments each time fork reuses it, also after kc_fork_abort")
{
	int32_t slot = free_slot();
	int32_t g0 = kmodel.proc[slot].generation;
	endpoint_t e1, e2, e3, ex;

	CHECK_EQ(kmodel.proc[slot].ever_used, 0);
	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &e1), VM_OK);
	CHECK_EQ(ep_generation(e1), g0 + 1);
	CHECK_EQ(ep_slot(e1), slot);
	CHECK(kmodel.proc[slot].flags & KP_STOPPED);
	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &ex), VM_EBUSY);
	CHECK_EQ(kc_exit(e1), VM_OK);
	CHECK_EQ(kc_exit(e1), VM_EINVAL);
	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &e2), VM_OK);
	CHECK_EQ(ep_generation(e2), g0 + 2);
	CHECK(e2 != e1);
	CHECK_EQ(kc_addrspace(e1, H_PDIR), VM_EINVAL); /* stale generation */
	CHECK_EQ(kc_exit(e2), VM_OK);
	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &e3), VM_OK);
	CHECK_EQ(ep_generation(e3), g0 + 3);
	CHECK_EQ(kc_fork_abort(e3), VM_OK);
	CHECK_EQ(kmodel.proc[slot].flags, 0);
	CHECK_EQ(kc_fork_abort(e3), VM_EINVAL);
	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &e3), VM_OK);
	CHECK_EQ(ep_generation(e3), g0 + 4);
	CHECK_EQ(kc_fork_abort(PM_PROC_NR), VM_EINVAL); /* a boot process never is a fork child */
	CHECK_EQ(kc_fork(PM_PROC_NR, NR_PROCS, &ex), VM_EINVAL);
	CHECK_EQ(kc_fork(PM_PROC_NR, -1, &ex), VM_EINVAL);
	CHECK_EQ(kc_fork(e2, slot, &ex), VM_EINVAL); /* dead parent */
	CHECK_EQ(kc_fork(VM_PROC_NR, slot, &ex), VM_EINVAL);
	CHECK_EQ(kc_kill(INIT_PROC_NR, SIGSEGV), VM_OK);
	CHECK_EQ(kc_fork(INIT_PROC_NR, free_slot(), &ex), VM_EINVAL); /* killed parent */
}

TEST(STUB0007, "the boot description has every boot process but VM, with text, data, stack and its image in RAM")
{
	static const int32_t slots[] = { PM_PROC_NR, VFS_PROC_NR, RS_PROC_NR, INIT_PROC_NR, AGENT_PROC_NR };
	struct boot_info bi;
	uint32_t next_phys = HOSTED_KERNEL_RESERVED;

	CHECK_EQ(kc_bootinfo(&bi), VM_OK);
	CHECK_EQ(bi.nprocs, 5);
	CHECK_EQ(bi.vm_endpt, VM_PROC_NR);
	CHECK_EQ(bi.sanity_level, 2);
	CHECK_EQ(bi.nmem, 1);
	CHECK_EQ(bi.mem[0].base, HOSTED_KERNEL_RESERVED);
	CHECK_EQ(bi.mem[0].size, HOSTED_RAM_SIZE - HOSTED_KERNEL_RESERVED);
	CHECK_EQ(bi.kern_pde[1], (1u << 22) | PTE_P | PTE_W | PDE_PS);
	for (uint32_t i = 0; i < bi.nprocs; i++) {
		const struct boot_proc *bp = &bi.proc[i];
		const struct boot_seg *t = &bp->seg[0], *d = &bp->seg[1];

		CHECK_EQ(bp->slot, slots[i]);
		CHECK_EQ(bp->endpt, slots[i]);
		CHECK(bp->name[0] != 0);
		CHECK_EQ(bp->nsegs, 2);
		CHECK_EQ(t->vaddr, TEXT_VADDR);
		CHECK_EQ(t->flags, SEG_X);
		CHECK(t->memsz > 0 && t->filesz == t->memsz);
		CHECK_EQ(d->vaddr, TEXT_VADDR + t->memsz);
		CHECK_EQ(d->flags, SEG_W);
		CHECK(d->filesz < d->memsz);
		CHECK_EQ(t->phys, next_phys);
		CHECK_EQ(d->phys, t->phys + t->memsz);
		next_phys = d->phys + d->memsz;
		CHECK_EQ(bp->stack_top, STACK_TOP);
		CHECK_EQ(bp->stack_size, BOOT_STACK_SIZE);
		CHECK_EQ(hosted_ram[t->phys + 777], hosted_boot_byte(bp->slot, 0, 777));
		CHECK_EQ(hosted_ram[d->phys + d->filesz - 1], hosted_boot_byte(bp->slot, 1, d->filesz - 1));
		CHECK_EQ(hosted_ram[d->phys + d->filesz], 0);
	}
	CHECK_EQ(bi.proc[0].mask, MASK_PM);
	CHECK_EQ(bi.proc[0].is_sys, 1);
	CHECK_EQ(bi.proc[3].is_sys, 0);
	CHECK(kmodel.proc[VM_PROC_NR].flags & KP_INUSE);
}

TEST(STUB0008, "the digest after a restore equals the digest after a fresh boot")
{
	uint64_t d0 = hosted_digest();
	uint32_t v;

	CHECK_EQ(proc_write32(INIT_PROC_NR, STACK_TOP - 4, 0x12345678), VM_OK);
	CHECK(hosted_digest() != d0);
	hosted_restore();
	CHECK_EQ(hosted_digest(), d0);
	CHECK_EQ(proc_read32(INIT_PROC_NR, STACK_TOP - 4, &v), VM_OK);
	CHECK_EQ(v, 0);
	hosted_boot(2);
	CHECK_EQ(hosted_digest(), d0);
	hosted_boot(2);
	CHECK_EQ(hosted_digest(), d0);
}

TEST(STUB0009, "a user access to a missing page is served through a kernel VM_PAGEFAULT and retried")
{
	uint32_t v = 1, stack_before = proc_backed_pages(vmp_of(INIT_PROC_NR));

	CHECK_EQ(proc_write32(INIT_PROC_NR, STACK_TOP - 0x2000, 0xABCD0123), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, STACK_TOP - 0x2000, &v), VM_OK);
	CHECK_EQ(v, 0xABCD0123);
	CHECK_EQ(proc_backed_pages(vmp_of(INIT_PROC_NR)), stack_before + 1);
	CHECK_EQ(kmodel.proc[INIT_PROC_NR].flags & (KP_PAGEFAULT | KP_KILLED), 0);
	CHECK_EQ(feed_pending(), 0);
	CHECK_EQ(proc_read32(INIT_PROC_NR, STACK_TOP - 2, &v), VM_EINVAL); /* misaligned */
	CHECK_EQ(proc_read32(ep_make(9, 77), STACK_TOP - 4, &v), VM_ESRCH);
}

TEST(STUB0010, "a write to read-only boot text gets SIGSEGV from VM and the access fails")
{
	CHECK_EQ(proc_write32(INIT_PROC_NR, TEXT_VADDR, 1), VM_EFAULT);
	CHECK(kmodel.proc[INIT_PROC_NR].flags & KP_KILLED);
	CHECK_EQ(kmodel.proc[INIT_PROC_NR].last_signal, SIGSEGV);
	CHECK_EQ(kmodel.proc[INIT_PROC_NR].flags & KP_PAGEFAULT, 0);
	CHECK_EQ(hosted_ram[boot_proc_of(INIT_PROC_NR)->seg[0].phys], hosted_boot_byte(INIT_PROC_NR, 0, 0));
}

TEST(STUB0011, "a fault VM does not clear leaves the process blocked and the access fails without retries")
{
	endpoint_t ep = hand_proc(); /* VM does not know this process */
	uint32_t v;

	CHECK_EQ(proc_read32(ep, V_NONE, &v), VM_EFAULT);
	CHECK(kmodel.proc[ep_slot(ep)].flags & KP_PAGEFAULT);
	CHECK_EQ(feed_pending(), 0);
	CHECK_EQ(proc_read32(ep, V_RO, &v), VM_EFAULT); /* still blocked */
	CHECK_EQ(kc_clear_pagefault(ep), VM_OK);
	CHECK_EQ(proc_read32(ep, V_RO, &v), VM_OK);
}

TEST(STUB0012, "the feed is FIFO with status flags and receive says VM_EAGAIN when it is empty")
{
	message a = msg_zero(), b = msg_zero(), got;
	uint32_t st = 0;

	a.m_type = 1, b.m_type = 2;
	feed_push(&a, IPC_FLG_NOTIFY);
	feed_push(&b, IPC_FLG_MSG_FROM_KERNEL);
	CHECK_EQ(feed_pending(), 2);
	CHECK_EQ(seam_receive(&got, &st), VM_OK);
	CHECK_EQ(got.m_type, 1);
	CHECK_EQ(st, IPC_FLG_NOTIFY);
	CHECK_EQ(seam_receive(&got, &st), VM_OK);
	CHECK_EQ(got.m_type, 2);
	CHECK_EQ(st, IPC_FLG_MSG_FROM_KERNEL);
	CHECK_EQ(seam_receive(&got, &st), VM_EAGAIN);
}

TEST(STUB0013, "the reply log counts every reply exactly and keeps the last REPLY_LOG_MAX")
{
	message m = msg_zero();
	uint32_t n = REPLY_LOG_MAX + 6, before = kmodel.replies;

	feed_reset_replies();
	for (uint32_t i = 0; i < n; i++) {
		m.m_type = (int32_t)i;
		CHECK_EQ(seam_send_nb(PM_PROC_NR, &m), VM_OK);
	}
	CHECK_EQ(reply_count(), n);
	CHECK_EQ(kmodel.replies, before + n);
	CHECK(reply_get(5) == NULL);
	CHECK_EQ(reply_get(6)->m.m_type, 6);
	CHECK_EQ(reply_get(n - 1)->m.m_type, (int32_t)n - 1);
	CHECK_EQ(reply_get(n - 1)->dst, PM_PROC_NR);
	CHECK(reply_get(n) == NULL);
}

TEST(STUB0014, "sends to a dead endpoint or while feed_fail_sends is active fail with EDEADSRCDST, unlogged")
{
	message m = msg_zero();
	uint32_t fails = kmodel.reply_failures;

	feed_reset_replies();
	CHECK_EQ(seam_send_nb(ep_make(1, PM_PROC_NR), &m), VM_EDEADSRCDST);
	CHECK_EQ(seam_send_nb(200, &m), VM_EDEADSRCDST);
	feed_fail_sends(2);
	CHECK_EQ(seam_send_nb(PM_PROC_NR, &m), VM_EDEADSRCDST);
	CHECK_EQ(seam_send_nb(PM_PROC_NR, &m), VM_EDEADSRCDST);
	CHECK_EQ(seam_send_nb(PM_PROC_NR, &m), VM_OK);
	CHECK_EQ(reply_count(), 1);
	CHECK_EQ(kmodel.reply_failures, fails + 4);
}

TEST(STUB0015, "hosted_call returns the reply to the sender, and VM_SUSPEND when the reply fails")
{
	message m = msg_zero();
	uint32_t failed = vm.reply_failed;

	CHECK_EQ(hosted_call(INIT_PROC_NR, VM_RQ_BASE + 6, &m), VM_ENOSYS); /* no call 6 */
	CHECK_EQ(m.m_type, VM_ENOSYS);
	CHECK_EQ(feed_pending(), 0);
	feed_fail_sends(1);
	m = msg_zero();
	CHECK_EQ(hosted_call(INIT_PROC_NR, VM_RQ_BASE + 6, &m), VM_SUSPEND);
	CHECK_EQ(vm.reply_failed, failed + 1);
}

TEST(STUB0016, "kc_privquery_mem allows only the MEM and TTY slots, inside the device window")
{
	endpoint_t mem;

	CHECK_EQ(kc_fork(PM_PROC_NR, MEM_PROC_NR, &mem), VM_OK);
	CHECK_EQ(kc_privquery_mem(mem, 0xB8000, 0x8000), VM_OK);
	CHECK_EQ(kc_privquery_mem(mem, 0xA0000, 0x60000), VM_OK);
	CHECK_EQ(kc_privquery_mem(mem, 0xA0000, 0x60001), VM_EPERM);
	CHECK_EQ(kc_privquery_mem(mem, 0x200000, 0x1000), VM_EPERM);
	CHECK_EQ(kc_privquery_mem(mem, 0xFFFFF000u, 0x2000), VM_EPERM);
	CHECK_EQ(kc_privquery_mem(PM_PROC_NR, 0xB8000, 0x1000), VM_EPERM);
	CHECK_EQ(kc_privquery_mem(INIT_PROC_NR, 0xB8000, 0x1000), VM_EPERM);
	CHECK_EQ(kc_privquery_mem(ep_make(ep_generation(mem) + 1, MEM_PROC_NR), 0xB8000, 0x1000), VM_EPERM);
}

TEST(STUB0017, "kc_update swaps two slots' running state and keeps their endpoints; not while killed")
{
	struct kproc a = kmodel.proc[INIT_PROC_NR], b = kmodel.proc[AGENT_PROC_NR];

	CHECK(a.pdir != b.pdir);
	CHECK_EQ(kc_update(INIT_PROC_NR, AGENT_PROC_NR), VM_OK);
	CHECK_EQ(kmodel.proc[INIT_PROC_NR].pdir, b.pdir);
	CHECK_EQ(kmodel.proc[AGENT_PROC_NR].pdir, a.pdir);
	CHECK_EQ(kmodel.proc[INIT_PROC_NR].endpt, INIT_PROC_NR);
	CHECK_EQ(kmodel.proc[AGENT_PROC_NR].endpt, AGENT_PROC_NR);
	CHECK_EQ(kc_update(INIT_PROC_NR, INIT_PROC_NR), VM_EINVAL);
	CHECK_EQ(kc_update(INIT_PROC_NR, VM_PROC_NR), VM_EINVAL);
	CHECK_EQ(kc_kill(INIT_PROC_NR, SIGKILL), VM_OK);
	CHECK_EQ(kc_kill(INIT_PROC_NR, SIGSEGV), VM_OK);
	CHECK_EQ(kmodel.proc[INIT_PROC_NR].last_signal, SIGKILL); /* the first signal stays */
	CHECK_EQ(kc_kill(AGENT_PROC_NR, 0), VM_EINVAL);
	CHECK_EQ(kc_update(INIT_PROC_NR, AGENT_PROC_NR), VM_EBUSY);
}

TEST(STUB0018, "kc_addrspace wants a directory with the kernel PDEs and clears the stop; dead endpoints are refused")
{
	int32_t slot = free_slot();
	endpoint_t ep;
	uint32_t flushes = kmodel.tlb_flushes;

	CHECK_EQ(kc_fork(PM_PROC_NR, slot, &ep), VM_OK);
	memset(phys_ptr(H_PDIR, PAGE_SIZE), 0, PAGE_SIZE);
	CHECK_EQ(kc_addrspace(ep, H_PDIR), VM_EINVAL);            /* no kernel PDEs */
	memcpy(phys_ptr(H_PDIR, sizeof kmodel.kern_pde), kmodel.kern_pde, sizeof kmodel.kern_pde);
	CHECK_EQ(kc_addrspace(ep, H_PDIR + 1), VM_EINVAL);        /* not page-aligned */
	CHECK_EQ(kc_addrspace(ep, HOSTED_RAM_SIZE), VM_EINVAL);   /* outside RAM */
	CHECK_EQ(kc_addrspace(VM_PROC_NR, H_PDIR), VM_EINVAL);
	CHECK(kmodel.proc[slot].flags & KP_STOPPED);
	CHECK_EQ(kc_addrspace(ep, H_PDIR), VM_OK);
	CHECK_EQ(kmodel.proc[slot].flags, KP_INUSE);
	CHECK_EQ(kmodel.proc[slot].pdir, H_PDIR);
	CHECK_EQ(kc_flush_tlb(ep), VM_OK);
	CHECK_EQ(kmodel.tlb_flushes, flushes + 1);
	CHECK_EQ(kc_clear_pagefault(ep), VM_EINVAL); /* not blocked on a fault */
	CHECK_EQ(kc_fork_abort(ep), VM_EINVAL); /* it already ran */
	CHECK_EQ(kc_exit(ep), VM_OK);
	CHECK_EQ(kc_flush_tlb(ep), VM_EINVAL);
	CHECK_EQ(kc_clear_pagefault(ep), VM_EINVAL);
	CHECK_EQ(kc_kill(ep, SIGSEGV), VM_EINVAL);
}

#ifdef HAVE_ASAN
TEST(STUB0019, "restore puts poisoning back: pages free at the snapshot are poisoned again, others not")
{
	uint32_t phys = mem_alloc(1, 0);

	CHECK(phys != PHYS_NONE);
	CHECK(!__asan_address_is_poisoned(hosted_ram + phys)); /* allocation unpoisons */
	seam_poison(0x40000, PAGE_SIZE);
	seam_poison_obj(hosted_ram + 0x41010, 16);
	CHECK(__asan_address_is_poisoned(hosted_ram + 0x40000));
	CHECK(__asan_address_is_poisoned(hosted_ram + 0x41018));
	CHECK(!__asan_address_is_poisoned(hosted_ram + 0x41008));
	hosted_restore();
	CHECK(__asan_address_is_poisoned(hosted_ram + phys));
	CHECK(!__asan_address_is_poisoned(hosted_ram + 0x40000));
	CHECK(!__asan_address_is_poisoned(hosted_ram + 0x41018));
	CHECK_EQ(hosted_dirty_pages(), 0);
}
#endif

TEST(STUB0020, "restore reverts writes VM makes through pointers it got before the snapshot (slab, page arrays)")
{
	uint64_t d0 = hosted_digest();
	uint32_t v;

	for (uint32_t i = 0; i < 10; i++) {
		/* a fault fills a page and links slab objects into the stack region's array */
		CHECK_EQ(proc_write32(INIT_PROC_NR, STACK_TOP - 4 - PAGE_SIZE * (i % 4), i), VM_OK);
		CHECK_EQ(proc_read32(INIT_PROC_NR, STACK_TOP - 4 - PAGE_SIZE * (i % 4), &v), VM_OK);
		CHECK_EQ(v, i);
		hosted_restore();
		CHECK_EQ(hosted_digest(), d0);
		CHECK_EQ(sanity_check(), SAN_OK);
	}
}

static int fail_everything(enum fault_site site)
{
	(void)site;
	return 1;
}

TEST(STUB0021, "hosted_boot ignores the fault hook, which seam_fault consults again afterwards")
{
	uint64_t d0 = hosted_digest();

	hosted_set_fault_hook(fail_everything);
	hosted_boot(2);
	CHECK_EQ(seam_fault(FS_PAGE_ALLOC), 1);
	hosted_set_fault_hook(NULL);
	CHECK_EQ(seam_fault(FS_PAGE_ALLOC), 0);
	CHECK_EQ(hosted_digest(), d0);
}

TEST(STUB0022, "free RAM holds FREE_PATTERN from boot; taking every free page, writing and freeing half, then restoring gives the boot digest")
{
	static uint32_t got[HOSTED_RAM_SIZE / PAGE_SIZE];
	uint64_t d0 = hosted_digest();
	uint32_t n = 0, phys, free0 = mem_free_count();

	while ((phys = mem_alloc(1, 0)) != PHYS_NONE) {
		const uint8_t *p = hosted_ram + phys;
		CHECK(p[0] == FREE_PATTERN && p[PAGE_SIZE - 1] == FREE_PATTERN); /* as VM frees a page */
		memset(phys_ptr(phys, PAGE_SIZE), 0x5A, PAGE_SIZE);
		got[n++] = phys;
	}
	CHECK(n > 1000);
	for (uint32_t i = 0; i < n; i += 2)
		mem_free(got[i], 1);
	hosted_restore();
	CHECK_EQ(hosted_digest(), d0);
	CHECK_EQ(mem_free_count(), free0);
	CHECK_EQ(mem_alloc(1, 0), got[0]); /* the allocator is back too */
}
