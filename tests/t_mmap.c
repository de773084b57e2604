/* t_mmap.c - VM_MMAP and VM_MUNMAP of anonymous memory. */
#include <string.h>
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE

TEST(MMAP0001, "anonymous mmap answers a page-aligned user address and adds one region of that length")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t n = region_count(vmp), a = 0;
	struct vir_region *r;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(a & PAGE_MASK, 0);
	CHECK(a >= USER_BASE && a < USER_TOP);
	CHECK(a + 3 * P <= USER_TOP);
	CHECK_EQ(region_count(vmp), n + 1);
	r = region_find(vmp, a);
	CHECK(r != NULL);
	CHECK_EQ(r->vaddr, a);
	CHECK_EQ(r->length, 3 * P);
	CHECK(r->flags & VR_WRITABLE);
	CHECK(r->flags & VR_ANON);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0002, "fresh anonymous memory has no page backed until touched and reads as zero")
{
	uint32_t a, val = 0xFFFFFFFF, phys;
	struct vir_region *r;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, 0, &a), VM_OK);
	r = region_find(&vm.proc[INIT_PROC_NR], a);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK(region_page(r, i) == NULL);
		CHECK(mmu_translate(INIT_PROC_NR, a + i * P, 0, &phys) > 0);
	}
	for (uint32_t off = 0; off < 4 * P; off += 1020) {
		CHECK_EQ(proc_read32(INIT_PROC_NR, a + (off & ~3u), &val), VM_OK);
		CHECK_EQ(val, 0);
	}
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0003, "values written to anonymous memory read back, page by page")
{
	uint32_t a, val;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 5 * P, PROT_RW, 0, &a), VM_OK);
	for (uint32_t i = 0; i < 5; i++)
		CHECK_EQ(proc_write32(INIT_PROC_NR, a + i * P + 4 * i, 0xAB00 + i), VM_OK);
	for (uint32_t i = 0; i < 5; i++) {
		CHECK_EQ(proc_read32(INIT_PROC_NR, a + i * P + 4 * i, &val), VM_OK);
		CHECK_EQ(val, 0xAB00 + i);
		CHECK_EQ(block_at(INIT_PROC_NR, a + i * P)->refcount, 1);
	}
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0004, "mmap with length 0 answers EINVAL and adds no region")
{
	uint32_t n = region_count(&vm.proc[INIT_PROC_NR]), muts = vm.mutations;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 0, PROT_RW, 0, NULL), VM_EINVAL);
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), n);
	CHECK_EQ(vm.mutations, muts);
}

TEST(MMAP0005, "anonymous mmap with a file descriptor other than -1 answers EINVAL and adds no region")
{
	static const int32_t fds[] = { 0, 1, 3, 255, 0x7FFFFFFF, -2 };
	uint32_t n = region_count(&vm.proc[INIT_PROC_NR]);

	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		message m = msg_zero();

		m.u.mmap.len = P;
		m.u.mmap.prot = PROT_RW;
		m.u.mmap.flags = MAP_ANONPRIV;
		m.u.mmap.fd = fds[i];
		CHECK_EQ(call(INIT_PROC_NR, VM_MMAP, &m), VM_EINVAL);
	}
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), n);
}

TEST(MMAP0006, "MAP_FIXED at a free page-aligned address maps exactly there")
{
	uint32_t a = 0;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30000000, 2 * P, PROT_RW, MAP_FIXED, &a), VM_OK);
	CHECK_EQ(a, 0x30000000);
	CHECK(region_find(&vm.proc[INIT_PROC_NR], 0x30001000) != NULL);
	CHECK_EQ(proc_write32(INIT_PROC_NR, 0x30001FFC, 1), VM_OK);
}

TEST(MMAP0007, "a free hint without MAP_FIXED is honoured")
{
	uint32_t a = 0;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x40000000, P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(a, 0x40000000);
}

TEST(MMAP0008, "a hint that overlaps a region without MAP_FIXED gets another address that overlaps nothing")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	struct vir_region *text = region_find(vmp, TEXT_VADDR);
	uint32_t a = 0;

	CHECK(text != NULL);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, TEXT_VADDR, 2 * P, PROT_RW, 0, &a), VM_OK);
	CHECK(a != TEXT_VADDR);
	CHECK(a >= MMAP_BASE && a + 2 * P <= MMAP_TOP);
	CHECK(region_find(vmp, TEXT_VADDR) == text);
	CHECK_EQ(region_find(vmp, a)->vaddr, a);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0009, "MAP_FIXED over an existing mapping replaces it: the range reads zero and the old pages are freed")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, again, n, val, pool;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + P, 0x0DD), VM_OK);
	n = region_count(vmp);
	pool = mem_free_count() + vm.slab.pages; /* a freed page may turn into a slab page */
	CHECK_EQ(mmap_anon(INIT_PROC_NR, a + P, P, PROT_RW, MAP_FIXED, &again), VM_OK);
	CHECK_EQ(again, a + P);
	CHECK_EQ(region_count(vmp), n + 1);
	CHECK(block_at(INIT_PROC_NR, a + P) == NULL);
	CHECK_EQ(mem_free_count() + vm.slab.pages, pool + 1);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a + P, &val), VM_OK);
	CHECK_EQ(val, 0);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0010, "MAP_FIXED at an unaligned address or outside the user range is refused")
{
	uint32_t n = region_count(&vm.proc[INIT_PROC_NR]);

	CHECK(is_errno(mmap_anon(INIT_PROC_NR, 0x30000100, P, PROT_RW, MAP_FIXED, NULL)));
	CHECK(is_errno(mmap_anon(INIT_PROC_NR, 0x1000, P, PROT_RW, MAP_FIXED, NULL)));
	CHECK(is_errno(mmap_anon(INIT_PROC_NR, USER_TOP, P, PROT_RW, MAP_FIXED, NULL)));
	CHECK(is_errno(mmap_anon(INIT_PROC_NR, USER_TOP - P, 2 * P, PROT_RW, MAP_FIXED, NULL)));
	CHECK(is_errno(mmap_anon(INIT_PROC_NR, 0xFFFFF000, 2 * P, PROT_RW, MAP_FIXED, NULL)));
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), n);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0011, "a length that is not a page multiple is rounded up to whole pages")
{
	uint32_t a;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P + 1, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(region_find(&vm.proc[INIT_PROC_NR], a)->length, 2 * P);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + 2 * P - 4, 1), VM_OK);
}

TEST(MMAP0012, "huge lengths that fit nowhere are ENOMEM, wrapping ones EINVAL, and neither changes anything")
{
	static const uint32_t lens[] = { 0xFFFFFFFF, 0xFFFFF000, MMAP_TOP - MMAP_BASE + P, USER_TOP };
	static const int want[] = { VM_EINVAL, VM_ENOMEM, VM_ENOMEM, VM_ENOMEM };
	uint32_t n = region_count(&vm.proc[INIT_PROC_NR]);
	struct baseline b;

	baseline_take(&b);
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++)
		CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, lens[i], PROT_RW, 0, NULL), want[i]);
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), n);
	CHECK_BASELINE(b);
}

TEST(MMAP0013, "two mappings never overlap each other or existing regions")
{
	uint32_t a, b;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, 0, &b), VM_OK);
	CHECK(a + 4 * P <= b || b + 4 * P <= a);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0014, "a write to read-only anonymous memory kills the process with SIGSEGV")
{
	uint32_t a, val;
	int32_t slot;
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	slot = ep_slot(child);
	CHECK_EQ(mmap_anon(child, 0, P, PROT_READ, 0, &a), VM_OK);
	CHECK_EQ(proc_read32(child, a, &val), VM_OK);
	CHECK_EQ(val, 0);
	CHECK_EQ(proc_write32(child, a, 1), VM_EFAULT);
	CHECK(kmodel.proc[slot].flags & KP_KILLED);
	CHECK_EQ(kmodel.proc[slot].last_signal, SIGSEGV);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0015, "munmap of the middle page of a region splits it in two and frees that page")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, n, mid_phys, val, phys;
	struct vir_region *lo, *hi;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, 0, &a), VM_OK);
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(proc_write32(INIT_PROC_NR, a + i * P, 10 + i), VM_OK);
	n = region_count(vmp);
	mid_phys = block_at(INIT_PROC_NR, a + P)->phys;
	CHECK_EQ(munmap_call(INIT_PROC_NR, a + P, P), VM_OK);
	CHECK_EQ(region_count(vmp), n + 1);
	lo = region_find(vmp, a);
	hi = region_find(vmp, a + 2 * P);
	CHECK(lo && hi && lo != hi);
	CHECK_EQ(lo->vaddr, a);
	CHECK_EQ(lo->length, P);
	CHECK_EQ(hi->vaddr, a + 2 * P);
	CHECK_EQ(hi->length, P);
	CHECK(region_find(vmp, a + P) == NULL);
	CHECK(mmu_translate(INIT_PROC_NR, a + P, 0, &phys) > 0);
	CHECK(mem_page_is_free(mid_phys));
	CHECK_EQ(proc_read32(INIT_PROC_NR, a, &val), VM_OK);
	CHECK_EQ(val, 10);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a + 2 * P, &val), VM_OK);
	CHECK_EQ(val, 12);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0016, "munmap of a whole region removes it, unmaps it and frees its pages")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, n, phys[2], p;

	n = region_count(vmp);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &a), VM_OK);
	for (uint32_t i = 0; i < 2; i++) {
		CHECK_EQ(proc_write32(INIT_PROC_NR, a + i * P, 1), VM_OK);
		phys[i] = block_at(INIT_PROC_NR, a + i * P)->phys;
	}
	CHECK_EQ(munmap_call(INIT_PROC_NR, a, 2 * P), VM_OK);
	CHECK_EQ(region_count(vmp), n);
	CHECK(region_find(vmp, a) == NULL);
	for (uint32_t i = 0; i < 2; i++) {
		CHECK(mmu_translate(INIT_PROC_NR, a + i * P, 0, &p) > 0);
		CHECK(mem_page_is_free(phys[i]));
	}
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0017, "munmap of an unaligned address answers EFAULT or EINVAL and unmaps nothing")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, n, muts;
	int r;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &a), VM_OK);
	n = region_count(vmp);
	muts = vm.mutations;
	r = munmap_call(INIT_PROC_NR, a + 4, P);
	CHECK(r == VM_EFAULT || r == VM_EINVAL);
	CHECK_EQ(region_count(vmp), n);
	CHECK_EQ(region_find(vmp, a)->length, 2 * P);
	CHECK_EQ(vm.mutations, muts);
}

TEST(MMAP0018, "munmap of the first page shrinks the region from below, of the last page from above")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, val, n;
	struct vir_region *r;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, 0, &a), VM_OK);
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ(proc_write32(INIT_PROC_NR, a + i * P, 20 + i), VM_OK);
	n = region_count(vmp);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a, P), VM_OK);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a + 3 * P, P), VM_OK);
	CHECK_EQ(region_count(vmp), n);
	r = region_find(vmp, a + P);
	CHECK(r != NULL);
	CHECK_EQ(r->vaddr, a + P);
	CHECK_EQ(r->length, 2 * P);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a + P, &val), VM_OK);
	CHECK_EQ(val, 21);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a + 2 * P, &val), VM_OK);
	CHECK_EQ(val, 22);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0019, "munmap of a range spanning two regions removes both parts")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, b, n;

	n = region_count(vmp);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30000000, 2 * P, PROT_RW, MAP_FIXED, &a), VM_OK);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30002000, 2 * P, PROT_RW, MAP_FIXED, &b), VM_OK);
	CHECK_EQ(munmap_call(INIT_PROC_NR, 0x30000000, 4 * P), VM_OK);
	CHECK_EQ(region_count(vmp), n);
	CHECK(region_find(vmp, 0x30000000) == NULL);
	CHECK(region_find(vmp, 0x30003000) == NULL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0020, "a page unmapped in the parent after fork stays readable in the child")
{
	uint32_t a, val;
	endpoint_t child;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + P, 0x600D), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a, 2 * P), VM_OK);
	CHECK_EQ(proc_read32(child, a + P, &val), VM_OK);
	CHECK_EQ(val, 0x600D);
	CHECK_EQ(block_at(child, a + P)->refcount, 1);
	CHECK(!mem_page_is_free(block_at(child, a + P)->phys));
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0021, "a read or write of an unmapped address kills the process with SIGSEGV")
{
	endpoint_t child;
	uint32_t val;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK(region_find(vmp_of(child), 0x50000000) == NULL);
	CHECK_EQ(proc_read32(child, 0x50000000, &val), VM_EFAULT);
	CHECK(kmodel.proc[ep_slot(child)].flags & KP_KILLED);
	CHECK_EQ(kmodel.proc[ep_slot(child)].last_signal, SIGSEGV);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0022, "munmap of a range with no region answers without changing anything")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t n = region_count(vmp), free_before = mem_free_count();
	int r = munmap_call(INIT_PROC_NR, 0x50000000, 4 * P);

	CHECK(is_legal_reply(r));
	CHECK_EQ(region_count(vmp), n);
	CHECK_EQ(mem_free_count(), free_before);
}

TEST(MMAP0023, "munmap with length 0 or a wrapping range is refused")
{
	uint32_t a, n;
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_RW, 0, &a), VM_OK);
	n = region_count(vmp);
	CHECK(is_errno(munmap_call(INIT_PROC_NR, a, 0)));
	CHECK(is_errno(munmap_call(INIT_PROC_NR, 0xFFFFF000, 2 * P)));
	CHECK(is_errno(munmap_call(INIT_PROC_NR, a, 0xFFFFF000)));
	CHECK_EQ(region_count(vmp), n);
	CHECK(region_find(vmp, a) != NULL);
}

TEST(MMAP0024, "MAP_PREALLOC backs every page at once with zeroed memory")
{
	uint32_t a, val;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, MAP_PREALLOC, &a), VM_OK);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK(block_at(INIT_PROC_NR, a + i * P) != NULL);
		CHECK_EQ(proc_read32(INIT_PROC_NR, a + i * P + 60, &val), VM_OK);
		CHECK_EQ(val, 0);
	}
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0025, "MAP_CONTIG with MAP_PREALLOC gives physically contiguous pages; MAP_CONTIG alone is EINVAL")
{
	uint32_t a, base;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, MAP_CONTIG, NULL), VM_EINVAL);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 4 * P, PROT_RW, MAP_CONTIG | MAP_PREALLOC, &a), VM_OK);
	base = block_at(INIT_PROC_NR, a)->phys;
	for (uint32_t i = 1; i < 4; i++)
		CHECK_EQ(block_at(INIT_PROC_NR, a + i * P)->phys, base + i * P);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a + P, P), VM_OK);
	CHECK(mem_page_is_free(base + P));
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* Run op with the n-th hit of site failing, n = 1, 2, ... until op no longer reaches
 * it; a failed op must leave the region count and the baseline unchanged. */
static void mmap_op_under_faults(enum fault_site site, int (*op)(void))
{
	for (uint32_t n = 1; n < 100; n++) {
		struct baseline b;
		uint32_t regions;
		int r, fired;

		hosted_restore();
		baseline_take(&b);
		regions = region_count(&vm.proc[INIT_PROC_NR]);
		fault_fail_nth(site, n);
		r = op();
		fired = fault_fired();
		fault_fail_nth(site, 0);
		CHECK(is_legal_reply(r));
		CHECK_EQ(sanity_check(), SAN_OK);
		if (r != VM_OK) {
			CHECK(fired);
			CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), regions);
			CHECK_BASELINE(b);
		}
		if (!fired)
			return;
	}
	CHECK(0);
}

static int op_prealloc(void)
{
	return mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, MAP_PREALLOC, NULL);
}

static int op_contig(void)
{
	return mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, MAP_PREALLOC | MAP_CONTIG, NULL);
}

static int op_plain(void)
{
	return mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, 0, NULL);
}

TEST(MMAP0026, "an mmap failing at any allocation site answers an errno and adds no region and leaks nothing")
{
	static int (*const ops[])(void) = { op_plain, op_prealloc, op_contig };
	static const enum fault_site sites[] = { FS_PAGE_ALLOC, FS_SLAB_ALLOC, FS_PT_PAGE, FS_REGION_PAGES };

	for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++)
		for (unsigned s = 0; s < sizeof sites / sizeof sites[0]; s++)
			mmap_op_under_faults(sites[s], ops[o]);
}

TEST(MMAP0027, "a munmap split that cannot allocate answers ENOMEM and leaves the region whole")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t a, n, val;
	int r;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 3 * P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + P, 0x5EED), VM_OK);
	n = region_count(vmp);
	for (uint32_t k = 1; k < 20; k++) {
		fault_fail_nth(FS_SLAB_ALLOC, k);
		r = munmap_call(INIT_PROC_NR, a + P, P);
		if (!fault_fired())
			break;
		fault_fail_nth(FS_SLAB_ALLOC, 0);
		CHECK(is_errno(r));
		CHECK_EQ(region_count(vmp), n);
		CHECK_EQ(region_find(vmp, a)->length, 3 * P);
		CHECK_EQ(proc_read32(INIT_PROC_NR, a + P, &val), VM_OK);
		CHECK_EQ(val, 0x5EED);
		CHECK_EQ(sanity_check(), SAN_OK);
	}
	fault_fail_nth(FS_SLAB_ALLOC, 0);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a + P, P), VM_OK);
	CHECK_EQ(region_count(vmp), n + 1);
}

TEST(MMAP0028, "a demand-zero fault that cannot get a page kills the process and backs nothing")
{
	uint32_t a, val;
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(mmap_anon(child, 0, P, PROT_RW, 0, &a), VM_OK);
	fault_fail_nth(FS_PAGE_ALLOC, 1);
	CHECK_EQ(proc_read32(child, a, &val), VM_EFAULT);
	fault_fail_nth(FS_PAGE_ALLOC, 0);
	CHECK(kmodel.proc[ep_slot(child)].flags & KP_KILLED);
	CHECK(block_at(child, a) == NULL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0029, "a mapping across a 4 MiB page-table boundary works, and its page tables go away with the process")
{
	uint32_t a = 0x40000000 - 2 * P, val;
	struct baseline b;
	endpoint_t child;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(mmap_anon(child, a, 4 * P, PROT_RW, MAP_FIXED, NULL), VM_OK);
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ(proc_write32(child, a + i * P, 0x70 + i), VM_OK);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK_EQ(proc_read32(child, a + i * P, &val), VM_OK);
		CHECK_EQ(val, 0x70 + i);
	}
	CHECK(pt_page_count(&vmp_of(child)->pt) >= pt_page_count(&vm.proc[INIT_PROC_NR].pt) + 2);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
}

TEST(MMAP0030, "a write to read-only text kills the writer with SIGSEGV and leaves the text page unchanged")
{
	uint32_t before, after;
	endpoint_t child;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(proc_read32(child, TEXT_VADDR + 16, &before), VM_OK);
	CHECK_EQ(proc_write32(child, TEXT_VADDR + 16, ~before), VM_EFAULT);
	CHECK(kmodel.proc[ep_slot(child)].flags & KP_KILLED);
	CHECK_EQ(kmodel.proc[ep_slot(child)].last_signal, SIGSEGV);
	CHECK_EQ(proc_read32(INIT_PROC_NR, TEXT_VADDR + 16, &after), VM_OK);
	CHECK_EQ(after, before);
	CHECK_EQ(block_at(child, TEXT_VADDR)->refcount, 2);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0031, "MAP_PREALLOC memory is mapped at once; if it cannot be mapped the mmap fails whole")
{
	uint32_t a, phys, minflt = vm.proc[INIT_PROC_NR].minflt;
	struct baseline b;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 2 * PAGE_SIZE, PROT_RW, MAP_PREALLOC, &a), VM_OK);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, a, 1, &phys), VM_OK);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, a + PAGE_SIZE, 1, &phys), VM_OK);
	CHECK_EQ(vm.proc[INIT_PROC_NR].minflt, minflt);
	baseline_take(&b);
	fault_fail_nth(FS_PT_PAGE, 1);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x70000000, PAGE_SIZE, PROT_RW, MAP_PREALLOC | MAP_FIXED, NULL), VM_ENOMEM);
	CHECK(fault_fired());
	CHECK(region_find(vmp_of(INIT_PROC_NR), 0x70000000) == NULL);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0032, "munmap of 2 GiB or more unmaps every region in the page-rounded range; the region just past it stays")
{
	endpoint_t child;
	uint32_t a, b, c, v;
	struct vmproc *vmp;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	vmp = vmp_of(child);
	CHECK_EQ(mmap_anon(child, 0x20000000, 2 * P, PROT_RW, MAP_FIXED, &a), VM_OK);
	CHECK_EQ(mmap_anon(child, 0x9FFFF000, P, PROT_RW, MAP_FIXED, &b), VM_OK);
	CHECK_EQ(mmap_anon(child, 0xA0000000, P, PROT_RW, MAP_FIXED, &c), VM_OK);
	CHECK_EQ(proc_write32(child, a, 1), VM_OK);
	CHECK_EQ(proc_write32(child, b, 2), VM_OK);
	CHECK_EQ(proc_write32(child, c, 3), VM_OK);
	CHECK_EQ(munmap_call(child, 0x20000000, 0x80000000u), VM_OK);
	CHECK(region_find(vmp, a) == NULL);
	CHECK(region_find(vmp, b) == NULL);
	CHECK_EQ(proc_read32(child, c, &v), VM_OK);
	CHECK_EQ(v, 3);
	CHECK_EQ(munmap_call(child, 0x20000000, 0x80000001u), VM_OK); /* 2 GiB + 1 rounds up to reach c */
	CHECK(region_find(vmp, c) == NULL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0033, "munmap of almost the whole address space empties a process; only a range that wraps past 4 GiB is EINVAL")
{
	endpoint_t child;
	struct vmproc *vmp;
	uint32_t n, muts;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	vmp = vmp_of(child);
	n = region_count(vmp);
	CHECK(n > 0);
	muts = vm.mutations;
	CHECK_EQ(munmap_call(child, 0x10000000, 0xF0000000u), VM_EINVAL); /* ends at 4 GiB exactly */
	CHECK_EQ(munmap_call(child, 0x10000000, 0xEFFFF001u), VM_EINVAL); /* rounds up to that */
	CHECK_EQ(munmap_call(child, 0x1000, 0xFFFFFFFFu), VM_EINVAL);     /* rounding wraps */
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(region_count(vmp), n);
	CHECK_EQ(munmap_call(child, 0xF0000000u, 0x0FFFF000u), VM_OK);    /* above the user range: nothing there */
	CHECK_EQ(region_count(vmp), n);
	CHECK_EQ(munmap_call(child, 0x1000, 0xFFFFE000u), VM_OK);         /* past USER_TOP, no wrap */
	CHECK_EQ(region_count(vmp), 0);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
}

TEST(MMAP0034, "mmap of 2 GiB or more that fits is mapped like any length: in the mmap range, at a free hint, or MAP_FIXED, demand-zero")
{
	endpoint_t child;
	struct vmproc *vmp;
	uint32_t a, v;
	struct baseline b;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	vmp = vmp_of(child);
	CHECK_EQ(mmap_anon(child, 0, 0x80000000u, PROT_RW, 0, &a), VM_OK);
	CHECK(a >= MMAP_BASE && 0x80000000u <= MMAP_TOP - a);
	CHECK_EQ(region_find(vmp, a)->length, 0x80000000u);
	CHECK_EQ(proc_write32(child, a + 0x7FFFF000u, 5), VM_OK);
	CHECK_EQ(proc_read32(child, a + 0x7FFFF000u, &v), VM_OK);
	CHECK_EQ(v, 5);
	CHECK_EQ(proc_read32(child, a + 0x40000000u, &v), VM_OK);
	CHECK_EQ(v, 0);
	CHECK_EQ(munmap_call(child, a, 0x80000000u), VM_OK);
	CHECK_EQ(mmap_anon(child, 0x30000000, 0xA0000001u, PROT_RW, 0, &a), VM_OK); /* hint past MMAP_TOP */
	CHECK_EQ(a, 0x30000000);
	CHECK_EQ(region_find(vmp, a)->length, 0xA0001000u);
	CHECK_EQ(mmap_anon(child, 0x10000000, 0xC0000000u, PROT_RW, MAP_FIXED, &a), VM_OK);
	CHECK_EQ(a, 0x10000000);
	CHECK_EQ(region_find(vmp, a)->length, 0xC0000000u);
	CHECK_EQ(region_find(vmp, 0xD0000000u)->length, P); /* the tail of the hinted one */
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
}

TEST(MMAP0035, "mmap of 2 GiB or more that cannot be placed is ENOMEM and changes nothing; only 0 or a length whose rounding wraps is EINVAL")
{
	endpoint_t child;
	struct vmproc *vmp;
	uint32_t n, muts;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	vmp = vmp_of(child);
	n = region_count(vmp);
	muts = vm.mutations;
	CHECK_EQ(mmap_anon(child, 0x30000000, 0xCC003000u, PROT_WRITE, 0, NULL), VM_ENOMEM); /* model-ede64102 */
	CHECK_EQ(mmap_anon(child, 0, MMAP_TOP - MMAP_BASE + 1, PROT_RW, 0, NULL), VM_ENOMEM);
	CHECK_EQ(mmap_anon(child, 0x30000000, 0xC0001000u, PROT_RW, MAP_FIXED, NULL), VM_ENOMEM); /* past USER_TOP */
	CHECK_EQ(mmap_anon(child, 0x30000000, 0xFFFFF000u, PROT_RW, MAP_FIXED, NULL), VM_ENOMEM); /* wraps */
	CHECK_EQ(mmap_anon(child, 0, 0xFFFFF000u, PROT_RW, 0, NULL), VM_ENOMEM);
	CHECK_EQ(mmap_anon(child, 0, 0xFFFFF001u, PROT_RW, 0, NULL), VM_EINVAL);
	CHECK_EQ(mmap_anon(child, 0, 0xFFFFFFFFu, PROT_RW, MAP_FIXED, NULL), VM_EINVAL);
	CHECK_EQ(mmap_anon(child, 0, 0, PROT_RW, 0, NULL), VM_EINVAL);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(region_count(vmp), n);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0036, "MAP_PREALLOC of 2 GiB or more, contiguous or not, is ENOMEM before a page is filled (the pool is smaller); one that needs every free page runs out midway and leaves nothing allocated")
{
	uint32_t n = region_count(vmp_of(INIT_PROC_NR));
	struct baseline b;

	baseline_take(&b);
	fault_fail_nth(FS_PAGE_ALLOC, 0); /* count the page allocations */
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 0x80000000u, PROT_RW, MAP_PREALLOC, NULL), VM_ENOMEM);
	CHECK_EQ(fault_hits(FS_PAGE_ALLOC), 0); /* refused at once: more pages than the pool has free */
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 0x80000000u, PROT_RW, MAP_PREALLOC | MAP_CONTIG, NULL), VM_ENOMEM);
	CHECK_EQ(region_count(vmp_of(INIT_PROC_NR)), n);
	CHECK_BASELINE(b);
	fault_fail_nth(FS_PAGE_ALLOC, 0);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, (mem_free_count() - 8) * PAGE_SIZE, PROT_RW, MAP_PREALLOC, NULL), VM_ENOMEM);
	CHECK(fault_hits(FS_PAGE_ALLOC) > 1000); /* tried: its page map and page tables need pages too */
	CHECK_EQ(region_count(vmp_of(INIT_PROC_NR)), n);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* ---- MAP_FIXED over existing memory is all-or-nothing ---- */

#define FX_BASE  0x30000000u
#define FX_PAGES 6

/* The old mappings of the MAP_FIXED cases in init: regions of pages [0, 2) and [3, 6)
 * from FX_BASE (page 2 a hole), each page written with a value of its own. */
static void fixed_setup(void)
{
	CHECK_EQ(mmap_anon(INIT_PROC_NR, FX_BASE, 2 * P, PROT_RW, MAP_FIXED, NULL), VM_OK);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, FX_BASE + 3 * P, 3 * P, PROT_RW, MAP_FIXED, NULL), VM_OK);
	for (uint32_t i = 0; i < FX_PAGES; i++)
		if (i != 2)
			CHECK_EQ(proc_write32(INIT_PROC_NR, FX_BASE + i * P, 0xF1C0 + i), VM_OK);
}

/* What init's pages from FX_BASE look like: the region around each, its frame, PTE
 * and first word (0 where no region is). */
struct fixed_view {
	uint32_t vaddr[FX_PAGES], length[FX_PAGES], phys[FX_PAGES], pte[FX_PAGES], word[FX_PAGES];
	uint32_t regions, pt_pages;
};

static void fixed_view(struct fixed_view *v)
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];

	memset(v, 0, sizeof *v);
	v->regions = region_count(vmp);
	v->pt_pages = pt_page_count(&vmp->pt);
	for (uint32_t i = 0; i < FX_PAGES; i++) {
		uint32_t va = FX_BASE + i * P;
		struct vir_region *r = region_find(vmp, va);
		uint32_t *pte = pte_ptr(&vmp->pt, va);

		if (!r)
			continue;
		v->vaddr[i] = r->vaddr;
		v->length[i] = r->length;
		v->phys[i] = block_at(INIT_PROC_NR, va) ? block_at(INIT_PROC_NR, va)->phys : 0;
		v->pte[i] = pte ? *pte : 0;
		CHECK_EQ(proc_read32(INIT_PROC_NR, va, &v->word[i]), VM_OK);
	}
}

/* MAP_FIXED of pages [first, first + n) from FX_BASE over the old mappings, with the
 * k-th hit of site failing, k = 1, 2, ... until the mmap no longer reaches it: a
 * failure is ENOMEM and leaves regions, frames, PTEs, contents, page tables and the
 * leak baseline exactly as they were; a success maps exactly there, zeroed. */
static void fixed_under_faults(uint32_t first, uint32_t n, uint32_t flags, enum fault_site site)
{
	for (uint32_t k = 1; k < 100; k++) {
		struct fixed_view before, after;
		struct baseline b;
		uint32_t a = 0, val;
		int r, fired;

		hosted_restore();
		fixed_setup();
		fixed_view(&before);
		baseline_take(&b);
		fault_fail_nth(site, k);
		r = mmap_anon(INIT_PROC_NR, FX_BASE + first * P, n * P, PROT_RW, MAP_FIXED | flags, &a);
		fired = fault_fired();
		fault_fail_nth(site, 0);
		CHECK_EQ(sanity_check(), SAN_OK);
		if (r != VM_OK) {
			CHECK(fired);
			CHECK_EQ(r, VM_ENOMEM);
			fixed_view(&after);
			CHECK(memcmp(&before, &after, sizeof before) == 0);
			CHECK_BASELINE(b);
		} else {
			CHECK_EQ(a, FX_BASE + first * P);
			CHECK_EQ(region_find(&vm.proc[INIT_PROC_NR], a)->length, n * P);
			CHECK_EQ(proc_read32(INIT_PROC_NR, a + (n - 1) * P, &val), VM_OK);
			CHECK_EQ(val, 0);
		}
		if (!fired)
			return;
	}
	CHECK(0);
}

TEST(MMAP0037, "a MAP_FIXED mmap over existing memory, part of a region or several regions that fails at any allocation site is ENOMEM and leaves the old mappings exactly as they were")
{
	static const uint32_t range[][2] = { { 0, 2 }, { 4, 1 }, { 1, 4 }, { 0, 6 } };
	static const uint32_t flags[] = { 0, MAP_PREALLOC, MAP_PREALLOC | MAP_CONTIG };
	static const enum fault_site sites[] = { FS_PAGE_ALLOC, FS_SLAB_ALLOC, FS_PT_PAGE, FS_REGION_PAGES };

	for (unsigned c = 0; c < sizeof range / sizeof range[0]; c++)
		for (unsigned f = 0; f < sizeof flags / sizeof flags[0]; f++)
			for (unsigned s = 0; s < sizeof sites / sizeof sites[0]; s++)
				fixed_under_faults(range[c][0], range[c][1], flags[f], sites[s]);
}

TEST(MMAP0038, "a MAP_FIXED mmap that cannot get a page table frees the tables it got and leaves the old page and its PTE")
{
	uint32_t a = 0x503FF000, val, pte, tables, phys;
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	struct baseline b;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, a, P, PROT_RW, MAP_FIXED, NULL), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 0x7AB1E), VM_OK);
	pte = *pte_ptr(&vmp->pt, a);
	tables = pt_page_count(&vmp->pt);
	baseline_take(&b);
	fault_fail_nth(FS_PT_PAGE, 2); /* the second of the two new 4 MiB blocks' tables */
	CHECK_EQ(mmap_anon(INIT_PROC_NR, a, 0x400000 + 2 * P, PROT_RW, MAP_FIXED | MAP_PREALLOC, NULL), VM_ENOMEM);
	CHECK(fault_fired());
	fault_fail_nth(FS_PT_PAGE, 0);
	CHECK_EQ(pt_page_count(&vmp->pt), tables);
	CHECK(pte_ptr(&vmp->pt, a + P) == NULL);
	CHECK_EQ(*pte_ptr(&vmp->pt, a), pte);
	CHECK_EQ(region_find(vmp, a)->length, P);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a, &val), VM_OK);
	CHECK_EQ(val, 0x7AB1E);
	CHECK(mmu_translate(INIT_PROC_NR, a + P, 0, &phys) > 0);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(MMAP0039, "a MAP_FIXED mmap by VFS over another process's heap that fails at any slab or page-map allocation leaves the heap region, so its data reads back and brk still grows it")
{
	static const enum fault_site sites[] = { FS_SLAB_ALLOC, FS_REGION_PAGES };
	uint32_t brk = boot_break(INIT_PROC_NR), failed = 0;

	for (unsigned s = 0; s < sizeof sites / sizeof sites[0]; s++) {
		for (uint32_t k = 1; k < 100; k++) {
			struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
			struct vir_region *heap;
			uint32_t before, val;
			int r, fired;

			hosted_restore();
			heap = region_find(vmp, brk - 1);
			CHECK(heap != NULL && heap->length > P);
			CHECK_EQ(proc_read32(INIT_PROC_NR, heap->vaddr + 16, &before), VM_OK);
			fault_fail_nth(sites[s], k);
			/* VFS maps one page MAP_FIXED at the start of init's heap */
			r = mmap_for(VFS_PROC_NR, INIT_PROC_NR, heap->vaddr, P, PROT_RW, MAP_FIXED | MAP_THIRDPARTY, NULL);
			fired = fault_fired();
			fault_fail_nth(sites[s], 0);
			if (!fired) {
				CHECK_EQ(r, VM_OK);
				break;
			}
			CHECK_EQ(r, VM_ENOMEM);
			failed++;
			CHECK(region_find(vmp, brk - 1) == heap);
			CHECK(region_find(vmp, heap->vaddr) == heap);
			CHECK_EQ(proc_read32(INIT_PROC_NR, heap->vaddr + 16, &val), VM_OK);
			CHECK_EQ(val, before);
			CHECK_EQ(brk_call(INIT_PROC_NR, brk + 2 * P), VM_OK);
			CHECK_EQ(proc_write32(INIT_PROC_NR, brk + P, 0xB4), VM_OK);
			CHECK_EQ(sanity_check(), SAN_OK);
		}
	}
	CHECK(failed >= 4); /* the tail's object, map and leaf, and the new region's object and map */
}

TEST(MMAP0040, "a page-map walk starts at the lowest page ever set and stops past the highest: pages 5 and 290 of a 600-page region are found, and nothing past them")
{
	struct vmproc *vmp = vmp_of(INIT_PROC_NR);
	uint32_t a;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, 600 * PAGE_SIZE, PROT_RW, 0, &a), VM_OK);
	struct vir_region *r = region_find(vmp, a);
	CHECK(r != NULL);
	CHECK_EQ(pagemap_next(r, 0), pagemap_capacity(r)); /* nothing set yet */
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + 290 * PAGE_SIZE, 1), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + 5 * PAGE_SIZE, 1), VM_OK);
	CHECK_EQ(r->page_lo, 5u);
	CHECK_EQ(r->page_hi, 291u);
	CHECK_EQ(pagemap_next(r, 0), 5u);
	CHECK_EQ(pagemap_next(r, 6), 290u);
	CHECK_EQ(pagemap_next(r, 291), pagemap_capacity(r));
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(munmap_call(INIT_PROC_NR, a, 600 * PAGE_SIZE), VM_OK);
}
