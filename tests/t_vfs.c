/* t_vfs.c - file mappings through VFS: mmap of an fd (FDLOOKUP), page-ins (FDIO),
 * VM_VFS_REPLY's refusals (late, duplicate, forged, failing answers), the bounded
 * queue, requesters that exit while waiting, VM_VFS_MMAP, and SAN_VFS. */
#include "helpers.h"
#include "test.h"

#define P PAGE_SIZE
#define FS RS_PROC_NR /* the file system that fills the block cache (RS grants itself the calls) */
#define VFS ep_make(0, VFS_PROC_NR)

/* VM_MMAP of fd from src (file offset off, len bytes, prot, extra flags). */
static int mmap_fd(endpoint_t src, int32_t fd, uint64_t off, uint32_t len, uint32_t prot, uint32_t flags,
		   uint32_t *ret)
{
	message m = msg_zero();
	int r;

	m.u.mmap.fd = fd;
	m.u.mmap.offset = off;
	m.u.mmap.len = len;
	m.u.mmap.prot = prot;
	m.u.mmap.flags = MAP_PRIVATE | flags;
	m.u.mmap.forwhom = SELF;
	r = call(src, VM_MMAP, &m);
	if (ret)
		*ret = m.u.mmap.retaddr;
	return r;
}

/* The requests VM sent VFS since the last call(); the last one in *m. */
static uint32_t vfs_requests(message *m)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < reply_count(); i++) {
		const struct reply_rec *r = reply_get(i);

		if (r && r->dst == VFS && r->m.m_type == VFS_VMCALL) {
			n++;
			if (m)
				*m = r->m;
		}
	}
	return n;
}

/* VM_VFS_REPLY from src; the fields as named. */
static int vfs_reply(endpoint_t src, endpoint_t ep, int32_t result, int32_t reqid, int32_t dev, int32_t ino,
		     int32_t fd, int32_t size_pages)
{
	message m = msg_zero();

	m.u.vfs_reply.endpt = ep;
	m.u.vfs_reply.result = result;
	m.u.vfs_reply.reqid = reqid;
	m.u.vfs_reply.dev = dev;
	m.u.vfs_reply.ino = ino;
	m.u.vfs_reply.fd = fd;
	m.u.vfs_reply.size_pages = size_pages;
	return call(src, VM_VFS_REPLY, &m);
}

/* VFS answers VM's active request (from the queue) with result and the file's fields. */
static int vfs_answer(int32_t result, int32_t dev, int32_t ino, int32_t size_pages)
{
	CHECK(vm.vfs.active);
	return vfs_reply(VFS, vm.vfs.q[0].endpt, result, vm.vfs.q[0].reqid, dev, ino, 9, size_pages);
}

/* The last reply sent to dst since the last call() (its code in m_type), or -1 code. */
static int reply_code_to(endpoint_t dst, message *out)
{
	int code = 1;

	for (uint32_t i = 0; i < reply_count(); i++) {
		const struct reply_rec *r = reply_get(i);

		if (r && r->dst == dst) {
			code = r->m.m_type;
			if (out)
				*out = r->m;
		}
	}
	return code;
}

/* Put one page holding value at its first word into the cache as page ino_off of (dev, ino). */
static void cache_file_page(int32_t dev, uint64_t ino, uint64_t ino_off, uint32_t value)
{
	message m = msg_zero();
	uint32_t a;

	CHECK_EQ(mmap_anon(FS, 0, P, PROT_RW, 0, &a), VM_OK);
	CHECK_EQ(proc_write32(FS, a, value), VM_OK);
	CHECK_EQ(proc_write32(FS, a + P - 4, value + 1), VM_OK);
	m.u.setcachepage.dev = dev;
	m.u.setcachepage.dev_offset = ino_off + ((uint64_t)ino << 20);
	m.u.setcachepage.ino = ino;
	m.u.setcachepage.ino_offset = ino_off;
	m.u.setcachepage.block = a;
	m.u.setcachepage.pages = 1;
	CHECK_EQ(call(FS, VM_SETCACHEPAGE, &m), VM_OK);
}

TEST(VFS0001, "mmap of an fd suspends the caller and asks VFS (FDLOOKUP); VFS's OK maps a file region and answers the caller")
{
	message req, rep;
	struct vir_region *r;
	uint32_t at;

	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0x2000, 3 * P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_requests(&req), 1);
	CHECK_EQ(req.u.word[VFSW_REQ], VMVFSREQ_FDLOOKUP);
	CHECK_EQ(req.u.word[VFSW_FD], 4);
	CHECK_EQ(req.u.word[VFSW_ENDPT], INIT_PROC_NR);
	CHECK_EQ(req.u.word[VFSW_OFF_LO], 0x2000);
	CHECK_EQ(req.u.word[VFSW_LEN], 3 * P);
	CHECK_EQ((int32_t)req.u.word[VFSW_REQID], vm.vfs.q[0].reqid);
	CHECK(vm.vfs.active && vm.vfs.n == 1);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(vfs_answer(VM_OK, 5, 77, 4), VM_SUSPEND);
	CHECK_EQ(reply_code_to(INIT_PROC_NR, &rep), VM_OK);
	at = rep.u.mmap.retaddr;
	r = region_find(vmp_of(INIT_PROC_NR), at);
	CHECK(r && r->vaddr == at && r->length == 3 * P && r->type == &mem_type_file && !(r->flags & VR_WRITABLE));
	CHECK(r->file_dev == 5 && r->file_ino == 77 && r->file_fd == 9 && r->file_off == 0x2000 && r->file_end == 4 * P);
	CHECK_EQ(vm.vfs.n, 0);
	CHECK_EQ(replies_to(VFS), 0); /* VFS's answer is never answered */
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(VFS0002, "a fault on an uncached file page asks VFS (FDIO) and waits; VFS's OK serves it from the cache; writes copy; past the end reads zero")
{
	message req, rep;
	uint32_t at, v = 0;

	rs_grant_all();
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, P, 3 * P, PROT_RW, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 5, 77, 2), VM_SUSPEND); /* the file has 2 pages: page 1 of the map is its last */
	CHECK_EQ(reply_code_to(INIT_PROC_NR, &rep), VM_OK);
	at = rep.u.mmap.retaddr;
	feed_reset_replies();
	CHECK_EQ(proc_read32(INIT_PROC_NR, at, &v), VM_EFAULT); /* blocked until VFS answers */
	CHECK(kmodel.proc[INIT_PROC_NR].flags & KP_PAGEFAULT);
	CHECK_EQ(vfs_requests(&req), 1);
	CHECK_EQ(req.u.word[VFSW_REQ], VMVFSREQ_FDIO);
	CHECK_EQ(req.u.word[VFSW_FD], 9);
	CHECK_EQ(req.u.word[VFSW_OFF_LO], P);
	CHECK(req.u.word[VFSW_DEV] == 5 && req.u.word[VFSW_INO] == 77);
	cache_file_page(5, 77, P, 0xF11E);
	CHECK_EQ(vfs_answer(VM_OK, 0, 0, 0), VM_SUSPEND);
	CHECK(!(kmodel.proc[INIT_PROC_NR].flags & KP_PAGEFAULT));
	CHECK(!(kmodel.proc[INIT_PROC_NR].flags & KP_KILLED));
	CHECK_EQ(proc_read32(INIT_PROC_NR, at, &v), VM_OK);
	CHECK_EQ(v, 0xF11E);
	CHECK_EQ(block_at(INIT_PROC_NR, at)->refcount, 3); /* FS's page, the cache, the mapping */
	CHECK_EQ(proc_write32(INIT_PROC_NR, at, 1), VM_OK); /* copy-on-write: the cache keeps its block */
	CHECK_EQ(block_at(INIT_PROC_NR, at)->refcount, 1);
	CHECK_EQ(proc_read32(INIT_PROC_NR, at + 2 * P, &v), VM_OK); /* past the file's end: zero, no VFS */
	CHECK_EQ(v, 0);
	CHECK_EQ(vm.vfs.n, 0);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(VFS0003, "VFS_REPLY: others are denied; late, duplicate, wrong-reqid and wrong-endpoint answers are ignored; failures reach the caller")
{
	int32_t reqid;

	CHECK_EQ(vfs_reply(INIT_PROC_NR, INIT_PROC_NR, 0, 1, 0, 0, 0, 0), VM_ECALLDENIED);
	rs_grant_all();
	CHECK_EQ(vfs_reply(RS_PROC_NR, INIT_PROC_NR, 0, 1, 0, 0, 0, 0), VM_EPERM);
	CHECK_EQ(vfs_reply(VFS, INIT_PROC_NR, 0, 1, 0, 0, 0, 0), VM_SUSPEND); /* nothing active */
	CHECK_EQ(vm.vfs.ignored, 1);
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	reqid = vm.vfs.q[0].reqid;
	CHECK_EQ(vfs_reply(VFS, INIT_PROC_NR, 0, reqid + 1, 0, 0, 0, 1), VM_SUSPEND);
	CHECK_EQ(vfs_reply(VFS, PM_PROC_NR, 0, reqid, 0, 0, 0, 1), VM_SUSPEND);
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(vm.vfs.ignored, 3);
	CHECK(vm.vfs.active);
	CHECK_EQ(vfs_reply(VFS, INIT_PROC_NR, VM_ENOENT, reqid, 0, 0, 0, 0), VM_SUSPEND);
	CHECK_EQ(reply_code_to(INIT_PROC_NR, NULL), VM_ENOENT);
	CHECK_EQ(vfs_reply(VFS, INIT_PROC_NR, 0, reqid, 0, 0, 0, 1), VM_SUSPEND); /* a duplicate */
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(vm.vfs.ignored, 4);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(5, 0, 0, 0), VM_SUSPEND); /* a positive result: EIO */
	CHECK_EQ(reply_code_to(INIT_PROC_NR, NULL), VM_EIO);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 0, 0, -1), VM_SUSPEND); /* a negative size: EIO */
	CHECK_EQ(reply_code_to(INIT_PROC_NR, NULL), VM_EIO);
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(VFS0004, "mmap of an fd: bad fd, offset, flags and shared writable maps are refused before VFS is asked")
{
	CHECK_EQ(mmap_fd(INIT_PROC_NR, -2, 0, P, PROT_READ, 0, NULL), VM_EINVAL);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 3, 0x10, P, PROT_READ, 0, NULL), VM_EINVAL);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 3, 0, P, PROT_READ, MAP_PREALLOC, NULL), VM_EINVAL);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 3, 0, 0, PROT_READ, 0, NULL), VM_EINVAL);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 3, 0, P, PROT_RW, MAP_SHARED, NULL), VM_ENXIO);
	CHECK_EQ(vm.vfs.n, 0);
	CHECK_EQ(vfs_requests(NULL), 0);
}

TEST(VFS0005, "the queue holds VM_VFS_QUEUE_MAX requests, sends one at a time in arrival order, and refuses one more (ENOMEM)")
{
	endpoint_t c[VM_VFS_QUEUE_MAX];
	message req;

	for (int i = 0; i < VM_VFS_QUEUE_MAX; i++) {
		CHECK_EQ(fork_child(INIT_PROC_NR, &c[i]), VM_OK);
		CHECK_EQ(mmap_fd(c[i], i, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
		CHECK_EQ(vfs_requests(NULL), i == 0);
	}
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 1, 0, P, PROT_READ, 0, NULL), VM_ENOMEM);
	CHECK_EQ(sanity_check(), SAN_OK);
	for (int i = 0; i < VM_VFS_QUEUE_MAX; i++) {
		CHECK_EQ(vm.vfs.q[0].endpt, c[i]);
		CHECK_EQ(vfs_answer(VM_EIO, 0, 0, 0), VM_SUSPEND);
		CHECK_EQ(reply_code_to(c[i], NULL), VM_EIO);
		CHECK_EQ(vfs_requests(&req), i + 1 < VM_VFS_QUEUE_MAX);
		if (i + 1 < VM_VFS_QUEUE_MAX)
			CHECK_EQ(req.u.word[VFSW_ENDPT], c[i + 1]);
	}
	for (int i = 0; i < VM_VFS_QUEUE_MAX; i++)
		CHECK_EQ(pm_exit(c[i]), VM_OK);
	CHECK_EQ(vm.vfs.n, 0);
}

TEST(VFS0006, "a requester that exits while waiting: its queued request goes, its active one is orphaned and VFS's answer changes nothing")
{
	struct baseline b;
	endpoint_t a, q;

	baseline_take(&b);
	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &q), VM_OK);
	CHECK_EQ(mmap_fd(a, 1, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(mmap_fd(q, 2, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(pm_exit(q), VM_OK);
	CHECK_EQ(vm.vfs.n, 1);
	CHECK_EQ(pm_exit(a), VM_OK);
	CHECK(vm.vfs.n == 1 && vm.vfs.q[0].orphan && vm.vfs.active);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(vfs_reply(VFS, a, VM_OK, vm.vfs.q[0].reqid, 1, 1, 1, 1), VM_SUSPEND);
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(vm.vfs.n, 0);
	CHECK_BASELINE(b);
}

TEST(VFS0007, "VFS_MMAP maps a file at a fixed address of a process; clearend zeroes the tail; every bad field is refused")
{
	message m = msg_zero();
	uint32_t va = 0x30000000, v = 1;
	struct vir_region *r;

	rs_grant_all();
	m.u.vfs_mmap.who = INIT_PROC_NR;
	m.u.vfs_mmap.vaddr = va;
	m.u.vfs_mmap.len = 2 * P;
	m.u.vfs_mmap.flags = PROT_READ;
	m.u.vfs_mmap.fd = 3;
	m.u.vfs_mmap.dev = 6;
	m.u.vfs_mmap.ino = 12;
	m.u.vfs_mmap.offset = 0x3000;
	m.u.vfs_mmap.clearend = 0x100;
	{
		message bad = m;
		CHECK_EQ(call(RS_PROC_NR, VM_VFS_MMAP, &bad), VM_EPERM);
		bad = m, bad.u.vfs_mmap.who = VM_PROC_NR;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.vaddr = va + 1;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.offset = 0x3001;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.len = 0;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.clearend = P;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.fd = -1;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.flags = MAP_FIXED;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.vaddr = 0xFFFFF000;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_EINVAL);
		bad = m, bad.u.vfs_mmap.vaddr = TEXT_VADDR;
		CHECK_EQ(call(VFS, VM_VFS_MMAP, &bad), VM_ENOMEM); /* taken: nothing is replaced */
	}
	CHECK_EQ(call(VFS, VM_VFS_MMAP, &m), VM_OK);
	r = region_find(vmp_of(INIT_PROC_NR), va);
	CHECK(r && r->type == &mem_type_file && r->file_end == 0x3000 + 2 * P - 0x100 && r->file_fd == 3);
	cache_file_page(6, 12, 0x4000, 0xABC);
	CHECK_EQ(proc_read32(INIT_PROC_NR, va + P, &v), VM_OK); /* cached: no VFS trip */
	CHECK_EQ(v, 0xABC);
	CHECK_EQ(proc_read32(INIT_PROC_NR, va + 2 * P - 4, &v), VM_OK); /* cleared by clearend */
	CHECK_EQ(v, 0);
	CHECK_EQ(proc_write32(INIT_PROC_NR, va + P, 1), VM_EFAULT); /* read-only */
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(VFS0008, "a request VFS does not take fails at once (mmap: EIO); a failed page-in kills the process")
{
	message rep;
	uint32_t v;
	endpoint_t c;

	feed_fail_sends(1);
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, P, PROT_READ, 0, NULL), VM_EIO);
	feed_fail_sends(0);
	CHECK_EQ(vm.vfs.n, 0);
	CHECK_EQ(vm.vfs.send_failed, 1);
	CHECK_EQ(fork_child(INIT_PROC_NR, &c), VM_OK);
	CHECK_EQ(mmap_fd(c, 4, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 1, 2, 1), VM_SUSPEND);
	CHECK_EQ(reply_code_to(c, &rep), VM_OK);
	CHECK_EQ(proc_read32(c, rep.u.mmap.retaddr, &v), VM_EFAULT);
	CHECK_EQ(vfs_answer(VM_OK, 0, 0, 0), VM_SUSPEND); /* OK, but the page is not in the cache */
	CHECK(kmodel.proc[ep_slot(c)].flags & KP_KILLED);
	CHECK_EQ(pm_exit(c), VM_OK);
	CHECK_EQ(sanity_check(), SAN_OK);
}

/* mmap of an fd answered OK by VFS with the n-th hit of site failing: the caller gets
 * an errno and nothing leaks; a later mapping works. */
static void lookup_under_faults(enum fault_site site)
{
	for (uint32_t n = 1; n < 50; n++) {
		struct baseline b;
		int r, fired;

		hosted_restore();
		baseline_take(&b);
		CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, 2 * P, PROT_READ, MAP_FIXED | 0, NULL), VM_EINVAL); /* addr 0 */
		CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, 2 * P, PROT_READ, 0, NULL), VM_SUSPEND);
		fault_fail_nth(site, n);
		CHECK_EQ(vfs_answer(VM_OK, 1, 2, 2), VM_SUSPEND);
		fired = fault_fired();
		fault_fail_nth(site, 0);
		r = reply_code_to(INIT_PROC_NR, NULL);
		CHECK(is_legal_reply(r));
		CHECK_EQ(sanity_check(), SAN_OK);
		CHECK_EQ(vm.vfs.n, 0);
		if (r != VM_OK) {
			CHECK(fired);
			CHECK_BASELINE(b);
		}
		if (!fired)
			return;
	}
	CHECK(0);
}

TEST(VFS0009, "the FDLOOKUP answer failing at any slab or page-map fault site answers the caller an errno and leaks nothing")
{
	lookup_under_faults(FS_SLAB_ALLOC);
	lookup_under_faults(FS_REGION_PAGES);
}

TEST(VFS0010, "the sanity checker reports a broken request queue as SAN_VFS")
{
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(sanity_check(), SAN_OK);
	vm.vfs.q[0].kind = 7;
	CHECK_EQ(sanity_check(), SAN_VFS);
	vm.vfs.q[0].kind = VMVFSREQ_FDLOOKUP;
	vm.vfs.active = 0;
	vm.vfs.n = 0;
	CHECK_EQ(sanity_check(), SAN_OK);
	vm.vfs.active = 1;
	CHECK_EQ(sanity_check(), SAN_VFS);
}

TEST(VFS0011, "when VFS exits every request fails at once: the waiting mmap callers get EIO, a process waiting on a file page is killed")
{
	message rep;
	endpoint_t a, b;
	uint32_t v;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_fd(a, 1, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 1, 2, 1), VM_SUSPEND);
	CHECK_EQ(reply_code_to(a, &rep), VM_OK);
	CHECK_EQ(proc_read32(a, rep.u.mmap.retaddr, &v), VM_EFAULT); /* waits for FDIO */
	CHECK_EQ(mmap_fd(b, 2, 0, P, PROT_READ, 0, NULL), VM_SUSPEND); /* queued behind it */
	CHECK_EQ(vm.vfs.n, 2);
	feed_reset_replies();
	CHECK_EQ(pm_exit(VFS), VM_OK);
	CHECK_EQ(vm.vfs.n, 0);
	CHECK_EQ(reply_code_to(b, NULL), VM_EIO);
	CHECK(kmodel.proc[ep_slot(a)].flags & KP_KILLED);
	CHECK_EQ(sanity_check(), SAN_OK);
	CHECK_EQ(mmap_fd(b, 2, 0, P, PROT_READ, 0, NULL), VM_EIO); /* nobody to ask */
}

TEST(VFS0012, "a file page linked from a cached block that a MAPCACHEPAGE region writes in place: that region loses write access, and its next write leaves the file mapping's page alone")
{
	message m = msg_zero(), rep;
	uint32_t c, at, v = 0;

	rs_grant_all();
	cache_file_page(5, 77, 0, 0xF11E);
	m.u.mapcachepage.dev = 5;
	m.u.mapcachepage.dev_offset = (uint64_t)77 << 20;
	m.u.mapcachepage.ino = 77;
	m.u.mapcachepage.ino_offset = 0;
	m.u.mapcachepage.pages = 1;
	CHECK_EQ(call(FS, VM_MAPCACHEPAGE, &m), VM_OK);
	c = m.u.mapcachepage.addr;
	CHECK_EQ(proc_write32(FS, c, 1), VM_OK); /* the cache region writes the block in place */
	CHECK_EQ(mmap_fd(INIT_PROC_NR, 4, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 5, 77, 1), VM_SUSPEND);
	CHECK_EQ(reply_code_to(INIT_PROC_NR, &rep), VM_OK);
	at = rep.u.mmap.retaddr;
	CHECK_EQ(proc_read32(INIT_PROC_NR, at, &v), VM_OK); /* linked from the cache */
	CHECK_EQ(v, 1);
	CHECK_EQ(sanity_check(), SAN_OK); /* before the fix: SAN_PTE, FS's PTE still writable */
	CHECK_EQ(proc_write32(FS, c, 2), VM_OK);
	CHECK_EQ(proc_read32(INIT_PROC_NR, at, &v), VM_OK);
	CHECK_EQ(v, 1); /* the file mapping keeps the page it was given */
	CHECK_EQ(sanity_check(), SAN_OK);
}

TEST(VFS0013, "PROCCTL CLEAR of processes waiting on file pages: the active page-in is orphaned, a queued one dropped, both faults end; VFS's late answer changes nothing and the new space kills the old address")
{
	message rep;
	endpoint_t a, b;
	uint32_t va, vb, v;

	CHECK_EQ(fork_child(INIT_PROC_NR, &a), VM_OK);
	CHECK_EQ(fork_child(INIT_PROC_NR, &b), VM_OK);
	CHECK_EQ(mmap_fd(a, 1, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 1, 2, 1), VM_SUSPEND);
	CHECK_EQ(reply_code_to(a, &rep), VM_OK);
	va = rep.u.mmap.retaddr;
	CHECK_EQ(mmap_fd(b, 1, 0, P, PROT_READ, 0, NULL), VM_SUSPEND);
	CHECK_EQ(vfs_answer(VM_OK, 1, 2, 1), VM_SUSPEND);
	CHECK_EQ(reply_code_to(b, &rep), VM_OK);
	vb = rep.u.mmap.retaddr;
	CHECK_EQ(proc_read32(a, va, &v), VM_EFAULT); /* a's FDIO is sent */
	CHECK_EQ(proc_read32(b, vb, &v), VM_EFAULT); /* b's waits behind it */
	CHECK(vm.vfs.n == 2 && vm.vfs.active);
	CHECK(kmodel.proc[ep_slot(b)].flags & KP_PAGEFAULT);
	CHECK_EQ(procctl_call(RS_PROC_NR, VMPPARAM_CLEAR, b, 0, 0, 0), VM_OK);
	CHECK_EQ(vm.vfs.n, 1); /* b's queued page-in went */
	CHECK(!(kmodel.proc[ep_slot(b)].flags & (KP_PAGEFAULT | KP_KILLED)));
	CHECK_EQ(procctl_call(RS_PROC_NR, VMPPARAM_CLEAR, a, 0, 0, 0), VM_OK);
	CHECK(vm.vfs.n == 1 && vm.vfs.active && vm.vfs.q[0].orphan);
	CHECK(!(kmodel.proc[ep_slot(a)].flags & (KP_PAGEFAULT | KP_KILLED)));
	CHECK_EQ(sanity_check(), SAN_OK);
	feed_reset_replies();
	CHECK_EQ(vfs_answer(VM_OK, 0, 0, 0), VM_SUSPEND); /* the late answer to a's page-in */
	CHECK_EQ(vm.vfs.n, 0);
	CHECK(!(kmodel.proc[ep_slot(a)].flags & KP_KILLED));
	CHECK_EQ(reply_count(), 0);
	CHECK_EQ(proc_read32(a, va, &v), VM_EFAULT); /* the new, empty space: a fault kills */
	CHECK(kmodel.proc[ep_slot(a)].flags & KP_KILLED);
	CHECK_EQ(sanity_check(), SAN_OK);
}
