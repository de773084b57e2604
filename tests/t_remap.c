/* t_remap.c - VM_REMAP, VM_REMAP_RO and VM_SHM_UNMAP: shared memory between
 * processes, and how it meets copy-on-write. */
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE

static int shm_unmap(endpoint_t who, uint32_t addr)
{
	message m = msg_zero();

	m.u.shm_unmap.forwhom = who;
	m.u.shm_unmap.addr = addr;
	return call(RS_PROC_NR, VM_SHM_UNMAP, &m);
}

static uint32_t rd(endpoint_t ep, uint32_t va)
{
	uint32_t v = 0xBAD;

	CHECK_EQ(proc_read32(ep, va, &v), VM_OK);
	return v;
}

/* init maps two pages and writes 1 and 2 into them; the agent gets them shared. */
static void share_init_with_agent(uint32_t *src, uint32_t *dst, int type)
{
	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, src), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, *src, 1), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, *src + P, 2), VM_OK);
	CHECK_EQ(remap_call(type, AGENT_PROC_NR, INIT_PROC_NR, 0, *src, 2 * P, dst), VM_OK);
}

TEST(SHM0001, "REMAP shares a region both ways: each side sees the other's writes")
{
	uint32_t src, dst;

	share_init_with_agent(&src, &dst, VM_REMAP);
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 1);
	CHECK_EQ(rd(AGENT_PROC_NR, dst + P), 2);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, dst, 10), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, src), 10);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src + P, 20), VM_OK);
	CHECK_EQ(rd(AGENT_PROC_NR, dst + P), 20);
	CHECK_EQ(block_at(INIT_PROC_NR, src), block_at(AGENT_PROC_NR, dst));
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0002, "REMAP_RO gives a read-only view: a write through it is killed with SIGSEGV")
{
	uint32_t src, dst;
	endpoint_t child;

	CHECK_EQ(fork_child(AGENT_PROC_NR, &child), VM_OK); /* a process it is safe to kill */
	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src, 3), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP_RO, child, INIT_PROC_NR, 0, src, P, &dst), VM_OK);
	CHECK_EQ(rd(child, dst), 3);
	CHECK_EQ(proc_write32(child, dst, 4), VM_EFAULT);
	CHECK_EQ(kmodel.proc[ep_slot(child)].last_signal, SIGSEGV);
	CHECK_EQ(rd(INIT_PROC_NR, src), 3);
}

TEST(SHM0003, "REMAP needs the exact start and length of an anonymous region (a source in no region is EINVAL) and live endpoints")
{
	uint32_t src;
	struct baseline b;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &src), VM_OK);
	baseline_take(&b);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src + P, P, NULL), VM_EFAULT);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, P, NULL), VM_EFAULT);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, 0x1000, P, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0xFFFFF001u, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP, ep_make(3, 50), INIT_PROC_NR, 0, src, 2 * P, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, VM_PROC_NR, 0, src, 2 * P, NULL), VM_EINVAL);
	CHECK_BASELINE(b);
}

TEST(SHM0004, "a page shared copy-on-write with a child before the remap stays private to the child")
{
	uint32_t src, dst;
	endpoint_t child;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src, 5), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, P, &dst), VM_OK);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, dst, 6), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, src), 6);
	CHECK_EQ(rd(child, src), 5);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src, 7), VM_OK);
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 7);
	CHECK_EQ(rd(child, src), 5);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0005, "a child forked after the remap holds a private copy-on-write snapshot of the source, shared with neither the source nor the alias")
{
	uint32_t src, dst;
	endpoint_t child;

	share_init_with_agent(&src, &dst, VM_REMAP);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, src, 8), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, src), 1);
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 1);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, dst + P, 9), VM_OK);
	CHECK_EQ(rd(child, src + P), 2);
	CHECK_EQ(rd(INIT_PROC_NR, src + P), 9);
	CHECK_EQ(rd(child, src), 8);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0006, "after the source is unmapped, linked pages stay and unlinked ones give SIGSEGV")
{
	uint32_t src, dst, v;
	endpoint_t child;

	CHECK_EQ(fork_child(AGENT_PROC_NR, &child), VM_OK);
	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src, 9), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, child, INIT_PROC_NR, 0, src, 2 * P, &dst), VM_OK);
	CHECK_EQ(rd(child, dst), 9);
	CHECK_EQ(munmap_call(INIT_PROC_NR, src, 2 * P), VM_OK);
	CHECK_EQ(rd(child, dst), 9);
	CHECK_EQ(proc_read32(child, dst + P, &v), VM_EFAULT);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0007, "SHM_UNMAP removes only shared regions; after every side is gone nothing leaks")
{
	uint32_t src, dst, other;
	struct baseline b;
	endpoint_t a, c;

	rs_grant_all();
	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(AGENT_PROC_NR, &c), VM_OK);
	CHECK_EQ(mmap_anon(a, 0, 2 * P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(proc_write32(a, src, 1), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, c, a, 0, src, 2 * P, &dst), VM_OK);
	CHECK_EQ(rd(c, dst), 1);
	CHECK_EQ(mmap_anon(c, 0, P, PROT_RW, 0, &other), VM_OK);
	CHECK_EQ(shm_unmap(c, other), VM_EFAULT);
	CHECK_EQ(shm_unmap(c, 0x1000), VM_EFAULT);
	CHECK_EQ(shm_unmap(ep_make(9, 70), dst), VM_EINVAL);
	CHECK_EQ(shm_unmap(c, dst + P), VM_OK);
	CHECK(region_find(vmp_of(c), dst) == NULL);
	CHECK_EQ(pm_exit(a), VM_OK);
	CHECK_EQ(pm_exit(c), VM_OK);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0008, "SHM_UNMAP of an address that is not page-aligned answers EFAULT and leaves the shared region whole")
{
	uint32_t src, dst, muts;

	share_init_with_agent(&src, &dst, VM_REMAP);
	CHECK_EQ(rd(AGENT_PROC_NR, dst + P), 2);
	muts = vm.mutations;
	CHECK_EQ(shm_unmap(AGENT_PROC_NR, dst + 8), VM_EFAULT);
	CHECK_EQ(shm_unmap(AGENT_PROC_NR, dst + P + 0x800), VM_EFAULT);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(region_find(vmp_of(AGENT_PROC_NR), dst)->length, 2 * P);
	CHECK_EQ(rd(AGENT_PROC_NR, dst + P), 2);
	CHECK_EQ(shm_unmap(AGENT_PROC_NR, dst + P), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0009, "REMAP and REMAP_RO to a destination that is taken answer ENOMEM and map nothing; a free one is used exactly")
{
	uint32_t src, taken, dst, n;
	struct baseline b;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(mmap_anon(AGENT_PROC_NR, 0x40000000, 2 * P, PROT_RW, MAP_FIXED, &taken), VM_OK);
	n = region_count(vmp_of(AGENT_PROC_NR));
	baseline_take(&b);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, taken, src, 2 * P, NULL), VM_ENOMEM);
	CHECK_EQ(remap_call(VM_REMAP_RO, AGENT_PROC_NR, INIT_PROC_NR, taken + P, src, 2 * P, NULL), VM_ENOMEM);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, taken - P, src, 2 * P, NULL), VM_ENOMEM);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, USER_TOP - P, src, 2 * P, NULL), VM_ENOMEM);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, taken + 0x10, src, 2 * P, NULL), VM_EINVAL);
	CHECK_EQ(region_count(vmp_of(AGENT_PROC_NR)), n);
	CHECK_BASELINE(b);
	CHECK(!(region_find(vmp_of(INIT_PROC_NR), src)->flags & VR_SHARED)); /* the source is not shared yet */
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, taken + 2 * P, src, 2 * P, &dst), VM_OK);
	CHECK_EQ(dst, taken + 2 * P);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0010, "REMAP of a source address in no region is EINVAL; inside a region but not at its start, or another size, EFAULT")
{
	uint32_t src, muts;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30000000, 2 * P, PROT_RW, MAP_FIXED, &src), VM_OK);
	muts = vm.mutations;
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src + 2 * P, P, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP_RO, AGENT_PROC_NR, INIT_PROC_NR, 0, 0x50000000, P, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src + P, P, NULL), VM_EFAULT);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 3 * P, NULL), VM_EFAULT);
	CHECK_EQ(vm.mutations, muts);
}

TEST(SHM0011, "REMAP of a region of 2 GiB or more with its exact size shares it like any other; another size of 2 GiB or more is EFAULT")
{
	uint32_t src, dst, v, muts;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30000000, 0x80000000u, PROT_RW, MAP_FIXED, &src), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src + 0x7FFFF000u, 8), VM_OK);
	muts = vm.mutations;
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0x80001000u, NULL), VM_EFAULT);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0xFFFFF000u, NULL), VM_EFAULT);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src + 0x80000000u, 0x80000000u, NULL), VM_EINVAL);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0xFFFFF001u, NULL), VM_EINVAL);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0x7FFFF001u, &dst), VM_OK); /* rounds to it */
	CHECK_EQ(region_find(vmp_of(AGENT_PROC_NR), dst)->length, 0x80000000u);
	CHECK_EQ(rd(AGENT_PROC_NR, dst + 0x7FFFF000u), 8);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, dst + 0x40000000u, 9), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, src + 0x40000000u, &v), VM_OK);
	CHECK_EQ(v, 9);
	CHECK_EQ(remap_call(VM_REMAP_RO, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 0x80000000u, NULL), VM_ENOMEM); /* no room left */
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0012, "forking a remap source maps its present pages read-only in the source and in every alias, which stay shared after the first write")
{
	uint32_t src, dst;
	endpoint_t child;

	share_init_with_agent(&src, &dst, VM_REMAP);
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 1); /* the alias links and maps page 0 writable */
	CHECK_EQ(proc_write32(AGENT_PROC_NR, dst, 3), VM_OK);
	CHECK(*pte_ptr(&vmp_of(AGENT_PROC_NR)->pt, dst) & PTE_W);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK(!(*pte_ptr(&vmp_of(AGENT_PROC_NR)->pt, dst) & PTE_W));
	CHECK(!(*pte_ptr(&vmp_of(INIT_PROC_NR)->pt, src) & PTE_W));
	CHECK_EQ(proc_write32(INIT_PROC_NR, src, 4), VM_OK); /* moves the child off the page */
	CHECK_EQ(block_at(INIT_PROC_NR, src), block_at(AGENT_PROC_NR, dst));
	CHECK(block_at(child, src) != block_at(INIT_PROC_NR, src));
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 4);
	CHECK_EQ(rd(child, src), 3);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0013, "a page the source never had at fork is private zero memory in the child, whatever the source writes there later")
{
	uint32_t src, dst;
	endpoint_t child;

	rs_grant_all();
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, INIT_PROC_NR, 0, src, 2 * P, &dst), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, dst + P, 5), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, src + P), 5);
	CHECK_EQ(rd(child, src + P), 0);
	CHECK_EQ(proc_write32(child, src + P, 6), VM_OK);
	CHECK_EQ(rd(AGENT_PROC_NR, dst + P), 5);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(SHM0014, "a child of the alias holder holds an alias of the same source: writes show both ways")
{
	uint32_t src, dst;
	endpoint_t child;

	share_init_with_agent(&src, &dst, VM_REMAP);
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 1);
	CHECK_EQ(fork_child(AGENT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_write32(child, dst, 7), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, src), 7);
	CHECK_EQ(rd(AGENT_PROC_NR, dst), 7);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src + P, 8), VM_OK);
	CHECK_EQ(rd(child, dst + P), 8);
	CHECK_EQ(sanity_check(), SAN_OK);
}
