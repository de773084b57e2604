/* shadow.c - the memory oracle: a shadow of what each process's memory must hold,
 * derived from the protocol alone (never from vm/'s internals).
 *
 * Memory is content in *memories*: a process's private memory (one per process,
 * addressed by virtual address) or a shared memory (a REMAP source region, device
 * frames, a block-cache block), addressed by an object address.  Per process (by
 * slot, stamped with its endpoint) the shadow keeps:
 *   - an interval map over the 32-bit address space, byte-granular, each interval
 *     with a mapping state (unknown, unmapped, mapped), what its bytes hold when no
 *     word says otherwise (unknown, zero, the boot image), whether it may be written
 *     (unknown, read-only, writable), whether it is known (memory the model did not
 *     see created may be shared or a device: volatile), the memory it maps (private,
 *     or shared memory o with object address = address + delta), what made it (its
 *     kind: image, stack, heap, mmap, alias, window, cache mapping; the region id of
 *     an alias, window or cache mapping), the rule whose effect it is (`why`) and the
 *     call whose effect last set it (`by`: the boot description, VM_MMAP, VM_FORK for
 *     every interval of a forked child, ...; an access that finds unknown memory
 *     mapped does not count);
 *   - words: 4-byte values at aligned addresses of its private memory, from every
 *     successful ACCESS (a write records its value, a read pins the value it saw).
 * A shared memory keeps its own words, by object address.  Boot processes start
 * from the boot description: their segments (text read-only, data writable, both
 * holding the image bytes, zero past the file size), a demand-zero stack, nothing
 * else mapped.  Then (the memory rules, kind memory):
 *   VM_MMAP OK     the returned range is fresh: mapped, zero (unless
 *                  MAP_UNINITIALIZED), writable iff PROT_WRITE; a failed MAP_FIXED
 *                  leaves its range unknown (it may have been unmapped first)
 *   VM_MUNMAP OK   the range is unmapped; failed: unknown
 *   VM_BRK OK      every byte of [heap base, break) is mapped now; what was unmapped
 *                  before reads as zero, with the heap's write permission (heap base
 *                  unknown: nothing is known unmapped any more)
 *   VM_FORK OK     the child's shadow is a copy of the parent's: private memory is a
 *                  copy-on-write copy, aliases, windows and cache mappings stay
 *                  shared with the parent; a REMAP source's own region is anonymous
 *                  memory again in the child, a private copy (MEMFX-01)
 *   VM_EXIT OK     the process's shadow is dropped (shadows are per endpoint)
 *   VM_INFO OK     the caller's [ptr, ptr+len) holds unknown bytes (len 20, 32 or
 *                  count*16 by `what`)
 * and the memory effects (kind model, rules MEMFX-* of docs/model.md, "Memory
 * effects"):
 *   VM_REMAP, VM_REMAP_RO OK  the source region's private memory becomes a shared
 *                  memory; the destination [ret_addr, +roundup(size)) maps it too
 *                  (REMAP_RO: read-only).  Unmapping the source or an alias leaves
 *                  the others the memory (its pages stay referenced)   MEMFX-01, -02
 *   VM_SHM_UNMAP OK   the whole alias (or cache mapping) region holding addr is
 *                  unmapped                                                MEMFX-03
 *   VM_MAP_PHYS OK    [reply - offset, roundup(reply + len)) maps the device frames
 *                  from phaddr's page on: page i is frame F + i, every window of every
 *                  process onto one frame maps the same word; unknown until written
 *                                                                          MEMFX-04
 *   VM_UNMAP_PHYS OK  the whole window region holding vaddr is unmapped    MEMFX-05
 *   VM_SETCACHEPAGE OK  block (dev, dev_offset + i) holds what the caller's page i
 *                  holds now; the owner's later writes stay its own        MEMFX-06
 *   VM_MAPCACHEPAGE OK  page i of [addr, +pages) maps block (dev, dev_offset + i):
 *                  writes through any mapping of a block change the block; FORGET-
 *                  CACHEPAGE and CLEARCACHE drop entries, never mapped blocks  MEMFX-07
 *   VM_PROCCTL CLEAR OK  the target's address space is empty (HANDLEMEM: nothing)
 *                                                                          MEMFX-08
 *   VM_RS_UPDATE OK   the two processes' shadows change places             MEMFX-09
 *   VM_RS_PREPARE OK  dst's heap grows to src's heap length (zero), and unless
 *                  SF_VM_NOMMAP every anonymous mmap of src in the mmap range (a
 *                  REMAP source too) appears in dst, same address, as a
 *                  copy-on-write copy                                      MEMFX-10
 *   VM_RS_MEMCTL OK   HEAP_PREALLOC grows the heap by len, MAP_PREALLOC maps zero
 *                  writable memory at the returned addr (PIN, GET_PREALLOC_MAP:
 *                  nothing)                                                MEMFX-11
 *   VM_GETRUSAGE OK   PM's [addr, addr+12) holds unknown bytes             MEMFX-12
 *   VM_GETPHYS, VM_GETREF, VM_RS_SET_PRIV: queries and masks, no memory changes
 *   any other call that succeeds (or is left unanswered) by a live sender: every
 *                  shadow and shared memory is forgotten, i.e. all volatile
 * A lost reply of a call that returns an address makes what may now be mapped
 * unknown (and what it may share volatile); a table that is full forgets (volatile).
 * A failed access changes nothing.  Findings: an access that succeeded in unmapped
 * memory, a write that succeeded in read-only memory, a read that returned something
 * else than the shadow's value.  They are judged by the rule that made the
 * expectation: the interval's `why` (a word's own `why` for a read of a word), and
 * for shared memory the memory's rule.  The memory rules report kind memory:
 *   read-value          a read returned something other than the shadow's value
 *   fork-write-shows    ... and the value read is one another process wrote there
 *   unmapped-reachable  an access (or VM_INFO's copy) succeeded in unmapped memory
 *   ro-write            a write (or VM_INFO's copy) succeeded in read-only memory
 * with signature key memory:<rule>:<kind>:<call>, the kind of the interval involved
 * (none, image, stack, heap, mmap, alias, window, cache: what made it) and the call
 * that last set it (boot, VM_MMAP, VM_FORK, ...), so a fork that leaks a write and an
 * mmap that returns stale memory differ; the at= is memory-<rule>.  The memory effects
 * report kind model, at=<rule id>, signature key model:<rule>:<call>:<what> (call: the
 * call whose effect was broken; what: shared, window, cache, private, unmapped, ro),
 * and for a read whose value another process holds at that address (its write shows
 * where it must not) :shows:<kind>:<call> of that process's interval, so a write lost
 * through an alias and a write leaking out of a copy differ.  Self-test plants
 * (VMFUZZ_PLANT=mem:RULE) corrupt the MMU state or RAM the way a VM bug would, from
 * the harness, so each rule is shown to fire (shadow_plant.c); shadow.h lists the
 * parts. */
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include "shadow.h"

struct shadow_state sh;

static const char *const ob_name[] = { "private", "shared", "window", "cache" };
static const char *const kind_name[] = { "none", "image", "stack", "heap", "mmap", "alias", "window", "cache" };

/* The name of interval kind k (K_*). */
static const char *kind_str(uint8_t k)
{
	return k < sizeof kind_name / sizeof kind_name[0] ? kind_name[k] : "?";
}

static const struct {
	const char *id, *call;
} rule_def[R_COUNT] = {
	[R_MEMORY] = { "memory", "" },
	[R_SHARE] = { "MEMFX-01", "VM_REMAP" },
	[R_SHARE_RO] = { "MEMFX-02", "VM_REMAP_RO" },
	[R_SHM_UNMAP] = { "MEMFX-03", "VM_SHM_UNMAP" },
	[R_WINDOW] = { "MEMFX-04", "VM_MAP_PHYS" },
	[R_UNMAP_PHYS] = { "MEMFX-05", "VM_UNMAP_PHYS" },
	[R_CACHE_OWNER] = { "MEMFX-06", "VM_SETCACHEPAGE" },
	[R_CACHE] = { "MEMFX-07", "VM_MAPCACHEPAGE" },
	[R_CLEAR] = { "MEMFX-08", "VM_PROCCTL" },
	[R_UPDATE] = { "MEMFX-09", "VM_RS_UPDATE" },
	[R_PREPARE] = { "MEMFX-10", "VM_RS_PREPARE" },
	[R_PREALLOC] = { "MEMFX-11", "VM_RS_MEMCTL" },
	[R_RUSAGE] = { "MEMFX-12", "VM_GETRUSAGE" },
	[R_EXEC] = { "MEMFX-13", "VM_EXEC_NEWMEM" },
	[R_FILE] = { "MEMFX-14", "VM_VFS_REPLY" },
};

/* ---- Findings ---- */
/* The BY_* of a message of type t: 1 + its call-table index, BY_OTHER off the table. */
uint8_t by_of(int32_t t)
{
	int c = call_by_type(t);
	return c >= 0 && c < BY_OTHER - 1 ? (uint8_t)(c + 1) : BY_OTHER;
}

/* The name of the call BY_* value by stands for. */
static const char *by_name(uint8_t by)
{
	return by == BY_BOOT ? "boot" : by == BY_OTHER ? "other" : call_table[by - 1].name;
}

/* A memory rule was broken in interval v: kind memory at memory-<rule>, signature key
 * memory:<rule>:<v's kind>:<the call that last set v>. */
static void memory_finding(const struct sh_iv *v, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void memory_finding(const struct sh_iv *v, const char *rule, const char *fmt, ...)
{
	char key[96], at[64], detail[400];
	const char *kind = kind_str(v->kind);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(key, sizeof key, "memory:%s:%s:%s", rule, kind, by_name(v->by));
	snprintf(at, sizeof at, "memory-%s", rule);
	finding_set("memory", key, NULL, at, "%s (interval: %s, last set by %s)", detail, kind, by_name(v->by));
}

/* A memory effect was broken: kind model at the rule's id, signature key
 * model:<rule>:<call>:<what>. */
void model_finding(enum rule r, const char *call, const char *what, const char *detail)
{
	char key[128];
	snprintf(key, sizeof key, "model:%s:%s:%s", rule_def[r].id, call, what);
	finding_set("model", key, NULL, rule_def[r].id, "%s", detail);
}

/* A finding about interval v's state (what: unmapped, ro): the memory rule
 * legacy when v's state is the memory rules', else v's memory effect. */
void state_finding(const struct sh_iv *v, const char *legacy, const char *what, const char *detail)
{
	if (v->why == R_MEMORY)
		memory_finding(v, legacy, "%s", detail);
	else
		model_finding((enum rule)v->why, rule_def[v->why].call, what, detail);
}

static const char *type_name(int32_t type)
{
	int c = call_by_type(type);
	return c >= 0 ? call_table[c].name : "?";
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
			 (struct attr){ .content = CK_IMAGE, .wprot = (sg->flags & SEG_W) ? WP_RW : WP_RO, .img = img,
					.kind = K_IMAGE });
		if (sg->flags & SEG_W) /* brk grows the last writable segment */
			shadow_heap_set(s, sg->vaddr, end);
	}
	if (bp->stack_size)
		range_op(s, (uint64_t)bp->stack_top - bp->stack_size, bp->stack_top, OP_FRESH,
			 (struct attr){ .content = CK_ZERO, .wprot = WP_RW, .kind = K_STACK });
}

void shadow_init(const struct platform *plat)
{
	const struct boot_info *bi = plat->bootinfo();
	enum plant plant = sh.plant;
	memset(&sh, 0, sizeof sh);
	sh.plat = plat;
	sh.plant = plant;
	sh.gen = 1;
	sh.pm_ep = NONE;
	for (uint32_t i = 0; i < bi->nprocs && i < BOOT_MAX_PROCS; i++) {
		boot_shadow(&sh.boot[sh.nboot++], &bi->proc[i]);
		if (bi->proc[i].slot == PM_PROC_NR)
			sh.pm_ep = bi->proc[i].endpt;
	}
}

uint32_t shadow_checked(void)
{
	return sh.checked;
}

uint32_t shadow_checked_rule(const char *id)
{
	for (int r = 0; r < R_COUNT; r++)
		if (!strcmp(rule_def[r].id, id))
			return sh.rule_checked[r];
	return 0;
}

static void shadow_begin(const struct run_ctx *x)
{
	(void)x;
	sh.gen++;
	sh.checked = 0;
	memset(sh.rule_checked, 0, sizeof sh.rule_checked);
	shared_reset();
	sh.next_rid = 0;
	sh.by = BY_BOOT;
	sh.plant_saved = 0;
	for (uint32_t i = 0; i < sh.nboot; i++) {
		int32_t slot = ep_slot(sh.boot[i].ep);
		shadow_copy(&sh.p[slot], &sh.boot[i]);
		sh.p[slot].gen = sh.gen;
	}
}

/* ---- The oracle: accesses ---- */
/* Another live process than s's whose private word at addr holds val (its write of
 * that value there shows in s), or NULL. */
static const struct shadow *other_writer(const struct shadow *s, uint32_t addr, uint32_t val)
{
	for (int32_t slot = 0; slot < NR_PROCS; slot++) {
		const struct shadow *o = &sh.p[slot];
		const struct sh_word *w;
		if (o == s || o->gen != sh.gen || !plat_is_live(sh.plat, o->ep))
			continue;
		if ((w = word_get(o, addr)) && w->val == val)
			return o;
	}
	return NULL;
}

/* The old owner of cached block o when it holds val at the block's word oa now (its
 * later write shows in the block), or NULL. */
static const struct shadow *owner_writer(const struct sh_obj *o, uint32_t oa, uint32_t val)
{
	const struct shadow *s;
	struct expect e;
	int32_t slot = ep_slot(o->owner);
	if (o->kind != OB_CACHE || slot < 0 || slot >= NR_PROCS)
		return NULL;
	s = &sh.p[slot];
	return s->gen == sh.gen && s->ep == o->owner && expect_word(s, oa, &e) && e.val == val ? s : NULL;
}

/* A memory effect's read finding: what (the memory read) gains, when the value read
 * is writer's write at wa, ":shows:<kind>:<call>" of writer's interval there (so a
 * write leaking out of memory one call made and a write lost in memory another call
 * made differ), and the detail d says who holds it where. */
static void effect_read_finding(enum rule r, const char *call, const char *what, const struct shadow *writer,
				uint32_t wa, char *d, uint32_t dlen)
{
	char w[64];
	const struct sh_iv *v;
	if (!writer) {
		model_finding(r, call, what, d);
		return;
	}
	v = &writer->iv[iv_find(writer, wa)];
	snprintf(w, sizeof w, "%s:shows:%s:%s", what, kind_str(v->kind), by_name(v->by));
	size_t n = strlen(d);
	snprintf(d + n, dlen - n, "; %d holds that value at 0x%x (interval: %s, last set by %s)", writer->ep, wa,
		 kind_str(v->kind), by_name(v->by));
	model_finding(r, call, w, d);
}

/* A read of addr by ep returned val where e was due. */
static void read_finding(const struct shadow *s, endpoint_t ep, uint32_t addr, uint32_t val, const struct expect *e)
{
	char d[400];
	const struct sh_obj *o = e->obj;
	const struct shadow *wr = other_writer(s, addr, val);
	if (!o && e->why == R_MEMORY) {
		memory_finding(&s->iv[iv_find(s, addr)], wr ? "fork-write-shows" : "read-value",
			       "read of 0x%x by %d returned 0x%x, expected 0x%x", addr, ep, val, e->val);
		return;
	}
	if (!o) {
		snprintf(d, sizeof d, "read of 0x%x by %d returned 0x%x, expected 0x%x (private memory, since %s)", addr,
			 ep, val, e->val, rule_def[e->why].call);
		effect_read_finding(e->why, rule_def[e->why].call, "private", wr, addr, d, sizeof d);
		return;
	}
	uint32_t oa = addr + s->iv[iv_find(s, addr)].delta;
	const struct shadow *owner = owner_writer(o, oa, val);
	snprintf(d, sizeof d, "read of 0x%x by %d returned 0x%x, expected 0x%x (%s memory made by %s%s)", addr, ep, val,
		 e->val, ob_name[o->kind], type_name(o->call),
		 owner ? "; the value is the old owner's later write" : "");
	if (owner)
		effect_read_finding(R_CACHE_OWNER, "VM_SETCACHEPAGE", "cache", owner, oa, d, sizeof d);
	else
		effect_read_finding((enum rule)o->rule, type_name(o->call), ob_name[o->kind], wr, addr, d, sizeof d);
}

static void shadow_access(const struct run_ctx *x, const struct access_seen *a)
{
	endpoint_t ep = a->ep;
	uint32_t addr = a->addr, val = a->value;
	int write = a->write, rc = a->rc;
	const struct sh_iv *v;
	struct expect e;
	char d[200];
	(void)x;
	plant_after_access(ep, addr, write, val, rc);
	struct shadow *s = rc == VM_OK ? shadow_of(ep) : NULL;
	uint32_t at;
	if (!s)
		return;
	if (range_has(s, addr, (uint64_t)addr + 4, MS_UNMAPPED, &at, &v)) {
		snprintf(d, sizeof d, "%s of 0x%x by %d succeeded, but 0x%x is unmapped", write ? "write" : "read", addr,
			 ep, at);
		state_finding(v, "unmapped-reachable", "unmapped", d);
		return;
	}
	if (write && range_has(s, addr, (uint64_t)addr + 4, -1, &at, &v)) {
		snprintf(d, sizeof d, "write of 0x%x to 0x%x by %d succeeded in read-only memory", val, addr, ep);
		state_finding(v, "ro-write", "ro", d);
		return;
	}
	if (!write && expect_word(s, addr, &e)) {
		sh.checked++;
		sh.rule_checked[e.obj ? e.obj->rule : e.why]++;
		if (e.val != val) {
			read_finding(s, ep, addr, val, &e);
			return;
		}
	}
	word_set(s, addr, val);
	uint32_t pg = addr & ~PAGE_MASK;
	if (range_has(s, pg, (uint64_t)pg + PAGE_SIZE, MS_UNKNOWN, &at, &v)) /* else nothing to learn */
		range_op(s, pg, (uint64_t)pg + PAGE_SIZE, OP_SEEN, NO_ATTR);
}

static void shadow_before_msg(const struct run_ctx *x, const message *m, uint32_t status)
{
	(void)x;
	(void)status;
	plant_before_msg(m);
}

const struct oracle memory_oracle = {
	.name = "memory",
	.begin = shadow_begin,
	.before_msg = shadow_before_msg,
	.after_msg = shadow_after_msg,
	.before_access = shadow_before_access,
	.access = shadow_access,
};
