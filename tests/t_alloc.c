/* t_alloc.c - unit tests of vm/alloc.c, the physical page allocator.  Every test
 * starts from the booted system, so counts are measured relative to the start. */
#include "vm.h"
#include "hosted.h"
#include "test.h"
#include <sanitizer/asan_interface.h>

#define MAXP PHYS_MAX_PAGES
static uint32_t pages[MAXP]; /* pages a test holds */

/* Read a byte of RAM even when it is poisoned (the test inspects free pages). */
__attribute__((no_sanitize("address"))) static uint8_t peek(const void *p, uint32_t off)
{
	return ((const volatile uint8_t *)p)[off];
}

/* True when every byte of [phys, phys + len) equals v (read without the sanitizer). */
static int ram_all(uint32_t phys, uint32_t len, uint8_t v)
{
	const uint8_t *p = hosted_ram + phys;

	for (uint32_t i = 0; i < len; i++)
		if (peek(p, i) != v)
			return 0;
	return 1;
}

TEST(ALLOC0001, "mem_alloc hands out distinct used pages; mem_free restores the count")
{
	uint32_t free0 = mem_free_count(), managed0 = mem_managed_count();
	uint32_t mut0 = vm.mutations;
	const uint32_t n = 64;

	for (uint32_t i = 0; i < n; i++) {
		pages[i] = mem_alloc(1, 0);
		CHECK(pages[i] != PHYS_NONE);
		CHECK(page_aligned(pages[i]));
		CHECK(mem_page_is_managed(pages[i]));
		CHECK(!mem_page_is_free(pages[i]));
		for (uint32_t j = 0; j < i; j++)
			CHECK(pages[i] != pages[j]);
	}
	CHECK_EQ(mem_free_count(), free0 - n);
	CHECK(vm.mutations - mut0 >= n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t m = vm.mutations;
		mem_free(pages[i], 1);
		CHECK(vm.mutations != m);
		CHECK(mem_page_is_free(pages[i]));
	}
	CHECK_EQ(mem_free_count(), free0);
	CHECK_EQ(mem_managed_count(), managed0);
}

TEST(ALLOC0002, "a contiguous allocation is one run of used pages, zeroed with MEMF_CLEAR")
{
	uint32_t free0 = mem_free_count(), p, q;

	/* Dirty a run first so MEMF_CLEAR has something to clear. */
	p = mem_alloc(8, 0);
	CHECK(p != PHYS_NONE);
	vm_memset(phys_ptr(p, 8 * PAGE_SIZE), 0x5A, 8 * PAGE_SIZE);
	mem_free(p, 8);
	q = mem_alloc(8, MEMF_CLEAR);
	CHECK_EQ(q, p); /* first fit gives the same run back */
	for (uint32_t i = 0; i < 8; i++)
		CHECK(!mem_page_is_free(q + i * PAGE_SIZE));
	CHECK(ram_all(q, 8 * PAGE_SIZE, 0));
	CHECK_EQ(mem_free_count(), free0 - 8);
	mem_free(q, 8);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(ALLOC0003, "MEMF_ALIGN64K, MEMF_LOWER16M and MEMF_LOWER1M place the run as asked")
{
	uint32_t free0 = mem_free_count(), odd, p, low;
	int any_low = 0;

	/* Make the first free page (most likely) not 64 KiB aligned. */
	odd = mem_alloc(1, 0);
	CHECK(odd != PHYS_NONE);
	p = mem_alloc(5, MEMF_ALIGN64K | MEMF_LOWER16M);
	CHECK(p != PHYS_NONE);
	CHECK_EQ(p % (64u << 10), 0);
	CHECK(p + 5 * PAGE_SIZE <= (16u << 20));
	for (uint32_t i = 0; i < 5; i++)
		CHECK(!mem_page_is_free(p + i * PAGE_SIZE));
	for (uint32_t a = 0; a < (1u << 20); a += PAGE_SIZE)
		any_low |= mem_page_is_free(a);
	low = mem_alloc(1, MEMF_LOWER1M);
	if (any_low) {
		CHECK(low != PHYS_NONE);
		CHECK(low < (1u << 20));
		mem_free(low, 1);
	} else {
		CHECK_EQ(low, PHYS_NONE);
	}
	mem_free(p, 5);
	mem_free(odd, 1);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(ALLOC0004, "freed pages hold FREE_PATTERN and are poisoned; allocated pages are not")
{
	uint32_t p = mem_alloc(3, 0);

	CHECK(p != PHYS_NONE);
	CHECK(!__asan_region_is_poisoned(hosted_ram + p, 3 * PAGE_SIZE));
	vm_memset(phys_ptr(p, 3 * PAGE_SIZE), 0x11, 3 * PAGE_SIZE);
	mem_free(p, 3);
	CHECK(ram_all(p, 3 * PAGE_SIZE, FREE_PATTERN));
	for (uint32_t off = 0; off < 3 * PAGE_SIZE; off += 512)
		CHECK(__asan_address_is_poisoned(hosted_ram + p + off));
	CHECK_EQ(mem_alloc(3, 0), p);
	CHECK(!__asan_region_is_poisoned(hosted_ram + p, 3 * PAGE_SIZE));
	mem_free(p, 3);
}

static uint32_t victim;
static void free_victim(void)
{
	mem_free(victim, 1);
}

TEST(ALLOC0005, "freeing a free, unmanaged or misaligned page panics before changing anything")
{
	uint32_t free0 = mem_free_count(), p = mem_alloc(2, 0);
	const char *why = NULL;

	CHECK(p != PHYS_NONE);
	mem_free(p, 1);
	victim = p; /* already free */
	CHECK(test_expect_panic(free_victim, &why));
	CHECK(why != NULL);
	victim = PHYS_MAX; /* outside the pool */
	CHECK(test_expect_panic(free_victim, NULL));
	victim = p + PAGE_SIZE + 8; /* misaligned */
	CHECK(test_expect_panic(free_victim, NULL));
	CHECK(!mem_page_is_free(p + PAGE_SIZE));
	CHECK_EQ(mem_free_count(), free0 - 1);
	mem_free(p + PAGE_SIZE, 1);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(ALLOC0006, "first fit: the lowest freed page is handed out again first")
{
	uint32_t a = mem_alloc(1, 0), b = mem_alloc(1, 0), c = mem_alloc(1, 0);

	CHECK(a != PHYS_NONE && b != PHYS_NONE && c != PHYS_NONE);
	CHECK(a < b && b < c);
	mem_free(c, 1);
	mem_free(b, 1);
	CHECK_EQ(mem_alloc(1, 0), b);
	CHECK_EQ(mem_alloc(1, 0), c);
	mem_free(a, 1);
	mem_free(b, 1);
	mem_free(c, 1);
}

TEST(ALLOC0007, "mem_reserve takes free pool pages and refuses used, unmanaged or misaligned ones")
{
	uint32_t free0 = mem_free_count(), q = mem_alloc(2, 0);

	CHECK(q != PHYS_NONE);
	mem_free(q, 1); /* q free, q + 1 page used */
	CHECK_EQ(mem_reserve(q, 2), VM_EINVAL);
	CHECK(mem_page_is_free(q)); /* all or nothing */
	CHECK_EQ(mem_reserve(PHYS_MAX, 1), VM_EINVAL);
	CHECK_EQ(mem_reserve(0xFFFFF000u, 2), VM_EINVAL); /* wraps */
	CHECK_EQ(mem_reserve(q + 4, 1), VM_EINVAL);
	CHECK_EQ(mem_free_count(), free0 - 1);
	CHECK_EQ(mem_reserve(q, 1), VM_OK);
	CHECK(!mem_page_is_free(q));
	CHECK_EQ(mem_free_count(), free0 - 2);
	CHECK_EQ(mem_reserve(q, 1), VM_EINVAL); /* now used */
	mem_free(q, 2);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(ALLOC0008, "requests of 0 pages or more than is free fail with PHYS_NONE and change nothing")
{
	uint32_t free0 = mem_free_count(), mut0 = vm.mutations;

	CHECK_EQ(mem_alloc(0, 0), PHYS_NONE);
	CHECK_EQ(mem_alloc(free0 + 1, 0), PHYS_NONE);
	CHECK_EQ(mem_alloc(0xFFFFFFFFu, MEMF_CLEAR), PHYS_NONE);
	CHECK_EQ(mem_alloc(PHYS_MAX_PAGES + 1, 0), PHYS_NONE);
	CHECK_EQ(mem_free_count(), free0);
	CHECK_EQ(vm.mutations, mut0);
}

TEST(ALLOC0009, "the whole pool can be drained page by page, then every request fails")
{
	uint32_t free0 = mem_free_count(), run0 = mem_largest_free_run(), n = 0, p;

	CHECK(run0 > 0 && run0 <= free0);
	while ((p = mem_alloc(1, 0)) != PHYS_NONE) {
		CHECK(n < MAXP);
		pages[n++] = p;
	}
	CHECK_EQ(n, free0);
	CHECK_EQ(mem_free_count(), 0);
	CHECK_EQ(mem_largest_free_run(), 0);
	CHECK_EQ(mem_alloc(1, MEMF_LOWER16M), PHYS_NONE);
	mem_free(pages[n / 2], 1);
	CHECK_EQ(mem_largest_free_run(), 1);
	CHECK_EQ(mem_alloc(2, 0), PHYS_NONE); /* one free page is no run of two */
	CHECK_EQ(mem_alloc(1, 0), pages[n / 2]);
	for (uint32_t i = 0; i < n; i++)
		mem_free(pages[i], 1);
	CHECK_EQ(mem_free_count(), free0);
	CHECK_EQ(mem_largest_free_run(), run0);
}

TEST(ALLOC0010, "a run is found past a used page that breaks an earlier candidate")
{
	uint32_t free0 = mem_free_count(), a = mem_alloc(4, 0), r;

	CHECK(a != PHYS_NONE);
	/* a..a+3 used; free a and a+2: holes of one page, too short for two. */
	mem_free(a, 1);
	mem_free(a + 2 * PAGE_SIZE, 1);
	r = mem_alloc(2, 0);
	CHECK(r != PHYS_NONE);
	CHECK(r + 2 * PAGE_SIZE <= a || r >= a + 4 * PAGE_SIZE);
	CHECK(mem_page_is_free(a) && mem_page_is_free(a + 2 * PAGE_SIZE));
	mem_free(a + PAGE_SIZE, 1);
	mem_free(a + 3 * PAGE_SIZE, 1);
	mem_free(r, 2);
	CHECK_EQ(mem_free_count(), free0);
}
