/* ram.c - the simulated physical memory of the hosted build.
 *
 * HOSTED_RAM_SIZE bytes, page-aligned, allocated once for the life of the process so
 * host pointers VM keeps into it (slab objects, region nodes) stay valid across
 * restores.  phys_ptr marks the pages it hands out in a dirty bitmap; restore copies
 * back only those pages.
 *
 * Cached pointers.  VM keeps host pointers it got from phys_ptr long before it
 * writes through them (slab objects, large region page arrays), so a page can
 * change after a snapshot or restore without a new phys_ptr call.  Therefore the
 * snapshot also takes a "sticky" set: every page phys_ptr handed out since boot
 * that is not free in VM's allocator at that moment.  Restore copies back the
 * sticky pages as well as the dirty ones.  A pointer into a page that was free at
 * the snapshot cannot be legitimately written (free pages are poisoned), and a
 * page handed out after the snapshot is dirty, so every change is reverted.
 *
 * Poisoning.  VM poisons free pages and freed slab objects through seam_poison*.
 * ASan's shadow is not part of the snapshot, so this file keeps its own record of
 * what is poisoned: one bit per RAM byte (8 MiB), updated by every seam_poison*
 * call on RAM.  A poisoning change also marks its pages dirty (not touched: it
 * hands out no pointer).  Restore then, for each dirty or sticky page: unpoisons it, copies the snapshot's bytes back, copies
 * the snapshot's poison bits back and re-poisons every run of poisoned bytes.  So
 * after a restore every page has the contents and the poisoning it had at the
 * snapshot, whichever allocator (pages or slab) made it.  The one approximation:
 * ASan cannot poison the head of an 8-byte granule whose tail is addressable, so
 * re-applying a merged run may poison such a head that was left addressable before;
 * VM poisons whole pages and 8-byte slab granules, where this never happens.
 *
 * Blank pages.  Boot fills every page VM's allocator holds free with FREE_PATTERN,
 * as VM leaves a page it frees, so a free page looks the same whether or not a
 * conversation used it.  A page that is free and wholly poisoned at the snapshot
 * ("blank") and again free and wholly poisoned at restore holds the pattern in
 * between: VM fills a page with it before poisoning it, and under ASan any other
 * write to a poisoned byte is a crash.  So with ASan restore skips such pages, and
 * restoring after an input that ran out of memory costs what it left allocated, not
 * the whole pool.  Without ASan nothing would catch a stray write, so restore reads a
 * blank page that is free again and copies it back only when it is not all pattern
 * (a read instead of a copy); there is no poisoning to record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stubs.h"
#include "vm.h" /* FREE_PATTERN */

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STUBS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define STUBS_ASAN 1
#endif

#ifdef STUBS_ASAN
#define STUBS_ASAN_ON 1
#include <sanitizer/asan_interface.h>
#define ASAN_POISON(p, n)   __asan_poison_memory_region((p), (n))
#define ASAN_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#define NO_ASAN __attribute__((no_sanitize("address", "undefined")))
#else
#define STUBS_ASAN_ON 0
#define ASAN_POISON(p, n)   ((void)(p), (void)(n))
#define ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#define NO_ASAN
#endif

_Static_assert(HOSTED_RAM_SIZE % 64 == 0 && HOSTED_RAM_SIZE <= PHYS_MAX, "RAM size");
_Static_assert(HOSTED_RAM_PAGES % 64 == 0, "dirty bitmap in whole words");

#define POISON_BYTES_PER_PAGE (PAGE_SIZE / 8)

uint8_t *hosted_ram;

static struct {
	uint8_t *snap;        /* RAM at the snapshot */
	uint8_t *poison;      /* 1 bit per RAM byte: poisoned now */
	uint8_t *snap_poison; /* the same at the snapshot */
	uint64_t dirty[HOSTED_RAM_PAGES / 64];
	uint64_t touched[HOSTED_RAM_PAGES / 64]; /* handed out by phys_ptr since boot */
	uint64_t sticky[HOSTED_RAM_PAGES / 64];  /* always restored (see above) */
	uint64_t blank[HOSTED_RAM_PAGES / 64];   /* free and wholly poisoned at the snapshot */
	uint64_t clean[HOSTED_RAM_PAGES / 64];   /* no byte poisoned at the snapshot */
	int has_snap;
	int discard;          /* frees need no pattern until the next restore (seam_scrub_free) */
} ram;

/* calloc or die: the bench cannot run without its RAM. */
static void *ram_calloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p)
		hosted_die("out of host memory for the simulated RAM");
	return p;
}

void ram_init(void)
{
	if (hosted_ram)
		return;
	hosted_ram = aligned_alloc(PAGE_SIZE, HOSTED_RAM_SIZE);
	if (!hosted_ram)
		hosted_die("cannot allocate the simulated RAM");
	ram.poison = ram_calloc(HOSTED_RAM_SIZE / 8);
}

int ram_range_ok(uint32_t phys, uint32_t len)
{
	return len <= HOSTED_RAM_SIZE && phys <= HOSTED_RAM_SIZE - len;
}

const uint8_t *ram_view(uint32_t phys)
{
	return hosted_ram + phys;
}

/* Mark the pages of [phys, phys+len) dirty, and touched too when VM got a pointer
 * to them (touched != 0); the range is valid. */
NO_ASAN static void mark_dirty(uint32_t phys, uint32_t len, int touched)
{
	if (len == 0)
		return;
	for (uint32_t pg = phys >> PAGE_SHIFT; pg <= (phys + len - 1) >> PAGE_SHIFT; pg++) {
		ram.dirty[pg / 64] |= (uint64_t)1 << (pg % 64);
		if (touched)
			ram.touched[pg / 64] |= (uint64_t)1 << (pg % 64);
	}
}

static void mark_all_dirty(void)
{
	memset(ram.dirty, 0xFF, sizeof ram.dirty);
}

void *phys_ptr(uint32_t phys, uint32_t len)
{
	if (!hosted_ram || !ram_range_ok(phys, len))
		seam_panic(__FILE__, __LINE__, "phys_ptr: range outside RAM");
	mark_dirty(phys, len, 1);
	return hosted_ram + phys;
}

uint32_t ram_sticky_pages(void)
{
	uint32_t n = 0;

	for (size_t i = 0; i < HOSTED_RAM_PAGES / 64; i++)
		n += (uint32_t)__builtin_popcountll(ram.sticky[i]);
	return n;
}

uint32_t hosted_dirty_pages(void)
{
	uint32_t n = 0;

	for (size_t i = 0; i < HOSTED_RAM_PAGES / 64; i++)
		n += (uint32_t)__builtin_popcountll(ram.dirty[i]);
	return n;
}

/* Set (on) or clear bits [start, start+n) of the byte-poison bitmap. */
static void poison_bits(uint32_t start, uint32_t n, int on)
{
	uint8_t *b = ram.poison;

	while (n && (start & 7)) {
		b[start / 8] = on ? b[start / 8] | (1u << (start & 7)) : b[start / 8] & ~(1u << (start & 7));
		start++, n--;
	}
	memset(b + start / 8, on ? 0xFF : 0, n / 8);
	start += n & ~7u;
	n &= 7;
	while (n--) {
		b[start / 8] = on ? b[start / 8] | (1u << (start & 7)) : b[start / 8] & ~(1u << (start & 7));
		start++;
	}
}

/* Record and apply a poisoning change on [phys, phys+len) of RAM. */
static void ram_poison(uint32_t phys, uint32_t len, int on)
{
	if (!hosted_ram || !ram_range_ok(phys, len))
		seam_panic(__FILE__, __LINE__, "seam_poison: range outside RAM");
	if (len == 0 || !STUBS_ASAN_ON)
		return;
	mark_dirty(phys, len, 0);
	poison_bits(phys, len, on);
	if (on)
		ASAN_POISON(hosted_ram + phys, len);
	else
		ASAN_UNPOISON(hosted_ram + phys, len);
}

void seam_poison(uint32_t phys, uint32_t len)
{
	ram_poison(phys, len, 1);
}

void seam_unpoison(uint32_t phys, uint32_t len)
{
	ram_poison(phys, len, 0);
}

void ram_discard_frees(void)
{
	ram.discard = 1;
}

/* Fill [phys, phys+len) with the pattern unless frees are discarded and none of its
 * pages was blank at the snapshot: restore skips a blank page that is free again
 * (trusting the pattern), and copies back every other page that was written. */
int seam_scrub_free(uint32_t phys, uint32_t len)
{
	if (!ram.discard || !ram.has_snap || len == 0 || !ram_range_ok(phys, len))
		return 1;
	for (uint32_t pg = phys >> PAGE_SHIFT; pg <= (phys + len - 1) >> PAGE_SHIFT; pg++)
		if (ram.blank[pg / 64] >> (pg % 64) & 1)
			return 1;
	return 0;
}

/* The RAM offset of host pointer p when [p, p+len) lies in RAM, else -1. */
static int64_t ram_offset(const void *p, uint32_t len)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)hosted_ram;

	if (!hosted_ram || a < base || a - base > HOSTED_RAM_SIZE || len > HOSTED_RAM_SIZE - (a - base))
		return -1;
	return (int64_t)(a - base);
}

/* Objects in RAM are recorded for restore; anything else is poisoned untracked. */
void seam_poison_obj(void *p, uint32_t len)
{
	int64_t off = ram_offset(p, len);

	if (off >= 0)
		ram_poison((uint32_t)off, len, 1);
	else
		ASAN_POISON(p, len);
}

void seam_unpoison_obj(void *p, uint32_t len)
{
	int64_t off = ram_offset(p, len);

	if (off >= 0)
		ram_poison((uint32_t)off, len, 0);
	else
		ASAN_UNPOISON(p, len);
}

/* The first bit at or after i (i <= PAGE_SIZE) of a page's 4096-bit poison map
 * that equals val, or PAGE_SIZE. */
NO_ASAN static uint32_t next_bit(const uint64_t *w, uint32_t i, int val)
{
	while (i < PAGE_SIZE) {
		uint64_t x = val ? w[i / 64] : ~w[i / 64];

		x &= ~(uint64_t)0 << (i % 64);
		if (x)
			return (i & ~63u) + (uint32_t)__builtin_ctzll(x);
		i = (i & ~63u) + 64;
	}
	return PAGE_SIZE;
}

/* Make ASan's view of page pg match the poison bitmap (the page is unpoisoned on
 * entry): one poisoning call per run of poisoned bytes. */
static void apply_page_poison(uint32_t pg)
{
	const uint64_t *w = (const uint64_t *)(void *)(ram.poison + (size_t)pg * POISON_BYTES_PER_PAGE);
	uint32_t base = pg << PAGE_SHIFT, i = 0;

	while ((i = next_bit(w, i, 1)) < PAGE_SIZE) {
		uint32_t end = next_bit(w, i, 0);

		ASAN_POISON(hosted_ram + base + i, end - i);
		i = end;
	}
}

void ram_reset(void)
{
	ASAN_UNPOISON(hosted_ram, HOSTED_RAM_SIZE);
	memset(hosted_ram, 0, HOSTED_RAM_SIZE);
	memset(ram.poison, 0, HOSTED_RAM_SIZE / 8);
	memset(ram.touched, 0, sizeof ram.touched);
	mark_all_dirty();
	ram.discard = 0;
}

static int page_free(const uint32_t *free_bits, uint32_t pg)
{
	return (free_bits[pg / 32] >> (pg % 32)) & 1;
}

/* Every byte of page pg is poisoned (val = ~0) or none is (val = 0), by the record. */
NO_ASAN static int page_poison_is(const uint8_t *poison, uint32_t pg, uint64_t val)
{
	const uint64_t *w = (const uint64_t *)(const void *)(poison + (size_t)pg * POISON_BYTES_PER_PAGE);

	for (uint32_t i = 0; i < POISON_BYTES_PER_PAGE / 8; i++)
		if (w[i] != val)
			return 0;
	return 1;
}

static int page_all_poisoned(const uint8_t *poison, uint32_t pg)
{
	return page_poison_is(poison, pg, ~(uint64_t)0);
}

/* Every byte of page pg is FREE_PATTERN (read past ASan: the page may be poisoned). */
NO_ASAN static int page_is_pattern(uint32_t pg)
{
	const uint64_t *w = (const uint64_t *)(const void *)(hosted_ram + ((size_t)pg << PAGE_SHIFT));
	uint64_t diff = 0;

	for (uint32_t i = 0; i < PAGE_SIZE / 8; i++)
		diff |= w[i] ^ (FREE_PATTERN * 0x0101010101010101ull);
	return diff == 0;
}

/* sticky = touched pages that free_bits (1 = free page, VM's allocator) says are
 * not free; blank = free pages, wholly poisoned, holding the pattern (under ASan).
 * RAM is unpoisoned for ASan when this runs. */
static void take_sticky(const uint32_t *free_bits)
{
	for (uint32_t pg = 0; pg < HOSTED_RAM_PAGES; pg++) {
		uint64_t bit = (uint64_t)1 << (pg % 64);
		int is_free = page_free(free_bits, pg);

		if (((ram.touched[pg / 64] >> (pg % 64)) & 1) && !is_free)
			ram.sticky[pg / 64] |= bit;
		else
			ram.sticky[pg / 64] &= ~bit;
		if (is_free && (!STUBS_ASAN_ON || page_all_poisoned(ram.poison, pg)) && page_is_pattern(pg))
			ram.blank[pg / 64] |= bit;
		else
			ram.blank[pg / 64] &= ~bit;
		if (page_poison_is(ram.poison, pg, 0))
			ram.clean[pg / 64] |= bit;
		else
			ram.clean[pg / 64] &= ~bit;
	}
}

void ram_fill_free(const uint32_t *free_bits)
{
	for (uint32_t pg = 0; pg < HOSTED_RAM_PAGES; pg++) {
		if (!page_free(free_bits, pg))
			continue;
		ASAN_UNPOISON(hosted_ram + ((size_t)pg << PAGE_SHIFT), PAGE_SIZE);
		memset(hosted_ram + ((size_t)pg << PAGE_SHIFT), FREE_PATTERN, PAGE_SIZE);
		apply_page_poison(pg);
		mark_dirty(pg << PAGE_SHIFT, PAGE_SIZE, 0);
	}
}

void ram_unstick(uint32_t phys)
{
	uint32_t pg = phys >> PAGE_SHIFT;

	if (ram_range_ok(phys, PAGE_SIZE))
		ram.sticky[pg / 64] &= ~((uint64_t)1 << (pg % 64));
}

void ram_forget_touched(void)
{
	memset(ram.touched, 0, sizeof ram.touched);
}

void ram_snapshot(const uint32_t *free_bits)
{
	if (!ram.snap) {
		ram.snap = aligned_alloc(PAGE_SIZE, HOSTED_RAM_SIZE);
		if (!ram.snap)
			hosted_die("out of host memory for the RAM snapshot");
		ram.snap_poison = ram_calloc(HOSTED_RAM_SIZE / 8);
	}
	ASAN_UNPOISON(hosted_ram, HOSTED_RAM_SIZE);
	memcpy(ram.snap, hosted_ram, HOSTED_RAM_SIZE);
	take_sticky(free_bits);
	for (uint32_t pg = 0; pg < HOSTED_RAM_PAGES; pg++)
		apply_page_poison(pg);
	memcpy(ram.snap_poison, ram.poison, HOSTED_RAM_SIZE / 8);
	memset(ram.dirty, 0, sizeof ram.dirty);
	ram.has_snap = 1;
}

int ram_has_snapshot(void)
{
	return ram.has_snap;
}

/* Copy one page from src to dst, inline: not through ASan's memcpy interceptor, which
 * checks both ranges of every call.  The caller keeps ASan's view of dst right. */
NO_ASAN static void copy_page(uint8_t *dst, const uint8_t *src)
{
	for (uint32_t i = 0; i < PAGE_SIZE; i += 256)
		__builtin_memcpy_inline(dst + i, src + i, 256);
}

/* The poison record of page pg equals the snapshot's (ASan's view is then right). */
NO_ASAN static int poison_unchanged(uint32_t pg)
{
	const uint64_t *a = (const uint64_t *)(const void *)(ram.poison + (size_t)pg * POISON_BYTES_PER_PAGE);
	const uint64_t *b = (const uint64_t *)(const void *)(ram.snap_poison + (size_t)pg * POISON_BYTES_PER_PAGE);
	uint64_t diff = 0;

	for (uint32_t i = 0; i < POISON_BYTES_PER_PAGE / 8; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* Put page pg back as it was at the snapshot: its bytes and, under ASan, its
 * poisoning (no ASan call for a page with no poisoned byte then or now). */
static void restore_page(uint32_t pg)
{
	size_t off = (size_t)pg << PAGE_SHIFT, poff = (size_t)pg * POISON_BYTES_PER_PAGE;
	int clean = ram.clean[pg / 64] >> (pg % 64) & 1;

	if (!STUBS_ASAN_ON || (clean && poison_unchanged(pg))) {
		memcpy(hosted_ram + off, ram.snap + off, PAGE_SIZE); /* nothing poisoned then or now */
		return;
	}
	if (poison_unchanged(pg)) {
		copy_page(hosted_ram + off, ram.snap + off); /* ASan's view is already right */
		return;
	}
	ASAN_UNPOISON(hosted_ram + off, PAGE_SIZE);
	memcpy(hosted_ram + off, ram.snap + off, PAGE_SIZE);
	memcpy(ram.poison + poff, ram.snap_poison + poff, POISON_BYTES_PER_PAGE);
	if (!clean)
		apply_page_poison(pg);
}

void ram_restore(const uint32_t *free_bits)
{
	for (uint32_t w = 0; w < HOSTED_RAM_PAGES / 64; w++) {
		uint64_t bits = ram.dirty[w] | ram.sticky[w];

		while (bits) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits), pg = w * 64 + b;

			bits &= bits - 1;
			if ((ram.blank[w] >> b & 1) && page_free(free_bits, pg) &&
			    (STUBS_ASAN_ON ? page_all_poisoned(ram.poison, pg) : page_is_pattern(pg)))
				continue; /* blank then and now: the pattern (and poisoned) */
			restore_page(pg);
		}
		ram.dirty[w] = 0;
	}
	ram.discard = 0;
}

/* Hashing reads poisoned pages too, so it is not instrumented. */
NO_ASAN uint64_t ram_hash(uint64_t h)
{
	const uint64_t *w = (const uint64_t *)(void *)hosted_ram;

	for (size_t i = 0; i < HOSTED_RAM_SIZE / 8; i++) {
		h ^= w[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
