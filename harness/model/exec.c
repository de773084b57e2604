/* exec.c - the model of VM_EXEC_NEWMEM (docs/model.md EXEC-*): PM names a process and
 * passes the sizes of its new image (struct vm_exec_newmem, include/vm_exec.h) in its
 * own memory; the process gets a new address space of demand-zero writable regions
 * (text at TEXT_VADDR, data + bss above it as the heap, the stack below STACK_TOP) and
 * the old one goes, or nothing changes.  Written from the protocol and the README's
 * description of the call, never from vm/. */
#include <string.h>
#include "model.h"
#include "layout.h"
#include "vm_exec.h"

/* Read the sizes at addr in ep as the kernel would (present pages only): 0, or -1
 * when a page is absent, the range wraps or the platform cannot peek. */
static int mexec_peek(endpoint_t ep, uint32_t addr, struct vm_exec_newmem *e)
{
	uint8_t b[sizeof *e];
	const struct platform *pl = mdl.x->plat;

	if (!pl->peek || addr + (uint32_t)sizeof *e < addr)
		return -1;
	for (uint32_t i = 0; i < sizeof b; i++) {
		uint32_t a = addr + i, w;
		if (pl->peek(ep, a & ~3u, &w) != 0)
			return -1;
		b[i] = (uint8_t)(w >> (8 * (a & 3)));
	}
	memcpy(e, b, sizeof b);
	return 0;
}

static uint64_t mexec_pages(uint64_t bytes)
{
	return (bytes + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
}

/* EXEC-04, EXEC-05: the sizes' verdict: EINVAL (no stack, no data + bss, arguments
 * larger than the stack), ENOMEM (text + data + stack do not fit in
 * [TEXT_VADDR, STACK_TOP)), else OK. */
static int32_t mexec_sizes(const struct vm_exec_newmem *e, const char **rule)
{
	uint64_t text = mexec_pages(e->text_bytes), data = mexec_pages((uint64_t)e->data_bytes + e->bss_bytes);
	uint64_t stack = mexec_pages(e->stack_bytes);

	*rule = "EXEC-04";
	if (e->stack_bytes == 0 || data == 0 || e->args_bytes > e->stack_bytes)
		return VM_EINVAL;
	*rule = "EXEC-05";
	if (TEXT_VADDR + text + data + stack > STACK_TOP)
		return VM_ENOMEM;
	*rule = "EXEC-06";
	return VM_OK;
}

/* EXEC-01 length, EXEC-02 target, EXEC-03 sizes readable, EXEC-04/05 sizes, EXEC-06
 * the new image.  p->u[0..4]: the sizes read; u[5] 1 when they were read; u[6] 1 when
 * VM reads the caller's buffer (it is present afterwards). */
static void rule_exec_01_06(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_exec_newmem *q = &m->u.exec_newmem;
	struct vm_exec_newmem e;
	const char *rule;
	int c, r = mep_check(q->endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (q->args_len != sizeof e) {
		mpred_set(p, "EXEC-01", VM_EINVAL);
		return;
	}
	if (r != MEP_OK) {
		mpred_ep(p, "EXEC-02", r, VM_EINVAL);
		return;
	}
	if (p->tgt->exiting) {
		mpred_set(p, "EXEC-02", VM_EINVAL);
		return;
	}
	p->need_pages = 16; /* a directory, the copy's scratch page, large page maps */
	p->u[6] = 1;
	if (mexec_peek(m->m_source, q->args, &e) != 0) {
		c = space_prefault_check(&p->src->as, q->args, sizeof e, 0);
		if (c == VM_EFAULT) {
			mpred_set(p, "EXEC-03", VM_EFAULT);
			p->u[6] = 0;
		} else {
			mpred_dont_know(p, "EXEC-03"); /* present once VM faults it in: unknown bytes */
		}
		return;
	}
	memcpy(&p->u[0], &e, sizeof e);
	p->u[5] = 1;
	c = mexec_sizes(&e, &rule);
	mpred_set(p, rule, c);
}

/* EXEC-06: the reply's flags and stack_top; the target's space is the new image. */
static void commit_exec_06(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_exec_newmem *q = &s->m.u.exec_newmem;
	struct vm_exec_newmem e;
	struct mspace *as;
	uint32_t text, data, stack;

	if (p->u[6] && p->got != VM_EFAULT && p->src)
		space_prefault(&p->src->as, q->args, sizeof e, 0);
	else if (p->u[6] && p->src)
		space_prefault_refused(&p->src->as, q->args, sizeof e, 0);
	if (p->got != VM_OK || !p->u[5] || !p->tgt)
		return;
	if (p->rep && (p->rep->u.exec_newmem.flags != VMEN_LOAD_TEXT || p->rep->u.exec_newmem.stack_top != STACK_TOP))
		mfind("EXEC-06", "fields", "predicted flags=0x%x stack_top=0x%x, VM answered 0x%x 0x%x",
		      VMEN_LOAD_TEXT, STACK_TOP, p->rep->u.exec_newmem.flags, p->rep->u.exec_newmem.stack_top);
	memcpy(&e, &p->u[0], sizeof e);
	text = (uint32_t)mexec_pages(e.text_bytes);
	data = (uint32_t)mexec_pages((uint64_t)e.data_bytes + e.bss_bytes);
	stack = (uint32_t)mexec_pages(e.stack_bytes);
	as = &p->tgt->as;
	space_clear(as);
	p->tgt->pmap = 0;
	if (text)
		ms_insert(as, TEXT_VADDR, TEXT_VADDR + text, MK_ANON, 1);
	ms_insert(as, TEXT_VADDR + text, TEXT_VADDR + text + data, MK_DATA, 1);
	as->heap_start = TEXT_VADDR + text;
	ms_insert(as, STACK_TOP - stack, STACK_TOP, MK_STACK, 1);
}

const struct mcall exec_calls[] = {
	{ VM_EXEC_NEWMEM, rule_exec_01_06, commit_exec_06 },
};
const int exec_ncalls = (int)(sizeof exec_calls / sizeof exec_calls[0]);
