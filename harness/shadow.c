/* shadow.c - the memory oracle: a shadow of what each process's memory must hold,
 * derived from the protocol alone (never from vm/'s internals).
 *
 * Per process (by slot, stamped with its endpoint) the shadow keeps:
 *   - an interval map over the 32-bit address space, byte-granular, each interval
 *     with a mapping state (unknown, unmapped, mapped), what its bytes hold when no
 *     word below says otherwise (unknown, zero, the boot image), whether it may be
 *     written (unknown, read-only, writable) and whether it is known private (memory
 *     the model did not see created may be shared or a device: volatile);
 *   - words: 4-byte values at aligned addresses of private memory, from every
 *     successful ACCESS (a write records its value, a read pins the value it saw).
 * Boot processes start from the boot description: their segments (text read-only,
 * data writable, both holding the image bytes, zero past the file size), a
 * demand-zero stack, nothing else mapped.  Then:
 *   VM_MMAP OK     the returned range is fresh: mapped, zero (unless
 *                  MAP_UNINITIALIZED), writable iff PROT_WRITE; a failed MAP_FIXED
 *                  leaves its range unknown (it may have been unmapped first)
 *   VM_MUNMAP OK   the range is unmapped; failed: unknown
 *   VM_BRK OK      every byte of [heap base, break) is mapped now; what was unmapped
 *                  before reads as zero, with the heap's write permission (heap base
 *                  unknown: nothing is known unmapped any more)
 *   VM_FORK OK     the child's shadow is a copy of the parent's
 *   VM_EXIT OK     the process's shadow is dropped (shadows are per endpoint)
 *   VM_INFO OK     the caller's [ptr, ptr+len) holds unknown bytes (len 20, 32 or
 *                  count*16 by `what`)
 *   VM_MAP_PHYS OK the returned range (plus a page for the offset) is volatile
 *   VM_UNMAP_PHYS OK, or a lost MAP_PHYS reply: the target is forgotten
 *   VM_GETPHYS, VM_GETREF, VM_RS_SET_PRIV: queries and masks, no memory changes
 *   any other call that succeeds (or is left unanswered) by a live sender: every
 *                  shadow is forgotten, i.e. all volatile (the harness does not model
 *                  it: shared memory, PROCCTL, copies into processes)
 * A failed access changes nothing.  Rules (the finding's signature):
 *   read-value          a read returned something other than the shadow's value
 *   fork-write-shows    ... and the value read is one another process wrote there
 *   unmapped-reachable  an access (or VM_INFO's copy) succeeded in unmapped memory
 *   ro-write            a write (or VM_INFO's copy) succeeded in read-only memory
 * Self-test plants (VMFUZZ_PLANT=mem:RULE) corrupt the MMU state the way a VM bug
 * would, from the harness, so each rule is shown to fire. */
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include "harness.h"
#include "hosted.h"

#define SH_MAX_IV 224              /* boot layout plus 3 boundaries per record */
#define SH_MAX_W  CONV_MAX_RECORDS /* one word per ACCESS record at most */
#define SH_END    0x100000000ull   /* one past the last address */

enum { MS_UNKNOWN, MS_UNMAPPED, MS_MAPPED };
enum { CK_UNKNOWN, CK_ZERO, CK_IMAGE };
enum { WP_UNKNOWN, WP_RO, WP_RW };

/* Interval i covers [start, next interval's start or SH_END). */
struct sh_iv {
	uint32_t start;
	uint8_t map, content, wprot, img; /* img: index into sh.img for CK_IMAGE */
	uint8_t vol;                      /* not known private: no words kept */
};
struct sh_word {
	uint32_t addr, val;
};
struct shadow {
	uint32_t gen; /* == sh.gen: tracked in this run */
	endpoint_t ep;
	uint32_t heap_base; /* where brk's heap starts (the data segment), 0 unknown */
	uint32_t niv, nw;
	struct sh_iv iv[SH_MAX_IV];
	struct sh_word w[SH_MAX_W];
};

enum plant { PL_NONE, PL_FLIP, PL_COW, PL_UNMAP, PL_RO };
static const char *const plant_name[] = { "", "mem:flip", "mem:cow", "mem:unmap", "mem:ro" };
#define PLANT_SAVE 16 /* PTEs mem:unmap puts back */

static struct {
	const struct platform *plat;
	uint32_t gen;
	struct shadow p[NR_PROCS];
	struct shadow boot[BOOT_MAX_PROCS];
	uint32_t nboot;
	struct {
		int32_t slot;
		int seg;
		uint32_t vaddr, filesz;
	} img[BOOT_MAX_PROCS * BOOT_MAX_SEGS];
	uint32_t nimg;
	enum plant plant;
	uint32_t saved_pte[PLANT_SAVE];
	uint32_t checked; /* reads compared with a known value in this run */
} sh;

/* ---- The interval map ---- */
static void shadow_unknown(struct shadow *s, endpoint_t ep)
{
	s->gen = sh.gen;
	s->ep = ep;
	s->heap_base = 0;
	s->niv = 1;
	s->nw = 0;
	memset(&s->iv[0], 0, sizeof s->iv[0]); /* start 0, everything unknown */
	s->iv[0].vol = 1;
}

static void shadow_copy(struct shadow *dst, const struct shadow *src)
{
	memcpy(dst, src, offsetof(struct shadow, iv));
	memcpy(dst->iv, src->iv, src->niv * sizeof src->iv[0]);
	memcpy(dst->w, src->w, src->nw * sizeof src->w[0]);
}

/* Index of the interval holding addr. */
static uint32_t iv_find(const struct shadow *s, uint32_t addr)
{
	uint32_t lo = 0, hi = s->niv; /* iv[lo].start <= addr < iv[hi].start */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (s->iv[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t iv_end(const struct shadow *s, uint32_t i)
{
	return i + 1 < s->niv ? s->iv[i + 1].start : SH_END;
}

/* Make an interval start at addr; its index, or -1 when the map is full. */
static int iv_split(struct shadow *s, uint64_t addr)
{
	if (addr >= SH_END)
		return (int)s->niv;
	uint32_t i = iv_find(s, (uint32_t)addr);
	if (s->iv[i].start == addr)
		return (int)i;
	if (s->niv == SH_MAX_IV)
		return -1;
	memmove(&s->iv[i + 2], &s->iv[i + 1], (s->niv - i - 1) * sizeof s->iv[0]);
	s->iv[i + 1] = s->iv[i];
	s->iv[i + 1].start = (uint32_t)addr;
	s->niv++;
	return (int)i + 1;
}

static int iv_same(const struct sh_iv *a, const struct sh_iv *b)
{
	return a->map == b->map && a->content == b->content && a->wprot == b->wprot && a->vol == b->vol &&
	       (a->content != CK_IMAGE || a->img == b->img);
}

/* Join neighbours with equal attributes. */
static void iv_merge(struct shadow *s)
{
	uint32_t o = 0;
	for (uint32_t i = 1; i < s->niv; i++)
		if (!iv_same(&s->iv[o], &s->iv[i]))
			s->iv[++o] = s->iv[i];
	s->niv = o + 1;
}

/* Drop every word overlapping [a, end). */
static void words_drop(struct shadow *s, uint64_t a, uint64_t end)
{
	uint32_t o = 0;
	for (uint32_t i = 0; i < s->nw; i++)
		if ((uint64_t)s->w[i].addr + 4 <= a || s->w[i].addr >= end)
			s->w[o++] = s->w[i];
	s->nw = o;
}

/* True when a byte of [a, a+4) is not known private. */
static int word_volatile(const struct shadow *s, uint32_t a)
{
	for (uint32_t k = 0; k < 4; k++)
		if (s->iv[iv_find(s, a + k)].vol)
			return 1;
	return 0;
}

/* Remember the word at addr (private memory only). */
static void word_set(struct shadow *s, uint32_t addr, uint32_t val)
{
	if (word_volatile(s, addr)) {
		words_drop(s, addr, (uint64_t)addr + 4);
		return;
	}
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr == addr) {
			s->w[i].val = val;
			return;
		}
	if (s->nw < SH_MAX_W)
		s->w[s->nw++] = (struct sh_word){ addr, val };
}

static const struct sh_word *word_get(const struct shadow *s, uint32_t addr)
{
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr == addr)
			return &s->w[i];
	return NULL;
}

/* What an operation does to each interval of its range. */
enum op {
	OP_FRESH,      /* mapped, content and wprot from the arguments */
	OP_UNMAPPED,   /* unmapped */
	OP_UNKNOWN,    /* mapping unknown (a failed unmap or fixed map) */
	OP_BRK,        /* mapped; what was not mapped gets zero (unmapped) or unknown */
	OP_OVERWRITTEN,/* content unknown (a kernel copy may have written it) */
	OP_SEEN,       /* an access succeeded: unknown becomes mapped */
};

/* The attributes an operation sets (OP_FRESH: all; OP_BRK: wprot). */
struct attr {
	uint8_t content, wprot, img, vol;
};

static void iv_apply(struct sh_iv *v, enum op op, struct attr at)
{
	switch (op) {
	case OP_FRESH:
		v->map = MS_MAPPED, v->content = at.content, v->wprot = at.wprot, v->img = at.img;
		v->vol = at.vol;
		break;
	case OP_UNMAPPED:
		v->vol = 0; /* whatever maps it again is modelled, or forgets everything */
		/* fall through */
	case OP_UNKNOWN: /* private stays private: a failed unmap creates nothing */
		v->map = op == OP_UNMAPPED ? MS_UNMAPPED : MS_UNKNOWN;
		v->content = CK_UNKNOWN, v->wprot = WP_UNKNOWN;
		break;
	case OP_BRK:
		if (v->map != MS_MAPPED) {
			v->content = v->map == MS_UNMAPPED ? CK_ZERO : CK_UNKNOWN;
			v->map = MS_MAPPED, v->wprot = at.wprot, v->vol = 0;
		}
		break;
	case OP_OVERWRITTEN:
		v->content = CK_UNKNOWN;
		break;
	case OP_SEEN:
		if (v->map == MS_UNKNOWN)
			v->map = MS_MAPPED;
		break;
	}
}

#define NO_ATTR ((struct attr){ 0, 0, 0, 0 })

/* Apply op to [a, end) of s.  Words in the range are dropped unless the op keeps
 * contents (OP_UNKNOWN, OP_SEEN; OP_BRK drops those of pages it maps).  When the map
 * is full the process is forgotten (never a false finding, only less checking). */
static void range_op(struct shadow *s, uint64_t a, uint64_t end, enum op op, struct attr at)
{
	if (a >= end)
		return;
	int i = iv_split(s, a), j = i < 0 ? -1 : iv_split(s, end);
	if (i < 0 || j < 0) {
		shadow_unknown(s, s->ep);
		return;
	}
	for (int k = i; k < j; k++) {
		if (op == OP_BRK && s->iv[k].map != MS_MAPPED)
			words_drop(s, s->iv[k].start, iv_end(s, (uint32_t)k));
		iv_apply(&s->iv[k], op, at);
	}
	if (op == OP_FRESH || op == OP_UNMAPPED || op == OP_OVERWRITTEN)
		words_drop(s, a, end);
	iv_merge(s);
}

/* ---- Processes ---- */
/* The shadow of live process ep (an untracked one starts unknown), or NULL when ep
 * is not a live process other than VM.  A slot's shadow is stamped with its
 * endpoint, so a dead process's shadow is never used again. */
static struct shadow *shadow_of(endpoint_t ep)
{
	int32_t slot = ep_slot(ep);
	if (slot < 0 || slot >= NR_PROCS || slot == VM_PROC_NR || !plat_is_live(sh.plat, ep))
		return NULL;
	struct shadow *s = &sh.p[slot];
	if (s->gen != sh.gen || s->ep != ep)
		shadow_unknown(s, ep);
	return s;
}

/* Forget every process (a call the model does not describe succeeded). */
static void forget_all(void)
{
	sh.gen++;
}

/* Every page of s that was unmapped may now be mapped, with unknown contents. */
static void forget_unmapped(struct shadow *s)
{
	for (uint32_t i = 0; i < s->niv; i++)
		if (s->iv[i].map != MS_MAPPED) {
			words_drop(s, s->iv[i].start, iv_end(s, i));
			iv_apply(&s->iv[i], OP_UNKNOWN, NO_ATTR);
		}
	iv_merge(s);
}

static uint8_t image_byte(uint8_t img, uint32_t vaddr)
{
	uint32_t off = vaddr - sh.img[img].vaddr;
	return off < sh.img[img].filesz ? hosted_boot_byte(sh.img[img].slot, sh.img[img].seg, off) : 0;
}

/* The value the word at addr must hold: 1 and *val when the shadow knows it. */
static int expect_word(const struct shadow *s, uint32_t addr, uint32_t *val)
{
	const struct sh_word *w = word_get(s, addr);
	if (word_volatile(s, addr))
		return 0;
	if (w) {
		*val = w->val;
		return 1;
	}
	*val = 0;
	for (uint32_t k = 0; k < 4; k++) {
		const struct sh_iv *v = &s->iv[iv_find(s, addr + k)];
		if (v->map != MS_MAPPED || v->content == CK_UNKNOWN)
			return 0;
		if (v->content == CK_IMAGE)
			*val |= (uint32_t)image_byte(v->img, addr + k) << (8 * k);
	}
	return 1;
}

/* The first byte of [a, end) in s whose interval has map state `map` (or, with
 * map < 0, is read-only); 1 and *at when there is one. */
static int range_has(const struct shadow *s, uint64_t a, uint64_t end, int map, uint32_t *at)
{
	if (a >= end)
		return 0;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < end; i++) {
		const struct sh_iv *v = &s->iv[i];
		if ((map >= 0 && v->map == map) || (map < 0 && v->map == MS_MAPPED && v->wprot == WP_RO)) {
			*at = v->start > a ? v->start : (uint32_t)a;
			return 1;
		}
	}
	return 0;
}

static void memory_finding(const char *rule, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void memory_finding(const char *rule, const char *fmt, ...)
{
	char key[64], at[64], detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(key, sizeof key, "memory:%s", rule);
	snprintf(at, sizeof at, "memory-%s", rule);
	finding_set("memory", key, NULL, at, "%s", detail);
}

/* ---- Boot ---- */
/* The boot shadow of one boot process: its segments, its stack, nothing else. */
static void boot_shadow(struct shadow *s, const struct boot_proc *bp)
{
	shadow_unknown(s, bp->endpt);
	range_op(s, 0, SH_END, OP_UNMAPPED, NO_ATTR);
	for (uint32_t j = 0; j < bp->nsegs && j < BOOT_MAX_SEGS; j++) {
		const struct boot_seg *sg = &bp->seg[j];
		uint64_t end = ((uint64_t)sg->vaddr + sg->memsz + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
		uint8_t img = (uint8_t)sh.nimg++;
		sh.img[img].slot = bp->slot;
		sh.img[img].seg = (int)j;
		sh.img[img].vaddr = sg->vaddr;
		sh.img[img].filesz = sg->filesz;
		range_op(s, sg->vaddr, end, OP_FRESH,
			 (struct attr){ CK_IMAGE, (sg->flags & SEG_W) ? WP_RW : WP_RO, img, 0 });
		if (sg->flags & SEG_W)
			s->heap_base = sg->vaddr; /* brk grows the last writable segment */
	}
	if (bp->stack_size)
		range_op(s, (uint64_t)bp->stack_top - bp->stack_size, bp->stack_top, OP_FRESH, (struct attr){ CK_ZERO, WP_RW, 0, 0 });
}

void shadow_init(const struct platform *plat)
{
	const struct boot_info *bi = plat->bootinfo();
	enum plant plant = sh.plant;
	memset(&sh, 0, sizeof sh);
	sh.plat = plat;
	sh.plant = plant;
	sh.gen = 1;
	for (uint32_t i = 0; i < bi->nprocs && i < BOOT_MAX_PROCS; i++)
		boot_shadow(&sh.boot[sh.nboot++], &bi->proc[i]);
}

uint32_t shadow_checked(void)
{
	return sh.checked;
}

static void shadow_begin(const struct run_ctx *x)
{
	(void)x;
	sh.gen++;
	sh.checked = 0;
	for (uint32_t i = 0; i < sh.nboot; i++) {
		int32_t slot = ep_slot(sh.boot[i].ep);
		shadow_copy(&sh.p[slot], &sh.boot[i]);
		sh.p[slot].gen = sh.gen;
	}
}

/* ---- Plants (self-test): MMU corruption a VM bug would cause ---- */
int shadow_plant(const char *name)
{
	for (int i = 1; i < (int)(sizeof plant_name / sizeof plant_name[0]); i++)
		if (!strcmp(name, plant_name[i])) {
			sh.plant = (enum plant)i;
			return 0;
		}
	if (!strcmp(name, "none")) {
		sh.plant = PL_NONE;
		return 0;
	}
	return -1;
}

/* The PDE and PTE of vaddr in ep's page tables (NULL when there is none). */
static uint32_t *pte_of(endpoint_t ep, uint32_t vaddr, uint32_t **pde)
{
	int32_t slot = ep_slot(ep);
	if (slot < 0 || slot >= NR_PROCS || !kmodel.proc[slot].pdir)
		return NULL;
	uint32_t *pd = phys_ptr(kmodel.proc[slot].pdir, PAGE_SIZE);
	*pde = &pd[vaddr >> 22];
	if (!(**pde & PTE_P) || (**pde & PDE_PS))
		return NULL;
	uint32_t *pt = phys_ptr(**pde & PTE_ADDR_MASK, PAGE_SIZE);
	return &pt[(vaddr >> PAGE_SHIFT) & (PTE_ENTRIES - 1)];
}

/* mem:cow: every present user page of ep becomes writable (no copy-on-write). */
static void plant_all_writable(endpoint_t ep)
{
	for (uint32_t a = USER_BASE; a < USER_TOP; a += PAGE_SIZE) {
		uint32_t *pde, *pte = pte_of(ep, a, &pde);
		if (!pte) {
			a |= BIG_PAGE_SIZE - 1; /* skip the rest of this page table */
			a -= PAGE_SIZE - 1;
			continue;
		}
		if (*pte & PTE_P) {
			*pde |= PTE_W;
			*pte |= PTE_W;
		}
	}
}

static void plant_before_msg(const message *m)
{
	if (sh.plant != PL_UNMAP || m->m_type != VM_MUNMAP)
		return;
	for (uint32_t i = 0; i < PLANT_SAVE; i++) {
		uint32_t *pde, *pte = pte_of(m->m_source, m->u.munmap.addr + i * PAGE_SIZE, &pde);
		sh.saved_pte[i] = pte ? *pte : 0;
	}
}

static void plant_after_msg(const message *m, int32_t code, const message *rep)
{
	if (code != VM_OK)
		return;
	uint32_t live;
	/* The unmapped range stays mapped, onto a live page (the caller's first text
	 * page: a freed page would be poisoned, and ASan would see it first). */
	if (sh.plant == PL_UNMAP && m->m_type == VM_MUNMAP && mmu_translate(m->m_source, TEXT_VADDR, 0, &live) == VM_OK)
		for (uint32_t i = 0; i < PLANT_SAVE; i++) {
			uint32_t *pde, *pte = pte_of(m->m_source, m->u.munmap.addr + i * PAGE_SIZE, &pde);
			if (pte && (sh.saved_pte[i] & PTE_P))
				*pte = (live & PTE_ADDR_MASK) | (sh.saved_pte[i] & ~PTE_ADDR_MASK);
		}
	if (sh.plant == PL_COW && m->m_type == VM_FORK && rep) {
		plant_all_writable(m->u.fork.parent);
		plant_all_writable(rep->u.fork.child);
	}
}

static void shadow_before_access(const struct run_ctx *x, endpoint_t ep, uint32_t addr, int write)
{
	(void)x;
	uint32_t *pde, *pte;
	if (sh.plant == PL_RO && write && (pte = pte_of(ep, addr, &pde)) && (*pte & PTE_P)) {
		*pde |= PTE_W;
		*pte |= PTE_W; /* the write protection is lost */
	}
}

static void plant_after_access(endpoint_t ep, uint32_t addr, int write, int rc)
{
	uint32_t phys;
	if (sh.plant == PL_FLIP && write && rc == VM_OK && mmu_translate(ep, addr, 0, &phys) == VM_OK)
		*(uint8_t *)phys_ptr(phys, 1) ^= 1; /* the page loses the write */
}

/* ---- The oracle ---- */
/* The rule a read of val where exp was due breaks: another live process's write of
 * that value at that address shows (fork-write-shows), or plain read-value. */
static const char *read_rule(const struct shadow *s, uint32_t addr, uint32_t val)
{
	for (int32_t slot = 0; slot < NR_PROCS; slot++) {
		const struct shadow *o = &sh.p[slot];
		const struct sh_word *w;
		if (o == s || o->gen != sh.gen || !plat_is_live(sh.plat, o->ep))
			continue;
		if ((w = word_get(o, addr)) && w->val == val)
			return "fork-write-shows";
	}
	return "read-value";
}

static void shadow_access(const struct run_ctx *x, const struct access_seen *a)
{
	endpoint_t ep = a->ep;
	uint32_t addr = a->addr, val = a->value;
	int write = a->write, rc = a->rc;
	(void)x;
	plant_after_access(ep, addr, write, rc);
	struct shadow *s = rc == VM_OK ? shadow_of(ep) : NULL;
	uint32_t at, exp;
	if (!s)
		return;
	if (range_has(s, addr, (uint64_t)addr + 4, MS_UNMAPPED, &at)) {
		memory_finding("unmapped-reachable", "%s of 0x%x by %d succeeded, but 0x%x is unmapped",
			       write ? "write" : "read", addr, ep, at);
		return;
	}
	if (write && range_has(s, addr, (uint64_t)addr + 4, -1, &at)) {
		memory_finding("ro-write", "write of 0x%x to 0x%x by %d succeeded in read-only memory", val,
			       addr, ep);
		return;
	}
	if (!write && expect_word(s, addr, &exp) && ++sh.checked && exp != val) {
		const char *rule = read_rule(s, addr, val);
		memory_finding(rule, "read of 0x%x by %d returned 0x%x, expected 0x%x", addr, ep, val, exp);
		return;
	}
	word_set(s, addr, val);
	range_op(s, addr & ~PAGE_MASK, (uint64_t)(addr & ~PAGE_MASK) + PAGE_SIZE, OP_SEEN, NO_ATTR);
}

static void shadow_before_msg(const struct run_ctx *x, const message *m, uint32_t status)
{
	(void)x;
	(void)status;
	plant_before_msg(m);
}

static uint64_t range_end(uint32_t a, uint32_t len)
{
	uint64_t e = (uint64_t)a + len;
	e = (e + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
	return e > SH_END ? SH_END : e;
}

static void on_mmap(const message *m, int32_t code, const message *rep)
{
	uint32_t flags = m->u.mmap.flags;
	endpoint_t who = m->m_source;
	if ((flags & MAP_THIRDPARTY) && m->u.mmap.forwhom != SELF)
		who = m->u.mmap.forwhom;
	struct shadow *s = shadow_of(who);
	if (!s)
		return;
	if (code != VM_OK) {
		if (flags & MAP_FIXED)
			range_op(s, m->u.mmap.addr, range_end(m->u.mmap.addr, m->u.mmap.len), OP_UNKNOWN, NO_ATTR);
		return;
	}
	uint32_t ret = rep ? rep->u.mmap.retaddr : m->u.mmap.addr;
	if (!rep && !(flags & MAP_FIXED)) { /* the reply was lost: it went somewhere */
		forget_unmapped(s);
		return;
	}
	range_op(s, ret, range_end(ret, m->u.mmap.len), OP_FRESH,
		 (struct attr){ (flags & MAP_UNINITIALIZED) ? CK_UNKNOWN : CK_ZERO,
				(m->u.mmap.prot & PROT_WRITE) ? WP_RW : WP_RO, 0, 0 });
}

static void on_brk(const message *m, int32_t code)
{
	struct shadow *s = shadow_of(m->m_source);
	if (!s || code != VM_OK)
		return;
	if (!s->heap_base) { /* the heap is somewhere: what was unmapped may be mapped now */
		forget_unmapped(s);
		return;
	}
	if (m->u.brk.addr <= s->heap_base)
		return;
	const struct sh_iv *h = &s->iv[iv_find(s, s->heap_base)];
	uint8_t wprot = h->map == MS_MAPPED ? h->wprot : WP_UNKNOWN;
	range_op(s, s->heap_base, range_end(m->u.brk.addr, 0), OP_BRK, (struct attr){ 0, wprot, 0, 0 });
}

static void on_fork(const message *m, int32_t code, const message *rep)
{
	int32_t slot = m->u.fork.slot;
	if (code != VM_OK || slot < 0 || slot >= NR_PROCS)
		return;
	endpoint_t child = rep ? rep->u.fork.child : kmodel.proc[slot].endpt;
	struct shadow *p = shadow_of(m->u.fork.parent), *c = shadow_of(child);
	if (!p || !c || p == c || !plat_is_live(sh.plat, child))
		return;
	shadow_copy(c, p);
	c->ep = child;
}

static void on_info(const message *m, int32_t code, const message *rep)
{
	struct shadow *s = shadow_of(m->m_source);
	uint32_t len, at;
	int exact = 1; /* the copy's length is known */
	if (!s || code != VM_OK)
		return;
	if (m->u.info.what == VMIW_STATS)
		len = 20;
	else if (m->u.info.what == VMIW_USAGE)
		len = 32;
	else {
		int32_t n = rep ? rep->u.info.count : m->u.info.count; /* lost reply: at most */
		len = 16u * (uint32_t)(n < 0 ? 0 : n > MAX_VRI_COUNT ? MAX_VRI_COUNT : n);
		exact = rep != NULL;
	}
	uint64_t a = m->u.info.ptr, end = a + len > SH_END ? SH_END : a + len;
	if (!exact)
		range_op(s, a, end, OP_OVERWRITTEN, NO_ATTR);
	else if (range_has(s, a, end, MS_UNMAPPED, &at))
		memory_finding("unmapped-reachable", "VM_INFO copied %u bytes to 0x%x in %d, but 0x%x is unmapped",
			       len, m->u.info.ptr, m->m_source, at);
	else if (range_has(s, a, end, -1, &at))
		memory_finding("ro-write", "VM_INFO copied %u bytes to 0x%x in %d, but 0x%x is read-only", len,
			       m->u.info.ptr, m->m_source, at);
	else
		range_op(s, a, end, OP_OVERWRITTEN, NO_ATTR);
}

/* The target of a MAP_PHYS / UNMAP_PHYS (SELF: the caller). */
static struct shadow *phys_target(const message *m, endpoint_t ep)
{
	return shadow_of(ep == SELF ? m->m_source : ep);
}

/* MAP_PHYS maps device memory (shared by nature): the returned range, widened by a
 * page for an offset inside the first page, is mapped and volatile. */
static void on_map_phys(const message *m, int32_t code, const message *rep)
{
	struct shadow *s = phys_target(m, m->u.map_phys.endpt);
	if (!s || code != VM_OK)
		return;
	if (!rep) {
		shadow_unknown(s, s->ep);
		return;
	}
	uint32_t a = rep->u.map_phys.reply & ~PAGE_MASK;
	uint64_t end = range_end(rep->u.map_phys.reply, m->u.map_phys.len) + PAGE_SIZE;
	range_op(s, a, end > SH_END ? SH_END : end, OP_FRESH, (struct attr){ CK_UNKNOWN, WP_UNKNOWN, 0, 1 });
}

static void shadow_after_msg(const struct run_ctx *x, const struct msg_seen *seen)
{
	const message *m = &seen->m, *rep = seen->rep;
	int32_t code = seen->code;
	struct shadow *s;
	(void)x;
	if (!seen->r)
		return;
	plant_after_msg(m, code, rep);
	if (!seen->was_live)
		return; /* dropped unseen */
	switch (m->m_type) {
	case VM_MMAP:
		on_mmap(m, code, rep);
		break;
	case VM_MUNMAP:
		if ((s = shadow_of(m->m_source)))
			range_op(s, m->u.munmap.addr, range_end(m->u.munmap.addr, m->u.munmap.len),
				 code == VM_OK ? OP_UNMAPPED : OP_UNKNOWN, NO_ATTR);
		break;
	case VM_BRK:
		on_brk(m, code);
		break;
	case VM_FORK:
		on_fork(m, code, rep);
		break;
	case VM_INFO:
		on_info(m, code, rep);
		break;
	case VM_MAP_PHYS:
		on_map_phys(m, code, rep);
		break;
	case VM_UNMAP_PHYS:
		if (code == VM_OK && (s = phys_target(m, m->u.unmap_phys.endpt)))
			shadow_unknown(s, s->ep);
		break;
	case VM_EXIT: /* the endpoint is dead: its shadow is never used again */
	case VM_WILLEXIT:
	case VM_PAGEFAULT:
	case NOTIFY_MESSAGE:
	case VM_GETPHYS:
	case VM_GETREF:
	case VM_RS_SET_PRIV:
		break;
	default:
		if (code == VM_OK || (code == VM_SUSPEND && call_by_type(m->m_type) >= 0))
			forget_all();
		break;
	}
}

const struct oracle memory_oracle = {
	.name = "memory",
	.begin = shadow_begin,
	.before_msg = shadow_before_msg,
	.after_msg = shadow_after_msg,
	.before_access = shadow_before_access,
	.access = shadow_access,
};
