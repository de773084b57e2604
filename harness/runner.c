/* runner.c - one conversation from the boot state, judged by a list of oracles.  The
 * same record loop runs in the hosted harness (harness/run.c over harness/host.c) and
 * in the QEMU guest agent (harness/guest/, over the fuzz kernel calls).
 *
 * Per record: resolve its selectors against the live state, let every oracle look at
 * the request (before_msg / before_access), hand it to the platform, fold what came
 * out into the trace hash, and let every oracle judge the outcome (after_msg /
 * access).  A MSG's binds give names the fields of its reply (an OK one; otherwise
 * the names are unbound); a CHECK goes to the oracles' check hooks; a REPEAT runs its
 * body again, count - 1 times, each run's copy advanced (struct rec), at most
 * runner_repeat_budget() records in all.  After the last record every oracle's end hook runs.
 * Hooks stop being called once a finding is set (the first finding wins); no oracle
 * calls back here. */
#include <stdio.h>
#include <string.h>
#include "oracle.h"
#include "vm_vfs.h"

static struct {
	const struct run_ctx *x;
	uint64_t hash;
	struct rec_result res[CONV_MAX_RECORDS];
	uint32_t repeated; /* records run again by REPEATs */
	endpoint_t vfs_endpt; /* endpt and reqid of the last request VM sent VFS */
	int32_t vfs_reqid;
	struct outcome o;
	char call[32];
} rn;

/* ---- Outcome helpers ---- */
const struct out_reply *out_reply_get(const struct outcome *o, uint32_t i)
{
	if (i >= o->nreplies || o->nreplies - i > OUT_REPLY_MAX)
		return NULL;
	return &o->reply[i % OUT_REPLY_MAX];
}

const message *out_reply_to(const struct outcome *o, endpoint_t dst)
{
	const message *m = NULL;
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		if (rp && rp->dst == dst && rp->m.m_type != VFS_VMCALL) /* a request to VFS is no reply */
			m = &rp->m;
	}
	return m;
}

int out_events(const struct outcome *o, int32_t ev, int32_t a)
{
	int n = 0;
	for (uint32_t i = 0; i < o->nev && i < OUT_EV_MAX; i++)
		n += o->ev[i].ev == ev && (a == INT32_MIN || o->ev[i].a == a);
	return n;
}

int32_t out_code(const struct outcome *o, endpoint_t dst)
{
	const message *rep = out_reply_to(o, dst);
	int32_t code = rep ? rep->m_type : VM_SUSPEND;
	for (uint32_t i = 0; i < o->nev && i < OUT_EV_MAX; i++)
		if (o->ev[i].ev == TR_REPLY_FAILED && o->ev[i].a == dst)
			code = o->ev[i].b;
	return code;
}

int plat_is_live(const struct platform *p, endpoint_t ep)
{
	return (p->proc_flags(ep) & PF_LIVE) != 0;
}

/* ---- Trace hash and names ---- */
/* FNV-1a over 64-bit words (the tail a byte at a time): a word per step, as the
 * trace hash only has to be the same for the same run, not a standard digest. */
void runner_hash_in(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint32_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		rn.hash = (rn.hash ^ w) * 1099511628211ull;
	}
	for (; i < n; i++)
		rn.hash = (rn.hash ^ b[i]) * 1099511628211ull;
}

uint64_t runner_trace_hash(void)
{
	return rn.hash;
}

const struct rec_result *runner_result(uint32_t i)
{
	return i < CONV_MAX_RECORDS ? &rn.res[i] : NULL;
}

int runner_access_result(const struct rec_result *res, int write)
{
	if (res->rc == VM_OK)
		return write ? AX_OK : AX_VALUE;
	return res->killed ? AX_KILLED : AX_FAULT;
}

uint32_t runner_repeated(void)
{
	return rn.repeated;
}

const struct conv *runner_conv(void)
{
	return rn.x ? rn.x->c : NULL;
}

/* s into buf (len > 0), cut to fit: snprintf's "%s" without its cost (every record
 * names its call). */
static void copy_name(char *buf, uint32_t len, const char *s)
{
	uint32_t i = 0;
	for (; s[i] && i + 1 < len; i++)
		buf[i] = s[i];
	buf[i] = 0;
}

void rec_call_name(const struct rec *r, char *buf, uint32_t len)
{
	if (len == 0)
		return;
	if (r->kind == REC_MSG && r->call >= 0)
		copy_name(buf, len, call_table[r->call].name);
	else if (r->kind == REC_MSG)
		snprintf(buf, len, "0x%x", r->raw_type);
	else if (r->kind == REC_ACCESS || r->kind == REC_KPF)
		copy_name(buf, len, "VM_PAGEFAULT");
	else if (r->kind == REC_VFS)
		copy_name(buf, len, "VM_VFS_REPLY");
	else
		copy_name(buf, len, r->kind == REC_NOTIFY ? "NOTIFY" : "FAULT");
}

/* Fold an outcome into the trace hash: replies, events. */
static void hash_outcome(const struct outcome *o)
{
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		if (rp)
			runner_hash_in(rp, sizeof *rp);
	}
	runner_hash_in(o->ev, (o->nev < OUT_EV_MAX ? o->nev : OUT_EV_MAX) * sizeof o->ev[0]);
}

/* ---- Tracing (RUN_TRACE) ---- */
static void trace(const struct run_ctx *x, const char *line)
{
	if ((x->flags & RUN_TRACE) && x->plat->print)
		x->plat->print(line);
}

static void trace_events(const struct run_ctx *x, const struct outcome *o)
{
	static const char *const name[] = { "acl_deny", "drop_forged", "reply_failed", "sanity_fail",
					     "pf_segv", "mutation" };
	char line[96];
	for (uint32_t i = 0; (x->flags & RUN_TRACE) && i < o->nev && i < OUT_EV_MAX; i++) {
		snprintf(line, sizeof line, "    event %s %d %d",
			 (unsigned)o->ev[i].ev < 6 ? name[o->ev[i].ev] : "?", o->ev[i].a, o->ev[i].b);
		trace(x, line);
	}
}

/* The reply to s's sender in trace mode: code, OUT and INOUT fields. */
static void trace_reply(const struct run_ctx *x, const struct msg_seen *s)
{
	char line[320];
	int n = 0;
	if (!(x->flags & RUN_TRACE))
		return;
	if (s->code == VM_SUSPEND)
		snprintf(line, sizeof line, "    -> no reply (src %d%s)", s->m.m_source, s->was_live ? "" : ", not live");
	else
		n = snprintf(line, sizeof line, "    -> reply %s (%d) to %d",
			     code_name(s->code) ? code_name(s->code) : "?", s->code, s->m.m_source);
	if (s->code != VM_SUSPEND && s->rep && s->r && s->r->kind == REC_MSG && s->r->call >= 0) {
		const struct call_desc *cd = &call_table[s->r->call];
		for (int k = 0; k < cd->nfields && n > 0 && n < (int)sizeof line; k++)
			if (cd->fields[k].dir != FD_IN)
				n += snprintf(line + n, sizeof line - (uint32_t)n, " %s=0x%llx", cd->fields[k].name,
					      (unsigned long long)field_read(s->rep, &cd->fields[k]));
	}
	trace(x, line);
	for (uint32_t i = 0; i < s->o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(s->o, i);
		if (!rp || rp->dst == s->m.m_source)
			continue;
		snprintf(line, sizeof line, "    -> reply %s (%d) to %d, not the sender",
			 code_name(rp->m.m_type) ? code_name(rp->m.m_type) : "?", rp->m.m_type, rp->dst);
		trace(x, line);
	}
}

/* ---- Walking the oracles ---- */
#define EACH(list, n, hook, ...)                                           \
	for (int i_ = 0; i_ < (n) && !finding_get(); i_++)                 \
		if ((list)[i_]->hook)                                      \
			(list)[i_]->hook(__VA_ARGS__)

uint32_t runner_addr(const struct platform *p, const struct addr_sel *a)
{
	uint32_t vaddr[16], v;
	if (a->kind == ADS_RAW)
		return a->value;
	if (a->kind == ADS_NAMED)
		return selcore_name(a->name, &v) ? v + a->value : a->value;
	int32_t s = selcore_nth(p->procs, a->proc, SEL_LIVE);
	int n = s < 0 ? 0 : p->regions(s, vaddr, 16);
	if (n <= 0)
		return a->value;
	uint32_t j = a->region % (uint32_t)n;
	return j < 16 ? vaddr[j] + a->value : a->value;
}

static const struct platform *addr_plat;
static uint32_t addr_of(const struct addr_sel *a)
{
	return runner_addr(addr_plat, a);
}

/* Deliver m with status and let the oracles judge it. */
/* Remember the last request VM sent VFS in o (what a VFS record answers). */
static void note_vfs_requests(const struct outcome *o)
{
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		if (rp && rp->dst == ep_make(0, VFS_PROC_NR) && rp->m.m_type == VFS_VMCALL) {
			rn.vfs_endpt = (endpoint_t)rp->m.u.word[VFSW_ENDPT];
			rn.vfs_reqid = (int32_t)rp->m.u.word[VFSW_REQID];
		}
	}
}

static void run_msg(const struct run_ctx *x, const struct oracle *const *list, int n, const struct rec *r,
		    const message *m, uint32_t status)
{
	struct msg_seen s;
	memset(&s, 0, sizeof s);
	s.r = r;
	s.m = *m;
	s.status = status & ~DELIVER_MARK_PF;
	s.was_live = plat_is_live(x->plat, m->m_source);
	EACH(list, n, before_msg, x, m, s.status);
	if (finding_get())
		return;
	x->plat->deliver(m, status, &rn.o);
	note_vfs_requests(&rn.o);
	s.o = &rn.o;
	s.code = out_code(&rn.o, m->m_source);
	s.rep = out_reply_to(&rn.o, m->m_source);
	hash_outcome(&rn.o);
	runner_hash_in(&s.code, sizeof s.code);
	struct rec_result *res = &rn.res[x->rec];
	res->ran = 1;
	res->code = s.code;
	res->has_reply = s.rep != NULL;
	if (s.rep)
		res->rep = *s.rep;
	trace_reply(x, &s);
	trace_events(x, &rn.o);
	EACH(list, n, after_msg, x, &s);
}

static void run_access(const struct run_ctx *x, const struct oracle *const *list, int n, const struct rec *r)
{
	struct access_seen a;
	char line[128];
	memset(&a, 0, sizeof a);
	a.r = r;
	a.ep = selcore_endpoint(x->plat->procs, &r->ep);
	a.addr = runner_addr(x->plat, &r->addr) & ~3u;
	a.write = r->write;
	EACH(list, n, before_access, x, a.ep, a.addr, a.write);
	if (finding_get())
		return;
	x->plat->access(a.ep, a.addr, a.write, r->value, &rn.o);
	note_vfs_requests(&rn.o);
	a.rc = rn.o.rc;
	a.value = a.write ? r->value : rn.o.value;
	a.o = &rn.o;
	hash_outcome(&rn.o);
	runner_hash_in(&a.rc, sizeof a.rc);
	runner_hash_in(&a.value, sizeof a.value);
	struct rec_result *res = &rn.res[x->rec];
	res->ran = 1;
	res->rc = a.rc;
	res->value = a.value;
	res->killed = a.rc != VM_OK && (out_events(&rn.o, TR_PF_SEGV, a.ep) ||
					 (x->plat->proc_flags(a.ep) & PF_KILLED));
	if (x->flags & RUN_TRACE) {
		snprintf(line, sizeof line, "    -> %s 0x%x in %d: rc %d value 0x%x", a.write ? "write" : "read",
			 a.addr, a.ep, a.rc, a.value);
		trace(x, line);
	}
	trace_events(x, &rn.o);
	EACH(list, n, access, x, &a);
}

/* The names MSG r binds, from the reply its sender got (unbound without an OK one). */
static void bind_names(const struct rec *r)
{
	const struct rec_result *res = &rn.res[rn.x->rec];
	for (uint32_t i = 0; i < r->noc && r->call >= 0; i++) {
		const struct out_check *oc = &r->oc[i];
		if (oc->op != OX_BIND)
			continue;
		if (res->has_reply && res->code == VM_OK)
			selcore_bind(oc->name, (uint32_t)field_read(&res->rep, &call_table[r->call].fields[oc->field]));
		else
			selcore_unbind(oc->name);
	}
}

static void run_record(const struct run_ctx *x, const struct oracle *const *list, int n, const struct rec *r)
{
	message m;
	memset(&m, 0, sizeof m);
	switch (r->kind) {
	case REC_MSG:
		addr_plat = x->plat;
		selcore_build_msg(x->plat->procs, addr_of, r, &m);
		rn.res[x->rec].has_reply = 0;
		run_msg(x, list, n, r, &m, 0);
		bind_names(r);
		break;
	case REC_CHECK:
		trace(x, "    -> checked");
		EACH(list, n, check, x, r);
		break;
	case REC_REPEAT:
		break; /* runner_run runs the body again */
	case REC_NOTIFY:
		m.m_source = selcore_endpoint(x->plat->procs, &r->ep);
		m.m_type = NOTIFY_MESSAGE;
		run_msg(x, list, n, r, &m, IPC_FLG_NOTIFY);
		break;
	case REC_KPF:
		m.m_source = selcore_endpoint(x->plat->procs, &r->ep);
		m.m_type = VM_PAGEFAULT;
		m.u.pagefault.addr = runner_addr(x->plat, &r->addr);
		m.u.pagefault.flags = r->value;
		run_msg(x, list, n, r, &m, r->forged ? 0 : IPC_FLG_MSG_FROM_KERNEL | DELIVER_MARK_PF);
		break;
	case REC_ACCESS:
		run_access(x, list, n, r);
		break;
	case REC_VFS: /* VFS answers VM's last request to it */
		m.m_source = ep_make(0, VFS_PROC_NR);
		m.m_type = VM_VFS_REPLY;
		m.u.vfs_reply.endpt = rn.vfs_endpt;
		m.u.vfs_reply.reqid = rn.vfs_reqid;
		m.u.vfs_reply.result = r->vres;
		m.u.vfs_reply.size_pages = (int32_t)r->vsize;
		m.u.vfs_reply.dev = (int32_t)r->vdev;
		m.u.vfs_reply.ino = (int32_t)r->vino;
		m.u.vfs_reply.fd = (int32_t)r->vfd;
		run_msg(x, list, n, r, &m, 0);
		break;
	default:
		x->plat->fault(r->site, r->nth, r->mode);
		trace(x, "    -> armed");
		EACH(list, n, fault, x, r->site, r->nth, r->mode);
		break;
	}
}

/* Run record i (r: itself or its advanced copy) in its REPEAT run x->iter. */
static void run_one(struct run_ctx *x, const struct oracle *const *list, int n, uint32_t i, const struct rec *r)
{
	x->rec = (int32_t)i;
	rec_call_name(r, rn.call, sizeof rn.call);
	finding_context(x->rec, rn.call);
	if (x->flags & RUN_TRACE) {
		char line[1024], head[1060];
		rec_format(x->c, r, line, sizeof line);
		if (x->iter)
			snprintf(head, sizeof head, "[%u.%u] %s", i, x->iter, line);
		else
			snprintf(head, sizeof head, "[%u] %s", i, line);
		trace(x, head);
	}
	run_record(x, list, n, r);
}

static void advance_ep(struct ep_sel *e, uint32_t d)
{
	if (e->kind == EPS_LIVE || e->kind == EPS_STALE || e->kind == EPS_FRESH || e->kind == EPS_FREE)
		e->arg = (uint8_t)(e->arg + d);
}

/* r as run j of a REPEAT body with step and sel (struct rec). */
static void advance(struct rec *r, uint32_t j, uint32_t step, uint32_t sel)
{
	uint32_t da = j * step, ds = j * sel;
	advance_ep(&r->ep, ds);
	r->addr.value += da;
	if (r->kind != REC_MSG || r->call < 0)
		return;
	const struct call_desc *cd = &call_table[r->call];
	for (int f = 0; f < cd->nfields; f++) {
		if (cd->fields[f].kind == FK_ENDPOINT || cd->fields[f].kind == FK_SLOT)
			advance_ep(&r->f[f].ep, ds);
		else if (cd->fields[f].kind == FK_ADDR)
			r->f[f].ad.value += da;
		else if (cd->fields[f].kind == FK_U64)
			r->f[f].raw += da;
	}
}

/* Records all REPEATs of x's conversation may run again: its header's budget, at most
 * REPEAT_BUDGET_ENGINE under RUN_FAST without RUN_EXPECT (a binary input run the
 * engines' way; a text input's expectations are written for its header's budget). */
uint32_t runner_repeat_budget(const struct run_ctx *x)
{
	uint32_t b = conv_repeat_budget(x->c);
	int engine = (x->flags & RUN_FAST) && !(x->flags & RUN_EXPECT);
	return engine && b > REPEAT_BUDGET_ENGINE ? REPEAT_BUDGET_ENGINE : b;
}

/* REPEAT record k: its body again, runs 1..count-1, within runner_repeat_budget(). */
static void run_repeat(struct run_ctx *x, const struct oracle *const *list, int n, uint32_t k)
{
	const struct conv *c = x->c;
	const struct rec *rp = &c->r[k];
	uint32_t s = repeat_start(c, k);
	for (uint32_t j = 1; j < rp->count && !finding_get(); j++) {
		if (rn.repeated + (k - s) > runner_repeat_budget(x))
			break;
		x->iter = j;
		for (uint32_t i = s; i < k && !finding_get(); i++) {
			struct rec r = c->r[i];
			advance(&r, j, rp->step, rp->sel);
			rn.repeated++;
			run_one(x, list, n, i, &r);
		}
	}
	x->iter = 0;
}

int runner_run(struct run_ctx *x, const struct oracle *const *list, int n)
{
	const struct conv *c = x->c;
	finding_clear();
	memset(rn.res, 0, sizeof rn.res);
	rn.repeated = 0;
	rn.vfs_endpt = 0;
	rn.vfs_reqid = 0;
	rn.x = x;
	rn.hash = 14695981039346656037ull;
	selcore_names_clear();
	x->rec = -1;
	x->iter = 0;
	finding_context(-1, "none");
	x->plat->reset(x->level, ((c->flags & HF_FAIL_SENDS) ? RESET_FAIL_SENDS : 0) |
					 ((x->flags & RUN_FAST) ? RESET_INCREMENTAL : 0));
	EACH(list, n, begin, x);
	for (uint32_t i = 0; i < c->n && !finding_get(); i++) {
		run_one(x, list, n, i, &c->r[i]);
		if (c->r[i].kind == REC_REPEAT)
			run_repeat(x, list, n, i);
	}
	EACH(list, n, end, x);
	return finding_get() != NULL;
}
