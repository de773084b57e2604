/* shadow_map.c - the memory oracle's shadows: shared memories, the interval map
 * of each process, its words, and the processes tracked (see shadow.c). */
#include <string.h>
#include "shadow.h"

/* ---- Shared memories ---- */
/* A new shared memory (no words, content unknown), or NULL when none is left. */
struct sh_obj *obj_new(int kind, enum rule r, int32_t call)
{
	if (sh.nobj >= SH_MAX_OBJ)
		return NULL;
	struct sh_obj *o = &sh.obj[sh.nobj++];
	memset(o, 0, offsetof(struct sh_obj, w));
	o->kind = (uint8_t)kind;
	o->rule = (uint8_t)r;
	o->call = call;
	return o;
}

uint8_t obj_index(const struct sh_obj *o)
{
	return (uint8_t)(o - sh.obj);
}

static const struct sh_word *obj_word_get(const struct sh_obj *o, uint32_t oa)
{
	for (uint32_t i = 0; i < o->nw; i++)
		if (o->w[i].addr == oa)
			return &o->w[i];
	return NULL;
}

/* Remember the word at object address oa of o (a full table: o is volatile). */
void obj_word_set(struct sh_obj *o, uint32_t oa, uint32_t val)
{
	for (uint32_t i = 0; i < o->nw; i++)
		if (o->w[i].addr == oa) {
			o->w[i].val = val;
			return;
		}
	if (o->nw < SH_OBJ_W)
		o->w[o->nw++] = (struct sh_word){ oa, val, 0 };
	else
		o->vol = 1;
}

/* The device frames, one shared memory addressed by physical address; NULL when
 * none is left. */
struct sh_obj *phys_obj(void)
{
	if (!sh.phys_obj) {
		struct sh_obj *o = obj_new(OB_PHYS, R_WINDOW, VM_MAP_PHYS);
		if (!o)
			return NULL;
		sh.phys_obj = obj_index(o);
	}
	return &sh.obj[sh.phys_obj];
}

void shadow_heap_set(struct shadow *s, uint32_t base, uint64_t end)
{
	s->heap_base = base;
	s->heap_end = end;
	s->heap_unsure = 0;
}

/* ---- The interval map ---- */
void shadow_unknown(struct shadow *s, endpoint_t ep)
{
	s->gen = sh.gen;
	s->ep = ep;
	shadow_heap_set(s, 0, 0);
	s->niv = 1;
	s->nw = 0;
	memset(&s->iv[0], 0, sizeof s->iv[0]); /* start 0, everything unknown */
	s->iv[0].vol = 1;
}

/* Forget everything about s (same endpoint). */
void shadow_forget(struct shadow *s)
{
	shadow_unknown(s, s->ep);
}

void shadow_copy(struct shadow *dst, const struct shadow *src)
{
	memcpy(dst, src, offsetof(struct shadow, iv));
	memcpy(dst->iv, src->iv, src->niv * sizeof src->iv[0]);
	memcpy(dst->w, src->w, src->nw * sizeof src->w[0]);
}

/* Index of the interval holding addr. */
uint32_t iv_find(const struct shadow *s, uint32_t addr)
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

uint64_t iv_end(const struct shadow *s, uint32_t i)
{
	return i + 1 < s->niv ? s->iv[i + 1].start : SH_END;
}

/* Make an interval start at addr; its index, or -1 when the map is full. */
int iv_split(struct shadow *s, uint64_t addr)
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
	       (a->content != CK_IMAGE || a->img == b->img) && a->obj == b->obj && a->delta == b->delta &&
	       a->kind == b->kind && a->why == b->why && a->rid == b->rid && a->by == b->by;
}

/* Join neighbours with equal attributes among iv[lo..hi] (hi < niv). */
static void iv_merge_span(struct shadow *s, uint32_t lo, uint32_t hi)
{
	uint32_t o = lo;
	for (uint32_t i = lo + 1; i <= hi; i++)
		if (!iv_same(&s->iv[o], &s->iv[i]))
			s->iv[++o] = s->iv[i];
	memmove(&s->iv[o + 1], &s->iv[hi + 1], (s->niv - hi - 1) * sizeof s->iv[0]);
	s->niv -= hi - o;
}

/* Join neighbours with equal attributes. */
void iv_merge(struct shadow *s)
{
	iv_merge_span(s, 0, s->niv - 1);
}

/* Drop every private word overlapping [a, end). */
void words_drop(struct shadow *s, uint64_t a, uint64_t end)
{
	uint32_t o = 0;
	for (uint32_t i = 0; i < s->nw; i++)
		if ((uint64_t)s->w[i].addr + 4 <= a || s->w[i].addr >= end)
			s->w[o++] = s->w[i];
	s->nw = o;
}

/* True when interval v's bytes are not known (v volatile, or its memory). */
int iv_volatile(const struct sh_iv *v)
{
	return v->vol || (v->obj && sh.obj[v->obj].vol);
}

/* Where the word at addr of s lives: 1 with *o (NULL: s's private memory) and its
 * address there in *oa; 0 when a byte of it is volatile or its 4 bytes are not in
 * one memory at one offset. */
static int word_home(const struct shadow *s, uint32_t addr, struct sh_obj **o, uint32_t *oa)
{
	const struct sh_iv *v = &s->iv[iv_find(s, addr)];
	for (uint32_t k = 0; k < 4; k++) {
		const struct sh_iv *u = &s->iv[iv_find(s, addr + k)];
		if (iv_volatile(u) || u->obj != v->obj || u->delta != v->delta)
			return 0;
	}
	*o = v->obj ? &sh.obj[v->obj] : NULL;
	*oa = addr + v->delta;
	return 1;
}

const struct sh_word *word_get(const struct shadow *s, uint32_t addr)
{
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr == addr)
			return &s->w[i];
	return NULL;
}

/* Put a private word of s (why: the rule it comes from); a full table forgets s
 * (words come from ACCESS records, one address each: it does not fill). */
static void word_put(struct shadow *s, uint32_t addr, uint32_t val, uint8_t why)
{
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr == addr) {
			s->w[i].val = val, s->w[i].why = why;
			return;
		}
	if (s->nw < SH_MAX_W)
		s->w[s->nw++] = (struct sh_word){ addr, val, why };
	else
		shadow_forget(s);
}

/* Remember the word at addr (known memory only: private or shared). */
void word_set(struct shadow *s, uint32_t addr, uint32_t val)
{
	struct sh_obj *o;
	uint32_t oa;
	if (!word_home(s, addr, &o, &oa)) {
		words_drop(s, addr, (uint64_t)addr + 4);
		for (uint32_t k = 0; k < 4; k++) { /* a shared memory it touches is unknown */
			const struct sh_iv *u = &s->iv[iv_find(s, addr + k)];
			if (u->obj)
				sh.obj[u->obj].vol = 1;
		}
		return;
	}
	if (o)
		obj_word_set(o, oa, val);
	else
		word_put(s, addr, val, R_MEMORY);
}

/* The words of interval v of s (its private words, or those of the shared memory it
 * maps) at addresses in [a, e): at most max into out, by virtual address; their
 * count. */
uint32_t words_in(const struct shadow *s, const struct sh_iv *v, uint64_t a, uint64_t e, struct sh_word *out,
		  uint32_t max)
{
	const struct sh_word *w = v->obj ? sh.obj[v->obj].w : s->w;
	uint32_t n = v->obj ? sh.obj[v->obj].nw : s->nw, k = 0;
	for (uint32_t i = 0; i < n && k < max; i++) {
		uint32_t va = w[i].addr - v->delta;
		if (va >= a && (uint64_t)va + 4 <= e)
			out[k++] = (struct sh_word){ va, w[i].val, w[i].why };
	}
	return k;
}

/* Interval v becomes private memory that maps nothing shared. */
static void iv_private(struct sh_iv *v)
{
	v->obj = 0, v->delta = 0, v->kind = K_NONE, v->rid = 0;
}

/* Apply op to v; every op but OP_SEEN (and OP_BRK on mapped memory, which it
 * keeps) records the message being applied (sh.by) as what set v. */
static void iv_apply(struct sh_iv *v, enum op op, struct attr at)
{
	if (op != OP_SEEN && (op != OP_BRK || v->map != MS_MAPPED))
		v->by = sh.by;
	switch (op) {
	case OP_FRESH:
		v->map = MS_MAPPED, v->content = at.content, v->wprot = at.wprot, v->img = at.img;
		v->vol = at.vol, v->obj = at.obj, v->delta = at.delta, v->kind = at.kind, v->why = at.why;
		v->rid = at.rid;
		break;
	case OP_UNMAPPED:
		v->vol = 0; /* whatever maps it again is modelled, or forgets everything */
		iv_private(v);
		v->why = at.why;
		/* fall through */
	case OP_UNKNOWN: /* private stays private: a failed unmap creates nothing */
		v->map = op == OP_UNMAPPED ? MS_UNMAPPED : MS_UNKNOWN;
		v->content = CK_UNKNOWN, v->wprot = WP_UNKNOWN;
		break;
	case OP_LOST:
		v->map = MS_UNKNOWN, v->content = CK_UNKNOWN, v->wprot = WP_UNKNOWN, v->vol = 1;
		iv_private(v);
		v->why = at.why;
		break;
	case OP_BRK:
		if (v->map != MS_MAPPED) {
			v->content = v->map == MS_UNMAPPED ? CK_ZERO : CK_UNKNOWN;
			v->map = MS_MAPPED, v->wprot = at.wprot, v->vol = 0;
			iv_private(v);
			v->kind = at.kind, v->why = at.why;
		}
		break;
	case OP_OVERWRITTEN:
		v->content = CK_UNKNOWN;
		if (v->obj) /* the shared memory changed under every sharer */
			sh.obj[v->obj].vol = 1;
		break;
	case OP_SEEN:
		if (v->map == MS_UNKNOWN)
			v->map = MS_MAPPED;
		break;
	}
}

/* Apply op to [a, end) of s.  Private words in the range are dropped unless the op
 * keeps contents (OP_UNKNOWN, OP_SEEN; OP_BRK drops those of pages it maps).  When
 * the map is full the process is forgotten (never a false finding, only less
 * checking). */
void range_op(struct shadow *s, uint64_t a, uint64_t end, enum op op, struct attr at)
{
	if (a >= end)
		return;
	int i = iv_split(s, a), j = i < 0 ? -1 : iv_split(s, end);
	if (i < 0 || j < 0) {
		shadow_forget(s);
		return;
	}
	for (int k = i; k < j; k++) {
		if (op == OP_BRK && s->iv[k].map != MS_MAPPED)
			words_drop(s, s->iv[k].start, iv_end(s, (uint32_t)k));
		iv_apply(&s->iv[k], op, at);
	}
	if (op == OP_FRESH || op == OP_UNMAPPED || op == OP_OVERWRITTEN || op == OP_LOST)
		words_drop(s, a, end);
	/* the map was merged: only [i, j) and its two borders may join now */
	iv_merge_span(s, i > 0 ? (uint32_t)i - 1 : 0, (uint32_t)j < s->niv ? (uint32_t)j : s->niv - 1);
}

/* [a, e) of interval v of src becomes private memory of dst at the same addresses,
 * a copy-on-write copy with src's content and words, set by rule why (dst's
 * interval there is already v's copy, or gets v's attributes). */
void copy_private(struct shadow *dst, const struct shadow *src, const struct sh_iv *v, uint64_t a, uint64_t e,
		  enum rule why)
{
	struct sh_word w[SH_MAX_W];
	uint32_t n = words_in(src, v, a, e, w, SH_MAX_W);
	struct attr at = { .content = v->content, .wprot = v->wprot, .img = v->img, .kind = v->kind,
			   .why = (uint8_t)why };
	if (v->content == CK_IMAGE && v->delta) /* the image bytes are the source's */
		at.content = CK_UNKNOWN;
	range_op(dst, a, e, OP_FRESH, at);
	for (uint32_t k = 0; k < n; k++)
		word_put(dst, w[k].addr, w[k].val, (uint8_t)why);
}

/* ---- Processes ---- */
/* The shadow of live process ep (an untracked one starts unknown), or NULL when ep
 * is not a live process other than VM.  A slot's shadow is stamped with its
 * endpoint, so a dead process's shadow is never used again. */
struct shadow *shadow_of(endpoint_t ep)
{
	int32_t slot = ep_slot(ep);
	if (slot < 0 || slot >= NR_PROCS || slot == VM_PROC_NR || !plat_is_live(sh.plat, ep))
		return NULL;
	struct shadow *s = &sh.p[slot];
	if (s->gen != sh.gen || s->ep != ep)
		shadow_unknown(s, ep);
	return s;
}

/* The shadow of endpoint field ep of m (SELF: the sender), or NULL. */
struct shadow *target_of(const message *m, endpoint_t ep)
{
	return shadow_of(ep == SELF ? m->m_source : ep);
}

/* No shared memory and no cache entry is known. */
void shared_reset(void)
{
	sh.nobj = 1;
	sh.phys_obj = 0;
	sh.ncache = 0;
}

/* Forget every process and every shared memory (a call the model does not
 * describe succeeded). */
void forget_all(void)
{
	sh.gen++;
	shared_reset();
}

/* Every page of s that was unmapped may now be mapped, with unknown contents, and
 * (vol) memory someone else may write. */
void forget_unmapped(struct shadow *s, int vol)
{
	for (uint32_t i = 0; i < s->niv; i++)
		if (s->iv[i].map != MS_MAPPED) {
			words_drop(s, s->iv[i].start, iv_end(s, i));
			iv_apply(&s->iv[i], vol ? OP_LOST : OP_UNKNOWN, NO_ATTR);
		}
	iv_merge(s);
}

/* Every private interval and word of s now comes from rule r (a later finding
 * there is r's), and every interval from the message being applied. */
void blame_all(struct shadow *s, enum rule r)
{
	for (uint32_t i = 0; i < s->niv; i++) {
		if (!s->iv[i].obj)
			s->iv[i].why = (uint8_t)r;
		s->iv[i].by = sh.by;
	}
	for (uint32_t i = 0; i < s->nw; i++)
		s->w[i].why = (uint8_t)r;
	iv_merge(s);
}

static uint8_t image_byte(uint8_t img, uint32_t vaddr)
{
	uint32_t off = vaddr - sh.img[img].vaddr;
	return off < sh.img[img].filesz ? hosted_boot_byte(sh.img[img].slot, sh.img[img].seg, off) : 0;
}

/* The value the word at addr must hold: 1 and *e when the shadow knows it. */
int expect_word(const struct shadow *s, uint32_t addr, struct expect *e)
{
	struct sh_obj *o;
	uint32_t oa;
	if (!word_home(s, addr, &o, &oa))
		return 0;
	const struct sh_iv *v = &s->iv[iv_find(s, addr)];
	const struct sh_word *w = o ? obj_word_get(o, oa) : word_get(s, addr);
	e->obj = o;
	e->why = o ? (enum rule)o->rule : (enum rule)(w ? w->why : v->why);
	if (w) {
		e->val = w->val;
		return 1;
	}
	e->val = 0;
	for (uint32_t k = 0; k < 4; k++) {
		const struct sh_iv *u = &s->iv[iv_find(s, addr + k)];
		if (u->map != MS_MAPPED || u->content == CK_UNKNOWN)
			return 0;
		if (u->content == CK_IMAGE)
			e->val |= (uint32_t)image_byte(u->img, addr + k + u->delta) << (8 * k);
	}
	return 1;
}

/* The first byte of [a, end) in s whose interval has map state `map` (or, with
 * map < 0, is read-only); 1, *at and *hit when there is one. */
int range_has(const struct shadow *s, uint64_t a, uint64_t end, int map, uint32_t *at,
	      const struct sh_iv **hit)
{
	if (a >= end)
		return 0;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < end; i++) {
		const struct sh_iv *v = &s->iv[i];
		if ((map >= 0 && v->map == map) || (map < 0 && v->map == MS_MAPPED && v->wprot == WP_RO)) {
			*at = v->start > a ? v->start : (uint32_t)a;
			*hit = v;
			return 1;
		}
	}
	return 0;
}

/* A new region id (aliases, windows and cache mappings are removed whole). */
uint16_t rid_new(void)
{
	if (++sh.next_rid == 0)
		sh.next_rid = 1;
	return sh.next_rid;
}
