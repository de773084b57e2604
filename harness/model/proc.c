/* proc.c - the model's processes: boot, endpoint validation, the main loop's common
 * rules (forged sources, notifications, unknown types, the ACL) and the lifecycle and
 * RS calls (EXIT, WILLEXIT, FORK, RS_SET_PRIV, PROCCTL, GETRUSAGE, INFO STATS and
 * USAGE, RS_MEMCTL, RS_PREPARE, RS_UPDATE).  Written from the protocol and the
 * documented deviations (docs/model.md gives each rule's source), never from vm/. */
#include <string.h>
#include "model.h"
#include "boot_table.h"
#include "vm_info.h"

#define ALL_BITS (~(vm_callmask_t)0)

static const struct platform *plat(void)
{
	return mdl.x->plat;
}

/* ---- Endpoints ---- */
struct mproc *mproc_of(endpoint_t ep)
{
	int32_t s = ep_slot(ep);
	if (s < 0 || s >= NR_PROCS || !mslot_live(s) || mdl.proc[s].endpt != ep)
		return NULL;
	return &mdl.proc[s];
}

struct mproc *mslot_new(int32_t s)
{
	struct mproc *p = &mdl.proc[s];
	memset(p, 0, sizeof *p);
	mdl.used_mask[s / 32] |= 1u << (s % 32);
	return p;
}

int mep_check(endpoint_t ep, endpoint_t caller, int self_ok, struct mproc **pp)
{
	struct mproc *t;
	if (ep == SELF && self_ok)
		ep = caller;
	t = mproc_of(ep);
	*pp = t;
	if (!t)
		return MEP_BAD;
	return t->is_vm ? MEP_VM : MEP_OK;
}

void mpred_ep(struct mpred *p, const char *rule, int mep, int32_t bad)
{
	if (mep == MEP_VM) {
		mpred_set(p, "EP-02", bad);
		mpred_add(p, VM_EPERM);
	} else {
		mpred_set(p, rule, bad);
	}
}

int macl_allows(const struct mproc *p, int num)
{
	vm_callmask_t bit, mask, known;
	if (num < 0 || num >= 64 || p->is_vm || p->acl == MACL_NONE)
		return 0;
	bit = VM_CALL_BIT(num);
	mask = p->acl == MACL_USER ? mdl.user_mask : p->mask;
	known = p->acl == MACL_USER ? mdl.user_known : p->known;
	if (!(known & bit))
		return -1;
	return (mask & bit) != 0;
}

/* Read n bytes of ep's memory at addr as the kernel would (present pages only);
 * 0 on success, -1 when a page is absent, wraps, or the platform cannot peek. */
static int peek_bytes(endpoint_t ep, uint32_t addr, uint8_t *out, uint32_t n)
{
	if (!plat()->peek || addr + n < addr)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = addr + i, w;
		if (plat()->peek(ep, a & ~3u, &w) != 0)
			return -1;
		out[i] = (uint8_t)(w >> (8 * (a & 3)));
	}
	return 0;
}

/* ---- Boot (ACL-02, ACL-05) ---- */
/* The powers of boot identity slot (generation 0): RS and VFS act for others, VFS
 * handles memory, PM reads usage. */
static uint32_t rule_acl_05_boot_priv(int32_t slot)
{
	switch (slot) {
	case PM_PROC_NR: return MPRIV_RUSAGE;
	case VFS_PROC_NR: return MPRIV_EXEC | MPRIV_CLEAR | MPRIV_HANDLEMEM;
	case RS_PROC_NR: return MPRIV_EXEC | MPRIV_CLEAR;
	default: return 0;
	}
}

/* Make slot a boot process with mask and kind is_sys (ACL-02): system services
 * have their own mask, user processes share one (the first user's mask; bits on which
 * two users' boot masks differ are unknown). */
static struct mproc *boot_proc(int32_t slot, endpoint_t ep, int is_sys, vm_callmask_t mask, int *nuser)
{
	struct mproc *p = mslot_new(slot);
	p->live = 1;
	p->endpt = ep;
	p->priv = ep_generation(ep) == 0 ? rule_acl_05_boot_priv(slot) : 0;
	if (is_sys) {
		p->acl = MACL_SYS;
		p->mask = mask;
		p->known = ALL_BITS;
	} else {
		p->acl = MACL_USER;
		if ((*nuser)++ == 0) {
			mdl.user_mask = mask;
			mdl.user_known = ALL_BITS;
		} else {
			mdl.user_known &= ~(mdl.user_mask ^ mask);
		}
	}
	return p;
}

static void boot_vm(endpoint_t ep)
{
	int32_t s = ep_slot(ep);
	struct mproc *p;
	if (s < 0 || s >= NR_PROCS)
		return;
	p = mslot_new(s);
	p->live = 1;
	p->endpt = ep;
	p->is_vm = 1;
	mdl.vm_endpt = ep;
}

struct boot_row {
	int32_t slot;
	int is_sys;
	vm_callmask_t mask;
};
#define BOOT_ROW(slot, name, is_sys, mask, text, data) { slot, is_sys, mask },
static const struct boot_row boot_rows[] = { BOOT_PROCS(BOOT_ROW) BOOT_PROCS_FUZZ(BOOT_ROW) };
#undef BOOT_ROW

/* Without a boot description: the live slots of the platform's table, masks from
 * include/boot_table.h, address spaces unknown. */
static int boot_from_table(void)
{
	const struct sel_table *t = plat()->procs;
	int nuser = 0, n = 0;
	for (int32_t s = 0; s < NR_PROCS; s++) {
		if (!t->live(s))
			continue;
		if (s == VM_PROC_NR) {
			boot_vm(t->endpt(s));
			continue;
		}
		struct mproc *p = NULL;
		for (uint32_t i = 0; i < sizeof boot_rows / sizeof boot_rows[0]; i++)
			if (boot_rows[i].slot == s)
				p = boot_proc(s, t->endpt(s), boot_rows[i].is_sys, boot_rows[i].mask, &nuser);
		if (!p) {
			p = boot_proc(s, t->endpt(s), 1, 0, &nuser);
			p->known = 0;
		}
		space_forget(&p->as);
		n++;
	}
	return n > 0;
}

int proc_begin(const struct run_ctx *x)
{
	const struct boot_info *bi = x->plat->bootinfo ? x->plat->bootinfo() : NULL;
	int nuser = 0;
	if (!bi || bi->nprocs == 0 || bi->nprocs > BOOT_MAX_PROCS)
		return boot_from_table();
	boot_vm(bi->vm_endpt);
	for (uint32_t i = 0; i < bi->nprocs; i++) {
		const struct boot_proc *bp = &bi->proc[i];
		if (bp->slot < 0 || bp->slot >= NR_PROCS)
			continue;
		struct mproc *p = boot_proc(bp->slot, bp->endpt, bp->is_sys, bp->mask, &nuser);
		space_boot(&p->as, bp);
	}
	/* A live process the description does not name: known to exist, nothing else. */
	for (int32_t s = 0; s < NR_PROCS; s++)
		if (x->plat->procs->live(s) && !mslot_live(s)) {
			struct mproc *p = boot_proc(s, x->plat->procs->endpt(s), 1, 0, &nuser);
			p->known = 0;
			space_forget(&p->as);
		}
	return 1;
}

/* ---- The common rules (main loop) ---- */
/* Is message type t a call of the table that vm/ serves (a handler in VM_CALLS)? */
#define SERVED_ROW(num, NAME, name, handler) { VM_RQ_BASE + (num), #handler },
static const struct { int32_t type; const char *handler; } served_rows[] = { VM_CALLS(SERVED_ROW) };
#undef SERVED_ROW

static int rule_proc_07_served(int32_t type)
{
	for (uint32_t i = 0; i < sizeof served_rows / sizeof served_rows[0]; i++)
		if (served_rows[i].type == type)
			return served_rows[i].handler[0] != '0';
	return 0;
}

int proc_precheck(const message *m, uint32_t status, struct mpred *p)
{
	int idx, acl;
	p->src = mproc_of(m->m_source);
	if (status & IPC_FLG_NOTIFY) { /* PROC-01: notifications are ignored */
		mpred_set(p, "PROC-01", VM_SUSPEND);
		return 1;
	}
	if (!p->src) { /* PROC-02: a source that is not a live endpoint is dropped */
		mpred_set(p, "PROC-02", VM_SUSPEND);
		return 1;
	}
	if (m->m_type == VM_PAGEFAULT) {
		if (!(status & IPC_FLG_MSG_FROM_KERNEL)) { /* PROC-03: a forged page fault */
			mpred_set(p, "PROC-03", VM_SUSPEND);
			return 1;
		}
		mpred_set(p, "PROC-04", VM_SUSPEND); /* never answered; the space row judges */
		return p->src->is_vm;
	}
	if (p->src->is_vm) { /* PROC-05: VM does not serve itself */
		mpred_set(p, "PROC-05", VM_EPERM);
		return 1;
	}
	idx = call_by_type(m->m_type);
	if (idx < 0) { /* PROC-06: not a call of the table: ENOSYS before the ACL */
		mpred_set(p, "PROC-06", VM_ENOSYS);
		return 1;
	}
	acl = macl_allows(p->src, call_table[idx].num);
	if (acl == 0) { /* ACL-01 */
		mpred_set(p, "ACL-01", VM_ECALLDENIED);
		p->deny = MDENY_YES;
		return 1;
	}
	p->acl_unknown = acl < 0;
	if (!rule_proc_07_served(m->m_type)) { /* PROC-07: no handler, after the ACL */
		mpred_set(p, "PROC-07", VM_ENOSYS);
		return 1;
	}
	return 0;
}

void proc_learn_acl(const struct msg_seen *s, const struct mpred *p)
{
	int idx = call_by_type(s->m.m_type);
	struct mproc *src = p->src;
	if (!p->acl_unknown || !src || idx < 0)
		return;
	vm_callmask_t bit = VM_CALL_BIT(call_table[idx].num);
	int denied = s->code == VM_ECALLDENIED && out_events(s->o, TR_ACL_DENY, s->m.m_source) > 0;
	mdl.st.unknown_acl++;
	if (src->acl == MACL_USER) {
		mdl.user_known |= bit;
		mdl.user_mask = denied ? mdl.user_mask & ~bit : mdl.user_mask | bit;
	} else if (src->acl == MACL_SYS) {
		src->known |= bit;
		src->mask = denied ? src->mask & ~bit : src->mask | bit;
	}
}

void proc_note_unmap(struct mproc *t, uint32_t addr, uint32_t len)
{
	if (!t || t->pmap != 1)
		return;
	uint32_t end = addr + (len ? len : 1);
	if (end < addr || (addr < t->pmap_addr + t->pmap_len && end > t->pmap_addr))
		t->pmap = 2;
}

/* ---- Helpers for the rules below ---- */
/* Kernel-side check that p's process is live at its endpoint (after a fork or an
 * update); reports under rule when not. */
static void check_kernel_live(const char *rule, endpoint_t ep, int want)
{
	int live = (plat()->proc_flags(ep) & PF_LIVE) != 0;
	if (live != want)
		mfind(rule, "kernel", "after the call the kernel's table has endpoint %d %s; the protocol %s", ep,
		      live ? "live" : "not live", want ? "makes it live" : "frees its slot");
}

/* A buffer check: the prefault answer of the space half as a prediction. */
static void pred_buffer(struct mpred *p, const char *rule, const struct mspace *as, uint32_t addr, uint32_t len,
			int write)
{
	int c = space_prefault_check(as, addr, len, write);
	if (c == MS_UNKNOWN)
		mpred_dont_know(p, rule);
	else
		mpred_set(p, rule, c);
}

/* ---- EXIT, WILLEXIT ---- */
/* EXIT-01: VM_WILLEXIT of a valid endpoint announces the exit (idempotent). */
static void rule_exit_01_willexit(const message *m, uint32_t st, struct mpred *p)
{
	int r = mep_check(m->u.willexit.endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK)
		mpred_ep(p, "EXIT-01", r, VM_EINVAL);
	else
		mpred_set(p, "EXIT-01", VM_OK);
}

static void commit_exit_01(const struct msg_seen *s, const struct mpred *p)
{
	(void)s;
	if (p->got == VM_OK)
		p->tgt->exiting = 1;
}

/* EXIT-02: VM_EXIT needs a valid endpoint whose exit was announced; EXIT-03: then
 * the process is gone. */
static void rule_exit_02_exit(const message *m, uint32_t st, struct mpred *p)
{
	int r = mep_check(m->u.exit.endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK)
		mpred_ep(p, "EXIT-02", r, VM_EINVAL);
	else if (!p->tgt->exiting)
		mpred_set(p, "EXIT-02", VM_EINVAL);
	else
		mpred_set(p, "EXIT-03", VM_OK);
	if (r == MEP_OK && (p->tgt->priv & MPRIV_HANDLEMEM))
		p->others_ok = 1; /* VFS-10: the processes waiting for VFS are answered */
}

/* EXIT-03: the exited process leaves VM and the kernel; its memory, mask and powers
 * go with it (ACL-06). */
static void commit_exit_03(const struct msg_seen *s, const struct mpred *p)
{
	struct mproc *t = p->tgt;
	(void)s;
	if (p->got != VM_OK)
		return;
	check_kernel_live("EXIT-03", t->endpt, 0);
	if (t->priv & MPRIV_HANDLEMEM)
		mvfs_server_exits(s);
	else
		mvfs_requester_exits(t->endpt); /* VFS-11: its waits end with it, never answered */
	memset(t, 0, sizeof *t);
}

/* ---- FORK ---- */
/* FORK-01 parent, FORK-02 child slot, FORK-03 the child's endpoint: the slot's next
 * generation as the kernel's table shows it. */
static void rule_fork_01_03(const message *m, uint32_t st, struct mpred *p)
{
	int32_t slot = m->u.fork.slot;
	int r = mep_check(m->u.fork.parent, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK) {
		mpred_ep(p, "FORK-01", r, VM_EINVAL);
		return;
	}
	if (mdma_held(p->tgt->endpt)) { /* DMA-09: a DMA holder may not fork */
		mpred_set(p, "DMA-09", VM_EINVAL);
		return;
	}
	if (slot < 0 || slot >= NR_PROCS) {
		mpred_set(p, "FORK-02", VM_EINVAL);
		return;
	}
	if (mslot_live(slot)) {
		mpred_set(p, "FORK-02", VM_EBUSY);
		return;
	}
	if (plat()->procs->live(slot)) { /* the kernel holds a slot VM does not know */
		mpred_dont_know(p, "FORK-02");
		return;
	}
	/* MEM-01: VM builds the child before the kernel is asked: a copy of every region
	 * of the parent (page maps, a reference per held page, page tables); never less
	 * than the 128 pages a campaign found a small parent may take */
	p->need_pages = mcost_copy(&p->tgt->as);
	if (p->need_pages < 128)
		p->need_pages = 128;
	if (plat()->proc_flags(p->tgt->endpt) & PF_KILLED) { /* the kernel will not copy it */
		/* VM still builds the copy first, of memory the model stopped following at
		 * the kill (PF-02: the faults VM serves since are not judged): every page of
		 * every extent may be present */
		uint32_t all = mcost_copy_all_held(&p->tgt->as);
		if (all > p->need_pages)
			p->need_pages = all;
		mpred_set(p, "FORK-01", VM_EINVAL);
		return;
	}
	mpred_set(p, "FORK-03", VM_OK);
	p->u[0] = (uint32_t)ep_make(plat()->procs->generation(slot) + 1, slot);
	p->u[1] = (uint32_t)slot;
	p->u[2] = 1; /* a child was due */
}

/* FORK-04: the child: not exiting, no powers (ACL-05), the shared mask when the
 * parent is a user process, no mask when it is a system service (ACL-04), a
 * copy-on-write copy of the parent's memory. */
static void rule_fork_04_child(struct mproc *par, int32_t slot, endpoint_t ep)
{
	struct mproc *c = mslot_new(slot);
	c->live = 1;
	c->endpt = ep;
	c->acl = par->acl == MACL_USER ? MACL_USER : MACL_NONE;
	c->pmap = par->pmap ? 2 : 0;
	space_copy(&c->as, &par->as);
}

static void commit_fork(const struct msg_seen *s, const struct mpred *p)
{
	endpoint_t child = (endpoint_t)p->u[0];
	(void)s;
	if (p->got != VM_OK) { /* FORK-05: a failed fork leaves no child */
		if (p->u[2] && plat()->procs->live((int32_t)p->u[1]))
			mfind("FORK-05", "leftover", "VM_FORK answered %d but the kernel's slot %u is live",
			      p->got, p->u[1]);
		return;
	}
	if (p->rep && p->rep->u.fork.child != child)
		mfind("FORK-03", "child", "predicted child endpoint %d (0x%x), VM answered %d (0x%x)", child,
		      (uint32_t)child, p->rep->u.fork.child, (uint32_t)p->rep->u.fork.child);
	check_kernel_live("FORK-03", child, 1);
	rule_fork_04_child(p->tgt, (int32_t)p->u[1], child);
}

/* ---- RS_SET_PRIV ---- */
/* The system ACL entries held: one per live process with a mask of its own. */
static uint32_t sys_entries_held(void)
{
	uint32_t n = 0;
	for (int32_t s = 0; s < NR_PROCS; s++)
		n += mslot_live(s) && mdl.proc[s].acl == MACL_SYS; /* a slot unused in this run holds a former run's entry */
	return n;
}

/* RSP-01..04: a valid target; no buffer: sys is refused, a user keeps the shared mask;
 * a buffer: VM reads the 64-bit mask from the caller's memory there. */
static void rule_rsp_01_04(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_rs_set_priv *q = &m->u.rs_set_priv;
	uint8_t b[8];
	int r = mep_check(q->endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK) {
		mpred_ep(p, "RSP-01", r, VM_EINVAL);
		return;
	}
	if (q->buf == 0) {
		mpred_set(p, q->sys ? "RSP-02" : "RSP-03", q->sys ? VM_EINVAL : VM_OK);
		return;
	}
	p->need_pages = 2;
	if (q->sys && p->tgt->acl != MACL_SYS && sys_entries_held() >= NR_SYS_PROCS - 1) {
		mpred_set(p, "RSP-06", VM_ENOMEM); /* every system entry held by another process */
		return;
	}
	if (peek_bytes(m->m_source, q->buf, b, 8) == 0) { /* present: VM reads these bytes */
		mpred_set(p, "RSP-04", VM_OK);
		memcpy(&p->u[0], b, 8);
		p->u[2] = 1;
		return;
	}
	int c = space_prefault_check(&p->src->as, q->buf, 8, 0);
	mpred_set(p, "RSP-04", c == VM_EFAULT ? VM_EFAULT : VM_OK);
	if (c == MS_UNKNOWN)
		mpred_add(p, VM_EFAULT);
}

/* RSP-05: install the mask: a system target gets its own, a user target joins the
 * shared mask (which a buffer replaces for every user process, ACL-03).  A mask the
 * model could not read is unknown (ACL-08). */
static void commit_rsp(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_rs_set_priv *q = &s->m.u.rs_set_priv;
	struct mproc *t = p->tgt;
	vm_callmask_t v = 0, known = ALL_BITS;
	uint8_t b[8];
	if (p->got == VM_EFAULT && q->buf)
		space_prefault_refused(&p->src->as, q->buf, 8, 0);
	if (p->got != VM_OK)
		return;
	if (q->buf && p->u[2])
		memcpy(&v, &p->u[0], 8);
	else if (q->buf && peek_bytes(s->m.m_source, q->buf, b, 8) == 0)
		memcpy(&v, b, 8);
	else if (q->buf)
		known = 0;
	if (q->buf && !p->u[2])
		space_prefault(&p->src->as, q->buf, 8, 0);
	if (q->sys) {
		t->acl = MACL_SYS;
		t->mask = v;
		t->known = known;
		return;
	}
	t->acl = MACL_USER;
	if (q->buf) {
		mdl.user_mask = v;
		mdl.user_known = known;
	}
}

/* ---- PROCCTL ---- */
/* PCTL-01 param, PCTL-02 the caller's power (CLEAR: RS or VFS, HANDLEMEM: VFS),
 * PCTL-03 the target, then PCTL-04 CLEAR or PCTL-05 HANDLEMEM. */
static void rule_pctl_01_05(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_procctl *q = &m->u.procctl;
	uint32_t need;
	int r;
	(void)st;
	if (q->param != VMPPARAM_CLEAR && q->param != VMPPARAM_HANDLEMEM) {
		mpred_set(p, "PCTL-01", VM_EINVAL);
		return;
	}
	need = q->param == VMPPARAM_CLEAR ? MPRIV_CLEAR : MPRIV_HANDLEMEM;
	r = mep_check(q->who, m->m_source, 0, &p->tgt);
	if (!(p->src->priv & need)) {
		mpred_deny(p, "PCTL-02");
		if (r != MEP_OK) { /* either check may come first */
			mpred_add(p, VM_EINVAL);
			p->deny = MDENY_ANY;
		}
		return;
	}
	if (r != MEP_OK) {
		mpred_ep(p, "PCTL-03", r, VM_EINVAL);
		return;
	}
	if (q->param == VMPPARAM_CLEAR) {
		mpred_set(p, "PCTL-04", VM_OK);
		p->need_pages = 2;
		return;
	}
	pred_buffer(p, "PCTL-05", &p->tgt->as, q->m1, q->len, q->flags != 0);
	p->need_pages = (q->len >> PAGE_SHIFT) + 2;
}

static void commit_pctl(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_procctl *q = &s->m.u.procctl;
	if (p->got == VM_EFAULT && q->param == VMPPARAM_HANDLEMEM && p->tgt)
		space_prefault_refused(&p->tgt->as, q->m1, q->len, q->flags != 0);
	if (p->got != VM_OK)
		return;
	if (q->param == VMPPARAM_CLEAR) {
		space_clear(&p->tgt->as);
		p->tgt->pmap = 0;
	} else {
		space_prefault(&p->tgt->as, q->m1, q->len, q->flags != 0);
	}
}

/* ---- GETRUSAGE ---- */
/* RUS-01 only PM acts (anyone else: EPERM), RUS-02 the target (ESRCH), RUS-03 the
 * result (struct vm_rusage_info) goes to PM's buffer at addr. */
static void rule_rus_01_03(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_getrusage *q = &m->u.getrusage;
	int r;
	(void)st;
	if (!(p->src->priv & MPRIV_RUSAGE)) {
		mpred_deny(p, "RUS-01");
		return;
	}
	r = mep_check(q->endpt, m->m_source, 0, &p->tgt);
	if (r != MEP_OK) {
		mpred_ep(p, "RUS-02", r, VM_ESRCH);
		return;
	}
	pred_buffer(p, "RUS-03", &p->src->as, q->addr, sizeof(struct vm_rusage_info), 1);
	p->need_pages = 2;
}

static void commit_rus(const struct msg_seen *s, const struct mpred *p)
{
	uint32_t a = s->m.u.getrusage.addr, n = sizeof(struct vm_rusage_info);
	if (p->got == VM_EFAULT)
		space_prefault_refused(&p->src->as, a, n, 1);
	if (p->got != VM_OK)
		return;
	space_prefault(&p->src->as, a, n, 1);
	space_clobber(&p->src->as, a, n);
}

/* ---- INFO (STATS, USAGE; REGION belongs to the space half) ---- */
static const struct mcall *space_row(int32_t type)
{
	for (int i = 0; i < space_ncalls; i++)
		if (space_calls[i].type == type)
			return &space_calls[i];
	return NULL;
}

/* INFO-03: the target of USAGE: SELF is the caller, a kernel task is the kernel
 * (OK), another negative value names no task ({OK, EINVAL}), VM itself may be refused.
 * Returns 1 when the endpoint passes (the buffer decides next). */
static int rule_info_03_usage_target(const message *m, struct mpred *p)
{
	endpoint_t ep = m->u.info.endpt;
	int r;
	if (ep < 0) {
		mpred_set(p, "INFO-03", VM_OK);
		if (ep < -NR_TASKS)
			mpred_add(p, VM_EINVAL);
		return 1;
	}
	r = mep_check(ep, m->m_source, 1, &p->tgt);
	if (r == MEP_OK)
		return 1;
	mpred_ep(p, "INFO-03", r, VM_EINVAL);
	if (r == MEP_VM)
		mpred_add(p, VM_OK);
	return r == MEP_VM;
}

/* INFO-01 what, INFO-02/03 the target, INFO-04 the caller's buffer: VM makes it
 * present and writes the structure there (EFAULT when it cannot). */
static void rule_info_01_04(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_info *q = &m->u.info;
	const struct mcall *row;
	uint32_t len;
	if (q->what == VMIW_REGION) {
		row = space_row(VM_INFO);
		if (row && row->predict)
			row->predict(m, st, p);
		else
			mpred_dont_know(p, "INFO-05");
		return;
	}
	if (q->what != VMIW_STATS && q->what != VMIW_USAGE) {
		mpred_set(p, "INFO-01", VM_EINVAL);
		return;
	}
	len = q->what == VMIW_STATS ? sizeof(struct vm_stats_info) : sizeof(struct vm_usage_info);
	mpred_set(p, q->what == VMIW_STATS ? "INFO-02" : "INFO-03", VM_OK);
	if (q->what == VMIW_USAGE && !rule_info_03_usage_target(m, p))
		return;
	int c = space_prefault_check(&p->src->as, q->ptr, len, 1);
	if (c == MS_UNKNOWN) {
		mpred_dont_know(p, "INFO-04");
		return;
	}
	if (c != VM_OK) { /* the buffer refuses whatever the endpoint allowed */
		for (int i = 0; i < p->ncode; i++)
			if (p->code[i] == VM_OK)
				p->code[i] = c;
		p->rule = "INFO-04";
	}
	p->need_pages = 2;
}

static void commit_info(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_info *q = &s->m.u.info;
	const struct mcall *row;
	uint32_t len, v;
	if (q->what == VMIW_REGION) {
		row = space_row(VM_INFO);
		if (row && row->commit)
			row->commit(s, p);
		return;
	}
	len = q->what == VMIW_STATS ? sizeof(struct vm_stats_info) : sizeof(struct vm_usage_info);
	if (p->got == VM_EFAULT && (q->what == VMIW_STATS || q->what == VMIW_USAGE))
		space_prefault_refused(&p->src->as, q->ptr, len, 1);
	if (p->got != VM_OK)
		return;
	if (p->rep && (p->rep->u.info.count != q->count || p->rep->u.info.next != q->next))
		mfind("INFO-04", "echo", "VM_INFO what=%d changed count/next: %d/0x%x -> %d/0x%x", q->what, q->count,
		      q->next, p->rep->u.info.count, p->rep->u.info.next);
	if (q->what == VMIW_STATS && !(q->ptr & 3) && plat()->peek &&
	    plat()->peek(s->m.m_source, q->ptr, &v) == 0 && v != PAGE_SIZE)
		mfind("INFO-02", "pagesize", "VM_INFO STATS wrote pagesize %u, the protocol's page is %u", v, PAGE_SIZE);
	space_prefault(&p->src->as, q->ptr, len, 1);
	space_clobber(&p->src->as, q->ptr, len);
}

/* ---- RS_MEMCTL ---- */
#define LEN_SIGNED_MAX 0x7fffffffu

/* MEMCTL-04/05: a length that is not positive as a signed int is refused (EINVAL;
 * ENOMEM too for a huge one, VM may try first); 1 when it decided the prediction. */
static int rule_memctl_len_bad(struct mpred *p, const char *rule, uint32_t len)
{
	if (len != 0 && len <= LEN_SIGNED_MAX)
		return 0;
	mpred_set(p, rule, VM_EINVAL);
	if (len)
		mpred_add(p, VM_ENOMEM);
	return 1;
}

/* MEMCTL-04 HEAP_PREALLOC: a positive length; the heap grows preallocated. */
static void rule_memctl_04_heap(const message *m, struct mpred *p)
{
	uint32_t len = m->u.rs_memctl.len;
	if (rule_memctl_len_bad(p, "MEMCTL-04", len))
		return;
	int c = space_heap_prealloc_check(&p->tgt->as, len);
	if (c == MS_UNKNOWN)
		mpred_dont_know(p, "MEMCTL-04");
	else
		mpred_set(p, "MEMCTL-04", c);
	p->need_pages = 4 + 2 * mcost_new_region(USER_TOP - USER_BASE, 0) + mcost_new_region(len, 1); /* MEM-01 */
}

/* MEMCTL-05 MAP_PREALLOC: a positive length, at most one preallocated map
 * (EEXIST), a preallocated region placed by VM. */
static void rule_memctl_05_map(const message *m, struct mpred *p)
{
	uint32_t len = m->u.rs_memctl.len;
	if (rule_memctl_len_bad(p, "MEMCTL-05", len)) {
		if (p->tgt->pmap)
			mpred_add(p, VM_EEXIST);
		return;
	}
	if (p->tgt->pmap == 1) {
		mpred_set(p, "MEMCTL-05", VM_EEXIST);
		return;
	}
	int c = space_map_prealloc_check(&p->tgt->as, len);
	if (c == MS_UNKNOWN || p->tgt->pmap == 2) {
		mpred_dont_know(p, "MEMCTL-05");
		return;
	}
	mpred_set(p, "MEMCTL-05", c);
	p->need_pages = 4 + mcost_new_region(len, 1); /* MEM-01 */
}

/* MEMCTL-01 the target, then the request: MEMCTL-02 PIN, -03 MAKE_VM, -04, -05,
 * -06 GET_PREALLOC_MAP, -07 anything else. */
static void rule_memctl_01_07(const message *m, uint32_t st, struct mpred *p)
{
	int r = mep_check(m->u.rs_memctl.endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK) {
		mpred_ep(p, "MEMCTL-01", r, VM_EINVAL);
		return;
	}
	switch (m->u.rs_memctl.req) {
	case VM_RS_MEM_PIN: mpred_set(p, "MEMCTL-02", VM_OK); break;
	case VM_RS_MEM_MAKE_VM: mpred_set(p, "MEMCTL-03", VM_EPERM); break;
	case VM_RS_MEM_HEAP_PREALLOC: rule_memctl_04_heap(m, p); break;
	case VM_RS_MEM_MAP_PREALLOC: rule_memctl_05_map(m, p); break;
	case VM_RS_MEM_GET_PREALLOC_MAP: mpred_set(p, "MEMCTL-06", VM_OK); break;
	default: mpred_set(p, "MEMCTL-07", VM_EINVAL); break;
	}
}

/* MEMCTL-05: the reply names a page-aligned free place of the rounded length. */
static void commit_memctl_05_map(const struct msg_seen *s, const struct mpred *p)
{
	struct mproc *t = p->tgt;
	uint32_t want = (s->m.u.rs_memctl.len + PAGE_MASK) & ~PAGE_MASK, a, l;
	if (!p->rep) { /* the reply was lost: VM placed it somewhere */
		t->pmap = 2;
		space_forget(&t->as);
		return;
	}
	a = p->rep->u.rs_memctl.addr;
	l = p->rep->u.rs_memctl.len;
	if (l != want)
		mfind("MEMCTL-05", "len", "MAP_PREALLOC of %u bytes answered len %u, the rounded length is %u",
		      s->m.u.rs_memctl.len, l, want);
	else if ((a & PAGE_MASK) || a < USER_BASE || a + l > USER_TOP || a + l < a)
		mfind("MEMCTL-05", "addr", "MAP_PREALLOC placed at 0x%x (len 0x%x): not page-aligned user memory", a, l);
	else if (space_place_ok(&t->as, a, l) == 0)
		mfind("MEMCTL-05", "taken", "MAP_PREALLOC placed at 0x%x (len 0x%x) over memory already mapped", a, l);
	space_map_prealloc(&t->as, a, l);
	t->pmap = 1;
	t->pmap_addr = a;
	t->pmap_len = l;
}

/* MEMCTL-06: GET_PREALLOC_MAP answers the map's address and length, or 0 and 0. */
static void commit_memctl_06_get(const struct msg_seen *s, const struct mpred *p)
{
	const struct mproc *t = p->tgt;
	uint32_t a = t->pmap == 1 ? t->pmap_addr : 0, l = t->pmap == 1 ? t->pmap_len : 0;
	(void)s;
	if (!p->rep || t->pmap == 2)
		return;
	if (p->rep->u.rs_memctl.addr != a || p->rep->u.rs_memctl.len != l)
		mfind("MEMCTL-06", "map", "GET_PREALLOC_MAP answered 0x%x/0x%x, the map is 0x%x/0x%x",
		      p->rep->u.rs_memctl.addr, p->rep->u.rs_memctl.len, a, l);
}

static void commit_memctl(const struct msg_seen *s, const struct mpred *p)
{
	const struct vm_pl_rs_memctl *q = &s->m.u.rs_memctl;
	if (p->got != VM_OK)
		return;
	switch (q->req) {
	case VM_RS_MEM_HEAP_PREALLOC:
		if (p->rep && p->rep->u.rs_memctl.len != q->len)
			mfind("MEMCTL-04", "len", "HEAP_PREALLOC changed len 0x%x to 0x%x", q->len,
			      p->rep->u.rs_memctl.len);
		space_heap_prealloc(&p->tgt->as, q->len);
		break;
	case VM_RS_MEM_MAP_PREALLOC: commit_memctl_05_map(s, p); break;
	case VM_RS_MEM_GET_PREALLOC_MAP: commit_memctl_06_get(s, p); break;
	default: break;
	}
}

/* ---- RS_UPDATE, RS_PREPARE ---- */
/* RSUP-01 / RSPR-01: two valid, different processes. 1 when they are. */
static int pair_ok(const char *rule, const message *m, struct mpred *p)
{
	const struct vm_pl_rs_update *q = &m->u.rs_update; /* rs_prepare has the same fields */
	int r1 = mep_check(q->src, m->m_source, 0, &p->tgt);
	int r2 = mep_check(q->dst, m->m_source, 0, &p->tgt2);
	if (r1 != MEP_OK || r2 != MEP_OK) {
		mpred_ep(p, rule, r1 != MEP_OK ? r1 : r2, VM_EINVAL);
		if (r1 == MEP_VM || r2 == MEP_VM)
			mpred_add(p, VM_EPERM);
		return 0;
	}
	if (p->tgt == p->tgt2) {
		mpred_set(p, rule, VM_EINVAL);
		return 0;
	}
	return 1;
}

/* RSUP-02: without ROLLBACK or NOMMAP a destination holding a preallocated map is
 * refused (ENOSYS); RSUP-05: the kernel refuses to swap a process blocked on a page
 * fault or killed (EBUSY); RSUP-03: an OK goes to the swapped endpoint when the requester
 * is one of the two, as MINIX's update-aware reply does. */
static void rule_rsup_01_03(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_rs_update *q = &m->u.rs_update;
	(void)st;
	if (!pair_ok("RSUP-01", m, p))
		return;
	int busy = ((plat()->proc_flags(p->tgt->endpt) | plat()->proc_flags(p->tgt2->endpt)) &
		    (PF_PAGEFAULT | PF_KILLED)) != 0;
	if (busy) /* the kernel will not swap them */
		mpred_set(p, "RSUP-05", VM_EBUSY);
	else
		mpred_set(p, "RSUP-03", VM_OK);
	if (!(q->flags & (SF_VM_ROLLBACK | SF_VM_NOMMAP)) && p->tgt2->pmap) {
		if (p->tgt2->pmap == 1)
			mpred_set(p, "RSUP-02", VM_ENOSYS);
		else
			mpred_add(p, VM_ENOSYS);
	}
	p->need_pages = 2;
	if (m->m_source == p->tgt->endpt || m->m_source == p->tgt2->endpt) {
		p->ok_elsewhere = 1;
		p->ok_to = m->m_source == p->tgt->endpt ? p->tgt2->endpt : p->tgt->endpt;
	}
}

#define SWAP(a, b)                  \
	do {                        \
		__typeof__(a) t_ = (a); \
		(a) = (b);          \
		(b) = t_;           \
	} while (0)

/* RSUP-04: the two exchange address spaces, masks (ACL-07), the exit announcement
 * and the preallocated map; endpoints and powers stay. */
static void commit_rsup_04(const struct msg_seen *s, const struct mpred *p)
{
	struct mproc *a = p->tgt, *b = p->tgt2;
	(void)s;
	if (p->got != VM_OK)
		return;
	check_kernel_live("RSUP-04", a->endpt, 1);
	check_kernel_live("RSUP-04", b->endpt, 1);
	space_swap(&a->as, &b->as);
	SWAP(a->acl, b->acl);
	SWAP(a->mask, b->mask);
	SWAP(a->known, b->known);
	SWAP(a->exiting, b->exiting);
	SWAP(a->pmap, b->pmap);
	SWAP(a->pmap_addr, b->pmap_addr);
	SWAP(a->pmap_len, b->pmap_len);
}

/* RSPR-02: the new instance (dst) takes the old one's heap length and, unless NOMMAP,
 * its anonymous mmaps copy-on-write at the same addresses; an address taken in dst is
 * ENOMEM. */
static void rule_rspr_01_02(const message *m, uint32_t st, struct mpred *p)
{
	int nommap = (m->u.rs_prepare.flags & SF_VM_NOMMAP) != 0;
	(void)st;
	if (!pair_ok("RSPR-01", m, p))
		return;
	int c = space_prepare_check(&p->tgt2->as, &p->tgt->as, nommap);
	if (c == MS_UNKNOWN)
		mpred_dont_know(p, "RSPR-02");
	else
		mpred_set(p, "RSPR-02", c);
	p->need_pages = 64 + mcost_copy(&p->tgt->as); /* MEM-01: a copy of the source */
}

static void commit_rspr(const struct msg_seen *s, const struct mpred *p)
{
	int nommap = (s->m.u.rs_prepare.flags & SF_VM_NOMMAP) != 0;
	if (p->got != VM_OK)
		return;
	space_prepare(&p->tgt2->as, &p->tgt->as, nommap);
	if (!nommap && p->tgt->pmap)
		p->tgt2->pmap = 2;
}

/* ---- The table ---- */
const struct mcall proc_calls[] = {
	{ VM_EXIT, rule_exit_02_exit, commit_exit_03 },
	{ VM_WILLEXIT, rule_exit_01_willexit, commit_exit_01 },
	{ VM_FORK, rule_fork_01_03, commit_fork },
	{ VM_RS_SET_PRIV, rule_rsp_01_04, commit_rsp },
	{ VM_PROCCTL, rule_pctl_01_05, commit_pctl },
	{ VM_GETRUSAGE, rule_rus_01_03, commit_rus },
	{ VM_INFO, rule_info_01_04, commit_info },
	{ VM_RS_MEMCTL, rule_memctl_01_07, commit_memctl },
	{ VM_RS_UPDATE, rule_rsup_01_03, commit_rsup_04 },
	{ VM_RS_PREPARE, rule_rspr_01_02, commit_rspr },
};
const int proc_ncalls = sizeof proc_calls / sizeof proc_calls[0];
