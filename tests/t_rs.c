/* t_rs.c - VM_RS_SET_PRIV: RS installs VM call masks read from its own memory. */
#include <string.h>
#include "helpers.h"
#include "test.h"

static int32_t vm_proc_acl(int32_t slot)
{
	return vm.proc[slot].acl;
}

/* Write mask into RS's data region; returns its address there. */
static uint32_t mask_in_rs(vm_callmask_t mask)
{
	uint32_t a = data_region(RS_PROC_NR)->vaddr + 0x100;

	CHECK_EQ(proc_write32(RS_PROC_NR, a, (uint32_t)mask), VM_OK);
	CHECK_EQ(proc_write32(RS_PROC_NR, a + 4, (uint32_t)(mask >> 32)), VM_OK);
	return a;
}

static int set_priv(endpoint_t target, uint32_t buf, int sys)
{
	message m = msg_zero();

	m.u.rs_set_priv.endpt = target;
	m.u.rs_set_priv.buf = buf;
	m.u.rs_set_priv.sys = sys;
	return call(RS_PROC_NR, VM_RS_SET_PRIV, &m);
}

static int getphys(endpoint_t src, endpoint_t target, uint32_t addr, uint32_t *phys)
{
	message m = msg_zero();
	int r;

	m.u.getphys.endpt = target;
	m.u.getphys.addr = addr;
	r = call(src, VM_GETPHYS, &m);
	if (r == VM_OK && phys)
		*phys = m.u.getphys.ret_addr;
	return r;
}

TEST(RSP0001, "RS gives a user process a system mask from its memory: calls in it pass, others are denied")
{
	endpoint_t child;
	uint32_t entries = acl_entries_in_use();

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(set_priv(child, mask_in_rs(VM_CALL_BIT(VMC_GETPHYS)), 1), VM_OK);
	CHECK(vmp_of(child)->acl > USER_ACL);
	CHECK_EQ(acl_entries_in_use(), entries + 1);
	CHECK_EQ(getphys(child, child, TEXT_VADDR, NULL), VM_OK);
	CHECK_EQ(brk_call(child, boot_break(INIT_PROC_NR) + PAGE_SIZE), VM_ECALLDENIED);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSP0002, "the exit of a process with its own ACL entry gives the entry back")
{
	endpoint_t child;
	uint32_t entries = acl_entries_in_use();

	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	CHECK_EQ(set_priv(child, mask_in_rs(VM_BASIC_CALLS), 1), VM_OK);
	CHECK_EQ(pm_exit(child), VM_OK);
	CHECK_EQ(acl_entries_in_use(), entries);
}

TEST(RSP0003, "a user mask replaces the mask every user process shares")
{
	CHECK_EQ(set_priv(INIT_PROC_NR, mask_in_rs(VM_CALL_BIT(VMC_BRK)), 0), VM_OK);
	CHECK_EQ(mmap_anon(INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, NULL), VM_ECALLDENIED);
	CHECK_EQ(mmap_anon(AGENT_PROC_NR, 0, PAGE_SIZE, PROT_RW, 0, NULL), VM_ECALLDENIED);
	CHECK_EQ(brk_call(INIT_PROC_NR, boot_break(INIT_PROC_NR) + PAGE_SIZE), VM_OK);
}

TEST(RSP0004, "no buffer keeps the shared user mask for a user process and is EINVAL for a system one")
{
	vm_callmask_t user = vm.acl.mask[USER_ACL];
	uint32_t muts;

	CHECK_EQ(set_priv(INIT_PROC_NR, 0, 0), VM_OK);
	CHECK_EQ(vm.acl.mask[USER_ACL], user);
	muts = vm.mutations;
	CHECK_EQ(set_priv(INIT_PROC_NR, 0, 1), VM_EINVAL);
	CHECK_EQ(vm.mutations, muts);
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
}

TEST(RSP0005, "an unreadable buffer, a bad target or VM itself is refused and changes no ACL")
{
	struct acl_state before = vm.acl;

	CHECK_EQ(set_priv(INIT_PROC_NR, 0x1000, 1), VM_EFAULT);
	CHECK_EQ(set_priv(INIT_PROC_NR, 0xFFFFFFFE, 1), VM_EFAULT);
	CHECK_EQ(set_priv(ep_make(5, 40), mask_in_rs(0), 1), VM_EINVAL);
	CHECK_EQ(set_priv(ANY, mask_in_rs(0), 1), VM_EINVAL);
	CHECK_EQ(set_priv(VM_PROC_NR, mask_in_rs(0), 1), VM_EPERM);
	CHECK(memcmp(&before, &vm.acl, sizeof(before)) == 0);
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
}

TEST(RSP0006, "only RS may set masks: init asking is denied")
{
	message m = msg_zero();

	m.u.rs_set_priv.endpt = INIT_PROC_NR;
	CHECK_EQ(call(INIT_PROC_NR, VM_RS_SET_PRIV, &m), VM_ECALLDENIED);
}

TEST(RSP0007, "with every system entry taken, a new system mask is ENOMEM and the target keeps its ACL")
{
	int32_t slot = free_slot();
	uint32_t n = 0;
	endpoint_t child;

	while (acl_entries_in_use() < NR_SYS_PROCS) {
		CHECK_EQ(pm_fork(INIT_PROC_NR, slot + (int32_t)n, &child), VM_OK);
		CHECK_EQ(set_priv(child, mask_in_rs(VM_BASIC_CALLS), 1), VM_OK);
		n++;
	}
	CHECK_EQ(set_priv(INIT_PROC_NR, mask_in_rs(VM_BASIC_CALLS), 1), VM_ENOMEM);
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSP0008, "with every system entry taken, RS_SET_PRIV with sys is ENOMEM before the buffer is read: a bad buffer too, and an absent buffer page stays absent")
{
	int32_t slot = free_slot();
	uint32_t n = 0, absent = stack_region(RS_PROC_NR)->vaddr;
	uint32_t before;
	endpoint_t child;

	while (acl_entries_in_use() < NR_SYS_PROCS) {
		CHECK_EQ(pm_fork(INIT_PROC_NR, slot + (int32_t)n, &child), VM_OK);
		CHECK_EQ(set_priv(child, mask_in_rs(VM_BASIC_CALLS), 1), VM_OK);
		n++;
	}
	CHECK(block_at(RS_PROC_NR, absent) == NULL);
	before = mem_free_count();
	CHECK_EQ(set_priv(INIT_PROC_NR, absent, 1), VM_ENOMEM);
	CHECK(block_at(RS_PROC_NR, absent) == NULL); /* the refusal made nothing present */
	CHECK_EQ(mem_free_count(), before);
	CHECK_EQ(set_priv(INIT_PROC_NR, 0x1000, 1), VM_ENOMEM); /* unreadable: still ENOMEM */
	CHECK_EQ(vm_proc_acl(INIT_PROC_NR), USER_ACL);
	CHECK_EQ(set_priv(child, 0x1000, 1), VM_EFAULT); /* holds an entry: the read decides */
	CHECK_EQ(sanity_check(), SAN_OK);
}

static int memctl(endpoint_t target, int req, uint32_t *addr, uint32_t *len)
{
	message m = msg_zero();
	int r;

	m.u.rs_memctl.endpt = target;
	m.u.rs_memctl.req = req;
	m.u.rs_memctl.addr = addr ? *addr : 0;
	m.u.rs_memctl.len = len ? *len : 0;
	r = call(RS_PROC_NR, VM_RS_MEMCTL, &m);
	if (addr)
		*addr = m.u.rs_memctl.addr;
	if (len)
		*len = m.u.rs_memctl.len;
	return r;
}

/* VM_RS_UPDATE of src and dst with flags, sent by requester. */
static int update_from(endpoint_t requester, endpoint_t src, endpoint_t dst, uint32_t flags)
{
	message m = msg_zero();

	m.u.rs_update.src = src;
	m.u.rs_update.dst = dst;
	m.u.rs_update.flags = flags;
	return call(requester, VM_RS_UPDATE, &m);
}

/* VM_RS_UPDATE sent by RS. */
static int update(endpoint_t src, endpoint_t dst, uint32_t flags)
{
	return update_from(RS_PROC_NR, src, dst, flags);
}

TEST(RSM0001, "MAP_PREALLOC makes one backed region; GET_PREALLOC_MAP finds it; a second is EEXIST")
{
	uint32_t addr = 0, len = 3 * PAGE_SIZE - 5, a2 = 0, l2 = 0, phys;

	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_GET_PREALLOC_MAP, &a2, &l2), VM_OK);
	CHECK_EQ(a2, 0);
	CHECK_EQ(l2, 0);
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_MAP_PREALLOC, &addr, &len), VM_OK);
	CHECK_EQ(len, 3 * PAGE_SIZE);
	CHECK_EQ(region_find(vmp_of(INIT_PROC_NR), addr)->flags & VR_PREALLOC_MAP, VR_PREALLOC_MAP);
	CHECK(block_at(INIT_PROC_NR, addr + 2 * PAGE_SIZE) != NULL);
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_GET_PREALLOC_MAP, &a2, &l2), VM_OK);
	CHECK_EQ(a2, addr);
	CHECK_EQ(l2, len);
	a2 = 0, l2 = PAGE_SIZE;
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_MAP_PREALLOC, &a2, &l2), VM_EEXIST);
	CHECK_EQ(proc_write32(INIT_PROC_NR, addr, 1), VM_OK);
	CHECK_EQ(mmu_translate(INIT_PROC_NR, addr, 1, &phys), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSM0002, "HEAP_PREALLOC grows the heap by len and backs the new pages")
{
	struct vir_region *heap = region_find(vmp_of(INIT_PROC_NR), vmp_of(INIT_PROC_NR)->heap_base);
	uint32_t end = heap->vaddr + heap->length, len = 2 * PAGE_SIZE;

	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_OK);
	CHECK_EQ(heap->vaddr + heap->length, end + 2 * PAGE_SIZE);
	CHECK(block_at(INIT_PROC_NR, end) != NULL);
	CHECK(block_at(INIT_PROC_NR, end + PAGE_SIZE) != NULL);
	len = 0;
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_EINVAL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSM0003, "PIN is OK, MAKE_VM is EPERM, unknown requests and bad targets are EINVAL")
{
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_PIN, NULL, NULL), VM_OK);
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_MAKE_VM, NULL, NULL), VM_EPERM);
	CHECK_EQ(memctl(INIT_PROC_NR, 77, NULL, NULL), VM_EINVAL);
	CHECK_EQ(memctl(ep_make(2, 60), VM_RS_MEM_PIN, NULL, NULL), VM_EINVAL);
	CHECK_EQ(memctl(VM_PROC_NR, VM_RS_MEM_PIN, NULL, NULL), VM_EINVAL);
}

TEST(RSU0001, "RS_UPDATE swaps two processes' address spaces; each keeps its endpoint")
{
	endpoint_t a, b;
	uint32_t ma, mb, v;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, &ma), VM_OK);
	CHECK_EQ(mmap_anon(b, 0x40000000, PAGE_SIZE, PROT_RW, MAP_FIXED, &mb), VM_OK);
	CHECK_EQ(proc_write32(a, ma, 0xA), VM_OK);
	CHECK_EQ(proc_write32(b, mb, 0xB), VM_OK);
	CHECK_EQ(update(a, b, 0), VM_OK);
	CHECK_EQ(proc_read32(a, mb, &v), VM_OK);
	CHECK_EQ(v, 0xB);
	CHECK_EQ(proc_read32(b, ma, &v), VM_OK);
	CHECK_EQ(v, 0xA);
	CHECK(region_find(vmp_of(a), ma) == NULL);
	CHECK_EQ(vmp_of(a)->endpt, a);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(a), VM_OK);
	CHECK_EQ(pm_exit(b), VM_OK);
}

TEST(RSU0002, "RS_UPDATE refuses bad pairs, a preallocated target without ROLLBACK/NOMMAP, and rolls back a failed bind")
{
	endpoint_t a, b;
	uint32_t addr = 0, len = PAGE_SIZE, ma, v;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(update(a, a, 0), VM_EINVAL);
	CHECK_EQ(update(a, VM_PROC_NR, 0), VM_EINVAL);
	CHECK_EQ(update(ep_make(7, 90), b, 0), VM_EINVAL);
	CHECK_EQ(memctl(b, VM_RS_MEM_MAP_PREALLOC, &addr, &len), VM_OK);
	CHECK_EQ(update(a, b, 0), VM_ENOSYS);
	CHECK_EQ(mmap_anon(a, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, &ma), VM_OK);
	CHECK_EQ(proc_write32(a, ma, 0x5), VM_OK);
	fault_fail_nth(FS_KC_ADDRSPACE, 1);
	CHECK_EQ(update(a, b, SF_VM_NOMMAP), VM_ENOMEM);
	CHECK_EQ(proc_read32(a, ma, &v), VM_OK);
	CHECK_EQ(v, 0x5);
	CHECK_EQ(update(a, b, SF_VM_ROLLBACK), VM_OK);
	CHECK_EQ(proc_read32(b, ma, &v), VM_OK);
	CHECK_EQ(v, 0x5);
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* The code of the one reply VM sent to dst since the last call (VM_SUSPEND: none). */
static int reply_code_to(endpoint_t dst)
{
	int code = VM_SUSPEND;

	CHECK(replies_to(dst) <= 1);
	for (uint32_t i = 0; i < reply_count(); i++)
		if (reply_get(i)->dst == dst)
			code = reply_get(i)->m.m_type;
	return code;
}

TEST(RSU0003, "after RS_UPDATE the OK goes where the requester now runs: to dst when it was src, to src when it was dst")
{
	endpoint_t a, b, c;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(update_from(RS_PROC_NR, RS_PROC_NR, a, 0), VM_SUSPEND); /* RS updates itself */
	CHECK_EQ(reply_code_to(a), VM_OK);
	CHECK_EQ(replies_to(RS_PROC_NR), 0);
	CHECK(vmp_of(a)->acl > USER_ACL); /* RS's mask went with its image */
	CHECK_EQ(vm.proc[RS_PROC_NR].acl, USER_ACL);
	CHECK_EQ(update_from(a, RS_PROC_NR, a, 0), VM_SUSPEND);          /* the requester is dst now */
	CHECK_EQ(reply_code_to(RS_PROC_NR), VM_OK);
	CHECK_EQ(replies_to(a), 0);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(update_from(RS_PROC_NR, b, c, 0), VM_OK);              /* a third party: the sender */
	CHECK_EQ(replies_to(b) + replies_to(c), 0);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSU0004, "a refused or rolled-back RS_UPDATE is answered to the sender, even when it names itself")
{
	endpoint_t a;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(update_from(RS_PROC_NR, RS_PROC_NR, RS_PROC_NR, 0), VM_EINVAL);
	fault_fail_nth(FS_KC_ADDRSPACE, 1);
	CHECK_EQ(update_from(RS_PROC_NR, RS_PROC_NR, a, 0), VM_ENOMEM);
	CHECK(fault_fired());
	CHECK_EQ(replies_to(a), 0);
	CHECK_EQ(vm.proc[RS_PROC_NR].acl > USER_ACL, 1);
}

TEST(RSU0005, "powers stay with the endpoint through a live update: the boot RS's endpoint keeps them, its old image loses them")
{
	endpoint_t a;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(update_from(RS_PROC_NR, RS_PROC_NR, a, 0), VM_SUSPEND);
	CHECK_EQ(vmp_of(a)->powers, 0);
	CHECK_EQ(vm.proc[RS_PROC_NR].powers, proc_boot_powers(RS_PROC_NR));
	CHECK_EQ(mmap_for(a, INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY, NULL), VM_EPERM);
	CHECK_EQ(mmap_for(RS_PROC_NR, INIT_PROC_NR, 0, PAGE_SIZE, PROT_RW, MAP_THIRDPARTY, NULL), VM_OK);
}

static int prepare(endpoint_t src, endpoint_t dst, uint32_t flags)
{
	message m = msg_zero();

	m.u.rs_prepare.src = src;
	m.u.rs_prepare.dst = dst;
	m.u.rs_prepare.flags = flags;
	return call(RS_PROC_NR, VM_RS_PREPARE, &m);
}

TEST(RSP0010, "RS_PREPARE grows the new instance's heap to the old one's and shares its mmaps copy-on-write")
{
	endpoint_t a, b;
	uint32_t ma, v;
	struct vir_region *ha, *hb;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(brk_call(a, boot_break(INIT_PROC_NR) + 4 * PAGE_SIZE), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, 2 * PAGE_SIZE, PROT_RW, MAP_FIXED, &ma), VM_OK);
	CHECK_EQ(proc_write32(a, ma, 0x77), VM_OK);
	CHECK_EQ(prepare(a, b, 0), VM_OK);
	ha = region_find(vmp_of(a), vmp_of(a)->heap_base);
	hb = region_find(vmp_of(b), vmp_of(b)->heap_base);
	CHECK_EQ(hb->length, ha->length);
	CHECK_EQ(proc_read32(b, ma, &v), VM_OK);
	CHECK_EQ(v, 0x77);
	CHECK_EQ(block_at(a, ma), block_at(b, ma));
	CHECK_EQ(proc_write32(b, ma, 0x78), VM_OK); /* copy-on-write: a keeps its value */
	CHECK_EQ(proc_read32(a, ma, &v), VM_OK);
	CHECK_EQ(v, 0x77);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSP0011, "RS_PREPARE with NOMMAP shares nothing; a taken address is ENOMEM and bad pairs EINVAL")
{
	endpoint_t a, b;
	uint32_t ma;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, &ma), VM_OK);
	CHECK_EQ(prepare(a, b, SF_VM_NOMMAP), VM_OK);
	CHECK(region_find(vmp_of(b), ma) == NULL);
	CHECK_EQ(mmap_anon(b, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, NULL), VM_OK);
	CHECK_EQ(prepare(a, b, 0), VM_ENOMEM);
	CHECK_EQ(prepare(a, a, 0), VM_EINVAL);
	CHECK_EQ(prepare(a, VM_PROC_NR, 0), VM_EINVAL);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSP0012, "an RS_PREPARE that runs out of memory while sharing leaves no half-made region")
{
	endpoint_t a, b;
	uint32_t n;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, NULL), VM_OK);
	CHECK_EQ(proc_write32(a, 0x30000000, 1), VM_OK);
	n = region_count(vmp_of(b));
	fault_fail_nth(FS_PT_PAGE, 1);
	CHECK_EQ(prepare(a, b, 0), VM_ENOMEM);
	CHECK_EQ(region_count(vmp_of(b)), n);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSP0013, "HEAP_PREALLOC and RS_PREPARE that fail part-way leave the heap and the regions as they were")
{
	endpoint_t a, b;
	struct vir_region *h;
	uint32_t hlen, len = 2 * PAGE_SIZE, n, v;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	h = region_find(vmp_of(b), vmp_of(b)->heap_base);
	hlen = h->length;
	fault_fail_nth(FS_PAGE_ALLOC, 2);
	CHECK_EQ(memctl(b, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_ENOMEM);
	CHECK_EQ(h->length, hlen);
	CHECK(proc_read32(b, h->vaddr + hlen, &v) != VM_OK); /* not mapped: SIGSEGV */
	CHECK_EQ(brk_call(a, h->vaddr + hlen + 8 * PAGE_SIZE), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, NULL), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x31000000, PAGE_SIZE, PROT_RW, MAP_FIXED, NULL), VM_OK);
	CHECK_EQ(proc_write32(a, 0x30000000, 1), VM_OK);
	CHECK_EQ(proc_write32(a, 0x31000000, 1), VM_OK);
	n = region_count(vmp_of(b));
	fault_fail_nth(FS_PT_PAGE, 2); /* the second mmap's copy cannot be mapped */
	CHECK_EQ(prepare(a, b, 0), VM_ENOMEM);
	CHECK_EQ(region_count(vmp_of(b)), n);
	CHECK_EQ(h->length, hlen);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSM0004, "HEAP_PREALLOC and MAP_PREALLOC of 2 GiB or more are ENOMEM before a page is filled (more than the pool has free), as one that runs out midway: the heap and regions as they were")
{
	endpoint_t child;
	struct vir_region *heap;
	uint32_t hlen, n, addr = 0, len = 0x80000000u;
	struct baseline b;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
	heap = region_find(vmp_of(child), vmp_of(child)->heap_base);
	hlen = heap->length;
	n = region_count(vmp_of(child));
	fault_fail_nth(FS_PAGE_ALLOC, 0); /* count the page allocations */
	CHECK_EQ(memctl(child, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_ENOMEM);
	CHECK_EQ(fault_hits(FS_PAGE_ALLOC), 0); /* refused at once, not tried page by page */
	CHECK_EQ(heap->length, hlen);
	fault_fail_nth(FS_PAGE_ALLOC, 0);
	len = 0x80000001u;
	CHECK_EQ(memctl(child, VM_RS_MEM_MAP_PREALLOC, &addr, &len), VM_ENOMEM);
	CHECK_EQ(fault_hits(FS_PAGE_ALLOC), 0);
	CHECK_EQ(region_count(vmp_of(child)), n);
	fault_fail_nth(FS_PAGE_ALLOC, 0);
	len = (mem_free_count() - 8) * PAGE_SIZE; /* fits the free count, not the page tables too */
	CHECK_EQ(memctl(child, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_ENOMEM);
	CHECK(fault_hits(FS_PAGE_ALLOC) > 1000); /* tried, then undone */
	CHECK_EQ(heap->length, hlen);
	len = 0xFFFFF000u; /* past USER_TOP: the heap cannot grow that far */
	CHECK_EQ(memctl(child, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_ENOMEM);
	CHECK_EQ(region_count(vmp_of(child)), n);
	CHECK_EQ(heap->length, hlen);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(child), VM_OK); /* the heap's page map keeps its grown capacity until then */
	CHECK_BASELINE(b);
}

TEST(RSM0005, "only length 0, or a MAP_PREALLOC length whose rounding wraps past 4 GiB, is EINVAL")
{
	uint32_t addr = 0, len = 0, muts = vm.mutations;

	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_EINVAL);
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_MAP_PREALLOC, &addr, &len), VM_EINVAL);
	len = 0xFFFFF001u;
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_MAP_PREALLOC, &addr, &len), VM_EINVAL);
	len = 0xFFFFF000u; /* fits nowhere */
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_MAP_PREALLOC, &addr, &len), VM_ENOMEM);
	len = 0xFFFFFFFFu; /* the heap's end plus this wraps */
	CHECK_EQ(memctl(INIT_PROC_NR, VM_RS_MEM_HEAP_PREALLOC, NULL, &len), VM_ENOMEM);
	CHECK_EQ(vm.mutations, muts);
}

TEST(RSP0014, "RS_PREPARE copies a remap source into dst as a private copy-on-write snapshot, shared with neither the source nor its alias")
{
	endpoint_t a, b;
	uint32_t ma, alias, v;

	rs_grant_all();
	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, PAGE_SIZE, PROT_RW, MAP_FIXED, &ma), VM_OK);
	CHECK_EQ(proc_write32(a, ma, 0x11), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, a, 0, ma, PAGE_SIZE, &alias), VM_OK);
	CHECK_EQ(proc_read32(AGENT_PROC_NR, alias, &v), VM_OK);
	CHECK_EQ(v, 0x11);
	CHECK_EQ(prepare(a, b, 0), VM_OK);
	CHECK_EQ(proc_write32(b, ma, 0x22), VM_OK);
	CHECK_EQ(proc_read32(a, ma, &v), VM_OK);
	CHECK_EQ(v, 0x11);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, alias, 0x33), VM_OK);
	CHECK_EQ(proc_read32(b, ma, &v), VM_OK);
	CHECK_EQ(v, 0x22);
	CHECK_EQ(proc_read32(a, ma, &v), VM_OK);
	CHECK_EQ(v, 0x33);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(RSU0006, "a REMAP alias follows its source through RS_UPDATE: pages not linked before the swap still show the source's memory, also an alias held by one of the two, and after a rolled-back update")
{
	endpoint_t a, b;
	uint32_t ma, alias, inner, v;

	rs_grant_all();
	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_anon(a, 0x30000000, 3 * PAGE_SIZE, PROT_RW, MAP_FIXED, &ma), VM_OK);
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(proc_write32(a, ma + i * PAGE_SIZE, 0x10 + i), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, AGENT_PROC_NR, a, 0, ma, 3 * PAGE_SIZE, &alias), VM_OK);
	CHECK_EQ(remap_call(VM_REMAP, b, a, 0x50000000, ma, 3 * PAGE_SIZE, &inner), VM_OK);
	CHECK_EQ(proc_read32(AGENT_PROC_NR, alias, &v), VM_OK); /* page 0 linked before */
	CHECK_EQ(v, 0x10);
	fault_fail_nth(FS_KC_ADDRSPACE, 1); /* swapped and swapped back */
	CHECK_EQ(update(a, b, 0), VM_ENOMEM);
	CHECK_EQ(proc_read32(AGENT_PROC_NR, alias + 2 * PAGE_SIZE, &v), VM_OK);
	CHECK_EQ(v, 0x12);
	CHECK_EQ(update(a, b, 0), VM_OK); /* the source is b's now, the inner alias a's */
	CHECK_EQ(proc_read32(AGENT_PROC_NR, alias + PAGE_SIZE, &v), VM_OK);
	CHECK_EQ(v, 0x11);
	CHECK_EQ(proc_write32(AGENT_PROC_NR, alias + PAGE_SIZE, 0x21), VM_OK);
	CHECK_EQ(proc_read32(b, ma + PAGE_SIZE, &v), VM_OK);
	CHECK_EQ(v, 0x21);
	CHECK_EQ(proc_read32(a, inner + PAGE_SIZE, &v), VM_OK);
	CHECK_EQ(v, 0x21);
	CHECK_EQ(proc_write32(a, inner, 0x30), VM_OK);
	CHECK_EQ(proc_read32(AGENT_PROC_NR, alias, &v), VM_OK);
	CHECK_EQ(v, 0x30);
	CHECK_EQ(update(a, b, 0), VM_OK); /* and back */
	CHECK_EQ(proc_read32(b, inner + 2 * PAGE_SIZE, &v), VM_OK);
	CHECK_EQ(v, 0x12);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(pm_exit(a), VM_OK);
	CHECK_EQ(pm_exit(b), VM_OK);
}
