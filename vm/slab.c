/* slab.c - small objects on VM's own pages.
 *
 * Size classes of SLAB_GRANULE bytes up to SLAB_MAX.  A slab page holds objects of
 * one class from offset 0 and ends with its header, so the header of any object is
 * found by masking the object pointer to its page (the RAM window is page-aligned
 * in both builds).  Each class keeps a circular, doubly linked list of its pages,
 * linked by physical address so the checker can validate a link before following
 * it; pages with a free object come before full pages.  A page that becomes empty
 * returns to the page allocator at once, so leak checks see pages come back.
 *
 * For the incremental check, every primitive marks a page before it changes its
 * header (use bits, count, links, class) and keeps what the last check counted of it
 * (vm.slab.marks); the check then re-checks the marked pages and their classes' heads
 * only, and a failed check or more than SLAB_MARKS marked pages makes the next one
 * walk every class. */
#include "vm.h"

#define SLAB_MAGIC1 0x51AB0A6Eu
#define SLAB_MAGIC2 0xE6A0BA15u
#define MAP_WORDS   16 /* 512 bits: enough for the smallest class */

struct slab_page {
	uint32_t magic;
	uint32_t phys;       /* this page's physical address */
	uint32_t next, prev; /* neighbours in the class list (physical addresses) */
	uint16_t cls, nused;
	uint32_t used[MAP_WORDS]; /* bit i: object i is live */
	uint32_t magic2;
};

#define HDR_OFF (PAGE_SIZE - (uint32_t)sizeof(struct slab_page))
_Static_assert(sizeof(struct slab_page) % SLAB_GRANULE == 0, "objects end 8-aligned");
_Static_assert(HDR_OFF / SLAB_GRANULE <= 32 * MAP_WORDS, "bitmap covers the smallest class");
_Static_assert(HDR_OFF >= SLAB_MAX, "the largest class fits a page");

#define S (vm.slab)

static uint32_t cls_size(uint32_t cls)
{
	return (cls + 1) * SLAB_GRANULE;
}

/* ceil(2^32 / size) of each class: off / size is (off * it) >> 32 for every offset of
 * a page (exact for every size 8..2048 and offset below 4096, checked exhaustively), so
 * slab_is_live, which the sanity checker calls twice per page, does not divide. */
#define RECIP(c) ((uint32_t)(((1ull << 32) + ((c) + 1u) * SLAB_GRANULE - 1) / (((c) + 1u) * SLAB_GRANULE)))
#define RECIP4(c) RECIP(c), RECIP((c) + 1), RECIP((c) + 2), RECIP((c) + 3)
#define RECIP16(c) RECIP4(c), RECIP4((c) + 4), RECIP4((c) + 8), RECIP4((c) + 12)
#define RECIP64(c) RECIP16(c), RECIP16((c) + 16), RECIP16((c) + 32), RECIP16((c) + 48)
_Static_assert(SLAB_CLASSES == 256 && PAGE_SIZE == 4096 && SLAB_MAX <= 2048, "the table and its exactness");
static const uint32_t cls_recip[SLAB_CLASSES] = { RECIP64(0), RECIP64(64), RECIP64(128), RECIP64(192) };

/* off / cls_size(cls) for an offset within a page; 0 for a class past the table (a
 * corrupt header's, which the checks around reject). */
static uint32_t div_by_size(uint32_t off, uint32_t cls)
{
	return cls < SLAB_CLASSES ? (uint32_t)(((uint64_t)off * cls_recip[cls]) >> 32) : 0;
}

static uint32_t cls_cap(uint32_t cls)
{
	return div_by_size(HDR_OFF, cls);
}

static char *page_base(struct slab_page *h)
{
	return (char *)h - HDR_OFF;
}

/* The header of the slab page at phys (which must be a used page of the pool). */
static struct slab_page *hdr_at(uint32_t phys)
{
	return (struct slab_page *)((char *)phys_ptr(phys, PAGE_SIZE) + HDR_OFF);
}

static int page_in_use(uint32_t phys)
{
	return page_aligned(phys) && mem_page_is_managed(phys) && !mem_page_is_free(phys);
}

static uint32_t popcount32(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0F0F0F0Fu;
	return (x * 0x01010101u) >> 24;
}

static int bit_get(const struct slab_page *h, uint32_t i)
{
	return (h->used[i / 32] >> (i % 32)) & 1;
}

/* True when h looks like the header of a used slab page of class cls. */
static int hdr_valid(struct slab_page *h, uint32_t cls)
{
	return h->magic == SLAB_MAGIC1 && h->magic2 == SLAB_MAGIC2 && h->cls == cls &&
	       h->nused <= cls_cap(cls) && page_in_use(h->phys) && hdr_at(h->phys) == h;
}

/* ---- Marks for the incremental check ---- */

/* Note that h is about to change (fresh: it is not a slab page yet), keeping what the
 * last check counted of it; past SLAB_MARKS pages every class is walked instead.
 * Without vm.sanity_incremental (every check full) only h's class is noted. */
static void page_mark(struct slab_page *h, int fresh)
{
	struct slab_mark *m;

	if (!vm.sanity_incremental) {
		if (h->cls < SLAB_CLASSES)
			S.dirty[h->cls / 32] |= 1u << (h->cls % 32);
		return;
	}
	for (uint32_t i = 0; i < S.nmarks; i++)
		if (S.marks[i].phys == h->phys) {
			S.marks[i].live = 1;
			return;
		}
	if (S.nmarks == SLAB_MARKS) {
		slab_all_changed();
		S.nmarks = 0;
		return;
	}
	m = &S.marks[S.nmarks++];
	m->phys = h->phys;
	m->cls = h->cls;
	m->nused = h->nused;
	m->was_live = !fresh;
	m->live = 1;
}

/* Note that h stops being a slab page (it was marked before its last change). */
static void page_unmark_live(const struct slab_page *h)
{
	for (uint32_t i = 0; i < S.nmarks; i++)
		if (S.marks[i].phys == h->phys)
			S.marks[i].live = 0;
}

/* ---- The class lists ---- */

/* Insert h before the head (at the tail of the circle); it becomes the head when
 * as_head is set or the list was empty. */
static void list_insert(uint32_t cls, struct slab_page *h, int as_head)
{
	struct slab_page *head = S.head[cls];

	page_mark(h, 0);
	if (!head) {
		h->next = h->prev = h->phys;
		S.head[cls] = h;
		return;
	}
	struct slab_page *tail = hdr_at(head->prev);
	page_mark(head, 0);
	page_mark(tail, 0);
	h->next = head->phys;
	h->prev = tail->phys;
	tail->next = h->phys;
	head->prev = h->phys;
	if (as_head)
		S.head[cls] = h;
}

static void list_unlink(uint32_t cls, struct slab_page *h)
{
	page_mark(h, 0);
	if (h->next == h->phys) {
		S.head[cls] = NULL;
		return;
	}
	struct slab_page *n = hdr_at(h->next), *p = hdr_at(h->prev);
	page_mark(n, 0);
	page_mark(p, 0);
	p->next = h->next;
	n->prev = h->prev;
	if (S.head[cls] == h)
		S.head[cls] = n;
}

/* A fresh page for class cls at the head of its list, all objects free (poisoned);
 * NULL when the page allocator is empty. */
static struct slab_page *page_new(uint32_t cls)
{
	uint32_t phys = mem_alloc(1, 0);
	struct slab_page *h;

	if (phys == PHYS_NONE)
		return NULL;
	h = hdr_at(phys);
	vm_memset(h, 0, sizeof *h);
	h->magic = SLAB_MAGIC1;
	h->magic2 = SLAB_MAGIC2;
	h->phys = phys;
	h->cls = (uint16_t)cls;
	page_mark(h, 1);
	seam_poison_obj(page_base(h), HDR_OFF);
	list_insert(cls, h, 1);
	S.pages++;
	return h;
}

/* Unlink an empty page and give it back to the page allocator. */
static void page_release(uint32_t cls, struct slab_page *h)
{
	list_unlink(cls, h);
	page_unmark_live(h);
	S.pages--;
	seam_unpoison_obj(page_base(h), HDR_OFF);
	mem_free(h->phys, 1); /* the pattern fill also wipes the magics */
}

/* ---- Objects ---- */

/* The first free object index of a page that is not full. */
static uint32_t first_free(const struct slab_page *h)
{
	for (uint32_t w = 0; w < MAP_WORDS; w++)
		if (h->used[w] != 0xFFFFFFFFu)
			return w * 32 + (uint32_t)__builtin_ctz(~h->used[w]);
	return 32 * MAP_WORDS;
}

/* A zeroed object of bytes (1..SLAB_MAX), or NULL when the fault point fires (it
 * counts calls, never pages), the size is out of range or no page is left. */
void *slab_alloc(uint32_t bytes)
{
	uint32_t cls, idx;
	struct slab_page *h;
	char *obj;

	if (FAULT_POINT(SLAB_ALLOC))
		return NULL;
	if (bytes == 0 || bytes > SLAB_MAX)
		return NULL;
	cls = (bytes - 1) / SLAB_GRANULE;
	h = S.head[cls];
	if (!h || h->nused == cls_cap(cls)) {
		h = page_new(cls);
		if (!h)
			return NULL;
	}
	idx = first_free(h);
	VM_ASSERT(idx < cls_cap(cls));
	page_mark(h, 0);
	h->used[idx / 32] |= 1u << (idx % 32);
	h->nused++;
	S.live_objects++;
	if (h->nused == cls_cap(cls) && h->next != h->phys) {
		list_unlink(cls, h); /* full pages go behind the ones with room */
		list_insert(cls, h, 0);
	}
	obj = page_base(h) + idx * cls_size(cls);
	seam_unpoison_obj(obj, bytes);
	vm_memset(obj, 0, bytes);
	MUTATED();
	return obj;
}

/* While a sanity check runs (vm.in_sanity; nothing is allocated or freed then) a
 * slab page's header is validated once per check (vm.san_epoch): the checker asks
 * slab_is_live twice per region page, mostly of a handful of slab pages.  S.seen
 * remembers the headers validated, a slot per physical page number. */
static int header_seen(const struct slab_page *h)
{
	uint32_t slot = h->phys / PAGE_SIZE % SLAB_SEEN;

	return vm.in_sanity && S.seen[slot].hdr == h && S.seen[slot].epoch == vm.san_epoch;
}

static void header_remember(const struct slab_page *h)
{
	uint32_t slot = h->phys / PAGE_SIZE % SLAB_SEEN;

	if (vm.in_sanity) {
		S.seen[slot].hdr = h;
		S.seen[slot].epoch = vm.san_epoch;
	}
}

/* Locate p as a live object of bytes' class: NULL with *hp and *idx set, or the
 * reason it is not one. */
static const char *locate(const void *p, uint32_t bytes, struct slab_page **hp, uint32_t *idx)
{
	uint32_t cls, off;
	struct slab_page *h;

	if (!p)
		return "slab: NULL object";
	if (bytes == 0 || bytes > SLAB_MAX)
		return "slab: object size out of range";
	cls = (bytes - 1) / SLAB_GRANULE;
	off = (uint32_t)((uintptr_t)p & PAGE_MASK);
	h = (struct slab_page *)((char *)p - off + HDR_OFF);
	if (off >= HDR_OFF)
		return "slab: pointer into a slab header";
	if (h->magic != SLAB_MAGIC1 || h->magic2 != SLAB_MAGIC2)
		return "slab: not a slab page (bad magic)";
	if (h->cls != cls)
		return "slab: object size does not match its page's class";
	if (!header_seen(h)) {
		if (!hdr_valid(h, cls))
			return "slab: slab page header corrupt";
		header_remember(h);
	}
	*idx = div_by_size(off, cls);
	if (*idx * cls_size(cls) != off || *idx >= cls_cap(cls))
		return "slab: pointer not at an object boundary";
	if (!bit_get(h, *idx))
		return "slab: object not live (double free?)";
	*hp = h;
	return NULL;
}

/* Free an object from slab_alloc(bytes): filled with FREE_PATTERN and poisoned; its
 * page returns to the page allocator when it becomes empty.  Anything that is not a
 * live object of that class is a broken invariant (panic). */
void slab_free(void *p, uint32_t bytes)
{
	struct slab_page *h = NULL;
	uint32_t idx = 0, cls, size;
	const char *why = locate(p, bytes, &h, &idx);

	if (why)
		PANIC(why);
	page_mark(h, 0);
	cls = h->cls;
	size = cls_size(cls);
	seam_unpoison_obj(p, size);
	vm_memset(p, FREE_PATTERN, size);
	seam_poison_obj(p, size);
	h->used[idx / 32] &= ~(1u << (idx % 32));
	S.live_objects--;
	if (--h->nused == 0) {
		page_release(cls, h);
	} else if (h->nused == cls_cap(cls) - 1 && S.head[cls] != h) {
		list_unlink(cls, h); /* it has room again: to the front */
		list_insert(cls, h, 1);
	}
	MUTATED();
}

/* True when p is a live object of bytes' size class. */
int slab_is_live(const void *p, uint32_t bytes)
{
	struct slab_page *h;
	uint32_t idx;

	return locate(p, bytes, &h, &idx) == NULL;
}

uint32_t slab_live_objects(void)
{
	return S.live_objects;
}

/* ---- The checker ---- */

/* Check one page's use bitmap against its count: 0 or a SAN_* id; adds to *live. */
static int check_counts(const struct slab_page *h, uint32_t *live)
{
	uint32_t cap = cls_cap(h->cls), n = 0;

	for (uint32_t w = 0; w < MAP_WORDS; w++) {
		uint32_t bits = h->used[w];
		if (w * 32 + 32 > cap) /* bits at or beyond cap must be clear */
			if (bits & (w * 32 >= cap ? 0xFFFFFFFFu : ~0u << (cap - w * 32)))
				return SAN_SLAB_HEADER;
		n += popcount32(bits);
	}
	if (n != h->nused || n == 0)
		return SAN_SLAB_COUNT;
	*live += n;
	return SAN_OK;
}

/* Walk the circular list of class cls: 0 or a SAN_* id.  Counts pages and objects;
 * calls fn for each page.  Every link is validated before it is followed. */
static int check_class(uint32_t cls, void (*fn)(uint32_t, void *), void *arg,
		       uint32_t *pages, uint32_t *live)
{
	struct slab_page *first = S.head[cls], *h = first;
	int err;

	if (!h)
		return SAN_OK;
	if (((uintptr_t)h & PAGE_MASK) != HDR_OFF)
		return SAN_SLAB_HEADER;
	do {
		if (!hdr_valid(h, cls))
			return SAN_SLAB_HEADER;
		if ((err = check_counts(h, live)) != SAN_OK)
			return err;
		if (++*pages > S.pages)
			return SAN_SLAB_LINK; /* a cycle that never returns to the head */
		if (fn)
			fn(h->phys, arg);
		if (!page_in_use(h->next))
			return SAN_SLAB_LINK;
		struct slab_page *n = hdr_at(h->next);
		if (n->prev != h->phys)
			return SAN_SLAB_LINK;
		h = n;
	} while (h != first);
	return SAN_OK;
}

static int class_walked(const uint32_t *walked, uint32_t cls)
{
	return (walked[cls / 32] >> (cls % 32)) & 1;
}

/* Walk the classes of `walked` whole (fn for each page; *called counts the calls),
 * keeping what each walk counted. */
static int walk_classes(const uint32_t *walked, void (*fn)(uint32_t, void *), void *arg, uint32_t *called)
{
	int err;

	for (uint32_t w = 0; w < SLAB_CLASSES / 32; w++)
		for (uint32_t bits = walked[w]; bits; bits &= bits - 1) {
			uint32_t cls = w * 32 + (uint32_t)__builtin_ctz(bits), pages = 0, live = 0;
			if ((err = check_class(cls, fn, arg, &pages, &live)) != SAN_OK)
				return err;
			S.checked_pages_sum += pages - S.checked_pages[cls];
			S.checked_live_sum += live - S.checked_live[cls];
			S.checked_pages[cls] = pages;
			S.checked_live[cls] = live;
			*called += pages;
		}
	return SAN_OK;
}

/* Check marked page h as the walk of its class would (header, use counts, both
 * neighbours' headers and links back to it); then count it for its class. */
static int check_marked(struct slab_page *h, void (*fn)(uint32_t, void *), void *arg)
{
	uint32_t cls = h->cls, live = 0;
	struct slab_page *n, *p;
	int err;

	if (!hdr_valid(h, cls))
		return SAN_SLAB_HEADER;
	if ((err = check_counts(h, &live)) != SAN_OK)
		return err;
	if (!page_in_use(h->next) || !page_in_use(h->prev))
		return SAN_SLAB_LINK;
	n = hdr_at(h->next);
	p = hdr_at(h->prev);
	if (!hdr_valid(n, cls) || !hdr_valid(p, cls))
		return SAN_SLAB_HEADER;
	if (n->prev != h->phys || p->next != h->phys)
		return SAN_SLAB_LINK;
	S.checked_pages[cls]++;
	S.checked_live[cls] += live;
	S.checked_pages_sum++;
	S.checked_live_sum += live;
	if (fn)
		fn(h->phys, arg);
	return SAN_OK;
}

/* The head of class cls after its pages changed: a valid page of the class when the
 * class has pages, NULL when it has none. */
static int check_head(uint32_t cls)
{
	struct slab_page *h = S.head[cls];

	if (!h)
		return S.checked_pages[cls] ? SAN_SLAB_COUNT : SAN_OK;
	if (((uintptr_t)h & PAGE_MASK) != HDR_OFF || !hdr_valid(h, cls))
		return SAN_SLAB_HEADER;
	return S.checked_pages[cls] ? SAN_OK : SAN_SLAB_COUNT;
}

/* The marked pages of classes not walked: take back what the last check counted of
 * each, check the ones still slab pages (fn for each, counted in *called), then the
 * heads of their classes. */
static int check_marks(const uint32_t *walked, void (*fn)(uint32_t, void *), void *arg, uint32_t *called)
{
	int err;

	for (uint32_t i = 0; i < S.nmarks; i++) {
		const struct slab_mark *m = &S.marks[i];
		if (m->was_live && !class_walked(walked, m->cls)) {
			S.checked_pages[m->cls]--;
			S.checked_live[m->cls] -= m->nused;
			S.checked_pages_sum--;
			S.checked_live_sum -= m->nused;
		}
	}
	for (uint32_t i = 0; i < S.nmarks; i++) {
		struct slab_page *h;
		if (!S.marks[i].live)
			continue;
		if (!page_in_use(S.marks[i].phys))
			return SAN_SLAB_LINK; /* as the walk finds a free page in the list */
		h = hdr_at(S.marks[i].phys);
		if (h->cls >= SLAB_CLASSES)
			return SAN_SLAB_HEADER;
		if (class_walked(walked, h->cls))
			continue;
		if ((err = check_marked(h, fn, arg)) != SAN_OK)
			return err;
		++*called;
	}
	for (uint32_t i = 0; i < S.nmarks; i++) {
		const struct slab_mark *m = &S.marks[i];
		uint32_t cls = m->live ? hdr_at(m->phys)->cls : m->cls;
		if (!class_walked(walked, m->cls) && (err = check_head(m->cls)) != SAN_OK)
			return err;
		if (!class_walked(walked, cls) && (err = check_head(cls)) != SAN_OK)
			return err;
	}
	return SAN_OK;
}

/* Every class walked (unvisited NULL), or the classes marked whole and the marked
 * pages (the other pages are added to *unvisited); then the totals.  A failure leaves
 * every class to be walked by the next check. */
static int check_classes(void (*fn)(uint32_t, void *), void *arg, uint32_t *unvisited)
{
	uint32_t walked[SLAB_CLASSES / 32], called = 0, pages, live;
	int err;

	for (uint32_t i = 0; i < SLAB_CLASSES / 32; i++)
		walked[i] = unvisited ? S.dirty[i] : ~0u;
	err = walk_classes(walked, fn, arg, &called);
	if (err == SAN_OK && unvisited)
		err = check_marks(walked, fn, arg, &called);
	pages = S.checked_pages_sum;
	live = S.checked_live_sum;
	if (err == SAN_OK && (pages != S.pages || live != S.live_objects))
		err = SAN_SLAB_COUNT;
	S.nmarks = 0;
	for (uint32_t i = 0; i < SLAB_CLASSES / 32; i++)
		S.dirty[i] = err == SAN_OK ? 0 : ~0u;
	if (unvisited)
		*unvisited += pages - called;
	return err;
}

/* Check every slab page's header, links and use counts, and that the totals match
 * vm.slab; call fn for each slab page.  Returns 0 or a SAN_* id; never panics. */
int slab_check(void (*fn)(uint32_t phys, void *arg), void *arg)
{
	return check_classes(fn, arg, NULL);
}

int slab_check_incremental(void (*fn)(uint32_t phys, void *arg), void *arg, uint32_t *unvisited)
{
	return check_classes(fn, arg, unvisited);
}

void slab_all_changed(void)
{
	for (uint32_t i = 0; i < SLAB_CLASSES / 32; i++)
		S.dirty[i] = ~0u;
}
