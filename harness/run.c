/* run.c - run one conversation from the boot snapshot and judge it.
 *
 * Each record is resolved against live state, delivered to VM through the hosted
 * feed (or the MMU walker), and VM runs until the feed is empty.  After every record
 * the oracles look at what happened: replies (code, fields, exactly one when due),
 * ACL denials (no mutation), expected replies (text inputs), the step and retry caps;
 * vm/ runs its sanity checker at the conversation's level around every handler (a
 * failure is a TR_SANITY_FAIL event and a panic) and the harness runs it once more
 * after the last record.  The memory oracle (shadow.c) follows every message and
 * access; after a clean conversation the leak oracle (leak.c) ends every process and
 * compares with the boot baseline.  A VM panic long-jumps back
 * here (replay) or aborts after printing the finding (engines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "hosted.h"
#include "vm.h"

#define EV_MAX 64

static const char *const sanity_name[SAN_COUNT] = {
#define SAN_NAME(id, text) #id,
	SANITY_INVARIANTS(SAN_NAME)
#undef SAN_NAME
};

static struct {
	const struct conv *c;
	int32_t rec;
	int flags;
	jmp_buf panic_jmp;
	int panic_armed;
	struct {
		enum trace_ev ev;
		int32_t a, b;
	} ev[EV_MAX];
	uint32_t nev, ev_lost;
	int32_t sanity_fail; /* invariant of the last TR_SANITY_FAIL, or -1 */
	int teardown;        /* the leak oracle is ending processes */
	uint64_t hash;
	int32_t code[CONV_MAX_RECORDS];
} rs = { .rec = -1 };

int32_t run_reply_code(uint32_t i)
{
	return i < CONV_MAX_RECORDS ? rs.code[i] : 0;
}

static void hash_in(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		rs.hash = (rs.hash ^ b[i]) * 1099511628211ull;
}

uint64_t run_trace_hash(void)
{
	return rs.hash;
}

const struct conv *run_current(int32_t *rec)
{
	*rec = rs.rec;
	return rs.c;
}

void rec_call_name(const struct rec *r, char *buf, size_t len)
{
	if (r->kind == REC_MSG && r->call >= 0)
		snprintf(buf, len, "%s", call_table[r->call].name);
	else if (r->kind == REC_MSG)
		snprintf(buf, len, "0x%x", r->raw_type);
	else if (r->kind == REC_ACCESS || r->kind == REC_KPF)
		snprintf(buf, len, "VM_PAGEFAULT");
	else
		snprintf(buf, len, "%s", r->kind == REC_NOTIFY ? "NOTIFY" : "FAULT");
}

/* The call name of the record being run. */
static const char *cur_call(void)
{
	static char buf[32];
	if (rs.teardown)
		return "teardown";
	if (!rs.c || rs.rec < 0)
		return "none";
	rec_call_name(&rs.c->r[rs.rec], buf, sizeof buf);
	return buf;
}

/* ---- Hooks ---- */
static void on_trace(enum trace_ev ev, int32_t a, int32_t b)
{
	if (ev == TR_SANITY_FAIL)
		rs.sanity_fail = a;
	if (rs.nev == EV_MAX) {
		rs.ev_lost++;
		return;
	}
	rs.ev[rs.nev].ev = ev;
	rs.ev[rs.nev].a = a;
	rs.ev[rs.nev].b = b;
	rs.nev++;
}

static void report_and_abort(void)
{
	finding_print(stdout, finding_get(), rs.c);
	abort();
}

/* A VM panic: a sanity failure when vm/ announced one, a panic otherwise. */
static void on_panic(const char *file, int line, const char *why)
{
	char at[160], key[256];
	snprintf(at, sizeof at, "%s:%d", file, line);
	if (rs.sanity_fail > 0 && rs.sanity_fail < SAN_COUNT) {
		const char *inv = sanity_name[rs.sanity_fail];
		snprintf(key, sizeof key, "sanity:%s", inv);
		finding_set("sanity", key, cur_call(), inv, "invariant %s failed (%s); panic at %s: %s",
			    inv, sanity_text[rs.sanity_fail], at, why);
	} else {
		snprintf(key, sizeof key, "panic:%s:%s", file, why);
		finding_set("panic", key, cur_call(), at, "VM panic: %s", why);
	}
	if ((rs.flags & RUN_ABORT) || !rs.panic_armed)
		report_and_abort();
	longjmp(rs.panic_jmp, 1);
}

void run_init(int flags)
{
	rs.flags = flags;
	hosted_set_panic_hook(on_panic);
	hosted_boot(HARNESS_SANITY_FLOOR);
	hosted_snapshot();
	shadow_init();
	leak_init();
	hosted_set_trace_hook(on_trace);
	hosted_set_fault_hook(fault_hook);
}

/* ---- Delivering ---- */
/* Push m and run VM until the feed is empty; a hang finding past STEP_CAP steps. */
static void deliver(const message *m, uint32_t status)
{
	feed_push(m, status);
	for (int steps = 0; vm_step();)
		if (++steps > STEP_CAP) {
			finding_set("hang", "hang:steps", cur_call(), "harness:step-cap",
				    "VM still has messages after %d steps", STEP_CAP);
			return;
		}
}

/* The last reply VM sent to dst since the reply log was reset, or NULL. */
static const message *reply_to(endpoint_t dst)
{
	const message *m = NULL;
	for (uint32_t i = 0; i < reply_count(); i++) {
		const struct reply_rec *rp = reply_get(i);
		if (rp && rp->dst == dst)
			m = &rp->m;
	}
	return m;
}

int32_t run_call(endpoint_t src, message *m)
{
	const message *rep;
	rs.nev = rs.ev_lost = 0;
	feed_reset_replies();
	m->m_source = src;
	deliver(m, 0);
	rep = reply_to(src);
	return rep ? rep->m_type : VM_SUSPEND;
}

static int count_events(enum trace_ev ev, endpoint_t a)
{
	int n = 0;
	for (uint32_t i = 0; i < rs.nev; i++)
		n += rs.ev[i].ev == ev && rs.ev[i].a == a;
	return n;
}

/* ---- Reply oracle ---- */
/* Calls that may legitimately answer later or never (at most one reply now). */
static int reply_optional(int32_t type)
{
	return type == VM_RS_UPDATE || type == VM_VFS_REPLY;
}

/* Calls whose returned address must be page-aligned. */
static int reply_aligned(int32_t type)
{
	return type == VM_MMAP || type == VM_REMAP || type == VM_REMAP_RO;
}

static void reply_finding(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_finding(const char *why, const char *fmt, ...)
{
	char key[128], at[64], detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(key, sizeof key, "reply:%s:%s", cur_call(), why);
	snprintf(at, sizeof at, "reply-%s", why);
	finding_set("reply", key, cur_call(), at, "%s", detail);
}

/* Returned fields of an OK reply: addresses in the user range (aligned where the call
 * returns a mapping), a forked child live.  (Only calls that return an address have an
 * OUT address field: VM_MAPCACHEPAGE has its own field list for that reason.) */
static void check_reply_fields(const struct call_desc *cd, const message *rep)
{
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (fd->dir != FD_OUT)
			continue;
		uint32_t v = (uint32_t)field_read(rep, fd);
		if (fd->kind == FK_ADDR && (v < USER_BASE || v >= USER_TOP))
			reply_finding("field", "%s.%s = 0x%x outside the user range", cd->name, fd->name, v);
		else if (fd->kind == FK_ADDR && reply_aligned(cd->type) && !page_aligned(v))
			reply_finding("field", "%s.%s = 0x%x not page-aligned", cd->name, fd->name, v);
		else if (fd->kind == FK_ENDPOINT && cd->type == VM_FORK && !sel_is_live((endpoint_t)v))
			reply_finding("field", "%s.%s = %d is not a live process", cd->name, fd->name, (int)v);
	}
}

/* Judge the replies to a request from src of type; returns the code of the one reply
 * to src, or VM_SUSPEND when none came. */
static int32_t check_replies(const struct rec *r, endpoint_t src, int32_t type, int was_live)
{
	int32_t code = VM_SUSPEND;
	int to_src = count_events(TR_REPLY_FAILED, src), others = 0;
	uint32_t n = reply_count();

	for (uint32_t i = 0; i < n; i++) {
		const struct reply_rec *rp = reply_get(i);
		if (!rp)
			continue;
		hash_in(rp, sizeof *rp);
		if (rp->dst != src) {
			others++;
			continue;
		}
		to_src++;
		code = rp->m.m_type;
		if (code != VM_OK && code_name(code) == NULL)
			reply_finding("code", "reply code %d is neither OK nor a known errno", code);
		else if (code == VM_OK && r->kind == REC_MSG && r->call >= 0)
			check_reply_fields(&call_table[r->call], &rp->m);
	}
	for (uint32_t i = 0; i < rs.nev; i++)
		if (rs.ev[i].ev == TR_REPLY_FAILED && rs.ev[i].a == src)
			code = rs.ev[i].b;
	int due = r->kind == REC_MSG && was_live && type != VM_PAGEFAULT;
	int exact = due && r->call >= 0 && !reply_optional(type);
	if (others && !reply_optional(type))
		reply_finding("stray", "%d replies to processes other than the sender %d", others, src);
	else if (!due && to_src)
		reply_finding("unexpected", "%d replies to %d, none due (%s)", to_src, src,
			      was_live ? "not a request" : "sender not live");
	else if (due && to_src > 1)
		reply_finding("count", "%d replies to one request from %d", to_src, src);
	else if (exact && to_src == 0)
		reply_finding("missing", "no reply to a request from live %d", src);
	return to_src ? code : VM_SUSPEND;
}

/* A denied call changes nothing and is answered with a denial: ECALLDENIED from the
 * mask check, EPERM from a privilege check inside a handler. */
static void check_acl(uint32_t mutations_before, int32_t code)
{
	for (uint32_t i = 0; i < rs.nev; i++) {
		if (rs.ev[i].ev != TR_ACL_DENY)
			continue;
		char key[96];
		snprintf(key, sizeof key, "acl:%s", cur_call());
		if (vm.mutations != mutations_before)
			finding_set("acl", key, cur_call(), "acl-mutation",
				    "call denied to %d but %u state mutations happened", rs.ev[i].a,
				    vm.mutations - mutations_before);
		else if (code != VM_ECALLDENIED && code != VM_EPERM && code != VM_SUSPEND)
			finding_set("acl", key, cur_call(), "acl-reply", "call denied to %d but answered %d",
				    rs.ev[i].a, code);
		return;
	}
}

static void check_expect(const struct rec *r, int32_t code)
{
	if (!(rs.flags & RUN_EXPECT) || r->expect == EXP_UNCHECKED)
		return;
	int got = expect_of_code(code);
	if (got == r->expect)
		return;
	char key[160];
	const char *gn = got == EXP_UNCHECKED ? "?" : expect_name(got);
	snprintf(key, sizeof key, "expect:%s:%s:%s", cur_call(), expect_name(r->expect), gn);
	finding_set("expect", key, cur_call(), "expected-reply", "expected %s, got %s (%d)",
		    expect_name(r->expect), gn, code);
}

/* ---- Records ---- */
static void trace_outcome(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace_outcome(const char *fmt, ...)
{
	va_list ap;
	if (!(rs.flags & RUN_TRACE))
		return;
	va_start(ap, fmt);
	printf("    -> ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* In trace mode, the events VM emitted during the record. */
static void trace_events(void)
{
	static const char *const name[] = { "acl_deny", "drop_forged", "reply_failed", "sanity_fail",
					     "pf_segv", "mutation" };
	for (uint32_t i = 0; (rs.flags & RUN_TRACE) && i < rs.nev; i++)
		printf("    event %s %d %d\n", (unsigned)rs.ev[i].ev < 6 ? name[rs.ev[i].ev] : "?", rs.ev[i].a,
		       rs.ev[i].b);
}

/* The returned fields of the reply to src, as " name=value..." (trace mode). */
static const char *reply_out_fields(const struct rec *r, endpoint_t src)
{
	static char buf[256];
	buf[0] = 0;
	if (r->kind != REC_MSG || r->call < 0)
		return buf;
	const struct call_desc *cd = &call_table[r->call];
	for (uint32_t i = 0; i < reply_count(); i++) {
		const struct reply_rec *rp = reply_get(i);
		if (!rp || rp->dst != src)
			continue;
		for (int k = 0; k < cd->nfields; k++) {
			size_t n = strlen(buf);
			if (cd->fields[k].dir != FD_IN)
				snprintf(buf + n, sizeof buf - n, " %s=0x%llx", cd->fields[k].name,
					 (unsigned long long)field_read(&rp->m, &cd->fields[k]));
		}
	}
	return buf;
}

static void run_msg(const struct rec *r, message *m, uint32_t status)
{
	endpoint_t src = m->m_source;
	int was_live = sel_is_live(src);
	uint32_t mut = vm.mutations;

	shadow_before_msg(m);
	deliver(m, status);
	int32_t code = check_replies(r, src, m->m_type, was_live);
	check_acl(mut, code);
	leak_msg(m, code);
	if (!finding_get())
		shadow_msg(m, code, reply_to(src), was_live);
	if (r->kind == REC_MSG)
		check_expect(r, code);
	hash_in(&code, sizeof code);
	rs.code[rs.rec] = code;
	if (code == VM_SUSPEND)
		trace_outcome("no reply (src %d%s)", src, was_live ? "" : ", not live");
	else
		trace_outcome("reply %s (%d) to %d%s", code_name(code) ? code_name(code) : "?", code, src,
			      reply_out_fields(r, src));
}

static void run_access(const struct rec *r)
{
	endpoint_t ep = sel_endpoint(&r->ep);
	uint32_t addr = sel_addr(&r->addr) & ~3u, val = r->value;
	shadow_before_access(ep, addr, r->write);
	int rc = r->write ? proc_write32(ep, addr, val) : proc_read32(ep, addr, &val);
	int32_t slot = ep_slot(ep);

	check_replies(r, ep, VM_PAGEFAULT, 0);
	if (rc == VM_EFAULT && sel_is_live(ep) && !(kmodel.proc[slot].flags & (KP_KILLED | KP_STOPPED)) &&
	    !count_events(TR_PF_SEGV, ep))
		finding_set("hang", "hang:pf-retry", cur_call(), "harness:retry-cap",
			    "%s of 0x%x by %d still faults after %d retries and VM did not kill it",
			    r->write ? "write" : "read", addr, ep, MMU_RETRY_MAX);
	hash_in(&rc, sizeof rc);
	hash_in(&val, sizeof val);
	trace_outcome("%s 0x%x in %d: rc %d value 0x%x", r->write ? "write" : "read", addr, ep, rc, val);
	if (!finding_get())
		shadow_access(ep, addr, r->write, val, rc);
}

static void run_record(const struct rec *r)
{
	message m;
	memset(&m, 0, sizeof m);
	switch (r->kind) {
	case REC_MSG:
		sel_build_msg(r, &m);
		run_msg(r, &m, 0);
		break;
	case REC_NOTIFY:
		m.m_source = sel_endpoint(&r->ep);
		m.m_type = NOTIFY_MESSAGE;
		run_msg(r, &m, IPC_FLG_NOTIFY);
		break;
	case REC_KPF:
		m.m_source = sel_endpoint(&r->ep);
		m.m_type = VM_PAGEFAULT;
		m.u.pagefault.addr = sel_addr(&r->addr);
		m.u.pagefault.flags = r->value;
		if (!r->forged && sel_is_live(m.m_source)) /* the kernel blocks the faulter */
			kmodel.proc[ep_slot(m.m_source)].flags |= KP_PAGEFAULT;
		run_msg(r, &m, r->forged ? 0 : IPC_FLG_MSG_FROM_KERNEL);
		break;
	case REC_ACCESS:
		run_access(r);
		break;
	default:
		fault_arm(r->site, r->nth, r->mode);
		trace_outcome("armed: hits of %s so far %u", fault_site_name[r->site], fault_hits(r->site));
		break;
	}
}

/* The sanity checker at the conversation's level (after the last record). */
void check_sanity(int level)
{
	if (level < SCL_TOP)
		return;
	int id = sanity_check();
	if (id == SAN_OK || id < 0 || id >= SAN_COUNT)
		return;
	char key[96];
	snprintf(key, sizeof key, "sanity:%s", sanity_name[id]);
	finding_set("sanity", key, cur_call(), sanity_name[id], "invariant %s failed after the record: %s",
		    sanity_name[id], sanity_text[id]);
}

static void begin(const struct conv *c, int flags)
{
	int level = c->sanity > HARNESS_SANITY_FLOOR ? c->sanity : HARNESS_SANITY_FLOOR;
	finding_clear();
	rs.c = c;
	rs.rec = -1;
	rs.flags = flags;
	rs.hash = 14695981039346656037ull;
	rs.sanity_fail = -1;
	memset(rs.code, 0, sizeof rs.code);
	hosted_restore();
	hosted_set_trace_hook(on_trace);
	hosted_set_fault_hook(fault_hook);
	hosted_set_panic_hook(on_panic);
	vm.sanity_level = level;
	kmodel.sanity_level = level;
	fault_reset();
	feed_fail_sends(c->flags & HF_FAIL_SENDS ? UINT32_MAX : 0);
	shadow_begin();
	leak_begin();
}

/* After a clean conversation: the state digest (RUN_DIGEST), then the leak oracle's
 * teardown, with fault injection and failing sends off. */
static void finish(int flags)
{
	hosted_set_fault_hook(NULL); /* the digest and the teardown must not count hits */
	feed_fail_sends(0);
	if (flags & RUN_DIGEST) {
		uint64_t d = hosted_digest();
		hash_in(&d, sizeof d);
	}
	rs.teardown = 1;
	leak_check();
	rs.teardown = 0;
}

int run_conv(const struct conv *c, int flags)
{
	begin(c, flags);
	rs.panic_armed = 1;
	if (setjmp(rs.panic_jmp) == 0) {
		for (uint32_t i = 0; i < c->n && !finding_get(); i++) {
			rs.rec = (int32_t)i;
			rs.nev = rs.ev_lost = 0;
			feed_reset_replies();
			if (flags & RUN_TRACE) {
				char line[1024];
				rec_format(c, &c->r[i], line, sizeof line);
				printf("[%u] %s\n", i, line);
			}
			run_record(&c->r[i]);
			trace_events();
			hash_in(rs.ev, rs.nev * sizeof rs.ev[0]);
		}
		/* VM checks around every handler and loop iteration at its level; one
		 * more check covers the state the last record left. */
		if (!finding_get())
			check_sanity(vm.sanity_level);
		if (!finding_get())
			finish(flags);
	}
	rs.panic_armed = 0;
	rs.teardown = 0;
	hosted_set_fault_hook(fault_hook);
	if (finding_get() && (flags & RUN_ABORT))
		report_and_abort();
	return finding_get() != NULL;
}
