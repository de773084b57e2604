/* t_garbage.c - garbage in every field of every implemented call: a legal reply, no
 * panic, a sane state and no leak. */
#include "helpers.h"
#include "test.h"

static const uint32_t garbage[] = {
	0, 1, 4, 0xFFF, 0x1000, 255, 256, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFFF000,
	0xFFFFFFFE, 31742, 31743, 31744, 31745, 0x8000 + INIT_PROC_NR, USER_BASE, USER_TOP,
	USER_TOP - 0x1000, TEXT_VADDR, TEXT_VADDR + 1, MMAP_BASE, MMAP_TOP, 0x08047FFF,
	MAP_ANON | MAP_PRIVATE | MAP_FIXED, 0xFFFFFFFF ^ MAP_THIRDPARTY,
};
#define NGARBAGE (sizeof garbage / sizeof garbage[0])
#define NWORDS (MSG_PAYLOAD_SIZE / 4)

/* The implemented calls and who normally sends them. */
static const struct {
	int type;
	endpoint_t sender;
} calls[] = {
	{ VM_EXIT, PM_PROC_NR },   { VM_WILLEXIT, PM_PROC_NR }, { VM_FORK, PM_PROC_NR },
	{ VM_BRK, INIT_PROC_NR },  { VM_MMAP, INIT_PROC_NR },   { VM_MUNMAP, INIT_PROC_NR },
};
#define NCALLS (sizeof calls / sizeof calls[0])

/* A well-formed payload for type, so that one garbage word is the only fault. */
static message sane_payload(int type)
{
	message m = msg_zero();

	switch (type) {
	case VM_EXIT:
	case VM_WILLEXIT:
		m.u.exit.endpt = AGENT_PROC_NR;
		break;
	case VM_FORK:
		m.u.fork.parent = INIT_PROC_NR;
		m.u.fork.slot = free_slot();
		break;
	case VM_BRK:
		m.u.brk.addr = boot_break(INIT_PROC_NR) + PAGE_SIZE;
		break;
	case VM_MMAP:
		m.u.mmap.len = 2 * PAGE_SIZE;
		m.u.mmap.prot = PROT_RW;
		m.u.mmap.flags = MAP_ANONPRIV;
		m.u.mmap.fd = -1;
		break;
	case VM_MUNMAP:
		m.u.munmap.addr = TEXT_VADDR;
		m.u.munmap.len = PAGE_SIZE;
		break;
	}
	return m;
}

/* Check the reply fields of a successful call are in range. */
static void check_reply_fields(int type, const message *m, uint32_t len)
{
	uint32_t plen = (len + PAGE_MASK) & ~PAGE_MASK;

	if (type == VM_MMAP) {
		CHECK_EQ(m->u.mmap.retaddr & PAGE_MASK, 0);
		CHECK(m->u.mmap.retaddr >= USER_BASE);
		CHECK(m->u.mmap.retaddr < USER_TOP);
		CHECK(plen <= USER_TOP - m->u.mmap.retaddr);
	}
	if (type == VM_FORK) {
		CHECK(vmp_of(m->u.fork.child) != NULL);
		CHECK_EQ(vm.proc[ep_slot(m->u.fork.child)].endpt, m->u.fork.child);
	}
}

/* Send m from src; check a legal reply (or none for an mmap of a file, which waits for
 * VFS), sane state and sane reply fields. */
static int send_checked(endpoint_t src, int type, message m)
{
	uint32_t len = m.u.mmap.len;
	int r = call(src, type, &m);

	CHECK(is_legal_reply(r) || (r == VM_SUSPEND && type == VM_MMAP && vm.vfs.n > 0));
	CHECK_EQ(sanity_check(), SAN_OK);
	if (r == VM_OK)
		check_reply_fields(type, &m, len);
	return r;
}

TEST(GARB0001, "one garbage word in any payload position of EXIT, WILLEXIT, FORK, BRK, MMAP or MUNMAP gives a legal reply and a sane state")
{
	uint32_t cases = 0;

	for (unsigned c = 0; c < NCALLS; c++)
		for (unsigned w = 0; w < NWORDS; w++)
			for (unsigned g = 0; g < NGARBAGE; g++) {
				message m;

				hosted_restore();
				m = sane_payload(calls[c].type);
				m.u.word[w] = garbage[g];
				send_checked(calls[c].sender, calls[c].type, m);
				cases++;
			}
	CHECK_EQ(cases, NCALLS * NWORDS * NGARBAGE);
}

TEST(GARB0002, "the same garbage value in every payload word gives a legal reply and a sane state, from every boot process")
{
	static const endpoint_t senders[] = { PM_PROC_NR, VFS_PROC_NR, RS_PROC_NR, INIT_PROC_NR, AGENT_PROC_NR };

	for (unsigned c = 0; c < NCALLS; c++)
		for (unsigned s = 0; s < sizeof senders / sizeof senders[0]; s++)
			for (unsigned g = 0; g < NGARBAGE; g++) {
				message m = msg_zero();

				hosted_restore();
				for (unsigned w = 0; w < NWORDS; w++)
					m.u.word[w] = garbage[g];
				send_checked(senders[s], calls[c].type, m);
			}
}

TEST(GARB0003, "FORK with garbage slots answers EINVAL or EBUSY, except a free slot which forks")
{
	static const int32_t slots[] = { 255, 256, -1, 31742, 31743, 31744, 0x7FFFFFFF, (int32_t)0x80000000,
					 -1023, -1024, 0, VM_PROC_NR, INIT_PROC_NR, 0x8000 + 100 };

	for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++) {
		struct baseline b;
		endpoint_t child = NONE;
		int r;

		hosted_restore();
		baseline_take(&b);
		r = pm_fork(INIT_PROC_NR, slots[i], &child);
		CHECK_EQ(sanity_check(), SAN_OK);
		if (slots[i] == 255) {
			CHECK_EQ(r, VM_OK);
			CHECK_EQ(ep_slot(child), 255);
			CHECK_EQ(pm_exit(child), VM_OK);
		} else {
			CHECK(r == VM_EINVAL || r == VM_EBUSY);
		}
		CHECK_BASELINE(b);
	}
}

TEST(GARB0004, "garbage BRK, MMAP and MUNMAP from a fresh child, then its exit, leak nothing")
{
	for (unsigned c = 3; c < NCALLS; c++)
		for (unsigned w = 0; w < NWORDS; w++)
			for (unsigned g = 0; g < NGARBAGE; g++) {
				struct baseline b;
				endpoint_t child;
				message m;

				hosted_restore();
				baseline_take(&b);
				CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
				m = sane_payload(calls[c].type);
				m.u.word[w] = garbage[g];
				send_checked(child, calls[c].type, m);
				CHECK_EQ(pm_exit(child), VM_OK);
				CHECK_BASELINE(b);
			}
}

TEST(GARB0005, "kernel page faults at garbage addresses with garbage flags are never answered and keep VM sane")
{
	for (unsigned a = 0; a < NGARBAGE; a++)
		for (unsigned f = 0; f < NGARBAGE; f++) {
			message m = msg_zero();

			hosted_restore();
			m.m_source = INIT_PROC_NR;
			m.m_type = VM_PAGEFAULT;
			m.u.pagefault.addr = garbage[a];
			m.u.pagefault.flags = garbage[f];
			feed_reset_replies();
			feed_push(&m, IPC_FLG_MSG_FROM_KERNEL);
			while (vm_step())
				;
			CHECK_EQ(reply_count(), 0);
			CHECK_EQ(sanity_check(), SAN_OK);
		}
}

TEST(GARB0006, "process reads and writes at garbage addresses either succeed or fault, and keep VM sane")
{
	for (unsigned g = 0; g < NGARBAGE; g++) {
		endpoint_t child;
		uint32_t val, addr = garbage[g] & ~3u;
		int r;

		hosted_restore();
		CHECK_EQ(fork_child(INIT_PROC_NR, &child), VM_OK);
		r = proc_read32(child, addr, &val);
		CHECK(r == VM_OK || r == VM_EFAULT);
		r = proc_write32(child, addr, 0x6A6A6A6A);
		CHECK(r == VM_OK || r == VM_EFAULT);
		CHECK_EQ(sanity_check(), SAN_OK);
	}
}

/* A deterministic xorshift32 stream. */
static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A live endpoint picked by r (boot processes and every child). */
static endpoint_t pick_live(uint32_t r)
{
	uint32_t n = live_slots(), k = r % n;

	for (int32_t s = 0; s < NR_PROCS; s++)
		if ((vm.proc[s].flags & VMF_INUSE) && k-- == 0)
			return vm.proc[s].endpt;
	return INIT_PROC_NR;
}

/* A word for a payload: often a garbage value, sometimes a live endpoint or a
 * near-valid address, sometimes raw randomness. */
static uint32_t pick_word(uint32_t *s)
{
	uint32_t r = rng_next(s);

	switch (r % 5) {
	case 0:
	case 1:
		return garbage[(r >> 8) % NGARBAGE];
	case 2:
		return (uint32_t)pick_live(r >> 8);
	case 3:
		return TEXT_VADDR + ((r >> 8) & 0xFFFFF) * 4;
	default:
		return rng_next(s);
	}
}

TEST(GARB0007, "two thousand random messages of every VM type from live and forged sources keep VM sane and answer legally")
{
	uint32_t seed = 0x2545F491;

	for (int i = 0; i < 2000; i++) {
		uint32_t r = rng_next(&seed);
		int type = (r & 63) < NR_VM_CALLS ? VM_RQ_BASE + (int)(r & 63) : VM_PAGEFAULT;
		endpoint_t src = (r >> 6) % 8 == 0 ? (endpoint_t)pick_word(&seed) : pick_live(r >> 9);
		uint32_t status = type == VM_PAGEFAULT && (r >> 20) % 4 ? IPC_FLG_MSG_FROM_KERNEL : 0;
		message m = msg_zero();

		if ((r >> 24) % 32 == 0)
			type = VM_FORK, src = PM_PROC_NR;
		for (unsigned w = 0; w < NWORDS; w++)
			m.u.word[w] = pick_word(&seed);
		m.m_source = src;
		m.m_type = type;
		feed_reset_replies();
		feed_push(&m, status);
		while (vm_step())
			;
		for (uint32_t k = 0; k < reply_count(); k++) {
			CHECK(is_legal_reply(reply_get(k)->m.m_type));
			CHECK_EQ(reply_get(k)->dst, src);
		}
		CHECK(reply_count() <= 1);
		if (i % 25 == 0) /* level 2 also checks around every handler that mutated */
			CHECK_EQ(sanity_check(), SAN_OK);
	}
}

TEST(GARB0008, "after random garbage, PM can still exit every child and the slots and ACL entries return to boot")
{
	uint32_t seed = 0x9E3779B9;
	struct baseline b;

	baseline_take(&b);
	for (int i = 0; i < 600; i++) {
		uint32_t r = rng_next(&seed);
		static const int types[] = { VM_FORK, VM_MMAP, VM_MUNMAP, VM_BRK, VM_WILLEXIT, VM_EXIT };
		int type = types[r % 6];
		endpoint_t src = type == VM_MMAP || type == VM_MUNMAP || type == VM_BRK ? pick_live(r >> 3) : PM_PROC_NR;
		message m = msg_zero();

		for (unsigned w = 0; w < NWORDS; w++)
			m.u.word[w] = pick_word(&seed);
		if (type == VM_FORK && (r >> 16) % 2)
			m.u.fork.parent = INIT_PROC_NR, m.u.fork.slot = free_slot();
		/* Boot processes must survive, so exits name children or dead endpoints. */
		if ((type == VM_WILLEXIT || type == VM_EXIT) && ep_slot((endpoint_t)m.u.word[0]) >= 0 &&
		    ep_slot((endpoint_t)m.u.word[0]) <= AGENT_PROC_NR)
			m.u.word[0] = 0x8000 + 100;
		CHECK(is_legal_reply(call(src, type, &m)) || vmp_of(src) == NULL);
	}
	for (int32_t s = 0; s < NR_PROCS; s++)
		if ((vm.proc[s].flags & VMF_INUSE) && s != VM_PROC_NR && !boot_proc_of(s))
			CHECK_EQ(pm_exit(vm.proc[s].endpt), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(live_slots(), b.live_slots);
	CHECK_EQ(acl_entries_in_use(), b.acl_entries);
}
