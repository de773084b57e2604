/* vfs.c - the model of file mappings through VFS (docs/model.md VFS-*): VM_VFS_MMAP
 * and VM_VFS_REPLY from the boot VFS, and the file mmaps that wait for VFS's answer
 * (the MMAP row in mem.c predicts those, VFS-01..03, and notes each wait here).  The
 * model does not follow VM's request queue: it keeps which requester waits for which
 * target, lets VFS's answers reach the waiting requesters (VFS-06: OK with a sane
 * address, or an errno), and forgets the spaces a file region may now be in (file
 * memory is not modelled).  Written from the protocol, never from vm/. */
#include <stdio.h>
#include <string.h>
#include "model.h"
#include "layout.h"

int mvfs_is_request(endpoint_t dst, const message *m)
{
	return dst == ep_make(0, VFS_PROC_NR) && m->m_type == VFS_VMCALL;
}

void mvfs_wait(endpoint_t requester, endpoint_t target, const struct vm_pl_mmap *q)
{
	if (mdl.nvfsw == VM_VFS_QUEUE_MAX) {
		mdl.vfsw_lost = 1;
		return;
	}
	mdl.vfsw[mdl.nvfsw].requester = requester;
	mdl.vfsw[mdl.nvfsw].target = target;
	mdl.vfsw[mdl.nvfsw].q = *q;
	mdl.nvfsw++;
}

/* The space of the live process ep is not known any more. */
static void mvfs_forget(endpoint_t ep)
{
	struct mproc *t = mproc_of(ep);
	if (t)
		space_forget(&t->as);
}

/* Every live process's space is not known any more. */
static void mvfs_forget_all(void)
{
	for (int32_t s = 0; s < NR_PROCS; s++)
		if (mslot_live(s))
			space_forget(&mdl.proc[s].as);
}

/* The wait of requester, or -1. */
static int mvfs_find(endpoint_t requester)
{
	for (uint32_t i = 0; i < mdl.nvfsw; i++)
		if (mdl.vfsw[i].requester == requester)
			return (int)i;
	return -1;
}

static void mvfs_drop(int i)
{
	memmove(&mdl.vfsw[i], &mdl.vfsw[i + 1], (mdl.nvfsw - (uint32_t)i - 1) * sizeof mdl.vfsw[0]);
	mdl.nvfsw--;
}

/* VFS-05: VM_VFS_REPLY from anyone but the boot VFS is refused (EPERM); VFS-06 VFS's
 * answer is never answered (the requesters it answers are judged by the commit). */
static void rule_vfs_05_06_reply(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	if (!(p->src->priv & MPRIV_HANDLEMEM)) {
		mpred_deny(p, "VFS-05");
		return;
	}
	mpred_set(p, "VFS-06", VM_SUSPEND);
	p->others_ok = 1;
	if (mvfs_find(m->m_source) >= 0 || mdl.vfsw_lost)
		p->reply_to = NONE; /* VFS waits (or may wait) for a file mmap itself: its answer is judged as any */
}

/* VFS-06: each process VFS's answer reached was waiting for a file mmap: OK with a
 * page-aligned address of the user range (MAP_FIXED: the address asked), or a known
 * errno.  A space a file region may be in is forgotten. */
static void judge_vfs_answer(const struct out_reply *rp)
{
	char name[24];
	int i = mvfs_find(rp->dst);
	int32_t code = rp->m.m_type;
	uint32_t a = rp->m.u.mmap.retaddr;
	if (i < 0) {
		if (!mdl.vfsw_lost)
			mfind("VFS-06", "stray", "%d got a reply (%d) but waits for no file mapping", rp->dst, code);
		mvfs_forget_all();
		return;
	}
	const struct mvfs_w *w = &mdl.vfsw[i];
	uint64_t len = ((uint64_t)w->q.len + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
	if (code != VM_OK && !code_name(code)) {
		snprintf(name, sizeof name, "%d", code);
		mfind("VFS-06", "code", "the file mmap of %d was answered %s, no errno", rp->dst, name);
	} else if (code == VM_OK && ((a & PAGE_MASK) || a < USER_BASE || (uint64_t)a + len > USER_TOP)) {
		mfind("VFS-06", "address", "the file mmap of %d was placed at 0x%x (+0x%llx), outside the user range",
		      rp->dst, a, (unsigned long long)len);
	} else if (code == VM_OK && (w->q.flags & MAP_FIXED) && a != w->q.addr) {
		mfind("VFS-06", "fixed", "the MAP_FIXED file mmap of %d at 0x%x was placed at 0x%x", rp->dst, w->q.addr, a);
	}
	if (code == VM_OK)
		mvfs_forget(w->target);
	mvfs_drop(i);
}

static void commit_vfs_06_reply(const struct msg_seen *s, const struct mpred *p)
{
	if (p->deny == MDENY_YES)
		return;
	for (uint32_t i = 0; i < s->o->nreplies && !finding_get(); i++) {
		const struct out_reply *rp = out_reply_get(s->o, i);
		if (rp && !mvfs_is_request(rp->dst, &rp->m))
			judge_vfs_answer(rp); /* VFS itself gets none unless it waits for a file mmap */
	}
	if (mdl.vfsw_lost)
		mvfs_forget_all();
}

void mvfs_requester_exits(endpoint_t ep)
{
	for (int i = (int)mdl.nvfsw; i-- > 0;)
		if (mdl.vfsw[i].requester == ep)
			mvfs_drop(i);
}

void mvfs_server_exits(const struct msg_seen *s)
{
	for (uint32_t i = 0; i < s->o->nreplies && !finding_get(); i++) {
		const struct out_reply *rp = out_reply_get(s->o, i);
		if (!rp || mvfs_is_request(rp->dst, &rp->m) || rp->dst == s->m.m_source)
			continue;
		if (rp->m.m_type == VM_OK)
			mfind("VFS-10", "code", "VFS exited, but the file mmap of %d was answered OK", rp->dst);
		else
			judge_vfs_answer(rp);
	}
	mdl.nvfsw = 0;
	mdl.vfsw_lost = 0;
}

/* VFS-07: VM_VFS_MMAP from anyone but the boot VFS is EPERM; VFS-08 a live target
 * other than VM, a non-empty page-aligned range inside the user range, a page-aligned
 * offset, clearend in [0, min(PAGE_SIZE, len)), fd >= 0, flags only PROT_*, else
 * EINVAL; VFS-09 the range must be free (ENOMEM: nothing is replaced). */
static void rule_vfs_07_09_mmap(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_vfs_mmap *q = &m->u.vfs_mmap;
	uint64_t len = ((uint64_t)q->len + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
	int r;
	(void)st;
	if (!(p->src->priv & MPRIV_HANDLEMEM)) {
		mpred_deny(p, "VFS-07");
		return;
	}
	r = mep_check(q->who, m->m_source, 0, &p->tgt);
	if (r != MEP_OK) {
		mpred_ep(p, "VFS-08", r, VM_EINVAL);
		return;
	}
	if (q->len == 0 || len > 0xFFFFF000ull || (q->vaddr & PAGE_MASK) || (q->offset & PAGE_MASK) ||
	    q->vaddr < USER_BASE || q->vaddr + len > USER_TOP || q->clearend < 0 || q->clearend >= (int32_t)PAGE_SIZE ||
	    (uint64_t)(uint32_t)q->clearend > len || q->fd < 0 || (q->flags & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))) {
		mpred_set(p, "VFS-08", VM_EINVAL);
		return;
	}
	p->need_pages = 4;
	if (p->tgt->as.lost) {
		mpred_set(p, "VFS-09", VM_OK);
		mpred_add(p, VM_ENOMEM);
		return;
	}
	mpred_set(p, "VFS-09", ms_range_free(&p->tgt->as, q->vaddr, q->vaddr + len) ? VM_OK : VM_ENOMEM);
}

/* VFS-09: the target now holds a file region the space model does not follow. */
static void commit_vfs_09_mmap(const struct msg_seen *s, const struct mpred *p)
{
	(void)s;
	if (p->got == VM_OK && p->tgt)
		space_forget(&p->tgt->as);
}

const struct mcall vfs_calls[] = {
	{ VM_VFS_REPLY, rule_vfs_05_06_reply, commit_vfs_06_reply },
	{ VM_VFS_MMAP, rule_vfs_07_09_mmap, commit_vfs_09_mmap },
};
const int vfs_ncalls = (int)(sizeof vfs_calls / sizeof vfs_calls[0]);
