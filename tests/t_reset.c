/* t_reset.c - snapshot, restore and digest: a restored system equals a fresh boot. */
#include "helpers.h"
#include "test.h"

/* A conversation touching every handler: fork, COW writes, mmap, munmap, brk, exit. */
static endpoint_t converse(void)
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	endpoint_t child, kept;
	uint32_t a;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, d->vaddr, 0x1234), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, d->vaddr + 4, 0x5678), VM_OK);
	CHECK_EQ(mmap_anon(child, 0, 4 * PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(child, a + PAGE_SIZE, 1), VM_OK);
	CHECK_EQ(munmap_call(child, a, PAGE_SIZE), VM_OK);
	CHECK_EQ(brk_call(child, boot_break(INIT_PROC_NR) + 2 * PAGE_SIZE), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &kept), VM_OK);
	return kept;
}

TEST(RESET0001, "the digest after restore equals the digest after a fresh boot")
{
	uint64_t restored = hosted_digest(), fresh;

	hosted_boot(2);
	fresh = hosted_digest();
	CHECK(restored == fresh);
}

TEST(RESET0002, "after a fork, write, mmap, munmap, brk and exit conversation, restore gives the boot digest again")
{
	uint64_t boot = hosted_digest();

	converse();
	CHECK(hosted_digest() != boot);
	hosted_restore();
	CHECK(hosted_digest() == boot);
}

TEST(RESET0003, "the same conversation run twice from restore leaves the same digest")
{
	uint64_t first, second;
	endpoint_t k1, k2;

	k1 = converse();
	first = hosted_digest();
	hosted_restore();
	k2 = converse();
	second = hosted_digest();
	CHECK_EQ(k1, k2);
	CHECK(first == second);
}

TEST(RESET0004, "restore undoes process memory writes: the boot contents read back")
{
	struct vir_region *d = data_region(INIT_PROC_NR);
	uint32_t before, after;

	CHECK_EQ(proc_read32(INIT_PROC_NR, d->vaddr + 40, &before), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, d->vaddr + 40, ~before), VM_OK);
	hosted_restore();
	CHECK_EQ(proc_read32(INIT_PROC_NR, d->vaddr + 40, &after), VM_OK);
	CHECK_EQ(after, before);
}

TEST(RESET0005, "restore returns the allocator, slab, ACL entries, slots and kernel process table to boot")
{
	struct baseline b;
	endpoint_t kept;

	baseline_take(&b);
	kept = converse();
	CHECK(kmodel.proc[ep_slot(kept)].flags & KP_INUSE);
	hosted_restore();
	CHECK_BASELINE(b);
	CHECK_EQ(kmodel.proc[ep_slot(kept)].flags & KP_INUSE, 0);
	CHECK(vmp_of(kept) == NULL);
	CHECK_EQ(feed_pending(), 0);
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RESET0006, "restore resets endpoint generations: a fork after restore gets the endpoint of the first fork after boot")
{
	endpoint_t first, second, again;
	int32_t slot = free_slot();

	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &first), VM_OK);
	CHECK_EQ(pm_exit(first), VM_OK);
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &second), VM_OK);
	CHECK(second != first);
	hosted_restore();
	CHECK_EQ(pm_fork(INIT_PROC_NR, slot, &again), VM_OK);
	CHECK_EQ(again, first);
}

/* Corrupt a refcount and send a message: the level-2 check panics mid-conversation. */
static void panic_mid_conversation(void)
{
	uint32_t a;

	region_page(region_first(&vm.proc[INIT_PROC_NR]), 0)->ph->refcount++;
	mmap_anon(INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, &a);
}

TEST(RESET0007, "restore after a VM panic mid-conversation gives the boot digest and a sane system")
{
	uint64_t boot = hosted_digest();
	const char *why = NULL;

	CHECK_EQ(test_expect_panic(panic_mid_conversation, &why), 1);
	hosted_restore();
	CHECK(hosted_digest() == boot);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &(endpoint_t){ 0 }), VM_OK);
}

TEST(RESET0008, "a fresh boot after a conversation gives the same digest as a fresh boot before it")
{
	uint64_t first, second;

	hosted_boot(2);
	first = hosted_digest();
	converse();
	hosted_boot(2);
	second = hosted_digest();
	CHECK(first == second);
}

TEST(RESET0009, "restore clears dirty-page tracking: no page is dirty right after restore")
{
	converse();
	CHECK(hosted_dirty_pages() > 0);
	hosted_restore();
	CHECK_EQ(hosted_dirty_pages(), 0);
}
