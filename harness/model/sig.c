/* sig.c - the model of the 2010 calls VM_PUSH_SIG (room for a signal frame below a
 * stack pointer PM passes) and VM_MUNMAP_TEXT (munmap of the caller's text only), as
 * the protocol and this VM's documented semantics describe them (docs/model.md SIG-*,
 * TEXT-*).  Written from the protocol, never from vm/; the address spaces are the
 * space half's (space.h). */
#include "model.h"
#include "layout.h"

/* SIG-01 endpoint, SIG-02 exiting, SIG-03 the frame [sp - VM_SIGFRAME_BYTES, sp) is
 * not all writable memory (or sp is below the frame size): EFAULT, the stack never
 * grows; SIG-04 OK: the frame's pages are present and writable, frame answered. */
static void rule_sig_01_04(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_push_sig *q = &m->u.push_sig;
	int r = mep_check(q->endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK) {
		mpred_ep(p, "SIG-01", r, VM_EINVAL);
		return;
	}
	if (p->tgt->exiting) {
		mpred_set(p, "SIG-02", VM_EINVAL);
		return;
	}
	if (q->sp < VM_SIGFRAME_BYTES) {
		mpred_set(p, "SIG-03", VM_EFAULT);
		return;
	}
	r = space_prefault_check(&p->tgt->as, q->sp - VM_SIGFRAME_BYTES, VM_SIGFRAME_BYTES, 1);
	if (r == MS_UNKNOWN) {
		mpred_dont_know(p, "SIG-03");
		return;
	}
	if (r != VM_OK) {
		mpred_set(p, "SIG-03", r);
		return;
	}
	mpred_set(p, "SIG-04", VM_OK);
	p->need_pages = 8; /* two frame pages, their page tables, copies */
}

static void commit_sig_04(const struct msg_seen *s, const struct mpred *p)
{
	uint32_t frame = s->m.u.push_sig.sp - VM_SIGFRAME_BYTES;
	if (p->got == VM_EFAULT && p->tgt && s->m.u.push_sig.sp >= VM_SIGFRAME_BYTES)
		space_prefault_refused(&p->tgt->as, frame, VM_SIGFRAME_BYTES, 1);
	if (p->got != VM_OK || !p->tgt)
		return;
	if (p->rep && p->rep->u.push_sig.frame != frame)
		mfind("SIG-04", "fields", "predicted frame=0x%x, VM answered 0x%x", frame, p->rep->u.push_sig.frame);
	space_prefault(&p->tgt->as, frame, VM_SIGFRAME_BYTES, 1);
}

/* 1 when every byte of [a, e) lies in text extents of as. */
static int all_text(const struct mspace *as, uint64_t a, uint64_t e)
{
	while (a < e) {
		int i = ms_ext_at(as, (uint32_t)a);
		if (i < 0 || as->ext[i].kind != MK_TEXT)
			return 0;
		a = as->ext[i].end;
	}
	return 1;
}

/* TEXT-01 unaligned addr EFAULT, TEXT-02 zero or wrapping len EINVAL (as VM_MUNMAP),
 * TEXT-03 a byte of the page-rounded range outside the caller's text EINVAL, TEXT-04
 * OK: the range leaves the text. */
static void rule_text_01_04(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_munmap_text *q = &m->u.munmap_text;
	uint64_t len = ((uint64_t)q->len + PAGE_MASK) & ~(uint64_t)PAGE_MASK, e = (uint64_t)q->addr + len;
	int n = 0;
	(void)st;
	if (q->addr & PAGE_MASK) {
		mpred_set(p, "TEXT-01", VM_EFAULT);
		n++;
	}
	if (q->len == 0 || len > 0xFFFFF000ull || e > MS_END) {
		if (n++)
			mpred_add(p, VM_EINVAL);
		else
			mpred_set(p, "TEXT-02", VM_EINVAL);
	}
	if (n)
		return;
	if (!p->src || p->src->as.lost) {
		mpred_dont_know(p, "TEXT-03");
		return;
	}
	if (!all_text(&p->src->as, q->addr, e)) {
		mpred_set(p, "TEXT-03", VM_EINVAL);
		return;
	}
	mpred_set(p, "TEXT-04", VM_OK);
	p->need_pages = 2;
}

static void commit_text_04(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_munmap_text *q = &s->m.u.munmap_text;
	if (p->got == VM_OK && p->src)
		ms_remove(&p->src->as, q->addr, (uint64_t)q->addr + (((uint64_t)q->len + PAGE_MASK) & ~(uint64_t)PAGE_MASK));
}

const struct mcall sig_calls[] = {
	{ VM_PUSH_SIG, rule_sig_01_04, commit_sig_04 },
	{ VM_MUNMAP_TEXT, rule_text_01_04, commit_text_04 },
};
const int sig_ncalls = (int)(sizeof sig_calls / sizeof sig_calls[0]);
