/* t_slab.c - unit tests of vm/slab.c, VM's small-object allocator. */
#include "vm.h"
#include "hosted.h"
#include "test.h"
#include <sanitizer/asan_interface.h>

/* The slab page header as vm/slab.c lays it out at the end of each page.  Only the
 * corruption tests use it; SLAB0005 first checks that it matches a live page. */
struct hdr_mirror {
	uint32_t magic, phys, next, prev;
	uint16_t cls, nused;
	uint32_t used[16];
	uint32_t magic2;
};
#define HDR_OFF (PAGE_SIZE - (uint32_t)sizeof(struct hdr_mirror))

static struct hdr_mirror *hdr_of(void *obj)
{
	return (struct hdr_mirror *)(((uintptr_t)obj & ~(uintptr_t)PAGE_MASK) + HDR_OFF);
}

__attribute__((no_sanitize("address"))) static uint8_t peek(const void *p, uint32_t off)
{
	return ((const volatile uint8_t *)p)[off];
}

static void count_page(uint32_t phys, void *arg)
{
	CHECK(mem_page_is_managed(phys) && !mem_page_is_free(phys));
	(*(uint32_t *)arg)++;
}

/* slab_check passes and visits exactly vm.slab.pages pages. */
static void check_healthy(void)
{
	uint32_t n = 0;

	CHECK_EQ(slab_check(count_page, &n), SAN_OK);
	CHECK_EQ(n, vm.slab.pages);
}

#define NOBJ 1024
static struct {
	uint8_t *p;
	uint32_t bytes;
} objs[NOBJ];

TEST(SLAB0001, "objects of every size are distinct, zeroed and writable; freeing all returns the pages")
{
	uint32_t free0 = mem_free_count(), live0 = slab_live_objects(), pages0 = vm.slab.pages;
	uint32_t n = 0;

	for (uint32_t bytes = 1; bytes <= SLAB_MAX; bytes += (bytes < 64 ? 1 : 37)) {
		for (int k = 0; k < 3; k++, n++) {
			CHECK(n < NOBJ);
			objs[n].bytes = bytes;
			objs[n].p = slab_alloc(bytes);
			CHECK(objs[n].p != NULL);
			for (uint32_t i = 0; i < bytes; i++)
				CHECK_EQ(objs[n].p[i], 0);
			vm_memset(objs[n].p, (int)(n & 0xFF), bytes);
			CHECK(slab_is_live(objs[n].p, bytes));
		}
	}
	CHECK_EQ(slab_live_objects(), live0 + n);
	check_healthy();
	/* Each object still holds its own fill: no two overlap. */
	for (uint32_t j = 0; j < n; j++)
		for (uint32_t i = 0; i < objs[j].bytes; i++)
			CHECK_EQ(objs[j].p[i], j & 0xFF);
	for (uint32_t j = 0; j < n; j++)
		slab_free(objs[j].p, objs[j].bytes);
	CHECK_EQ(slab_live_objects(), live0);
	CHECK_EQ(vm.slab.pages, pages0);
	CHECK_EQ(mem_free_count(), free0);
	check_healthy();
}

TEST(SLAB0002, "one class spans pages; freeing in a scrambled order returns every page")
{
	uint32_t free0 = mem_free_count(), live0 = slab_live_objects(), pages0 = vm.slab.pages;
	const uint32_t n = NOBJ, bytes = 40;

	for (uint32_t i = 0; i < n; i++) {
		objs[i].p = slab_alloc(bytes);
		CHECK(objs[i].p != NULL);
		CHECK_EQ(((uintptr_t)objs[i].p & PAGE_MASK) % 40, 0);
	}
	CHECK(vm.slab.pages >= pages0 + n * bytes / PAGE_SIZE);
	check_healthy();
	/* Stride 7 is coprime with 1024: every object exactly once. */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = (k * 7) % n;
		slab_free(objs[i].p, bytes);
		if (k % 128 == 0)
			check_healthy();
	}
	CHECK_EQ(slab_live_objects(), live0);
	CHECK_EQ(vm.slab.pages, pages0);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(SLAB0003, "size 0 and sizes above SLAB_MAX are refused with NULL")
{
	uint32_t live0 = slab_live_objects(), free0 = mem_free_count();

	CHECK(slab_alloc(0) == NULL);
	CHECK(slab_alloc(SLAB_MAX + 1) == NULL);
	CHECK(slab_alloc(0xFFFFFFFFu) == NULL);
	CHECK_EQ(slab_live_objects(), live0);
	CHECK_EQ(mem_free_count(), free0);
	void *p = slab_alloc(SLAB_MAX);
	CHECK(p != NULL);
	slab_free(p, SLAB_MAX);
}

static void *bad_p;
static uint32_t bad_bytes;
static void free_bad(void)
{
	slab_free(bad_p, bad_bytes);
}

/* The next slab_free(p, bytes) panics, and the heap is still consistent. */
static void expect_free_panics(void *p, uint32_t bytes)
{
	uint32_t live = slab_live_objects();

	bad_p = p;
	bad_bytes = bytes;
	CHECK(test_expect_panic(free_bad, NULL));
	CHECK_EQ(slab_live_objects(), live);
	check_healthy();
}

/* A size class no slab page serves yet (so a test owns its page), or 0. */
static uint32_t unused_size(uint32_t min_cls)
{
	for (uint32_t c = min_cls; c < SLAB_CLASSES; c++)
		if (vm.slab.head[c] == NULL)
			return (c + 1) * SLAB_GRANULE;
	return 0;
}

TEST(SLAB0004, "slab_free panics on a double free, a wrong size class, a misaligned or header pointer")
{
	uint32_t sz = unused_size(2);
	uint8_t *a, *b, *c;

	CHECK(sz != 0 && sz < 512);
	a = slab_alloc(sz);
	b = slab_alloc(sz);
	c = slab_alloc(sz);
	CHECK(a && b && c);
	CHECK(hdr_of(a) == hdr_of(c)); /* one fresh page */
	expect_free_panics(a, sz + SLAB_GRANULE); /* another class */
	expect_free_panics(a + 8, sz);            /* inside an object */
	expect_free_panics(a, 0);                 /* size out of range */
	expect_free_panics(NULL, sz);
	expect_free_panics((uint8_t *)hdr_of(a), sz);
	slab_free(a, sz);
	CHECK(!slab_is_live(a, sz));
	CHECK(slab_is_live(b, sz));
	expect_free_panics(a, sz); /* double free */
	slab_free(b, sz);
	slab_free(c, sz);
	CHECK(vm.slab.head[sz / SLAB_GRANULE - 1] == NULL); /* the page went back */
}

TEST(SLAB0005, "slab_check reports a corrupted magic, bitmap, count and link by id, without panicking")
{
	uint8_t *a = slab_alloc(16), *b;
	struct hdr_mirror *h = hdr_of(a), saved;
	uint32_t cap = HDR_OFF / 16, nb = 0;

	CHECK(a != NULL);
	CHECK_EQ(h->cls, 1);
	CHECK(phys_ptr(h->phys, PAGE_SIZE) == (void *)((uintptr_t)a & ~(uintptr_t)PAGE_MASK));
	check_healthy();
	saved = *h;

	h->magic ^= 1;
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_HEADER);
	*h = saved;
	h->magic2 = 0;
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_HEADER);
	*h = saved;
	h->used[cap / 32] |= 1u << (cap % 32); /* beyond capacity */
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_HEADER);
	*h = saved;
	h->nused--;
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_COUNT);
	*h = saved;
	vm.slab.live_objects++;
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_COUNT);
	vm.slab.live_objects--;
	check_healthy();

	/* Fill a second page of the class so the list has two links to break. */
	while ((b = slab_alloc(16)) != NULL && hdr_of(b) == h)
		nb++;
	CHECK(nb < cap);
	CHECK(b != NULL);
	struct hdr_mirror *h2 = hdr_of(b), saved2 = *h2;
	CHECK(h2 != h);
	check_healthy();
	h2->prev ^= PAGE_SIZE;
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_LINK);
	*h2 = saved2;
	h2->next = 0xFFFFF000u; /* not a page of the pool */
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_LINK);
	*h2 = saved2;
	check_healthy();
}

static enum fault_site fail_site = FS_COUNT;
static uint32_t hits[FS_COUNT], fail_at;
static int fault_hook(enum fault_site site)
{
	hits[site]++;
	return site == fail_site && hits[site] == fail_at;
}

TEST(SLAB0006, "the slab_alloc fault point fails that call with NULL and counts calls, not pages")
{
	uint32_t live0 = slab_live_objects(), free0 = mem_free_count();
	void *p[6];

	for (int i = 0; i < FS_COUNT; i++)
		hits[i] = 0;
	fail_site = FS_SLAB_ALLOC;
	fail_at = 3;
	hosted_set_fault_hook(fault_hook);
	for (int i = 0; i < 6; i++)
		p[i] = slab_alloc(i < 3 ? 8 : 2048); /* 2048: a new page per object */
	hosted_set_fault_hook(NULL);
	CHECK_EQ(hits[FS_SLAB_ALLOC], 6);
	CHECK_EQ(hits[FS_PAGE_ALLOC], 0);
	CHECK(p[0] && p[1] && p[3] && p[4] && p[5]);
	CHECK(p[2] == NULL);
	CHECK_EQ(slab_live_objects(), live0 + 5);
	check_healthy();
	for (int i = 0; i < 6; i++)
		if (p[i])
			slab_free(p[i], i < 3 ? 8 : 2048);
	CHECK_EQ(slab_live_objects(), live0);
	CHECK_EQ(mem_free_count(), free0);
}

TEST(SLAB0007, "a freed object holds FREE_PATTERN, is poisoned, and is handed out again zeroed")
{
	uint8_t *a = slab_alloc(60), *b = slab_alloc(64), *c;

	CHECK(a && b);
	CHECK(!__asan_region_is_poisoned(a, 60));
	CHECK(__asan_address_is_poisoned(a + 60)); /* the class's slack past the request */
	vm_memset(a, 0x77, 60);
	slab_free(a, 60);
	CHECK(__asan_address_is_poisoned(a));
	CHECK(__asan_address_is_poisoned(a + 63));
	CHECK(!__asan_region_is_poisoned(b, 64));
	for (uint32_t i = 0; i < 64; i++)
		CHECK_EQ(peek(a, i), FREE_PATTERN);
	c = slab_alloc(64);
	CHECK(c == a);
	CHECK(!__asan_region_is_poisoned(c, 64)); /* the lowest free slot of the page in front */
	for (uint32_t i = 0; i < 64; i++)
		CHECK_EQ(c[i], 0);
	slab_free(b, 64);
	slab_free(c, 64);
}

TEST(SLAB0008, "with no free page left, slab_alloc of a new class returns NULL and changes nothing")
{
	static uint32_t held[PHYS_MAX_PAGES];
	uint32_t n = 0, p, cls = SLAB_CLASSES, live0 = slab_live_objects();

	for (uint32_t c = SLAB_CLASSES; c-- > 0;)
		if (vm.slab.head[c] == NULL) {
			cls = c;
			break;
		}
	CHECK(cls < SLAB_CLASSES);
	while ((p = mem_alloc(1, 0)) != PHYS_NONE)
		held[n++] = p;
	uint32_t pages0 = vm.slab.pages;
	CHECK(slab_alloc((cls + 1) * SLAB_GRANULE) == NULL);
	CHECK_EQ(slab_live_objects(), live0);
	CHECK_EQ(vm.slab.pages, pages0);
	CHECK(vm.slab.head[cls] == NULL);
	check_healthy();
	for (uint32_t i = 0; i < n; i++)
		mem_free(held[i], 1);
	void *o = slab_alloc((cls + 1) * SLAB_GRANULE);
	CHECK(o != NULL);
	slab_free(o, (cls + 1) * SLAB_GRANULE);
}

TEST(SLAB0009, "the incremental check re-checks a page only after an allocation or free on it, and counts the others as last checked")
{
	uint8_t *a = slab_alloc(16), *c;
	struct hdr_mirror *h = hdr_of(a);
	uint32_t unvisited = 0, n = 0;

	vm.sanity_incremental = 1; /* the slab marks its pages (else whole classes) */
	CHECK(a != NULL);
	CHECK_EQ(slab_check(NULL, NULL), SAN_OK); /* every page checked: none changed since */
	h->magic ^= 1;
	CHECK_EQ(slab_check_incremental(NULL, NULL, &unvisited), SAN_OK); /* a's page unchanged */
	CHECK_EQ(unvisited, vm.slab.pages);
	c = slab_alloc(16); /* a's page (its class's head, with room) changed: re-checked */
	CHECK(c != NULL && hdr_of(c) == h);
	unvisited = 0;
	CHECK_EQ(slab_check_incremental(count_page, &n, &unvisited), SAN_SLAB_HEADER);
	CHECK_EQ(slab_check(NULL, NULL), SAN_SLAB_HEADER);
	h->magic ^= 1;
	slab_free(c, 16);
	CHECK_EQ(slab_check(NULL, NULL), SAN_OK);
	n = unvisited = 0;
	slab_free(a, 16);
	CHECK_EQ(slab_check_incremental(count_page, &n, &unvisited), SAN_OK);
	CHECK_EQ(n + unvisited, vm.slab.pages); /* every page counted once, visited or not */
	CHECK(n <= 3); /* the changed page and at most its two neighbours' links */
	check_healthy();
}

TEST(SLAB0010, "page marks: pages filled, emptied back to the allocator and taken again for another class keep the incremental totals exact; past SLAB_MARKS pages every class is walked")
{
	static uint8_t *o[4096];
	uint32_t unvisited = 0, n = 0, k = 0, cap = 0;

	vm.sanity_incremental = 1;
	CHECK_EQ(slab_check(NULL, NULL), SAN_OK);
	for (k = 0; k < 4096; k++) { /* a few new pages of one class */
		o[k] = slab_alloc(200);
		CHECK(o[k] != NULL);
		if (k && hdr_of(o[k]) != hdr_of(o[k - 1]) && ++cap == 3)
			break;
	}
	CHECK_EQ(slab_check_incremental(NULL, NULL, &unvisited), SAN_OK);
	for (uint32_t i = 0; i <= k; i++) /* every one of them released */
		slab_free(o[i], 200);
	void *x = slab_alloc(1000); /* a released page back, for another class */
	CHECK(x != NULL);
	unvisited = 0;
	CHECK_EQ(slab_check_incremental(count_page, &n, &unvisited), SAN_OK);
	CHECK_EQ(n + unvisited, vm.slab.pages);
	slab_free(x, 1000);
	CHECK_EQ(slab_check_incremental(NULL, NULL, &unvisited), SAN_OK);
	for (k = 0; k < 4096; k++) { /* more pages changed than the marks hold */
		o[k] = slab_alloc(2000);
		CHECK(o[k] != NULL);
		if (k > 2 * SLAB_MARKS + 8) /* two objects a page */
			break;
	}
	n = unvisited = 0;
	CHECK_EQ(slab_check_incremental(count_page, &n, &unvisited), SAN_OK);
	CHECK_EQ(n, vm.slab.pages); /* every class walked */
	CHECK_EQ(unvisited, 0);
	for (uint32_t i = 0; i <= k; i++)
		slab_free(o[i], 2000);
	CHECK_EQ(slab_check_incremental(NULL, NULL, &unvisited), SAN_OK);
	check_healthy();
}

TEST(SLAB0011, "slab_is_live remembers a validated header only while a check runs and only for that check: a header corrupted afterwards is seen at once")
{
	uint8_t *a = slab_alloc(24), *b = slab_alloc(24);
	struct hdr_mirror *h = hdr_of(a);

	CHECK(a != NULL && b != NULL && hdr_of(b) == h);
	check_healthy();
	vm.in_sanity = 1; /* as during a check: the header is validated once, then remembered */
	CHECK(slab_is_live(a, 24) && slab_is_live(b, 24));
	CHECK(!slab_is_live(a, 16)); /* another class: not this page's */
	CHECK(!slab_is_live(a + 8, 24)); /* not at an object boundary */
	vm.in_sanity = 0;
	h->magic ^= 1;
	CHECK(!slab_is_live(a, 24)); /* outside a check every call looks at the header */
	vm.in_sanity = 1;
	vm.san_epoch++; /* the next check */
	CHECK(!slab_is_live(a, 24));
	vm.in_sanity = 0;
	h->magic ^= 1;
	CHECK(slab_is_live(a, 24));
	slab_free(a, 24);
	slab_free(b, 24);
	check_healthy();
}
