/* t_cache.c - the block cache: VM_SETCACHEPAGE, VM_MAPCACHEPAGE,
 * VM_FORGETCACHEPAGE and VM_CLEARCACHE (sent by RS, which grants itself the calls). */
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE
#define FS RS_PROC_NR

static int cachecall(int type, int32_t dev, uint64_t off, uint32_t block, int32_t pages, uint32_t flags,
		     uint32_t *addr)
{
	message m = msg_zero();
	int r;

	m.u.setcachepage.dev = dev;
	m.u.setcachepage.dev_offset = off;
	m.u.setcachepage.block = block;
	m.u.setcachepage.pages = pages;
	m.u.setcachepage.flags = flags;
	r = call(FS, type, &m);
	if (addr)
		*addr = m.u.mapcachepage.addr;
	return r;
}

/* n pages of the file system, each written with value + page index. */
static uint32_t fs_pages(uint32_t n, uint32_t value)
{
	uint32_t a;

	CHECK_EQ(mmap_anon(FS, 0, n * P, PROT_RW, 0, &a), VM_OK);
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ(proc_write32(FS, a + i * P, value + i), VM_OK);
	return a;
}

static uint32_t rd(endpoint_t ep, uint32_t va)
{
	uint32_t v = 0xBAD;

	CHECK_EQ(proc_read32(ep, va, &v), VM_OK);
	return v;
}

TEST(CACHE0001, "pages set into the cache map back with their contents, shared with the cache")
{
	uint32_t a, m;

	rs_grant_all();
	a = fs_pages(2, 100);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 7, 0x10000, a, 2, 0, NULL), VM_OK);
	CHECK_EQ(cache_pages(), 2);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 7, 0x10000, 0, 2, 0, &m), VM_OK);
	CHECK_EQ(rd(FS, m), 100);
	CHECK_EQ(rd(FS, m + P), 101);
	CHECK_EQ(block_at(FS, m), block_at(FS, a));
	CHECK_EQ(block_at(FS, a)->refcount, 3); /* owner, cache mapping, the cache itself */
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0002, "after setcache the owner's page is copy-on-write: its writes do not reach the cache")
{
	uint32_t a, m;

	rs_grant_all();
	a = fs_pages(1, 5);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 1, 0, a, 1, 0, NULL), VM_OK);
	CHECK_EQ(proc_write32(FS, a, 6), VM_OK);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 1, 0, 0, 1, 0, &m), VM_OK);
	CHECK_EQ(rd(FS, m), 5);
	CHECK_EQ(rd(FS, a), 6);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0003, "a miss or a discard-after-use block makes mapcache ENOENT and maps nothing")
{
	uint32_t a, n = region_count(vmp_of(FS)) + 1;

	rs_grant_all();
	a = fs_pages(2, 1);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 2, 0, a, 1, 0, NULL), VM_OK);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 2, P, a + P, 1, VMSF_ONCE, NULL), VM_OK);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 2, 0, 0, 2, 0, NULL), VM_ENOENT);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 2, 8 * P, 0, 1, 0, NULL), VM_ENOENT);
	CHECK_EQ(region_count(vmp_of(FS)), n);
}

TEST(CACHE0004, "setcache refuses unaligned offsets, bad counts, unmapped or shared pages, changing nothing")
{
	uint32_t a, shared;
	endpoint_t child;
	struct baseline b;

	rs_grant_all();
	a = fs_pages(1, 1);
	CHECK_EQ(mmap_anon(FS, 0, P, PROT_RW, 0, &shared), VM_OK);
	CHECK_EQ(proc_write32(FS, shared, 1), VM_OK);
	CHECK_EQ(fork_child(FS, &child), VM_OK); /* now every page of FS is shared */
	baseline_take(&b);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, 0x10, a, 1, 0, NULL), VM_EFAULT);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, 0, a, 0, 0, NULL), VM_EINVAL);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, 0, a, 1000, 0, NULL), VM_EINVAL);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, 0, a + 0x10, 1, 0, NULL), VM_EFAULT);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, 0, 0x1000, 1, 0, NULL), VM_EFAULT);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, 0, shared, 1, 0, NULL), VM_EFAULT);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 3, ~0ull & ~(uint64_t)PAGE_MASK, a, 2, 0, NULL), VM_EINVAL);
	CHECK_EQ(cache_pages(), 0);
	CHECK_BASELINE(b);
}

TEST(CACHE0005, "forget and clear drop entries; a block nobody maps any more returns to the pool")
{
	uint32_t a, before;

	rs_grant_all();
	a = fs_pages(3, 1);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 4, 0, a, 3, 0, NULL), VM_OK);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 5, 0, a, 1, 0, NULL), VM_EFAULT); /* now shared */
	CHECK_EQ(munmap_call(FS, a, 3 * P), VM_OK);
	before = mem_free_count();
	CHECK_EQ(cachecall(VM_FORGETCACHEPAGE, 4, P, 0, 1, 0, NULL), VM_OK);
	CHECK_EQ(cache_pages(), 2);
	CHECK_EQ(mem_free_count(), before + 1);
	CHECK_EQ(cachecall(VM_CLEARCACHE, 4, 0, 0, 1, 0, NULL), VM_OK);
	CHECK_EQ(cache_pages(), 0);
	CHECK_EQ(mem_free_count(), before + 3);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0006, "a full cache evicts its least recently used entry")
{
	uint32_t a, m;

	rs_grant_all();
	a = fs_pages(CACHE_MAX + 1, 0);
	for (uint32_t i = 0; i < CACHE_MAX; i++)
		CHECK_EQ(cachecall(VM_SETCACHEPAGE, 9, (uint64_t)i * P, a + i * P, 1, 0, NULL), VM_OK);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 9, 0, 0, 1, 0, &m), VM_OK); /* page 0 is now recent */
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 9, (uint64_t)CACHE_MAX * P, a + CACHE_MAX * P, 1, 0, NULL), VM_OK);
	CHECK_EQ(cache_pages(), CACHE_MAX);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 9, 0, 0, 1, 0, NULL), VM_OK);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 9, P, 0, 1, 0, NULL), VM_ENOENT);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0007, "a write through a cache mapping changes the cached block in place, not the old owner's copy")
{
	uint32_t a, m1, m2;

	rs_grant_all();
	a = fs_pages(1, 40);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 6, 0, a, 1, 0, NULL), VM_OK);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 6, 0, 0, 1, 0, &m1), VM_OK);
	CHECK_EQ(proc_write32(FS, m1, 41), VM_OK);
	CHECK_EQ(rd(FS, a), 40);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 6, 0, 0, 1, 0, &m2), VM_OK);
	CHECK_EQ(rd(FS, m2), 41);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0008, "init may not use the cache calls")
{
	message m = msg_zero();

	m.u.clearcache.dev = 1;
	CHECK_EQ(call(INIT_PROC_NR, VM_CLEARCACHE, &m), VM_ECALLDENIED);
}

TEST(CACHE0009, "setcache refuses the pages of shared memory (a REMAP source, even pages its alias never touched, or an alias): EFAULT, nothing cached")
{
	uint32_t a, alias, src, own;
	struct baseline b;
	uint32_t muts;

	rs_grant_all();
	a = fs_pages(2, 40);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, FS, 0, a, 2 * P, &alias), VM_OK); /* the agent never touches it */
	CHECK_EQ(block_at(FS, a)->refcount, 1);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &src), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, src, 9), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, FS, INIT_PROC_NR, 0, src, P, &own), VM_OK);
	CHECK_EQ(rd(FS, own), 9); /* the file system's alias has its page */
	baseline_take(&b);
	muts = vm.mutations;
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 4, 0, a, 2, 0, NULL), VM_EFAULT);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 4, P, a + P, 1, 0, NULL), VM_EFAULT);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 4, 0, own, 1, 0, NULL), VM_EFAULT);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(cache_pages(), 0);
	CHECK_BASELINE(b);
	CHECK_EQ(proc_write32(FS, a, 41), VM_OK); /* shared memory stays shared, as before */
	CHECK_EQ(rd(AGENT_PROC_NR, alias), 41);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 4, 0, 0, 1, 0, NULL), VM_ENOENT);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0010, "a REMAP of a region holding a cached page gives the source a private copy first: neither the owner's nor the alias's writes change the cached block")
{
	uint32_t a, alias, m;
	struct phys_block *cached;

	rs_grant_all();
	a = fs_pages(2, 50);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 5, 0, a, 1, 0, NULL), VM_OK);
	cached = block_at(FS, a);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, FS, 0, a, 2 * P, &alias), VM_OK);
	CHECK(block_at(FS, a) != cached);
	CHECK_EQ(cached->refcount, 1); /* the cache's hold alone */
	CHECK_EQ(rd(FS, a), 50); /* the copy holds what the page held */
	CHECK_EQ(proc_write32(AGENT_PROC_NR, alias + 4, 51), VM_OK);
	CHECK_EQ(proc_write32(FS, a, 52), VM_OK);
	CHECK_EQ(rd(AGENT_PROC_NR, alias), 52); /* still shared memory with the alias */
	CHECK_EQ(rd(FS, a + 4), 51);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 5, 0, 0, 1, 0, &m), VM_OK);
	CHECK_EQ(rd(FS, m), 50);
	CHECK_EQ(rd(FS, m + 4), 0);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0011, "a REMAP of a child's region that shares a cached block copy-on-write moves the child off the block, not the cache or the owner")
{
	uint32_t a, alias, m;
	endpoint_t child;

	rs_grant_all();
	a = fs_pages(1, 60);
	CHECK_EQ(cachecall(VM_SETCACHEPAGE, 5, 0, a, 1, 0, NULL), VM_OK);
	CHECK_EQ(fork_child(FS, &child), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, child, 0, a, P, &alias), VM_OK);
	CHECK(block_at(child, a) != block_at(FS, a));
	CHECK_EQ(proc_write32(child, a, 61), VM_OK);
	CHECK_EQ(rd(AGENT_PROC_NR, alias), 61);
	CHECK_EQ(rd(FS, a), 60);
	CHECK_EQ(cachecall(VM_MAPCACHEPAGE, 5, 0, 0, 1, 0, &m), VM_OK);
	CHECK_EQ(rd(FS, m), 60);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(CACHE0012, "a REMAP that cannot get the copies of its cached pages, or its alias region after them, answers ENOMEM and changes nothing")
{
	static const enum fault_site sites[] = { FS_PAGE_ALLOC, FS_SLAB_ALLOC, FS_REGION_PAGES };
	uint32_t failed = 0;

	for (uint32_t s = 0; s < sizeof(sites) / sizeof(sites[0]); s++) {
		for (uint32_t n = 1; n <= 3; n++) {
			uint32_t a, alias;
			struct phys_block *p0, *p1;
			struct baseline b;
			int r, fired;

			hosted_restore();
			rs_grant_all();
			a = fs_pages(2, 70);
			CHECK_EQ(cachecall(VM_SETCACHEPAGE, 5, 0, a, 2, 0, NULL), VM_OK);
			p0 = block_at(FS, a);
			p1 = block_at(FS, a + P);
			baseline_take(&b);
			fault_fail_nth(sites[s], n);
			r = remap_call(VM_REMAP, AGENT_PROC_NR, FS, 0, a, 2 * P, &alias);
			fired = fault_fired();
			fault_fail_nth(sites[s], 0);
			CHECK_EQ(sanity_check(), SAN_OK);
			if (!fired) {
				CHECK_EQ(r, VM_OK);
				CHECK_EQ(rd(AGENT_PROC_NR, alias + P), 71);
				continue;
			}
			failed++;
			CHECK_EQ(r, VM_ENOMEM);
			CHECK_BASELINE(b);
			CHECK(block_at(FS, a) == p0 && block_at(FS, a + P) == p1);
			CHECK(!(region_find(vmp_of(FS), a)->flags & VR_SHARED));
		}
	}
	CHECK(failed >= 5); /* two pages, two blocks, the alias region and its page map */
}
