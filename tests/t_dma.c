/* t_dma.c - VM_ADDDMA, VM_DELDMA, VM_GETDMA: the DMA range table, its refusals, the
 * fork refusal of a holder, ranges that outlive their owner, and the sanity check. */
#include "helpers.h"
#include "test.h"

#define DMA_CALLS (VM_CALL_BIT(VMC_ADDDMA) | VM_CALL_BIT(VMC_DELDMA) | VM_CALL_BIT(VMC_GETDMA))

/* A DMA call of type from src over [start, start+size) of owner ep. */
static int dma_call(endpoint_t src, int type, endpoint_t ep, uint32_t start, uint32_t size)
{
	message m = msg_zero();

	m.u.adddma.endpt = ep;
	m.u.adddma.start = start;
	m.u.adddma.size = size;
	return call(src, type, &m);
}

/* VM_GETDMA from src; the reply's fields in *ep, *base, *size. */
static int getdma(endpoint_t src, endpoint_t *ep, uint32_t *base, uint32_t *size)
{
	message m = msg_zero();
	int r = call(src, VM_GETDMA, &m);

	*ep = m.u.getdma.endpt;
	*base = m.u.getdma.base;
	*size = m.u.getdma.size;
	return r;
}

/* A driver (a child of init that RS gives the DMA calls) and an owner (another child). */
static void setup(endpoint_t *drv, endpoint_t *own)
{
	CHECK_EQ(fork_child(INIT_PROC_NR, drv), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, own), VM_OK);
	set_mask_from(RS_PROC_NR, *drv, DMA_CALLS);
}

TEST(DMA0001, "ADDDMA registers a range for a live process; DELDMA of exactly that range releases it")
{
	endpoint_t drv, own;

	setup(&drv, &own);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(vm.dma.n, 1);
	CHECK_EQ(vm.dma.row[0].owner, own);
	CHECK(dma_held(vmp_of(own)));
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x10000000, 0x1000), VM_ESRCH);
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(vm.dma.n, 0);
	CHECK(!dma_held(vmp_of(own)));
}

TEST(DMA0002, "without the DMA calls in its mask a process is denied all three (ECALLDENIED)")
{
	uint32_t mut = vm.mutations;

	CHECK_EQ(dma_call(INIT_PROC_NR, VM_ADDDMA, INIT_PROC_NR, 0x10000000, 0x1000), VM_ECALLDENIED);
	CHECK_EQ(dma_call(INIT_PROC_NR, VM_DELDMA, INIT_PROC_NR, 0x10000000, 0x1000), VM_ECALLDENIED);
	CHECK_EQ(dma_call(INIT_PROC_NR, VM_GETDMA, 0, 0, 0), VM_ECALLDENIED);
	CHECK_EQ(vm.mutations, mut);
}

TEST(DMA0003, "zero, unaligned, wrapping and non-user ranges are EINVAL and change nothing")
{
	endpoint_t drv, own;
	uint32_t mut;

	setup(&drv, &own);
	mut = vm.mutations;
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000800, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0x1001), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0xfffff000, 0x2000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0xfffff000, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x10000000, 0), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, USER_BASE - PAGE_SIZE, 0x2000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, USER_TOP - PAGE_SIZE, 0x2000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, USER_TOP, 0x1000), VM_EINVAL);
	CHECK_EQ(vm.mutations, mut);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, USER_TOP - PAGE_SIZE, 0x1000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, USER_BASE, 0x1000), VM_OK);
}

TEST(DMA0004, "bad, stale, free, kernel and SELF owners are EINVAL; VM itself EPERM")
{
	endpoint_t drv, own, gone;

	setup(&drv, &own);
	CHECK_EQ(fork_child(INIT_PROC_NR, &gone), VM_OK);
	CHECK_EQ(pm_exit(gone), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, gone, 0x10000000, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own + EP_GENERATION_SIZE, 0x10000000, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, -2, 0x10000000, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, SELF, 0x10000000, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, 0x7fffffff, 0x10000000, 0x1000), VM_EINVAL);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, VM_PROC_NR, 0x10000000, 0x1000), VM_EPERM);
	CHECK_EQ(vm.dma.n, 0);
}

TEST(DMA0005, "a range overlapping one of the same owner is EBUSY; another owner may hold the same range")
{
	endpoint_t drv, own;

	setup(&drv, &own);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10001000, 0x1000), VM_EBUSY);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x0ffff000, 0x2000), VM_EBUSY);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x0fff0000, 0x100000), VM_EBUSY);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10002000, 0x1000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x0ffff000, 0x1000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, drv, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(vm.dma.n, 4);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(DMA0006, "the table holds VM_DMA_MAX rows: one more is ENOSPC until a row is released")
{
	endpoint_t drv, own;

	setup(&drv, &own);
	for (uint32_t i = 0; i < VM_DMA_MAX; i++)
		CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000 + i * PAGE_SIZE, PAGE_SIZE), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x20000000, PAGE_SIZE), VM_ENOSPC);
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x10003000, PAGE_SIZE), VM_OK);
	CHECK_EQ(vm.dma.row[3].start, 0x10004000); /* registration order kept */
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x20000000, PAGE_SIZE), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(DMA0007, "a DMA holder may not fork (EINVAL, nothing changes); after DELDMA it may")
{
	endpoint_t drv, own, child;
	int32_t slot = -1;

	setup(&drv, &own);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0x1000), VM_OK);
	slot = free_slot();
	CHECK_EQ(pm_fork(own, slot, &child), VM_EINVAL);
	CHECK(!(vm.proc[slot].flags & VMF_INUSE));
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x10000000, 0x1000), VM_OK);
	CHECK_EQ(pm_fork(own, slot, &child), VM_OK);
}

TEST(DMA0008, "ranges outlive their owner's exit; GETDMA reports each once in registration order; DELDMA by the old endpoint")
{
	endpoint_t drv, own, ep;
	uint32_t base, size;

	setup(&drv, &own);
	CHECK_EQ(getdma(drv, &ep, &base, &size), VM_ESRCH);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, drv, 0x30000000, 0x1000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x20000000, 0x1000), VM_OK);
	CHECK_EQ(getdma(drv, &ep, &base, &size), VM_ESRCH);
	CHECK_EQ(pm_willexit(own), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x40000000, 0x1000), VM_EINVAL); /* exiting */
	CHECK_EQ(pm_exit_only(own), VM_OK);
	CHECK_EQ(vm.dma.n, 3);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(getdma(drv, &ep, &base, &size), VM_OK);
	CHECK(ep == own && base == 0x10000000 && size == 0x2000);
	CHECK_EQ(getdma(drv, &ep, &base, &size), VM_OK);
	CHECK(ep == own && base == 0x20000000 && size == 0x1000);
	CHECK_EQ(getdma(drv, &ep, &base, &size), VM_ESRCH);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x40000000, 0x1000), VM_EINVAL); /* stale */
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x20000000, 0x1000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_DELDMA, own, 0x20000000, 0x1000), VM_ESRCH);
	CHECK_EQ(vm.dma.n, 1);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(DMA0009, "an exited owner's rows hold no memory: its pages go back at exit")
{
	endpoint_t drv, own;
	uint32_t before = mem_free_count(), va;

	setup(&drv, &own);
	CHECK_EQ(mmap_anon(own, 0, 0x2000, PROT_RW, MAP_PREALLOC, &va), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, va, 0x2000), VM_OK);
	CHECK_EQ(pm_exit(own), VM_OK);
	CHECK_EQ(pm_exit(drv), VM_OK);
	CHECK_EQ(mem_free_count(), before);
	CHECK_EQ(vm.dma.n, 1);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(DMA0010, "a broken DMA table is SAN_DMA on the dma object")
{
	endpoint_t drv, own;

	setup(&drv, &own);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x10000000, 0x2000), VM_OK);
	CHECK_EQ(dma_call(drv, VM_ADDDMA, own, 0x20000000, 0x1000), VM_OK);
	vm.dma.row[1].start = 0x10001000; /* overlaps row 0 of the same owner */
	CHECK_EQ(sanity_check(), SAN_DMA);
	CHECK_EQ(vm.sanity_obj, SOBJ_DMA);
	vm.dma.row[1].start = 0x20000000;
	vm.dma.row[1].flags = DMAF_EXITED; /* its owner lives */
	CHECK_EQ(sanity_check(), SAN_DMA);
	vm.dma.row[1].flags = DMAF_REPORTED; /* reported without an exit */
	CHECK_EQ(sanity_check(), SAN_DMA);
	vm.dma.row[1].flags = 0;
	vm.dma.row[1].size = 0;
	CHECK_EQ(sanity_check(), SAN_DMA);
	vm.dma.row[1].size = 0x1000;
	vm.dma.row[2].size = 0x1000; /* a row past n */
	CHECK_EQ(sanity_check(), SAN_DMA);
	vm.dma.row[2].size = 0;
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(own), VM_OK);
	vm.dma.row[0].flags = 0; /* its owner exited but the row says it lives */
	CHECK_EQ(sanity_check(), SAN_DMA);
	vm.dma.row[0].flags = DMAF_EXITED;
	CHECK_EQ(sanity_check(), SAN_OK);
}
