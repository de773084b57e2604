/* model.c - the executable protocol model as an oracle (model_oracle): predicts every
 * message through the common rules (proc.c) and the call's row (proc_calls, then
 * space_calls), compares who got the reply, the code and the ACL event with the
 * prediction, lets the row check its OUT fields and commit the effect.  Accesses go to
 * the space half.  A disagreement is `FINDING kind=model sig=.. call=VM_* at=<rule>`.
 * Freestanding: string.h and the snprintf subset of oracle.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "model.h"
#include "layout.h"

struct model mdl;

/* Pages beyond a request's own that VM may legitimately need for it: a fixed margin
 * plus what grows with the request (page tables, page maps, slab pages: one page in
 * sixteen is generous); below need + this, VM may run out. */
#define MSHORT_MARGIN 64
#define MSHORT_SHARE  16

/* ---- Predictions ---- */
void mpred_set(struct mpred *p, const char *rule, int32_t code)
{
	p->rule = rule;
	p->code[0] = code;
	p->ncode = 1;
}

int mpred_has(const struct mpred *p, int32_t code)
{
	for (int i = 0; i < p->ncode; i++)
		if (p->code[i] == code)
			return 1;
	return 0;
}

void mpred_add(struct mpred *p, int32_t code)
{
	if (!mpred_has(p, code) && p->ncode < MPRED_CODES)
		p->code[p->ncode++] = code;
}

void mpred_deny(struct mpred *p, const char *rule)
{
	mpred_set(p, rule, VM_EPERM);
	p->deny = MDENY_YES;
}

void mpred_dont_know(struct mpred *p, const char *rule)
{
	p->rule = rule;
	p->dont_know = 1;
}

/* ---- Reporting ---- */
void mfind(const char *rule, const char *object, const char *fmt, ...)
{
	char key[192], detail[448];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(key, sizeof key, "model:%s:%s%s%s", rule, finding_call(), object ? ":" : "", object ? object : "");
	finding_set("model", key, NULL, rule, "%s", detail);
}

/* The name of a reply code ("OK", "EINVAL", "none", or the number) in buf. */
static const char *cname(int32_t c, char *buf, uint32_t n)
{
	const char *s = c == VM_SUSPEND ? "none" : code_name(c);
	if (s)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, "%d", c);
	return buf;
}

/* The predicted codes as "EINVAL|EPERM". */
static const char *codes(const struct mpred *p, char *buf, uint32_t n)
{
	char one[24];
	buf[0] = 0;
	for (int i = 0, k = 0; i < p->ncode && k >= 0 && (uint32_t)k < n; i++)
		k += snprintf(buf + k, n - (uint32_t)k, "%s%s", i ? "|" : "", cname(p->code[i], one, sizeof one));
	return buf;
}

/* ---- Hooks ---- */
static void model_begin(const struct run_ctx *x)
{
	memset(&mdl, 0, offsetof(struct model, proc)); /* proc: see struct model */
	mdl.x = x;
	space_reset();
	mdl.on = proc_begin(x);
}

/* The rule tables, one per call family (each file's calls and count). */
static const struct {
	const struct mcall *rows;
	const int *n;
} families[] = {
	{ proc_calls, &proc_ncalls },   { dma_calls, &dma_ncalls }, { vfs_calls, &vfs_ncalls },
	{ exec_calls, &exec_ncalls },   { watch_calls, &watch_ncalls }, { sig_calls, &sig_ncalls },
	{ space_calls, &space_ncalls },
};

/* The row predicting message type type, or NULL (the common rules only). */
static const struct mcall *find_row(int32_t type)
{
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
		for (int i = 0; i < *families[f].n; i++)
			if (families[f].rows[i].type == type)
				return &families[f].rows[i];
	return NULL;
}

/* Predict m: the common rules, then the call's row. */
static void model_before_msg(const struct run_ctx *x, const message *m, uint32_t status)
{
	struct mpred *p = &mdl.pred;
	mdl.pending = 0;
	if (!mdl.on)
		return;
	mdl.x = x;
	memset(p, 0, sizeof *p);
	p->reply_to = m->m_source;
	mpred_set(p, "MODEL-00", VM_OK);
	mdl.row = NULL;
	if (!proc_precheck(m, status, p)) {
		mdl.row = find_row(m->m_type);
		if (mdl.row && mdl.row->predict)
			mdl.row->predict(m, status, p);
		else if (m->m_type != VM_PAGEFAULT)
			mpred_dont_know(p, "MODEL-00");
	}
	if (p->acl_unknown && !p->dont_know) {
		mpred_add(p, VM_ECALLDENIED);
		p->deny = MDENY_ANY;
	}
	mdl.pending = 1;
}

/* May the request have failed with got because the fault engine injected a failure
 * (the errno of an armed site) or memory is really short? */
static int excused_failure(const struct outcome *o, const struct mpred *p, int32_t got)
{
	uint32_t alloc_sites = mdl.armed_sites & ~(1u << FS_KC_COPY);
	if (o->injected > 0 && got == VM_ENOMEM && alloc_sites)
		return 1;
	if (o->injected > 0 && got == VM_EFAULT && (mdl.armed_sites & (1u << FS_KC_COPY)))
		return 1;
	/* free_before 0: none free, or not known (then any allocating call may fail) */
	return got == VM_ENOMEM && p->need_pages &&
	       o->free_before < p->need_pages + p->need_pages / MSHORT_SHARE + MSHORT_MARGIN;
}

/* The first destination other than dst that got a reply or a failed send, or 0. */
static int stray_reply(const struct outcome *o, endpoint_t dst, endpoint_t *who)
{
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		if (rp && rp->dst != dst && !mvfs_is_request(rp->dst, &rp->m)) {
			*who = rp->dst;
			return 1;
		}
	}
	for (uint32_t i = 0; i < o->nev && i < OUT_EV_MAX; i++)
		if (o->ev[i].ev == TR_REPLY_FAILED && o->ev[i].a != dst) {
			*who = o->ev[i].a;
			return 1;
		}
	return 0;
}

/* Rules after which nothing may have changed: ignored, dropped, refused up front. */
static int no_effect_rule(const char *rule)
{
	static const char *const r[] = { "PROC-01", "PROC-02", "PROC-03", "PROC-05", "PROC-06", "PROC-07", "ACL-01" };
	for (uint32_t i = 0; i < sizeof r / sizeof r[0]; i++)
		if (strcmp(rule, r[i]) == 0)
			return 1;
	return 0;
}

/* A wrong ENOMEM while memory was scarce (under a quarter of the simulated RAM free)
 * is an estimate or allocator matter, one with memory to spare a wrong state: two
 * signatures, so a stored finding of one kind is not worn again by the other. */
static int enomem_scarce(const struct outcome *o, int32_t got)
{
	return got == VM_ENOMEM && o->free_before < FUZZ_RAM_SIZE / PAGE_SIZE / 4;
}

/* Who got the reply and which code: reports a reply to the wrong process; *dst and
 * *got get the reply that counts.  0 when a finding was made. */
static int judge_destination(const struct msg_seen *s, const struct mpred *p, endpoint_t *dst, int32_t *got)
{
	const struct outcome *o = s->o;
	char a[24];
	endpoint_t other;
	*dst = p->reply_to;
	*got = out_code(o, p->reply_to);
	if (p->ok_elsewhere && out_code(o, p->ok_to) != VM_SUSPEND) {
		*dst = p->ok_to;
		*got = out_code(o, p->ok_to);
	}
	if (p->ok_elsewhere && *got == VM_OK && *dst != p->ok_to) {
		mfind(p->rule, "reply-to", "the OK of %d's request went to %d; after the swap the requester waits at %d",
		      s->m.m_source, *dst, p->ok_to);
		return 0;
	}
	if (!p->others_ok && stray_reply(o, *dst, &other)) {
		if (p->ncode == 1 && p->code[0] == VM_SUSPEND)
			mfind(p->rule, "reply-none", "no reply is due (%s), but %d got one", p->rule, other);
		else
			mfind(p->rule, "reply-stray", "the reply is due to %d, but %d got one (code at %d: %s)", *dst,
			      other, *dst, cname(*got, a, sizeof a));
		return 0;
	}
	return 1;
}

/* The code and the ACL event against the prediction; 0 when a finding was made or
 * the failure is excused (nothing to commit). */
static int judge_code(const struct msg_seen *s, const struct mpred *p, int32_t got)
{
	const struct outcome *o = s->o;
	char a[24], b[96];
	int nd = out_events(o, TR_ACL_DENY, s->m.m_source);
	if (!mpred_has(p, got)) {
		if (excused_failure(o, p, got))
			return 0;
		if (got == VM_ECALLDENIED && p->deny == MDENY_NO)
			mfind("ACL-01", "allowed", "denied (ECALLDENIED) to %d, but its mask allows the call (%s predicted %s)",
			      s->m.m_source, p->rule, codes(p, b, sizeof b));
		else if (p->deny == MDENY_YES)
			mfind(p->rule, "not-denied", "predicted the refusal %s (acl_deny), got %s", codes(p, b, sizeof b),
			      cname(got, a, sizeof a));
		else
			mfind(p->rule, enomem_scarce(o, got) ? "code-enomem-scarce" : "code",
			      "predicted %s, got %s (free pages before %u, failures injected %u)", codes(p, b, sizeof b),
			      cname(got, a, sizeof a), o->free_before, o->injected);
		return 0;
	}
	if (p->deny == MDENY_YES && nd == 0 && (got == VM_ECALLDENIED || got == VM_EPERM)) {
		mfind(p->rule, "acl-event", "refused with %s without an acl_deny event", cname(got, a, sizeof a));
		return 0;
	}
	if (p->deny == MDENY_NO && nd > 0) {
		mfind(p->rule, "acl-event", "an acl_deny event for a call the model allows (answered %s)",
		      cname(got, a, sizeof a));
		return 0;
	}
	if (o->mut_after != o->mut_before && no_effect_rule(p->rule)) {
		mfind(p->rule, "mutation", "%s: nothing may change, but VM made %u mutations", p->rule,
		      o->mut_after - o->mut_before);
		return 0;
	}
	return !(got == VM_ECALLDENIED && nd > 0); /* a denial commits nothing */
}

/* After a successful address-space call, the RS_MEMCTL map it may have cut. */
static void note_unmaps(const message *m, const struct mpred *p)
{
	struct mproc *src = p->src;
	switch (m->m_type) {
	case VM_MUNMAP:
		proc_note_unmap(src, m->u.munmap.addr, m->u.munmap.len);
		break;
	case VM_MMAP:
		if (m->u.mmap.flags & MAP_FIXED) /* a third-party mmap for SELF maps the caller's */
			proc_note_unmap((m->u.mmap.flags & MAP_THIRDPARTY) && m->u.mmap.forwhom != SELF ?
						mproc_of(m->u.mmap.forwhom) : src,
					m->u.mmap.addr, m->u.mmap.len);
		break;
	case VM_UNMAP_PHYS:
		proc_note_unmap(m->u.unmap_phys.endpt == SELF ? src : mproc_of(m->u.unmap_phys.endpt),
				m->u.unmap_phys.vaddr, 1);
		break;
	case VM_SHM_UNMAP:
		proc_note_unmap(m->u.shm_unmap.forwhom == SELF ? src : mproc_of(m->u.shm_unmap.forwhom),
				m->u.shm_unmap.addr, 1);
		break;
	default:
		break;
	}
}

/* ACL-01 even when the call's rule is unknown: the common rules passed the sender's
 * mask with the bit known to be set, so a mask denial (ECALLDENIED) is wrong. */
static void rule_acl_01_allowed(const struct msg_seen *s, const struct mpred *p)
{
	if (p->src && !p->src->is_vm && !p->acl_unknown && call_by_type(s->m.m_type) >= 0 &&
	    s->m.m_type != VM_PAGEFAULT && s->code == VM_ECALLDENIED)
		mfind("ACL-01", "allowed", "denied (ECALLDENIED) to %d, but its mask allows the call", s->m.m_source);
}

/* After a message the model did not know: the memory of its sender and of every
 * process an endpoint field names may have changed in ways the model cannot tell. */
static void forget_one(const message *m, struct mproc *p)
{
	if (!p)
		return;
	space_forget(&p->as);
	/* RS_MEMCTL and RS_PREPARE may have made a preallocated map; others cut one */
	if (p->pmap || m->m_type == VM_RS_MEMCTL || m->m_type == VM_RS_PREPARE)
		p->pmap = 2;
}

/* Call fn for m's source and every process an endpoint field of m names. */
static void each_touched(const message *m, void (*fn)(const message *, struct mproc *))
{
	int idx = call_by_type(m->m_type);
	fn(m, mproc_of(m->m_source));
	for (int i = 0; idx >= 0 && i < call_table[idx].nfields; i++) {
		const struct field_desc *fd = &call_table[idx].fields[i];
		if (fd->kind == FK_ENDPOINT && field_is_in(fd))
			fn(m, mproc_of((endpoint_t)field_read(m, fd)));
	}
}

/* An excused failure (excused_failure): the pages the call may have faulted in before
 * it failed (a copy's buffer, a fork's) leave the presence of p's space unknown. */
static void lose_presence_one(const message *m, struct mproc *p)
{
	(void)m;
	if (p)
		space_lose_presence(&p->as);
}

/* Slot s disagrees: report it (PROC-08), or take the kernel's word for it. */
static int sync_slot(const struct sel_table *t, int32_t s, int klive, int report)
{
	int mlive = mslot_live(s);
	struct mproc *p = &mdl.proc[s];
	if (klive == mlive && (!klive || t->endpt(s) == p->endpt))
		return 0;
	if (report) {
		mfind("PROC-08", "sync", "slot %d: the kernel has %s%d, VM's model %s%d", s, klive ? "live " : "free ",
		      klive ? t->endpt(s) : 0, mlive ? "live " : "free ", mlive ? p->endpt : 0);
		return 1;
	}
	p = mslot_new(s);
	if (klive) {
		p->live = 1;
		p->endpt = t->endpt(s);
		p->acl = MACL_SYS; /* mask unknown */
		space_forget(&p->as);
	}
	return 0;
}

/* The kernel's table and the model's processes must agree on who is live
 * (PROC-08); after a message the model did not know, the model takes the kernel's
 * word for it (unknown masks and memory).  Only slots live in the kernel or used by
 * the model can disagree: those are visited, 32 at a time. */
static void sync_table(int report)
{
	const struct sel_table *t = mdl.x->plat->procs;
	uint32_t live[NR_PROCS / 32], used[NR_PROCS / 32];
	if (t->sets) {
		t->sets(live, used); /* one pass, not a call per slot */
	} else {
		memset(live, 0, sizeof live);
		for (int32_t s = 0; s < NR_PROCS; s++)
			if (t->live(s))
				live[s / 32] |= 1u << (s % 32);
	}
	for (int32_t g = 0; g < NR_PROCS / 32; g++) {
		uint32_t cand = live[g] | mdl.used_mask[g];
		while (cand) {
			int32_t s = 32 * g + __builtin_ctz(cand);
			cand &= cand - 1;
			if (sync_slot(t, s, (int)((live[g] >> (s % 32)) & 1), report))
				return;
		}
	}
}

/* In trace mode: which rule could not predict the message. */
static void trace_unknown(const struct run_ctx *x, const char *rule)
{
	char line[64];
	if (!(x->flags & RUN_TRACE) || !x->plat->print)
		return;
	snprintf(line, sizeof line, "    model: not known (%s)", rule);
	x->plat->print(line);
}

static void model_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	struct mpred *p = &mdl.pred;
	endpoint_t dst;
	int32_t got;
	if (!mdl.on || !mdl.pending)
		return;
	mdl.pending = 0;
	mdl.x = x;
	if (s->o->life != VM_ALIVE || s->o->hang) { /* the vmdeath oracle reports it */
		mdl.on = 0;
		return;
	}
	if (p->dont_know) {
		mdl.st.dont_know++;
		trace_unknown(x, p->rule);
		rule_acl_01_allowed(s, p);
		if (finding_get())
			return;
		each_touched(&s->m, forget_one);
		cache_forget_call(&s->m);
		sync_table(0);
		return;
	}
	mdl.st.judged++;
	if (!judge_destination(s, p, &dst, &got))
		return;
	int excused = !mpred_has(p, got) && excused_failure(s->o, p, got);
	int commit = judge_code(s, p, got);
	if (finding_get())
		return;
	if (excused) {
		each_touched(&s->m, lose_presence_one);
		cache_forget_call(&s->m);
	}
	proc_learn_acl(s, p);
	p->got = got;
	p->rep = out_reply_to(s->o, dst);
	if (commit && mdl.row && mdl.row->commit)
		mdl.row->commit(s, p);
	if (commit && got == VM_OK)
		note_unmaps(&s->m, p);
	if (!finding_get())
		sync_table(1);
}

static void model_before_access(const struct run_ctx *x, endpoint_t ep, uint32_t addr, int write)
{
	if (!mdl.on)
		return;
	mdl.x = x;
	space_before_access(x, mproc_of(ep), addr, write);
}

static void model_access(const struct run_ctx *x, const struct access_seen *a)
{
	if (!mdl.on)
		return;
	mdl.x = x;
	if (a->o->life != VM_ALIVE || a->o->hang) {
		mdl.on = 0;
		return;
	}
	space_access(x, mproc_of(a->ep), a);
}

static void model_fault(const struct run_ctx *x, int site, uint32_t nth, int mode)
{
	(void)x;
	(void)nth;
	(void)mode;
	if (site >= 0 && site < FS_COUNT)
		mdl.armed_sites |= 1u << site;
}

/* In trace mode: how much the model judged. */
static void model_end(const struct run_ctx *x)
{
	char line[128];
	if (!(x->flags & RUN_TRACE) || !x->plat->print)
		return;
	snprintf(line, sizeof line, "model: %u judged, %u not known, %u ACL bits learnt%s", mdl.st.judged,
		 mdl.st.dont_know, mdl.st.unknown_acl, mdl.on ? "" : " (stopped)");
	x->plat->print(line);
}

const struct oracle model_oracle = {
	.name = "model",
	.begin = model_begin,
	.before_msg = model_before_msg,
	.after_msg = model_after_msg,
	.before_access = model_before_access,
	.access = model_access,
	.fault = model_fault,
	.end = model_end,
};
