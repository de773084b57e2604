/* fuzz.c - the kernel side of the fuzz image (built with KERNEL_FUZZ only).
 *
 * The guest agent replays one conversation against the real VM.  It runs outside the
 * process table; every other boot process and every forked child is held (never
 * scheduled), as in the hosted model where no process runs.  The agent's kernel
 * calls (kernel/fuzz_abi.h) hand VM forged messages, user accesses that fault into
 * VM, and control requests; VM's replies (non-blocking sends) are logged for the
 * agent instead of delivered.  A request ends when VM waits for its next message
 * again (fz_vm_idle), or when VM panics or faults.  The fault engine follows
 * harness/fault.c: hit counters start at the first record; an armed rule fails the
 * N-th hit of its site counted from the moment it was armed, once or from then on.
 * What a request did goes back in include/outcome.h's struct outcome, the one the
 * hosted platform fills, so the agent's runner and oracles read it unconverted. */
#include "kernel.h"
#include "seam.h" /* trace events */

#define fz (&k.fz)

/* The process of ep when its slot is in use with that endpoint (the hosted model's
 * kproc_live: killed processes count, SELF and tasks do not). */
static struct proc *fz_live(endpoint_t ep)
{
	int32_t s = ep_slot(ep);

	if (s < 0 || s >= NR_PROCS)
		return NULL;
	struct proc *p = &k.proc[s];
	return !(p->rts & RTS_SLOT_FREE) && p->endpt == ep ? p : NULL;
}

/* VM is blocked in a receive from ANY, so a message can be delivered now. */
static int vm_waiting(void)
{
	const struct proc *vm = k.vm;

	return (vm->rts & RTS_RECEIVING) && !(vm->rts & RTS_FZ_DEAD) && !vm->held && vm->getfrom == ANY;
}

/* Start a request of kind op whose outcome goes to the agent's out_va (and, for a
 * control request, whose answer goes to ctl_va). */
static void begin(int op, uint32_t out_va, uint32_t ctl_va)
{
	fz->busy = 1;
	fz->delivered = 0;
	fz->op = op;
	fz->out_va = out_va;
	fz->ctl_va = ctl_va;
	__builtin_memset(&fz->out, 0, sizeof(fz->out));
	__builtin_memset(&fz->ctl, 0, sizeof(fz->ctl));
	fz->out.mut_before = fz->mutations;
	fz->out.free_before = fz->free_pages;
	fz->out.life = VM_ALIVE;
	fz->out.sanity_fail = -1;
}

/* A dead VM's outcome says why it died (every request after its death too). */
static void death_into(struct outcome *o)
{
	const struct fz_death *d = &fz->dead;

	o->life = d->life;
	o->panic_line = d->panic_line;
	__builtin_memcpy(o->panic_file, d->panic_file, sizeof(o->panic_file));
	__builtin_memcpy(o->panic_why, d->panic_why, sizeof(o->panic_why));
	o->exc_vec = d->exc_vec;
	o->exc_eip = d->exc_eip;
	o->sanity_fail = d->sanity_fail;
	__builtin_memcpy(o->sanity_inv, d->sanity_inv, sizeof(o->sanity_inv));
	__builtin_memcpy(o->sanity_text, d->sanity_text, sizeof(o->sanity_text));
	__builtin_memcpy(o->sanity_obj, d->sanity_obj, sizeof(o->sanity_obj));
}

/* End the request: the outcome (and a control answer) go to the agent, which runs
 * again with rc. */
static int finish(int rc)
{
	struct proc *a = &fz->agent;

	fz->out.mut_after = fz->mutations;
	if (fz->dead.life != VM_ALIVE)
		death_into(&fz->out);
	fz->busy = 0;
	a->rts &= ~RTS_FZ_WAIT;
	if (copy_to_user(a, fz->out_va, &fz->out, sizeof(fz->out)) != VM_OK ||
	    (fz->op == KC_FZ_CTL && copy_to_user(a, fz->ctl_va, &fz->ctl, sizeof(fz->ctl)) != VM_OK))
		rc = VM_EFAULT;
	a->tf.eax = (uint32_t)rc;
	return rc;
}

static void deliver_now(void)
{
	ipc_deliver(k.vm, &fz->msg, fz->status);
	fz->delivered = 1;
}

/* The agent waits while VM handles fz->msg (delivered now, or when VM next waits). */
static int start(void)
{
	if (k.vm->rts & RTS_FZ_DEAD)
		return finish(VM_OK);
	fz->agent.rts |= RTS_FZ_WAIT;
	if (vm_waiting())
		deliver_now();
	return VM_OK; /* the agent's result comes with finish() */
}

/* ---- User accesses through VM's page tables (stubs/mmu.c semantics) ---- */
static int pf_code(int write, int present)
{
	return PFERR_USER | (write ? PFERR_WRITE : 0) | (present ? PFERR_PRESENT : 0);
}

static int level_allows(uint32_t e, int write)
{
	return (e & PTE_U) && (!write || (e & PTE_W));
}

/* Walk directory pdir for a user access: VM_OK with *phys, or a page-fault code.
 * Accessed and dirty bits are never set (the sanity checker compares PTEs). */
static int mmu_walk(uint32_t pdir, uint32_t va, int write, uint32_t *phys)
{
	uint32_t pde, pte, frame;

	if (pdir == 0 || pdir >= PHYS_MAX)
		return pf_code(write, 0);
	pde = ((const uint32_t *)pdir)[va >> 22];
	if (!(pde & PTE_P))
		return pf_code(write, 0);
	if (pde & PDE_PS) {
		frame = (pde & 0xFFC00000u) | (va & (BIG_PAGE_SIZE - 1));
		if (!level_allows(pde, write))
			return pf_code(write, 1);
	} else {
		if ((pde & PTE_ADDR_MASK) >= PHYS_MAX)
			return pf_code(write, 0);
		pte = ((const uint32_t *)(pde & PTE_ADDR_MASK))[(va >> PAGE_SHIFT) & (PTE_ENTRIES - 1)];
		if (!(pte & PTE_P))
			return pf_code(write, 0);
		if (!level_allows(pde, write) || !level_allows(pte, write))
			return pf_code(write, 1);
		frame = (pte & PTE_ADDR_MASK) | (va & PAGE_MASK);
	}
	if (frame >= PHYS_MAX)
		return pf_code(write, 0);
	*phys = frame;
	return VM_OK;
}

/* One round of the access in progress: 1 when a page fault went to VM (the access
 * resumes when VM waits again), 0 when it ended (out.rc, out.value). */
static int access_step(void)
{
	struct proc *p = fz_live(fz->acc_ep);
	uint32_t phys;
	int code;

	if (!p || (p->rts & (RTS_KILLED | RTS_NO_ADDRSPACE | RTS_PAGEFAULT))) {
		fz->out.rc = VM_EFAULT;
		return 0;
	}
	code = mmu_walk(p->cr3, fz->acc_addr, fz->acc_write, &phys);
	if (code == VM_OK) {
		if (fz->acc_write) {
			*(volatile uint32_t *)phys = fz->acc_value;
			snap_kernel_wrote(phys, 4);
		}
		else {
			fz->out.value = *(volatile const uint32_t *)phys;
		}
		fz->out.rc = VM_OK;
		return 0;
	}
	if (fz->acc_tries == FZ_RETRY_MAX) {
		fz->out.rc = VM_EFAULT;
		return 0;
	}
	fz->acc_tries++;
	p->rts |= RTS_PAGEFAULT;
	__builtin_memset(&fz->msg, 0, sizeof(fz->msg));
	fz->msg.m_source = fz->acc_ep;
	fz->msg.m_type = VM_PAGEFAULT;
	fz->msg.u.pagefault.addr = fz->acc_addr;
	fz->msg.u.pagefault.flags = (uint32_t)code;
	fz->status = IPC_FLG_MSG_FROM_KERNEL;
	fz->delivered = 0;
	if (vm_waiting())
		deliver_now();
	return 1;
}

void fz_vm_idle(void)
{
	if (!fz->busy)
		return;
	if (!fz->delivered) {
		deliver_now();
		return;
	}
	if (fz->op == KC_FZ_ACCESS && access_step())
		return;
	finish(VM_OK);
}

int fz_vm_send(struct proc *vm, endpoint_t dst, uint32_t vaddr)
{
	message m;

	if (copy_from_user(vm, vaddr, &m, sizeof(m)) != VM_OK)
		return VM_EFAULT;
	if (fz->fail_sends || !fz_live(dst)) {
		if (fz->fail_sends)
			fz->fail_sends--;
		return VM_EDEADSRCDST;
	}
	fz->out.reply[fz->out.nreplies % OUT_REPLY_MAX].dst = dst;
	fz->out.reply[fz->out.nreplies % OUT_REPLY_MAX].m = m;
	fz->out.nreplies++;
	return VM_OK;
}

/* VM is gone for good (life: VM_PANICKED or VM_CRASHED): keep why, with the sanity
 * failure VM announced before it (if any), and end the agent's request with it. */
static void vm_dies(int life)
{
	struct fz_death *d = &fz->dead;

	d->life = life;
	d->sanity_fail = fz->out.sanity_fail;
	__builtin_memcpy(d->sanity_inv, fz->out.sanity_inv, sizeof(d->sanity_inv));
	__builtin_memcpy(d->sanity_text, fz->out.sanity_text, sizeof(d->sanity_text));
	__builtin_memcpy(d->sanity_obj, fz->out.sanity_obj, sizeof(d->sanity_obj));
	k.vm->rts |= RTS_FZ_DEAD;
	if (fz->busy)
		finish(VM_OK);
}

void fz_vm_fault(const struct trapframe *tf)
{
	fz->dead.exc_vec = tf->vec;
	fz->dead.exc_eip = tf->eip;
	vm_dies(VM_CRASHED);
}

/* ---- The agent's calls ---- */

/* FZ_INPUT(buf, cap, flags*): the input module; out = its full length. */
int kc_fz_input(struct proc *caller, struct kargs *x)
{
	uint32_t n = fz->input_len < x->b ? fz->input_len : x->b;

	if (copy_to_user(caller, x->a, (const void *)fz->input, n) != VM_OK ||
	    copy_to_user(caller, x->c, &fz->input_flags, sizeof(fz->input_flags)) != VM_OK)
		return VM_EFAULT;
	x->out = fz->input_len;
	return VM_OK;
}

/* FZ_PROCS(struct fz_proc[NR_PROCS]*): every slot as the selectors see it. */
int kc_fz_procs(struct proc *caller, struct kargs *x)
{
	for (int32_t s = 0; s < NR_PROCS; s++) {
		const struct proc *p = &k.proc[s];
		struct fz_proc fp = { 0, ep_make(p->gen, s), p->gen, p->ever_used };
		if (!(p->rts & RTS_SLOT_FREE)) {
			fp.flags = FZP_INUSE | ((p->rts & RTS_PAGEFAULT) ? FZP_PAGEFAULT : 0) |
				   ((p->rts & RTS_KILLED) ? FZP_KILLED : 0) |
				   ((p->rts & RTS_NO_ADDRSPACE) ? FZP_STOPPED : 0);
			fp.endpt = p->endpt;
		}
		if (copy_to_user(caller, x->a + (uint32_t)s * sizeof(fp), &fp, sizeof(fp)) != VM_OK)
			return VM_EFAULT;
	}
	return VM_OK;
}

/* FZ_BOOTINFO(struct boot_info*): the boot description VM got (kc_bootinfo). */
int kc_fz_bootinfo(struct proc *caller, struct kargs *x)
{
	return copy_to_user(caller, x->a, &k.bi, sizeof(k.bi));
}

/* FZ_PEEK(ep, addr): out = the word at ep's addr as the kernel reads it for a copy,
 * only when present to a user read (the hosted platform's peek: nothing faults in). */
int kc_fz_peek(struct proc *caller, struct kargs *x)
{
	const struct proc *p = fz_live((endpoint_t)x->a);
	uint32_t phys;

	(void)caller;
	if (!p)
		return VM_ESRCH;
	if ((x->b & 3) || mmu_walk(p->cr3, x->b, 0, &phys) != VM_OK)
		return VM_EFAULT;
	x->out = *(volatile const uint32_t *)phys;
	return VM_OK;
}

/* FZ_FAULT(op, site, nth, mode): reset and start counting, arm a rule, fail sends. */
int kc_fz_fault(struct proc *caller, struct kargs *x)
{
	(void)caller;
	switch (x->a) {
	case FZF_RESET:
		__builtin_memset(fz->hits, 0, sizeof(fz->hits));
		fz->nrules = 0;
		fz->counting = 1;
		fz->fail_sends = 0;
		return VM_OK;
	case FZF_ARM:
		if (x->b >= FS_COUNT)
			return VM_EINVAL;
		if (fz->nrules == FZ_FAULT_RULES) /* as the hosted engine: a full table drops it */
			return VM_OK;
		fz->rule[fz->nrules].site = x->b;
		fz->rule[fz->nrules].nth = x->c;
		fz->rule[fz->nrules].mode = x->d;
		fz->rule[fz->nrules].base = fz->hits[x->b];
		fz->nrules++;
		return VM_OK;
	case FZF_FAILSENDS:
		fz->fail_sends = x->c;
		return VM_OK;
	default:
		return VM_EINVAL;
	}
}

/* FZ_MSG(message*, FZM_* flags, struct outcome*): a forged message for VM. */
int kc_fz_msg(struct proc *caller, struct kargs *x)
{
	message m;

	if (fz->busy)
		return VM_EBUSY;
	if (copy_from_user(caller, x->a, &m, sizeof(m)) != VM_OK)
		return VM_EFAULT;
	begin(KC_FZ_MSG, x->c, 0);
	fz->msg = m;
	fz->status = ((x->b & FZM_FROM_KERNEL) ? IPC_FLG_MSG_FROM_KERNEL : 0) |
		     ((x->b & FZM_NOTIFY) ? IPC_FLG_NOTIFY : 0);
	if (x->b & FZM_MARK_PF) {
		struct proc *p = fz_live(m.m_source);
		if (p && p != k.vm) /* the kernel blocks the faulter */
			p->rts |= RTS_PAGEFAULT;
	}
	return start();
}

/* FZ_ACCESS(ep, addr, write, value, struct outcome*): a 32-bit user access of ep. */
int kc_fz_access(struct proc *caller, struct kargs *x)
{
	(void)caller;
	if (fz->busy)
		return VM_EBUSY;
	begin(KC_FZ_ACCESS, x->e, 0);
	fz->acc_ep = (endpoint_t)x->a;
	fz->acc_addr = x->b;
	fz->acc_write = x->c != 0;
	fz->acc_value = x->d;
	fz->acc_tries = 0;
	if ((x->b & 3) || ep_slot((endpoint_t)x->a) == VM_PROC_NR) {
		fz->out.rc = VM_EINVAL;
		return finish(VM_OK);
	}
	if (!fz_live((endpoint_t)x->a)) {
		fz->out.rc = VM_ESRCH;
		return finish(VM_OK);
	}
	if (k.vm->rts & RTS_FZ_DEAD || !access_step())
		return finish(VM_OK);
	fz->agent.rts |= RTS_FZ_WAIT;
	return VM_OK;
}

/* FZ_CTL(op, arg, struct outcome*, struct fz_ctl*): a control request for VM's fuzz
 * seam; its answer goes to the fz_ctl. */
int kc_fz_ctl(struct proc *caller, struct kargs *x)
{
	(void)caller;
	if (fz->busy)
		return VM_EBUSY;
	begin(KC_FZ_CTL, x->c, x->d);
	__builtin_memset(&fz->msg, 0, sizeof(fz->msg));
	fz->msg.m_source = KERNEL;
	fz->msg.m_type = FZ_CTL_TYPE;
	fz->msg.u.word[0] = x->a;
	fz->msg.u.word[1] = x->b;
	fz->status = IPC_FLG_FZ_CTL;
	return start();
}

/* ---- VM's fuzz seam ---- */

/* Copy the NUL-terminated string at va in p into buf (cut to fit). */
static void copy_str(const struct proc *p, uint32_t va, char *buf, uint32_t len)
{
	uint32_t i = 0;

	for (; i + 1 < len; i++)
		if (copy_from_user(p, va + i, &buf[i], 1) != VM_OK || buf[i] == '\0')
			break;
	buf[i] = '\0';
}


/* FZ_HIT(site): out = 1 when this hit of site must fail. */
int kc_fz_hit(struct proc *caller, struct kargs *x)
{
	(void)caller;
	x->out = 0;
	if (!fz->counting || x->a >= FS_COUNT)
		return VM_OK;
	uint32_t hit = ++fz->hits[x->a];
	for (uint32_t i = 0; i < fz->nrules; i++) {
		if (fz->rule[i].site != x->a)
			continue;
		uint32_t nth = hit - fz->rule[i].base;
		if (nth == fz->rule[i].nth || (fz->rule[i].mode == 1 && nth > fz->rule[i].nth)) {
			x->out = 1;
			fz->out.injected++;
			break;
		}
	}
	return VM_OK;
}

/* FZ_TRACE(ev, a, b, name, text): one trace event of the request in progress; a
 * sanity failure also names its invariant and statement, and its b is the kind of
 * object it failed on (include/seam.h SOBJ_*, named here). */
int kc_fz_trace(struct proc *caller, struct kargs *x)
{
	if (x->a == TR_SANITY_FAIL) {
		const char *obj = sanity_obj_name((int32_t)x->c);
		uint32_t i = 0;

		fz->out.sanity_fail = (int32_t)x->b;
		copy_str(caller, x->d, fz->out.sanity_inv, sizeof(fz->out.sanity_inv));
		copy_str(caller, x->e, fz->out.sanity_text, sizeof(fz->out.sanity_text));
		for (; obj[i] && i + 1 < sizeof(fz->out.sanity_obj); i++)
			fz->out.sanity_obj[i] = obj[i];
		fz->out.sanity_obj[i] = '\0';
	}
	if (fz->out.nev == OUT_EV_MAX) {
		fz->out.ev_lost++;
		return VM_OK;
	}
	fz->out.ev[fz->out.nev].ev = (int32_t)x->a;
	fz->out.ev[fz->out.nev].a = (int32_t)x->b;
	fz->out.ev[fz->out.nev].b = (int32_t)x->c;
	fz->out.nev++;
	return VM_OK;
}

/* FZ_PANIC(file, line, why): VM panicked; it never runs again. */
int kc_fz_panic(struct proc *caller, struct kargs *x)
{
	copy_str(caller, x->a, fz->dead.panic_file, sizeof(fz->dead.panic_file));
	fz->dead.panic_line = (int32_t)x->b;
	copy_str(caller, x->c, fz->dead.panic_why, sizeof(fz->dead.panic_why));
	vm_dies(VM_PANICKED);
	return VM_OK;
}

/* FZ_IDLE(mutations, free): VM is about to wait for its next message. */
int kc_fz_idle(struct proc *caller, struct kargs *x)
{
	(void)caller;
	fz->mutations = x->a;
	fz->free_pages = x->b;
	return VM_OK;
}

/* FZ_CTLDONE(struct fz_ctl*): the answer to the control request. */
int kc_fz_ctldone(struct proc *caller, struct kargs *x)
{
	return copy_from_user(caller, x->a, &fz->ctl, sizeof(fz->ctl));
}
