/* t_info.c - VM_INFO: statistics, usage and the region list, copied into the
 * caller's buffer through the kernel. */
#include "helpers.h"
#include "test.h"
#include "vm_info.h"

#define P PAGE_SIZE

/* VM_INFO from ep with the given fields; the reply code. */
static int info(endpoint_t ep, int what, endpoint_t target, int32_t count, uint32_t ptr, uint32_t *next)
{
	message m = msg_zero();
	int r;

	m.u.info.what = what;
	m.u.info.endpt = target;
	m.u.info.count = count;
	m.u.info.ptr = ptr;
	m.u.info.next = next ? *next : 0;
	r = call(ep, VM_INFO, &m);
	if (r == VM_OK && next)
		*next = m.u.info.next;
	if (r == VM_OK && what == VMIW_REGION)
		return (int)m.u.info.count;
	return r;
}

/* A fresh writable buffer of len bytes in init (not yet touched). */
static uint32_t init_buffer(uint32_t len)
{
	uint32_t a;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, len, PROT_RW, 0, &a), VM_OK);
	return a;
}

static uint32_t rd(endpoint_t ep, uint32_t va)
{
	uint32_t v = 0;

	CHECK_EQ(proc_read32(ep, va, &v), VM_OK);
	return v;
}

TEST(INFO0001, "VMIW_STATS copies page size, total, free and largest run into an untouched buffer")
{
	uint32_t buf = init_buffer(P);
	uint32_t free_before;

	free_before = mem_free_count();
	CHECK_EQ(info(INIT_PROC_NR, VMIW_STATS, SELF, 0, buf, NULL), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 0), PAGE_SIZE);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 4), mem_managed_count());
	/* the numbers are taken when the request arrives, before the buffer is made present */
	CHECK_EQ(rd(INIT_PROC_NR, buf + 8), free_before);
	CHECK(mem_free_count() < free_before);
	CHECK(rd(INIT_PROC_NR, buf + 12) <= rd(INIT_PROC_NR, buf + 8));
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(INFO0002, "VMIW_REGION lists every region of the target in address order with its protection")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t buf = init_buffer(P), next = 0, i = 0;
	int n = info(INIT_PROC_NR, VMIW_REGION, SELF, MAX_VRI_COUNT, buf, &next);

	CHECK_EQ(n, (int)region_count(vmp));
	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r), i++) {
		uint32_t e = buf + i * sizeof(struct vm_region_info);
		CHECK_EQ(rd(INIT_PROC_NR, e), r->vaddr);
		CHECK_EQ(rd(INIT_PROC_NR, e + 4), r->length);
		CHECK_EQ(rd(INIT_PROC_NR, e + 8), PROT_READ | ((r->flags & VR_WRITABLE) ? PROT_WRITE : 0));
	}
	CHECK_EQ(info(INIT_PROC_NR, VMIW_REGION, SELF, MAX_VRI_COUNT, buf, &next), 0);
}

TEST(INFO0003, "VMIW_REGION resumes from next, one region per request, and never repeats one")
{
	struct vmproc *vmp = &vm.proc[INIT_PROC_NR];
	uint32_t buf = init_buffer(P), next = 0, seen = 0;

	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r)) {
		CHECK_EQ(info(INIT_PROC_NR, VMIW_REGION, SELF, 1, buf, &next), 1);
		CHECK_EQ(rd(INIT_PROC_NR, buf), r->vaddr);
		CHECK_EQ(next, r->vaddr + r->length);
		seen++;
	}
	CHECK_EQ(seen, region_count(vmp));
	CHECK_EQ(info(INIT_PROC_NR, VMIW_REGION, SELF, 1, buf, &next), 0);
}

TEST(INFO0004, "VMIW_USAGE of a forked child counts its backed pages as shared with the parent")
{
	endpoint_t child;
	uint32_t buf;

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	buf = init_buffer(P); /* in the parent, after the fork */
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, child, 0, buf, NULL), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 0), proc_backed_pages(vmp_of(child)) * P);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 4), proc_backed_pages(vmp_of(child)) * P);
	CHECK(rd(INIT_PROC_NR, buf + 12) >= rd(INIT_PROC_NR, buf + 0));
}

TEST(INFO0005, "a buffer outside any region or read-only answers EFAULT and leaks nothing")
{
	struct baseline b;
	uint32_t ro;

	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, PROT_READ, 0, &ro), VM_OK);
	baseline_take(&b);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_STATS, SELF, 0, 0x1000, NULL), VM_EFAULT);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_STATS, SELF, 0, ro, NULL), VM_EFAULT);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_STATS, SELF, 0, 0xFFFFFFF0, NULL), VM_EFAULT);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_REGION, SELF, 4, TEXT_VADDR, NULL), VM_EFAULT);
	CHECK_BASELINE(b);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(INFO0006, "an unknown what, a negative count or a dead target answers EINVAL")
{
	uint32_t buf = init_buffer(P);

	CHECK_EQ(info(INIT_PROC_NR, 0, SELF, 0, buf, NULL), VM_EINVAL);
	CHECK_EQ(info(INIT_PROC_NR, 99, SELF, 0, buf, NULL), VM_EINVAL);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_REGION, SELF, -1, buf, NULL), VM_EINVAL);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, ep_make(3, 77), 0, buf, NULL), VM_EINVAL);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, VM_PROC_NR, 0, buf, NULL), VM_EINVAL);
}

TEST(INFO0007, "the kc_copy fault answers EFAULT and the next request succeeds")
{
	uint32_t buf = init_buffer(P);

	fault_fail_nth(FS_KC_COPY, 1);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_STATS, SELF, 0, buf, NULL), VM_EFAULT);
	CHECK(fault_fired());
	CHECK_EQ(info(INIT_PROC_NR, VMIW_STATS, SELF, 0, buf, NULL), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(INFO0008, "a count above MAX_VRI_COUNT is clamped to it")
{
	uint32_t buf = init_buffer(4 * P), next = 0;

	for (int i = 0; i < MAX_VRI_COUNT + 4; i++)
		CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, P, i & 1 ? PROT_READ : PROT_RW, 0, NULL), VM_OK);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_REGION, SELF, 1000, buf, &next), MAX_VRI_COUNT);
}

/* The kernel's usage as VM defines it: VM's pages in use that back no memory, here
 * counted from their owners (page tables of every live process and the slab; the
 * tests make no region large enough for a page-map top table of its own). */
static uint32_t kernel_pages_expected(void)
{
	uint32_t n = vm.slab.pages;

	for (int32_t s = 0; s < NR_PROCS; s++)
		if ((vm.proc[s].flags & VMF_INUSE) && vm.proc[s].pt.dir_phys != PHYS_NONE)
			n += pt_page_count(&vm.proc[s].pt);
	return n;
}

/* Check the usage struct at buf in init is the kernel's now. */
static void check_kernel_usage(uint32_t buf)
{
	uint32_t total = kernel_pages_expected() * P;

	CHECK(total > 0);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 0), total);  /* total */
	CHECK_EQ(rd(INIT_PROC_NR, buf + 4), 0);      /* common */
	CHECK_EQ(rd(INIT_PROC_NR, buf + 8), 0);      /* shared */
	CHECK_EQ(rd(INIT_PROC_NR, buf + 12), total); /* vtotal */
	CHECK_EQ(rd(INIT_PROC_NR, buf + 16), total); /* mvirtual */
	CHECK_EQ(rd(INIT_PROC_NR, buf + 20), total / P);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 24), 0);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 28), 0);
}

TEST(INFO0009, "VMIW_USAGE of a kernel task (negative endpoint) answers OK with the kernel's usage: VM's page tables and slab, all mapped")
{
	uint32_t buf = init_buffer(P);
	endpoint_t child;

	CHECK_EQ(rd(INIT_PROC_NR, buf), 0); /* the buffer's page and table exist before counting */
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, KERNEL, 0, buf, NULL), VM_OK);
	check_kernel_usage(buf);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, ASYNCM, 0, buf + 0x100, NULL), VM_OK);
	CHECK_EQ(rd(INIT_PROC_NR, buf + 0x100), rd(INIT_PROC_NR, buf));
	CHECK_EQ(fork_child(AGENT_PROC_NR, &child), VM_OK); /* a new directory and page tables */
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, (endpoint_t)0x80000000, 0, buf, NULL), VM_OK);
	check_kernel_usage(buf);
	CHECK(rd(INIT_PROC_NR, buf) > rd(INIT_PROC_NR, buf + 0x100));
}

TEST(INFO0010, "VMIW_USAGE of a kernel task into a bad buffer answers EFAULT; a dead or VM's endpoint stays EINVAL")
{
	uint32_t buf = init_buffer(P);
	struct baseline b;

	baseline_take(&b);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, KERNEL, 0, 0x1000, NULL), VM_EFAULT);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, KERNEL, 0, TEXT_VADDR, NULL), VM_EFAULT);
	CHECK_BASELINE(b);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, ep_make(3, 77), 0, buf, NULL), VM_EINVAL);
	CHECK_EQ(info(INIT_PROC_NR, VMIW_USAGE, VM_PROC_NR, 0, buf, NULL), VM_EINVAL);
}
