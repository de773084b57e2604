/* t_brk.c - VM_BRK: the caller's heap (its data region) grows upward to the break. */
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE

/* The region that holds the last page below the boot break of slot. */
static struct vir_region *heap_of(int32_t slot)
{
	return region_find(&vm.proc[slot], boot_break(slot) - 1);
}

TEST(BRK0001, "brk three pages above the break grows the data region by three demand-zero writable pages")
{
	uint32_t brk = boot_break(INIT_PROC_NR), n = region_count(&vm.proc[INIT_PROC_NR]), len, val;
	struct vir_region *h = heap_of(INIT_PROC_NR);

	CHECK(h != NULL);
	CHECK_EQ(h->vaddr + h->length, brk);
	len = h->length;
	CHECK_EQ(brk_call(INIT_PROC_NR, brk + 3 * P), VM_OK);
	CHECK(heap_of(INIT_PROC_NR) == region_find(&vm.proc[INIT_PROC_NR], brk + 3 * P - 1));
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, len + 3 * P);
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), n);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK_EQ(proc_read32(INIT_PROC_NR, brk + i * P + 12, &val), VM_OK);
		CHECK_EQ(val, 0);
		CHECK_EQ(proc_write32(INIT_PROC_NR, brk + i * P + 12, 0xB0 + i), VM_OK);
		CHECK_EQ(proc_read32(INIT_PROC_NR, brk + i * P + 12, &val), VM_OK);
		CHECK_EQ(val, 0xB0 + i);
	}
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(BRK0002, "an unaligned break is rounded up to the next page")
{
	uint32_t brk = boot_break(INIT_PROC_NR), phys;

	CHECK_EQ(brk_call(INIT_PROC_NR, brk + 100), VM_OK);
	CHECK_EQ(heap_of(INIT_PROC_NR)->vaddr + heap_of(INIT_PROC_NR)->length, brk + P);
	CHECK_EQ(proc_write32(INIT_PROC_NR, brk + P - 4, 7), VM_OK);
	CHECK(region_find(&vm.proc[INIT_PROC_NR], brk + P) == NULL);
	CHECK(mmu_translate(INIT_PROC_NR, brk + P, 0, &phys) > 0);
}

TEST(BRK0003, "a break at or below the current one answers OK and changes nothing")
{
	uint32_t brk = boot_break(INIT_PROC_NR), len = heap_of(INIT_PROC_NR)->length;
	uint32_t muts = vm.mutations, val;
	struct baseline b;

	baseline_take(&b);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk), VM_OK);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk - P), VM_OK);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk - 2 * P), VM_OK);
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, len);
	CHECK_EQ(vm.mutations, muts);
	CHECK_BASELINE(b);
	CHECK_EQ(proc_read32(INIT_PROC_NR, brk - 4, &val), VM_OK);
}

TEST(BRK0004, "a break reaching into the stack answers ENOMEM and leaves heap and stack unchanged")
{
	struct vir_region *stack = stack_region(INIT_PROC_NR), *h = heap_of(INIT_PROC_NR);
	uint32_t hlen = h->length, svaddr = stack->vaddr, slen = stack->length;
	uint32_t n = region_count(&vm.proc[INIT_PROC_NR]);

	CHECK_EQ(brk_call(INIT_PROC_NR, svaddr + P), VM_ENOMEM);
	CHECK_EQ(brk_call(INIT_PROC_NR, svaddr + slen - 4), VM_ENOMEM);
	CHECK_EQ(brk_call(INIT_PROC_NR, STACK_TOP), VM_ENOMEM);
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, hlen);
	CHECK_EQ(stack_region(INIT_PROC_NR)->vaddr, svaddr);
	CHECK_EQ(stack_region(INIT_PROC_NR)->length, slen);
	CHECK_EQ(region_count(&vm.proc[INIT_PROC_NR]), n);
}

TEST(BRK0005, "a break past an mmap placed right above the heap answers ENOMEM and grows neither region")
{
	uint32_t brk = boot_break(INIT_PROC_NR), m, hlen = heap_of(INIT_PROC_NR)->length;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, brk + 2 * P, P, PROT_RW, MAP_FIXED, &m), VM_OK);
	CHECK_EQ(m, brk + 2 * P);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk + 3 * P), VM_ENOMEM);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk + 5 * P), VM_ENOMEM);
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, hlen);
	CHECK_EQ(region_find(&vm.proc[INIT_PROC_NR], m)->length, P);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk + P), VM_OK);
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, hlen + P);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(BRK0006, "a break beyond the user range answers ENOMEM")
{
	static const uint32_t bad[] = { USER_TOP, USER_TOP + 1, 0xFFFFF000, 0xFFFFFFFF };
	uint32_t hlen = heap_of(INIT_PROC_NR)->length, muts = vm.mutations;

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ(brk_call(INIT_PROC_NR, bad[i]), VM_ENOMEM);
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, hlen);
	CHECK_EQ(vm.mutations, muts);
}

TEST(BRK0007, "a break past a distant mmap region answers ENOMEM and never grows that region")
{
	uint32_t m, brk;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0x30000000, P, PROT_RW, MAP_FIXED, &m), VM_OK);
	CHECK_EQ(brk_call(INIT_PROC_NR, 0x30000000 + 3 * P), VM_ENOMEM);
	CHECK_EQ(region_find(&vm.proc[INIT_PROC_NR], 0x30000000)->length, P);
	brk = boot_break(INIT_PROC_NR);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk + P), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(BRK0008, "heap pages grown by brk are copy-on-write shared after fork and returned on exit")
{
	uint32_t brk = boot_break(INIT_PROC_NR), val;
	struct baseline b;
	endpoint_t child;

	CHECK_EQ(brk_call(INIT_PROC_NR, brk + 2 * P), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, brk + P, 0x4EA9), VM_OK);
	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(block_at(child, brk + P)->refcount, 2);
	CHECK_EQ(proc_write32(child, brk + P, 1), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, brk + P, &val), VM_OK);
	CHECK_EQ(val, 0x4EA9);
	CHECK_EQ(brk_call(child, brk + 4 * P), VM_OK);
	CHECK_EQ(proc_write32(child, brk + 3 * P, 1), VM_OK);
	CHECK_EQ(heap_of(INIT_PROC_NR)->vaddr + heap_of(INIT_PROC_NR)->length, brk + 2 * P);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_BASELINE(b);
}

TEST(BRK0009, "brk acts on the caller's own heap only")
{
	uint32_t pm_brk = boot_break(PM_PROC_NR), init_len = heap_of(INIT_PROC_NR)->length;
	uint32_t pm_len = heap_of(PM_PROC_NR)->length;

	CHECK_EQ(brk_call(PM_PROC_NR, pm_brk + 2 * P), VM_OK);
	CHECK_EQ(heap_of(PM_PROC_NR)->length, pm_len + 2 * P);
	CHECK_EQ(heap_of(INIT_PROC_NR)->length, init_len);
}

TEST(BRK0010, "values in grown heap pages survive a later request to shrink the break")
{
	uint32_t brk = boot_break(INIT_PROC_NR), val;

	CHECK_EQ(brk_call(INIT_PROC_NR, brk + 2 * P), VM_OK);
	CHECK_EQ(proc_write32(INIT_PROC_NR, brk + P + 8, 0x51), VM_OK);
	CHECK_EQ(brk_call(INIT_PROC_NR, brk), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, brk + P + 8, &val), VM_OK);
	CHECK_EQ(val, 0x51);
}

TEST(BRK0011, "a brk failing at any allocation site answers ENOMEM and leaves the heap as it was")
{
	static const enum fault_site sites[] = { FS_PAGE_ALLOC, FS_SLAB_ALLOC, FS_PT_PAGE, FS_REGION_PAGES };
	uint32_t brk = boot_break(INIT_PROC_NR);

	for (unsigned s = 0; s < sizeof sites / sizeof sites[0]; s++) {
		for (uint32_t n = 1; n < 50; n++) {
			uint32_t len;
			struct baseline b;
			int r, fired;

			hosted_restore();
			len = heap_of(INIT_PROC_NR)->length;
			baseline_take(&b);
			fault_fail_nth(sites[s], n);
			r = brk_call(INIT_PROC_NR, brk + 600 * P);
			fired = fault_fired();
			fault_fail_nth(sites[s], 0);
			CHECK_EQ(sanity_check(), SAN_OK);
			if (r != VM_OK) {
				CHECK(fired);
				CHECK_EQ(r, VM_ENOMEM);
				CHECK_EQ(heap_of(INIT_PROC_NR)->length, len);
				CHECK_BASELINE(b);
			}
			if (!fired)
				break;
		}
	}
}

TEST(BRK0012, "a brk whose page map needs a multi-page top table succeeds in a fragmented pool (no free run as long as the table)")
{
	uint32_t brk = boot_break(INIT_PROC_NR), n = 0, at, top = brk + (3u << 30);
	uint32_t table_pages = (3u << 30) / (PAGEMAP_LEAF * P) * sizeof(void *) / P; /* 24 KiB on x86-64 */

	while (mmap_anon(INIT_PROC_NR, 0xD8000000u + n * 2 * P, P, PROT_RW, MAP_FIXED | MAP_PREALLOC, &at) == VM_OK)
		n++; /* one-page regions until memory runs out, then every other one unmapped */
	for (uint32_t i = 0; i < n; i += 2)
		CHECK_EQ(munmap_call(INIT_PROC_NR, 0xD8000000u + i * 2 * P, P), VM_OK);
	CHECK(mem_free_count() >= 64);
	CHECK(mem_largest_free_run() < table_pages); /* the holes left by slab and page-table pages are shorter */
	CHECK_EQ(brk_call(INIT_PROC_NR, top), VM_OK);
	CHECK_EQ(heap_of(INIT_PROC_NR)->vaddr + heap_of(INIT_PROC_NR)->length, top);
	CHECK_EQ(proc_write32(INIT_PROC_NR, top - P, 0x5a), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}
