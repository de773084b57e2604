/* vfs.c - file mappings through VFS: VM_VFS_MMAP (VFS maps a file into a process),
 * VM_VFS_REPLY (VFS answers VM's requests), and the requests behind an mmap of a file
 * descriptor (VMVFSREQ_FDLOOKUP) and a page fault on file memory (VMVFSREQ_FDIO).
 *
 * VM asks VFS asynchronously: a request waits in a bounded FIFO queue (the 2010 and
 * later MINIX VM pushes at the head); only the head is sent, with a non-blocking send,
 * and its requester stays suspended (no reply, or its page fault not cleared) until
 * VFS's VM_VFS_REPLY with the same reqid and endpoint arrives.  Hardened where MINIX
 * asserts: a VFS_REPLY from anyone but the boot VFS is EPERM; one that answers no
 * active request, another reqid or another endpoint (late, duplicate, forged) is
 * ignored and counted, never answered; a failed answer reaches the requester as its
 * errno (EIO for a result that is no errno).  A request VFS does not take (the send
 * fails) fails at once (mmap: EIO; a fault: SIGSEGV).  A requester that exits leaves
 * its active request orphaned (the answer then changes nothing) and its queued ones
 * dropped; so does a process whose address space is replaced (PROCCTL CLEAR,
 * EXEC_NEWMEM) for the page-ins it waits on, and its fault is ended: it runs its new
 * image (MINIX keeps it stopped until VFS answers, then serves the old fault in the
 * new space, killing the new image for an address it never used). */
#include "vm.h"

#define VFS_ENDPT ep_make(0, VFS_PROC_NR) /* the boot VFS: requests go there */

/* Known result codes: OK and the errnos of include/ipc.h. */
#define VFS_KNOWN_ERRNO(name, num) VM_##name,
static const int32_t vfs_errnos[] = { VM_ERRNOS(VFS_KNOWN_ERRNO) };
#undef VFS_KNOWN_ERRNO

/* VFS's result as the code the requester gets: OK or a known errno, else VM_EIO. */
static int32_t vfs_result_code(int32_t result)
{
	if (result == VM_OK)
		return VM_OK;
	for (uint32_t i = 0; i < sizeof(vfs_errnos) / sizeof(vfs_errnos[0]); i++)
		if (vfs_errnos[i] == result)
			return result;
	return VM_EIO;
}

/* Remove q[i], keeping the order of the others. */
static void vfs_dequeue(uint32_t i)
{
	for (uint32_t j = i; j + 1 < vm.vfs.n; j++)
		vm.vfs.q[j] = vm.vfs.q[j + 1];
	vm.vfs.n--;
	vm_memset(&vm.vfs.q[vm.vfs.n], 0, sizeof(vm.vfs.q[0]));
	if (i == 0)
		vm.vfs.active = 0;
	MUTATED();
}

/* End the fault of a requester VM cannot serve: SIGSEGV and resume. */
static void vfs_fault_fail(endpoint_t ep, uint32_t addr)
{
	seam_trace(TR_PF_SEGV, ep, (int32_t)addr);
	kc_kill(ep, SIGSEGV);
	kc_clear_pagefault(ep);
}

/* Finish request rq (taken off the queue) with code, unless it is orphaned: an mmap
 * caller gets code as its reply (with retaddr), a faulting process is killed unless
 * code is VM_OK. */
static void vfs_finish(const struct vfs_req *rq, int32_t code, uint32_t retaddr)
{
	message rep;

	if (rq->orphan || !proc_get(rq->requester))
		return;
	if (rq->kind == VMVFSREQ_FDIO) {
		if (code != VM_OK)
			vfs_fault_fail(rq->requester, rq->fault_addr);
		return;
	}
	vm_memset(&rep, 0, sizeof(rep));
	rep.m_source = vm.self;
	rep.u.mmap = rq->mmap;
	rep.u.mmap.retaddr = code == VM_OK ? retaddr : 0;
	vm_reply_to(rq->requester, &rep, code);
}

/* Send q[0] to VFS.  VM_OK, or VM_EIO when VFS does not take it. */
static int vfs_send_head(void)
{
	const struct vfs_req *rq = &vm.vfs.q[0];
	message m;

	vm_memset(&m, 0, sizeof(m));
	m.m_source = vm.self;
	m.m_type = VFS_VMCALL;
	m.u.word[VFSW_REQ] = (uint32_t)rq->kind;
	m.u.word[VFSW_FD] = (uint32_t)rq->fd;
	m.u.word[VFSW_REQID] = (uint32_t)rq->reqid;
	m.u.word[VFSW_ENDPT] = (uint32_t)rq->endpt;
	m.u.word[VFSW_OFF_LO] = (uint32_t)rq->off;
	m.u.word[VFSW_OFF_HI] = (uint32_t)(rq->off >> 32);
	m.u.word[VFSW_LEN] = rq->len;
	m.u.word[VFSW_DEV] = (uint32_t)rq->dev;
	m.u.word[VFSW_INO] = (uint32_t)rq->ino;
	if (!proc_get(VFS_ENDPT) || seam_send_nb(VFS_ENDPT, &m) != VM_OK) {
		vm.vfs.send_failed++;
		return VM_EIO;
	}
	vm.vfs.active = 1;
	MUTATED();
	return VM_OK;
}

/* Send the head of the queue when none is active; heads VFS does not take fail. */
static void vfs_kick(void)
{
	while (vm.vfs.n && !vm.vfs.active) {
		struct vfs_req rq;

		if (vfs_send_head() == VM_OK)
			return;
		rq = vm.vfs.q[0];
		vfs_dequeue(0);
		vfs_finish(&rq, VM_EIO, 0);
	}
}

/* Queue rq (reqid assigned here) and send it if it is the head.  VM_OK (it waits),
 * VM_ENOMEM (queue full) or VM_EIO (it was the head and VFS did not take it; it is
 * gone again, nobody was answered). */
static int vfs_enqueue(const struct vfs_req *rq)
{
	struct vfs_req *slot;

	if (vm.vfs.n >= VM_VFS_QUEUE_MAX)
		return VM_ENOMEM;
	slot = &vm.vfs.q[vm.vfs.n++];
	*slot = *rq;
	if (++vm.vfs.next_reqid <= 0)
		vm.vfs.next_reqid = 1;
	slot->reqid = vm.vfs.next_reqid;
	MUTATED();
	if (vm.vfs.n > 1 || vfs_send_head() == VM_OK)
		return VM_OK;
	vfs_dequeue(0);
	return VM_EIO;
}

int vfs_mmap_request(const message *m, struct vmproc *target)
{
	struct vfs_req rq;
	int err;

	vm_memset(&rq, 0, sizeof(rq));
	rq.kind = VMVFSREQ_FDLOOKUP;
	rq.endpt = target->endpt;
	rq.requester = m->m_source;
	rq.fd = m->u.mmap.fd;
	rq.off = m->u.mmap.offset;
	rq.len = m->u.mmap.len;
	rq.mmap = m->u.mmap;
	err = vfs_enqueue(&rq);
	return err == VM_OK ? VM_SUSPEND : err;
}

int vfs_fault_request(struct vmproc *vmp, const struct vir_region *r, uint32_t addr, int write)
{
	struct vfs_req rq;

	vm_memset(&rq, 0, sizeof(rq));
	rq.kind = VMVFSREQ_FDIO;
	rq.endpt = vmp->endpt;
	rq.requester = vmp->endpt;
	rq.fd = r->file_fd;
	rq.dev = r->file_dev;
	rq.ino = r->file_ino;
	rq.off = r->file_off + (((addr - r->vaddr) >> PAGE_SHIFT) << PAGE_SHIFT);
	rq.len = PAGE_SIZE;
	rq.fault_addr = addr;
	rq.fault_write = write;
	return vfs_enqueue(&rq);
}

/* VFS itself exits: no request will be answered, so every one fails now (mmap
 * callers get VM_EIO, faulting processes SIGSEGV). */
static void vfs_server_exits(void)
{
	while (vm.vfs.n) {
		struct vfs_req rq = vm.vfs.q[0];

		vfs_dequeue(0);
		vfs_finish(&rq, VM_EIO, 0);
	}
}

/* Withdraw the requests requester ep waits on, of kind (0: every kind): queued ones
 * go, the active one is orphaned (VFS still answers it: its reqid stays taken, the
 * answer changes nothing).  Returns how many were withdrawn. */
static uint32_t vfs_withdraw(endpoint_t ep, int32_t kind)
{
	uint32_t n = 0;

	for (uint32_t i = vm.vfs.n; i-- > 0;) {
		if (vm.vfs.q[i].requester != ep || vm.vfs.q[i].orphan || (kind && vm.vfs.q[i].kind != kind))
			continue;
		n++;
		if (i == 0 && vm.vfs.active) {
			vm.vfs.q[0].orphan = 1;
			MUTATED();
		} else {
			vfs_dequeue(i);
		}
	}
	return n;
}

void vfs_owner_exits(const struct vmproc *vmp)
{
	if (vmp->endpt == VFS_ENDPT) {
		vfs_server_exits();
		return;
	}
	vfs_withdraw(vmp->endpt, 0);
}

void vfs_space_replaced(const struct vmproc *vmp)
{
	if (vfs_withdraw(vmp->endpt, VMVFSREQ_FDIO))
		kc_clear_pagefault(vmp->endpt);
}

/* FDLOOKUP answered: VFS's (dev, ino, fd, size_pages) of the file.  The mapping's
 * process must still live (VM_ESRCH); the region goes where the mmap asked.
 * Returns the code for the mmap caller; *at gets the address. */
static int32_t vfs_lookup_done(const struct vfs_req *rq, const struct vm_pl_vfs_reply *a, uint32_t *at)
{
	struct vmproc *vmp = proc_target(rq->endpt);
	struct vir_region *r;
	int err;

	if (!vmp)
		return VM_ESRCH;
	if (a->size_pages < 0)
		return VM_EIO;
	if ((err = mmap_place_file(vmp, &rq->mmap, at)) != VM_OK)
		return err;
	r = region_find(vmp, *at);
	VM_ASSERT(r && r->vaddr == *at && r->type == &mem_type_file);
	r->file_dev = a->dev;
	r->file_ino = (uint32_t)a->ino;
	r->file_fd = a->fd;
	r->file_off = rq->off;
	r->file_end = (uint64_t)(uint32_t)a->size_pages << PAGE_SHIFT;
	MUTATED();
	return VM_OK;
}

/* FDIO answered OK: serve the fault again (the page must be in the cache now; VFS is
 * not asked twice).  The code that ends the fault (VM_OK: resumed). */
static int32_t vfs_io_done(const struct vfs_req *rq)
{
	struct vmproc *vmp = proc_target(rq->requester);
	int err;

	if (!vmp)
		return VM_OK; /* gone: nothing to resume */
	err = map_pagefault(vmp, rq->fault_addr, rq->fault_write);
	if (err != VM_OK)
		return err == VM_SUSPEND ? VM_EFAULT : err;
	vmp->majflt++;
	kc_flush_tlb(vmp->endpt);
	kc_clear_pagefault(vmp->endpt);
	return VM_OK;
}

/* VM_VFS_REPLY (the boot VFS only: VM_EPERM): the answer to the active request.  One
 * that matches no active request's reqid and endpoint is ignored.  Never answered. */
int do_vfs_reply(message *m)
{
	const struct vm_pl_vfs_reply *a = &m->u.vfs_reply;
	struct vfs_req rq;
	int32_t code;
	uint32_t at = 0;

	if (proc_require_power(proc_get(m->m_source), POWER_VFS, VMC_VFS_REPLY) != VM_OK)
		return VM_EPERM;
	if (!vm.vfs.active || a->reqid != vm.vfs.q[0].reqid || a->endpt != vm.vfs.q[0].endpt) {
		vm.vfs.ignored++;
		return VM_SUSPEND;
	}
	rq = vm.vfs.q[0];
	vfs_dequeue(0);
	code = vfs_result_code(a->result);
	if (!rq.orphan && code == VM_OK)
		code = rq.kind == VMVFSREQ_FDLOOKUP ? vfs_lookup_done(&rq, a, &at) : vfs_io_done(&rq);
	vfs_finish(&rq, code, at);
	vfs_kick();
	return VM_SUSPEND;
}

/* VM_VFS_MMAP (the boot VFS only: VM_EPERM): map len bytes of the file (dev, ino) from
 * offset at vaddr in who, private, writable when flags has PROT_WRITE; the last
 * clearend bytes of the mapping read as zero; fd is VFS's descriptor for page-ins.
 * VM_EINVAL for a bad target, an unaligned or empty range, one outside the user range,
 * a clearend of a page or more, a negative fd or flags other than PROT_*; VM_ENOMEM
 * when the range is taken (nothing is replaced) or memory runs out. */
int do_vfs_mmap(message *m)
{
	const struct vm_pl_vfs_mmap *q = &m->u.vfs_mmap;
	struct vmproc *vmp;
	struct vir_region *r;
	uint32_t len, end;
	int err;

	if (proc_require_power(proc_get(m->m_source), POWER_VFS, VMC_VFS_MMAP) != VM_OK)
		return VM_EPERM;
	if (!(vmp = proc_target(q->who)))
		return VM_EINVAL;
	if (q->len == 0 || page_roundup(q->len, &len) || !page_aligned(q->vaddr) || (q->offset & PAGE_MASK) ||
	    add_wraps(q->vaddr, len, &end) || q->vaddr < USER_BASE || end > USER_TOP)
		return VM_EINVAL;
	if (q->clearend < 0 || q->clearend >= (int32_t)PAGE_SIZE || (uint32_t)q->clearend > len || q->fd < 0 ||
	    (q->flags & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return VM_EINVAL;
	r = map_new_region(vmp, q->vaddr, len, VR_ANON | ((q->flags & PROT_WRITE) ? VR_WRITABLE : 0), &mem_type_file,
			   1, &err);
	if (!r)
		return err;
	r->file_dev = q->dev;
	r->file_ino = q->ino;
	r->file_fd = q->fd;
	r->file_off = q->offset;
	r->file_end = q->offset + len - (uint32_t)q->clearend;
	return VM_OK;
}

int vfs_check(void)
{
	if (vm.vfs.n > VM_VFS_QUEUE_MAX || (vm.vfs.active && vm.vfs.n == 0))
		return SAN_VFS;
	for (uint32_t i = 0; i < vm.vfs.n; i++) {
		const struct vfs_req *rq = &vm.vfs.q[i];

		if (rq->kind != VMVFSREQ_FDLOOKUP && rq->kind != VMVFSREQ_FDIO)
			return SAN_VFS;
		if (rq->reqid <= 0 || rq->reqid > vm.vfs.next_reqid)
			return SAN_VFS;
		if (rq->orphan ? (i != 0 || !vm.vfs.active) : !proc_get(rq->requester))
			return SAN_VFS;
		for (uint32_t j = 0; j < i; j++)
			if (vm.vfs.q[j].reqid == rq->reqid)
				return SAN_VFS;
	}
	return 0;
}
