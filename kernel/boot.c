/* boot.c - from the multiboot modules to the boot processes.
 *
 * Physical memory after boot, in allocation order: the kernel, the modules, VM's
 * own image, page tables and stack (never handed to VM's allocator), then the boot
 * segments of every other process, then free RAM.  The memory map VM receives
 * starts at the boot segments, so they lie inside it. */
#include "kernel.h"

#define MB_MAGIC_EAX 0x2BADB002u
#define MBI_MEM      0x001
#define MBI_CMDLINE  0x004
#define MBI_MODS     0x008
#define MBI_MMAP     0x040
#define MAX_MODS     (BOOT_MAX_PROCS + 1)

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4], mmap_length, mmap_addr;
};
struct mb_mod { uint32_t start, end, string, reserved; };
struct __attribute__((packed)) mb_mmap { uint32_t size; uint64_t base, len; uint32_t type; };

/* ELF32, only what the loader needs. */
struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr { uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align; };
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

struct module { uint32_t start, end; char name[8]; };

struct boot_entry {
	int32_t slot;
	const char *name;
	int32_t is_sys;
	vm_callmask_t mask;
	uint32_t text_pages, data_pages; /* the fuzz image's synthetic images */
};
#define BOOT_ENTRY(slot, name, sys, mask, tp, dp) { slot, name, sys, mask, tp, dp },
#ifdef KERNEL_FUZZ
static const struct boot_entry boot_table[] = { BOOT_PROCS(BOOT_ENTRY) BOOT_PROCS_FUZZ(BOOT_ENTRY) };
#else
static const struct boot_entry boot_table[] = { BOOT_PROCS(BOOT_ENTRY) };
#endif
#define NR_BOOT (sizeof(boot_table) / sizeof(boot_table[0]))

extern char _kernel_end[];

/* Copy the basename of path, without ".elf", into name (at most 7 chars). */
static void module_name(const char *path, char *name)
{
	const char *b = path;
	int n = 0;

	for (const char *s = path; *s && *s != ' '; s++)
		if (*s == '/')
			b = s + 1;
	while (b[n] && b[n] != ' ' && b[n] != '.' && n < 7) {
		name[n] = b[n];
		n++;
	}
	name[n] = '\0';
}

static int name_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Parse "sanity=N" from the kernel command line (0 when absent). */
static int32_t cmdline_sanity(const char *s)
{
	for (; s && *s; s++) {
		const char *k = "sanity=";
		int i = 0;
		while (k[i] && s[i] == k[i])
			i++;
		if (!k[i] && s[i] >= '0' && s[i] <= '9')
			return s[i] - '0';
	}
	return 0;
}

/* The top of the RAM range that contains 1 MiB, capped at PHYS_MAX. */
static uint32_t ram_top(const struct mb_info *mbi)
{
	uint64_t top = 0x100000u + (uint64_t)mbi->mem_upper * 1024;

	if (mbi->flags & MBI_MMAP) {
		uint32_t a = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
		while (a < end) {
			const struct mb_mmap *e = (const struct mb_mmap *)a;
			if (e->type == 1 && e->base <= 0x100000u && e->base + e->len > 0x100000u)
				top = e->base + e->len;
			a += e->size + 4;
		}
	}
	return top > PHYS_MAX ? PHYS_MAX : (uint32_t)top;
}

/* Validate the ELF image of module m; its header, or panic. */
static const struct elf_ehdr *elf_check(const struct module *m)
{
	const struct elf_ehdr *eh = (const struct elf_ehdr *)m->start;

	if (m->end - m->start < sizeof(*eh) || eh->ident[0] != 0x7F || eh->ident[1] != 'E' ||
	    eh->ident[2] != 'L' || eh->ident[3] != 'F' || eh->ident[4] != 1 || eh->machine != 3 ||
	    eh->phentsize != sizeof(struct elf_phdr) ||
	    eh->phoff + (uint32_t)eh->phnum * sizeof(struct elf_phdr) > m->end - m->start)
		kpanic("module %s is not an i386 ELF32 executable", m->name);
	return eh;
}

/* Load the PT_LOAD segments of m into fresh physical pages.  Each boot_seg covers
 * whole pages: vaddr is rounded down, the bytes before the segment stay zero. */
static uint32_t elf_load(const struct module *m, struct boot_seg *seg, uint32_t *entry)
{
	const struct elf_ehdr *eh = elf_check(m);
	const struct elf_phdr *ph = (const struct elf_phdr *)(m->start + eh->phoff);
	uint32_t n = 0;

	for (uint32_t i = 0; i < eh->phnum; i++, ph++) {
		if (ph->type != PT_LOAD || ph->memsz == 0)
			continue;
		uint32_t lead = ph->vaddr & PAGE_MASK, end;
		if (n == BOOT_MAX_SEGS || ph->filesz > ph->memsz || ph->offset + ph->filesz > m->end - m->start ||
		    ph->vaddr < USER_BASE || __builtin_add_overflow(ph->vaddr, ph->memsz, &end) ||
		    end > STACK_TOP - BOOT_STACK_SIZE)
			kpanic("module %s: bad segment %u", m->name, i);
		struct boot_seg *s = &seg[n++];
		s->vaddr = ph->vaddr - lead;
		s->filesz = lead + ph->filesz;
		s->memsz = (lead + ph->memsz + PAGE_MASK) & ~PAGE_MASK;
		s->flags = ((ph->flags & PF_W) ? SEG_W : 0) | ((ph->flags & PF_X) ? SEG_X : 0);
		s->phys = palloc(s->memsz / PAGE_SIZE);
		__builtin_memcpy((void *)(s->phys + lead), (const void *)(m->start + ph->offset), ph->filesz);
	}
	*entry = eh->entry;
	return n;
}

/* Set up the slot of a boot process: generation 0 (endpoint == slot), registers at
 * the ELF entry with the stack at STACK_TOP, privileges from its table entry. */
static struct proc *boot_proc(const struct boot_entry *be, uint32_t entry)
{
	struct proc *p = &k.proc[be->slot];

	p->rts = RTS_NO_ADDRSPACE;
	p->endpt = ep_make(0, be->slot);
	p->gen = 0;
	p->ever_used = 1;
	for (int i = 0; i < 7 && be->name[i]; i++)
		p->name[i] = be->name[i];
	p->tf.cs = SEL_UCODE;
	p->tf.ds = p->tf.es = p->tf.fs = p->tf.gs = p->tf.ss = SEL_UDATA;
	p->tf.eip = entry;
	p->tf.esp = STACK_TOP;
	p->tf.eflags = EFLAGS_IF;
	for (int s = 0; s < MAP_WORDS; s++)
		p->priv.ipc_to[s] = be->is_sys ? 0xFFFFFFFFu : 0;
	if (!be->is_sys)
		for (size_t i = 0; i < NR_BOOT; i++)
			if (boot_table[i].is_sys)
				p->priv.ipc_to[boot_table[i].slot / 32] |= 1u << (boot_table[i].slot % 32);
	p->priv.kc_mask = be->slot == VM_PROC_NR ? KC_MASK_VM :
			  be->slot == INIT_PROC_NR ? KC_MASK_INIT :
			  be->slot == PM_PROC_NR ? KC_MASK_PM : KC_MASK_SYS;
	return p;
}

/* A kernel-built address space for module m: the kernel's big pages (made
 * user-accessible when window is set: VM's window onto RAM), the segments at their
 * link addresses, a mapped stack.  Returns the directory; *entry gets the entry. */
#ifdef KERNEL_FUZZ
/* The fuzz image's window onto RAM for VM: 4 KiB user pages instead of the big ones,
 * so the CPU's dirty bits name every page VM writes (kernel/snapshot.c puts them back
 * between the inputs of a batch). */
static void window_small_pages(uint32_t pdir)
{
	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++) {
		uint32_t *pt = (uint32_t *)palloc(1);
		for (uint32_t j = 0; j < PTE_ENTRIES; j++)
			pt[j] = (i * BIG_PAGE_SIZE + j * PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
		((uint32_t *)pdir)[i] = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
	}
}
#endif

static uint32_t build_space(const struct module *m, int window, uint32_t *entry)
{
	struct boot_seg seg[BOOT_MAX_SEGS];
	uint32_t n = elf_load(m, seg, entry);
	uint32_t pdir = palloc(1);
	uint32_t stack = palloc(BOOT_STACK_SIZE / PAGE_SIZE);

	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++)
		((uint32_t *)pdir)[i] = kern_pde(i) | (window ? PTE_U : 0);
#ifdef KERNEL_FUZZ
	if (window)
		window_small_pages(pdir);
#endif
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t off = 0; off < seg[i].memsz; off += PAGE_SIZE)
			map_page(pdir, seg[i].vaddr + off, seg[i].phys + off,
				 PTE_U | ((seg[i].flags & SEG_W) ? PTE_W : 0));
	for (uint32_t off = 0; off < BOOT_STACK_SIZE; off += PAGE_SIZE)
		map_page(pdir, STACK_TOP - BOOT_STACK_SIZE + off, stack + off, PTE_U | PTE_W);
	return pdir;
}

/* VM runs in a kernel-built space with the window onto RAM. */
static void boot_vm(const struct module *m, const struct boot_entry *be)
{
	uint32_t entry, pdir = build_space(m, 1, &entry);
	struct proc *p = boot_proc(be, entry);

	p->cr3 = pdir;
	p->rts = 0;
	k.vm = p;
}

/* Fill the identity of boot process be in its description for VM: slot, endpoint,
 * kind, mask, name and the standard stack. */
static void describe_identity(struct boot_proc *bp, const struct boot_entry *be)
{
	bp->slot = be->slot;
	bp->endpt = ep_make(0, be->slot);
	bp->is_sys = be->is_sys;
	bp->stack_top = STACK_TOP;
	bp->stack_size = BOOT_STACK_SIZE;
	bp->mask = be->mask;
	for (int i = 0; i < 7 && be->name[i]; i++)
		bp->name[i] = be->name[i];
}

#ifndef KERNEL_FUZZ
/* Describe boot process be (loaded from m) in the boot info for VM. */
static void boot_other(const struct module *m, const struct boot_entry *be)
{
	struct boot_proc *bp = &k.bi.proc[k.bi.nprocs++];
	uint32_t entry;

	bp->nsegs = elf_load(m, bp->seg, &entry);
	describe_identity(bp, be);
	boot_proc(be, entry);
}
#endif

/* Find the module for boot entry be, or panic. */
static const struct module *find_module(const struct module *mods, uint32_t n, const struct boot_entry *be)
{
	for (uint32_t i = 0; i < n; i++)
		if (name_eq(mods[i].name, be->name))
			return &mods[i];
	kpanic("no boot module for %s (pass it with -initrd)", be->name);
}

#ifdef KERNEL_FUZZ
/* The hosted model's pool: [1 MiB, FUZZ_RAM_SIZE) of its RAM (include/layout.h), so
 * VM manages as many pages in the fuzz image as in the hosted build. */
#define FZ_POOL_SIZE (FUZZ_RAM_SIZE - (1u << 20))

/* Describe boot process be as the hosted model does (stubs/kmodel.c): a text
 * segment of text_pages at TEXT_VADDR, fully file-backed, and a writable data
 * segment of data_pages right after it, file-backed up to half a page before its
 * end; pages back to back from the boot allocator.  It never runs (RTS_FZ_HOLD). */
static void fz_boot_other(const struct boot_entry *be)
{
	struct boot_proc *bp = &k.bi.proc[k.bi.nprocs++];
	uint32_t tlen = be->text_pages * PAGE_SIZE, dlen = be->data_pages * PAGE_SIZE;

	bp->nsegs = 2;
	bp->seg[0] = (struct boot_seg){ palloc(be->text_pages), TEXT_VADDR, tlen, tlen, SEG_X };
	bp->seg[1] = (struct boot_seg){ palloc(be->data_pages), TEXT_VADDR + tlen, dlen - PAGE_SIZE / 2, dlen, SEG_W };
	for (int s = 0; s < 2; s++)
		for (uint32_t off = 0; off < bp->seg[s].filesz; off++)
			((uint8_t *)bp->seg[s].phys)[off] = boot_image_byte(be->slot, s, off);
	describe_identity(bp, be);
	boot_proc(be, 0)->rts |= RTS_FZ_HOLD;
	k.proc[be->slot].ever_used = 1;
}

/* The agent runs outside the process table in a space of its own (no window onto
 * RAM), so nothing VM does to "the agent" of its table touches the real one. */
static void fz_boot_agent(const struct module *m)
{
	struct proc *a = &k.fz.agent;
	uint32_t entry;

	a->cr3 = build_space(m, 0, &entry);
	a->slot = -1;
	a->endpt = NONE;
	__builtin_memcpy(a->name, "agent", 6);
	a->tf.cs = SEL_UCODE;
	a->tf.ds = a->tf.es = a->tf.fs = a->tf.gs = a->tf.ss = SEL_UDATA;
	a->tf.eip = entry;
	a->tf.esp = STACK_TOP;
	a->tf.eflags = EFLAGS_IF;
	a->priv.kc_mask = KC_MASK_AGENT;
}

#endif

/* True when the kernel command line holds word w (delimited by spaces). */
static int cmdline_has(const char *s, const char *w)
{
	for (; s && *s; s++) {
		int i = 0;
		while (w[i] && s[i] == w[i])
			i++;
		if (!w[i] && (s[i] == ' ' || s[i] == '\0'))
			return 1;
	}
	return 0;
}

/* The decimal number after key (e.g. "soak=") on the command line; 0 when absent. */
static uint32_t cmdline_number(const char *s, const char *key)
{
	for (; s && *s; s++) {
		int i = 0;
		uint32_t v = 0;
		while (key[i] && s[i] == key[i])
			i++;
		if (key[i])
			continue;
		for (; s[i] >= '0' && s[i] <= '9' && v < 100000000u; i++)
			v = v * 10 + (uint32_t)(s[i] - '0');
		return v;
	}
	return 0;
}

#ifdef KERNEL_FUZZ
/* The fuzz image: VM and the agent from their modules, the input (the one module
 * that names no boot process), and every other boot process synthesised. */
static void fz_boot(const struct module *mods, uint32_t nmods, const char *cmdline)
{
	for (uint32_t i = 0; i < nmods; i++)
		if (!name_eq(mods[i].name, "vm") && !name_eq(mods[i].name, "agent")) {
			k.fz.input = mods[i].start;
			k.fz.input_len = mods[i].end - mods[i].start;
		}
	k.fz.input_flags = (cmdline_has(cmdline, "expect") ? FZI_EXPECT : 0) |
			   (cmdline_has(cmdline, "trace") ? FZI_TRACE : 0);
	k.fz.out.sanity_fail = -1;
	k.fz.snap.verify = cmdline_has(cmdline, "snapcheck");
	k.fz.snap.lo = palloc_mark(); /* the snapshot's range starts with VM's memory */
	for (size_t i = 0; i < NR_BOOT; i++)
		if (boot_table[i].slot == VM_PROC_NR)
			boot_vm(find_module(mods, nmods, &boot_table[i]), &boot_table[i]);
	k.fz.snap.agent_lo = palloc_mark();
	for (uint32_t i = 0; i < nmods; i++)
		if (name_eq(mods[i].name, "agent"))
			fz_boot_agent(&mods[i]);
	if (!k.fz.agent.cr3)
		kpanic("no agent module (pass agent.elf with -initrd)");
	shm_init(k.vm->cr3, k.fz.agent.cr3); /* its page tables: outside the restored range */
	k.fz.snap.agent_hi = palloc_mark();
	k.bi.mem[0].base = palloc_mark();
	for (size_t i = 0; i < NR_BOOT; i++)
		if (boot_table[i].slot != VM_PROC_NR)
			fz_boot_other(&boot_table[i]);
	if (palloc_top() - k.bi.mem[0].base < FZ_POOL_SIZE)
		kpanic("not enough RAM for VM's pool");
	k.bi.mem[0].size = FZ_POOL_SIZE;
	k.fz.snap.hi = k.bi.mem[0].base + FZ_POOL_SIZE; /* ... and ends with its pool */
}
#endif


/* Read the multiboot info, load VM and describe every other boot process. */
void boot_start(uint32_t magic, uint32_t mbi_phys)
{
	const struct mb_info *mbi = (const struct mb_info *)mbi_phys;
	struct module mods[MAX_MODS];
	uint32_t nmods, first_free = (uint32_t)_kernel_end;

	if (magic != MB_MAGIC_EAX || !(mbi->flags & MBI_MODS))
		kpanic("not booted by a multiboot loader with modules");
	nmods = mbi->mods_count < MAX_MODS ? mbi->mods_count : MAX_MODS;
	for (uint32_t i = 0; i < nmods; i++) {
		const struct mb_mod *mm = (const struct mb_mod *)mbi->mods_addr + i;
		mods[i].start = mm->start;
		mods[i].end = mm->end;
		module_name((const char *)mm->string, mods[i].name);
		if (mm->end > first_free)
			first_free = mm->end;
		kprintf("boot: module %s at 0x%x-0x%x\n", mods[i].name, mm->start, mm->end);
	}
	k.bi.sanity_level = (mbi->flags & MBI_CMDLINE) ? cmdline_sanity((const char *)mbi->cmdline) : 0;
	if (mbi->flags & MBI_CMDLINE) { /* init's soak and monitor (kernel/sysinfo.c) */
		k.soak_cycles = cmdline_number((const char *)mbi->cmdline, "soak=");
		k.monitor = cmdline_has((const char *)mbi->cmdline, "monitor");
	}
	palloc_init(first_free, ram_top(mbi));
#ifdef KERNEL_FUZZ
	fz_boot(mods, nmods, (mbi->flags & MBI_CMDLINE) ? (const char *)mbi->cmdline : "");
#else
	for (size_t i = 0; i < NR_BOOT; i++)
		if (boot_table[i].slot == VM_PROC_NR)
			boot_vm(find_module(mods, nmods, &boot_table[i]), &boot_table[i]);
	k.bi.mem[0].base = palloc_mark();
	for (size_t i = 0; i < NR_BOOT; i++)
		if (boot_table[i].slot != VM_PROC_NR)
			boot_other(find_module(mods, nmods, &boot_table[i]), &boot_table[i]);
	k.bi.mem[0].size = palloc_top() - k.bi.mem[0].base;
#endif
	k.bi.nmem = 1;
	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++)
		k.bi.kern_pde[i] = kern_pde(i);
	k.bi.vm_endpt = k.vm->endpt;
	kprintf("boot: %u processes, VM manages 0x%x-0x%x, sanity level %d\n", k.bi.nprocs + 1,
		k.bi.mem[0].base, k.bi.mem[0].base + k.bi.mem[0].size, k.bi.sanity_level);
}
