/* snapshot.c - boot, snapshot, restore and digest of the whole hosted system:
 * VM's state struct, the kernel model and RAM.  Boot once, snapshot, then restore
 * before each conversation: the structs by memcpy, RAM through the dirty bitmap. */
#include <stdio.h>
#include <string.h>
#include "vm.h"
#include "stubs.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

static struct {
	struct vm_state vm;
	struct kmodel_state kmodel;
} snap;

/* Boot from scratch: every piece of state (VM, kernel model, RAM, feed) is reset
 * first, so two boots give the same digest. */
void hosted_boot(int sanity_level)
{
	int r;

	ram_init();                  /* allocate RAM, first boot only */
	ram_reset();                 /* zero it, drop poisoning, all pages dirty */
	feed_reset();                /* no message, no reply */
	kmodel_init(sanity_level);   /* process table, boot images in RAM */
	ram_forget_touched();        /* VM holds no pointer into what the kernel wrote */
	memset(&vm, 0, sizeof vm);   /* VM starts from zero like a loaded image's bss */
	hosted_faults_off(1);        /* the fault hook is for conversations, not boot */
	r = vm_boot();
	hosted_faults_off(0);
	if (r != VM_OK) {
		fprintf(stderr, "hosted_boot: vm_boot failed with %d\n", r);
		hosted_die("VM did not boot");
	}
	ram_fill_free(vm.alloc.free_bits); /* free RAM holds the pattern, used or not */
}

/* Page directories and user page tables of live processes are not sticky: VM writes
 * them only through a fresh phys_ptr (vm/pagetable.c, table_at), so restore copies one
 * back only when it was written. */
static void unstick_page_tables(void)
{
	for (int32_t s = 0; s < NR_PROCS; s++) {
		const struct kproc *kp = &kmodel.proc[s];

		if (!(kp->flags & KP_INUSE) || !kp->pdir || !ram_range_ok(kp->pdir, PAGE_SIZE))
			continue;
		const uint32_t *dir = (const uint32_t *)(const void *)ram_view(kp->pdir);
		ram_unstick(kp->pdir);
		for (uint32_t i = KERNEL_PDE_COUNT; i < PAGE_SIZE / 4; i++)
			if ((dir[i] & PTE_P) && !(dir[i] & PDE_PS))
				ram_unstick(dir[i] & PTE_ADDR_MASK);
	}
}

void hosted_snapshot(void)
{
	memcpy(&snap.vm, &vm, sizeof vm);
	memcpy(&snap.kmodel, &kmodel, sizeof kmodel);
	ram_snapshot(vm.alloc.free_bits);
	unstick_page_tables();
}

/* VM's state struct but the sanity checker's scratch bitmap (vm.used_bits), which
 * every check clears before it reads it: [0, SCRATCH_AT) and [SCRATCH_END, sizeof vm). */
#define SCRATCH_AT  offsetof(struct vm_state, used_bits)
#define SCRATCH_END (SCRATCH_AT + sizeof vm.used_bits)

void hosted_restore(void)
{
	if (!ram_has_snapshot())
		hosted_die("hosted_restore without hosted_snapshot");
	ram_restore(vm.alloc.free_bits); /* before VM's state goes back: it reads the free pages */
	memcpy(&vm, &snap.vm, SCRATCH_AT);
	memcpy((char *)&vm + SCRATCH_END, (const char *)&snap.vm + SCRATCH_END, sizeof vm - SCRATCH_END);
	memcpy(&kmodel, &snap.kmodel, sizeof kmodel);
	feed_reset();
}

/* FNV-1a over n bytes. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* VM's struct (but its scratch bitmap) and the kernel model byte by byte, then every RAM word.  Host
 * pointers inside `vm` point into RAM, which never moves, so the digest of one
 * process is stable across restores. */
uint64_t hosted_digest(void)
{
	uint64_t h = FNV_OFFSET;

	h = fnv1a(h, &vm, SCRATCH_AT);
	h = fnv1a(h, (const char *)&vm + SCRATCH_END, sizeof vm - SCRATCH_END);
	h = fnv1a(h, &kmodel, sizeof kmodel);
	return ram_hash(h);
}
