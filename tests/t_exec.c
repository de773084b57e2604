/* t_exec.c - VM_EXEC_NEWMEM: the new image's layout, the old image released only once
 * the new one stands, every refusal and injected fault leaving the old image intact. */
#include "helpers.h"
#include "test.h"
#include "vm_exec.h"

#define ARGS_OFF 0x200 /* where PM's copy of the sizes goes in its data region */

/* Write the sizes e into PM's data region; their address. */
static uint32_t pm_put_sizes(const struct vm_exec_newmem *e)
{
	uint32_t a = data_region(PM_PROC_NR)->vaddr + ARGS_OFF;
	const uint32_t *w = (const uint32_t *)e;

	for (uint32_t i = 0; i < sizeof(*e) / 4; i++)
		CHECK_EQ(proc_write32(PM_PROC_NR, a + 4 * i, w[i]), VM_OK);
	return a;
}

/* VM_EXEC_NEWMEM from src for ep with args at args (args_len len); the reply's
 * flags and stack_top in *flags and *top when given. */
static int exec_raw(endpoint_t src, endpoint_t ep, uint32_t args, uint32_t len, uint32_t *flags, uint32_t *top)
{
	message m = msg_zero();
	int r;

	m.u.exec_newmem.endpt = ep;
	m.u.exec_newmem.args = args;
	m.u.exec_newmem.args_len = len;
	r = call(src, VM_EXEC_NEWMEM, &m);
	if (flags)
		*flags = m.u.exec_newmem.flags;
	if (top)
		*top = m.u.exec_newmem.stack_top;
	return r;
}

/* PM execs ep with the sizes text, data, bss, stack, args. */
static int pm_exec(endpoint_t ep, uint32_t text, uint32_t data, uint32_t bss, uint32_t stack, uint32_t args)
{
	struct vm_exec_newmem e = { text, data, bss, stack, args };

	return exec_raw(PM_PROC_NR, ep, pm_put_sizes(&e), sizeof(e), NULL, NULL);
}

/* A child of init with an extra mmap region holding a known word at *va. */
static endpoint_t child_with_mmap(uint32_t *va)
{
	endpoint_t c;

	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(mmap_anon(c, 0, 2 * PAGE_SIZE, PROT_RW, 0, va), VM_OK);
	CHECK_EQ(proc_write32(c, *va + 8, 0xE0E0CAFE), VM_OK);
	return c;
}

/* The old image of c is intact: its mmap region at va with the word, 4 regions. */
static void old_image_intact(endpoint_t c, uint32_t va)
{
	uint32_t v = 0;

	CHECK(region_find(vmp_of(c), va) != NULL);
	CHECK_EQ(region_count(vmp_of(c)), 4);
	CHECK_EQ(proc_read32(c, va + 8, &v), VM_OK);
	CHECK_EQ(v, 0xE0E0CAFE);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(EXEC0001, "EXEC_NEWMEM gives text at TEXT_VADDR, data+bss above it (the heap), a stack below STACK_TOP; the old image is gone")
{
	struct vm_exec_newmem e = { 0x2100, 0x1000, 0x1800, 0x8000, 0x100 };
	struct baseline b;
	uint32_t va, flags = 0, top = 0, v = 1;
	struct vmproc *vmp;
	struct vir_region *r;
	endpoint_t c;

	baseline_take(&b);
	c = child_with_mmap(&va);
	CHECK_EQ(exec_raw(PM_PROC_NR, c, pm_put_sizes(&e), sizeof(e), &flags, &top), VM_OK);
	CHECK_EQ(flags, VMEN_LOAD_TEXT);
	CHECK_EQ(top, STACK_TOP);
	vmp = vmp_of(c);
	CHECK_EQ(region_count(vmp), 3);
	CHECK(region_find(vmp, va) == NULL);
	r = region_find(vmp, TEXT_VADDR);
	CHECK(r && r->vaddr == TEXT_VADDR && r->length == 0x3000 && (r->flags & VR_WRITABLE));
	r = region_find(vmp, TEXT_VADDR + 0x3000);
	CHECK(r && r->length == 0x3000 && vmp->heap_base == r->vaddr);
	r = region_find(vmp, STACK_TOP - 4);
	CHECK(r && r->vaddr == STACK_TOP - 0x8000 && (r->flags & VR_STACK));
	CHECK_EQ(proc_backed_pages(vmp), 0);
	CHECK_EQ(proc_read32(c, TEXT_VADDR + 0x3000 + 0x10, &v), VM_OK);
	CHECK_EQ(v, 0);
	CHECK_EQ(proc_write32(c, STACK_TOP - 4, 0x5AC4), VM_OK);
	CHECK_EQ(proc_write32(c, TEXT_VADDR, 0x7E47), VM_OK);
	CHECK_EQ(brk_call(c, TEXT_VADDR + 0x8000), VM_OK);
	CHECK_EQ(proc_write32(c, TEXT_VADDR + 0x7000, 1), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(c), VM_OK);
	CHECK_BASELINE(b);
}

TEST(EXEC0002, "every refusal leaves the old image intact: bad length, target, sizes, unreadable args, no room")
{
	struct vm_exec_newmem e = { 0x1000, 0x1000, 0, 0x1000, 0 };
	uint32_t va, args;
	endpoint_t c = child_with_mmap(&va);

	args = pm_put_sizes(&e);
	CHECK_EQ(exec_raw(PM_PROC_NR, c, args, sizeof(e) - 1, NULL, NULL), VM_EINVAL);
	CHECK_EQ(exec_raw(PM_PROC_NR, c, args, 0, NULL, NULL), VM_EINVAL);
	CHECK_EQ(exec_raw(PM_PROC_NR, ep_make(ep_generation(c) + 1, ep_slot(c)), args, sizeof(e), NULL, NULL), VM_EINVAL);
	CHECK_EQ(exec_raw(PM_PROC_NR, VM_PROC_NR, args, sizeof(e), NULL, NULL), VM_EINVAL);
	CHECK_EQ(exec_raw(PM_PROC_NR, SELF, args, sizeof(e), NULL, NULL), VM_EINVAL);
	CHECK_EQ(exec_raw(PM_PROC_NR, c, 0x1000, sizeof(e), NULL, NULL), VM_EFAULT);
	CHECK_EQ(pm_exec(c, 0x1000, 0x1000, 0, 0, 0), VM_EINVAL);          /* no stack */
	CHECK_EQ(pm_exec(c, 0x1000, 0, 0, 0x1000, 0), VM_EINVAL);          /* no data */
	CHECK_EQ(pm_exec(c, 0x1000, 1, 0, 0x1000, 0x1001), VM_EINVAL);     /* args > stack */
	CHECK_EQ(pm_exec(c, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0), VM_ENOMEM);
	CHECK_EQ(pm_exec(c, 0x80000000, 0x80000000, 0, 0x1000, 0), VM_ENOMEM);
	CHECK_EQ(pm_exec(c, 0, 0x1000, 0, STACK_TOP - TEXT_VADDR, 0), VM_ENOMEM);
	old_image_intact(c, va);
	CHECK_EQ(pm_willexit(c), VM_OK);
	CHECK_EQ(pm_exec(c, 0x1000, 0x1000, 0, 0x1000, 0), VM_EINVAL);    /* exiting */
	old_image_intact(c, va);
	CHECK_EQ(pm_exit_only(c), VM_OK);
}

TEST(EXEC0003, "only a process with EXEC_NEWMEM in its mask (PM) may call it: init is denied and nothing changes")
{
	uint32_t va, mut;
	endpoint_t c = child_with_mmap(&va);
	struct vm_exec_newmem e = { 0x1000, 0x1000, 0, 0x1000, 0 };
	uint32_t args = pm_put_sizes(&e);

	mut = vm.mutations;
	CHECK_EQ(exec_raw(INIT_PROC_NR, c, args, sizeof(e), NULL, NULL), VM_ECALLDENIED);
	CHECK_EQ(vm.mutations, mut);
	old_image_intact(c, va);
	CHECK_EQ(pm_exit(c), VM_OK);
}

/* Exec with the n-th hit of site failing, for n = 1, 2, ... until the exec no longer
 * reaches it: a failed exec leaves the old image and no trace. */
static void exec_under_faults(enum fault_site site)
{
	for (uint32_t n = 1; n < 200; n++) {
		struct baseline b;
		uint32_t va;
		endpoint_t c;
		int r, fired;

		hosted_restore();
		c = child_with_mmap(&va);
		(void)pm_exec(c, 0x1000, 0x1000, 0, 0x1000, 0); /* PM's buffer is present */
		CHECK_EQ(pm_exit(c), VM_OK);
		c = child_with_mmap(&va);
		baseline_take(&b);
		fault_fail_nth(site, n);
		r = pm_exec(c, 0x3000, 0x2000, 0x1000, 0x4000, 0x10);
		fired = fault_fired();
		fault_fail_nth(site, 0);
		CHECK(is_legal_reply(r));
		CHECK_EQ(sanity_check(), SAN_OK);
		if (r != VM_OK) {
			CHECK(fired);
			CHECK_BASELINE(b);
			old_image_intact(c, va);
			CHECK_EQ(pm_exec(c, 0x3000, 0x2000, 0x1000, 0x4000, 0x10), VM_OK);
		}
		CHECK_EQ(region_count(vmp_of(c)), 3);
		CHECK_EQ(pm_exit(c), VM_OK);
		if (!fired)
			return;
	}
	CHECK(0); /* an exec never hits a site 200 times */
}

TEST(EXEC0004, "an exec failing at any page, slab, page-table or kernel-call fault site answers an errno and keeps the old image")
{
	exec_under_faults(FS_PAGE_ALLOC);
	exec_under_faults(FS_SLAB_ALLOC);
	exec_under_faults(FS_PT_NEW);
	exec_under_faults(FS_PT_PAGE);
	exec_under_faults(FS_REGION_PAGES);
	exec_under_faults(FS_KC_ADDRSPACE);
	exec_under_faults(FS_KC_COPY);
}

TEST(EXEC0005, "exec of a forked child drops its copy-on-write shares: the parent keeps its pages and their contents")
{
	struct baseline b;
	uint32_t a = data_region(INIT_PROC_NR)->vaddr + 0x40, v = 0;
	endpoint_t c;

	baseline_take(&b);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a, 0x1234ABCD), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(block_at(INIT_PROC_NR, a)->refcount, 2);
	CHECK_EQ(pm_exec(c, 0x1000, 0x1000, 0, 0x1000, 0), VM_OK);
	CHECK_EQ(block_at(INIT_PROC_NR, a)->refcount, 1);
	CHECK_EQ(proc_write32(INIT_PROC_NR, a + 4, 1), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, a, &v), VM_OK);
	CHECK_EQ(v, 0x1234ABCD);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(c), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(EXEC0006, "exec of a process waiting on a file page ends the wait: its page-in is orphaned, its fault ended, the new image runs")
{
	message m = msg_zero();
	uint32_t va = 0x30000000, v = 1;
	endpoint_t c;

	rs_grant_all();
	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	m.u.vfs_mmap.who = c;
	m.u.vfs_mmap.vaddr = va;
	m.u.vfs_mmap.len = PAGE_SIZE;
	m.u.vfs_mmap.flags = PROT_READ;
	m.u.vfs_mmap.fd = 3;
	m.u.vfs_mmap.dev = 6;
	m.u.vfs_mmap.ino = 12;
	CHECK_EQ(call(ep_make(0, VFS_PROC_NR), VM_VFS_MMAP, &m), VM_OK);
	CHECK_EQ(proc_read32(c, va, &v), VM_EFAULT); /* waits for VFS's page-in */
	CHECK(vm.vfs.n == 1 && vm.vfs.active && (kmodel.proc[ep_slot(c)].flags & KP_PAGEFAULT));
	CHECK_EQ(pm_exec(c, 0x1000, 0x1000, 0, 0x1000, 0), VM_OK);
	CHECK(vm.vfs.n == 1 && vm.vfs.q[0].orphan);
	CHECK(!(kmodel.proc[ep_slot(c)].flags & (KP_PAGEFAULT | KP_KILLED)));
	CHECK_EQ(proc_write32(c, vmp_of(c)->heap_base, 7), VM_OK); /* the new data */
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(c), VM_OK);
	CHECK_EQ(vm.vfs.n, 1); /* VFS still owes the orphan's answer */
	CHECK_EQ(sanity_check(), SAN_OK);
}
