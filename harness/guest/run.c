/* run.c - one conversation in the fuzz image, judged by the oracles of harness/run.c
 * that the image can observe: the reply oracle (a legal code, sane returned fields,
 * exactly one reply when one is due and none otherwise), the ACL oracle (a denied
 * call mutates nothing and is answered with a denial), expected replies (text
 * inputs), the page-fault retry cap, VM's panics and sanity failures, a sanity check
 * after the last record, and VM exceptions (kind crash).  Finding keys, and so the
 * signatures, are built exactly as harness/run.c builds them. */
#include <string.h>
#include "guest.h"
#include "vm.h"

static const char *const sanity_name[SAN_COUNT] = {
#define SAN_NAME(id, text) #id,
	SANITY_INVARIANTS(SAN_NAME)
#undef SAN_NAME
};

static struct {
	const struct conv *c;
	int32_t rec;
	int expect;
	struct fz_outcome out;
	char call[32];
} rs;

/* ---- Names ---- */
/* The display name of record r's call (harness/run.c rec_call_name). */
static void call_name(const struct rec *r, char *buf, uint32_t len)
{
	if (r->kind == REC_MSG && r->call >= 0) {
		gstr_copy(buf, len, call_table[r->call].name);
	} else if (r->kind == REC_MSG) {
		gstr_copy(buf, len, "0x");
		gstr_hex(buf + 2, len - 2, r->raw_type);
	} else if (r->kind == REC_ACCESS || r->kind == REC_KPF) {
		gstr_copy(buf, len, "VM_PAGEFAULT");
	} else {
		gstr_copy(buf, len, r->kind == REC_NOTIFY ? "NOTIFY" : "FAULT");
	}
}

static const char *cur_call(void)
{
	if (!rs.c || rs.rec < 0)
		return "none";
	call_name(&rs.c->r[rs.rec], rs.call, sizeof(rs.call));
	return rs.call;
}

static void put_dec(char *buf, uint32_t cap, int32_t v)
{
	char t[12];
	uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v, n = 0, i = 0;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0 && i + 1 < cap)
		buf[i++] = '-';
	while (n && i + 1 < cap)
		buf[i++] = t[--n];
	buf[i] = '\0';
}

/* ---- VM's end ---- */
/* True when VM panicked or faulted during the request; the finding is set. */
static int vm_gone(void)
{
	const struct fz_outcome *o = &rs.out;
	char at[160], num[16];

	if (o->vm_state == FZ_VM_ALIVE)
		return 0;
	if (o->vm_state == FZ_VM_PANIC && o->sanity_fail > 0 && o->sanity_fail < SAN_COUNT) {
		const char *inv = sanity_name[o->sanity_fail];
		const char *key[] = { "sanity", inv };
		gfinding_set("sanity", cur_call(), inv, o->panic_why, key, 2);
	} else if (o->vm_state == FZ_VM_PANIC) {
		const char *key[] = { "panic", o->panic_file, o->panic_why };
		gstr_copy(at, sizeof(at), o->panic_file);
		gstr_cat(at, sizeof(at), ":");
		put_dec(num, sizeof(num), o->panic_line);
		gstr_cat(at, sizeof(at), num);
		gfinding_set("panic", cur_call(), at, o->panic_why, key, 3);
	} else {
		char vec[16], eip[16];
		put_dec(vec, sizeof(vec), (int32_t)o->exc_vec);
		gstr_hex(eip, sizeof(eip), o->exc_eip);
		const char *key[] = { "crash", "vm-exception", vec, eip };
		gstr_copy(at, sizeof(at), "vm:eip=0x");
		gstr_cat(at, sizeof(at), eip);
		gfinding_set("crash", cur_call(), at, "exception in VM", key, 4);
	}
	return 1;
}

/* ---- Messages ---- */
static int count_events(enum trace_ev ev, endpoint_t a)
{
	int n = 0;
	for (uint32_t i = 0; i < rs.out.nev; i++)
		n += rs.out.ev[i].ev == (int32_t)ev && rs.out.ev[i].a == a;
	return n;
}

/* Reply i of the request (0 = oldest); only the last FZ_REPLY_MAX are kept. */
static const struct fz_reply *reply_get(uint32_t i)
{
	if (i >= rs.out.nreplies || rs.out.nreplies - i > FZ_REPLY_MAX)
		return NULL;
	return &rs.out.reply[i % FZ_REPLY_MAX];
}

/* ---- Reply oracle (harness/run.c) ---- */
static int reply_optional(int32_t type)
{
	return type == VM_RS_UPDATE || type == VM_VFS_REPLY;
}

static int reply_aligned(int32_t type)
{
	return type == VM_MMAP || type == VM_REMAP || type == VM_REMAP_RO;
}

static void reply_finding(const char *why, const char *detail)
{
	char at[64];
	const char *key[] = { "reply", cur_call(), why };

	gstr_copy(at, sizeof(at), "reply-");
	gstr_cat(at, sizeof(at), why);
	gfinding_set("reply", cur_call(), at, detail, key, 3);
}

static void check_reply_fields(const struct call_desc *cd, const message *rep)
{
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (fd->dir != FD_OUT)
			continue;
		uint32_t v = (uint32_t)field_read(rep, fd);
		if (fd->kind == FK_ADDR && (v < USER_BASE || v >= USER_TOP))
			reply_finding("field", "returned address outside the user range");
		else if (fd->kind == FK_ADDR && reply_aligned(cd->type) && !page_aligned(v))
			reply_finding("field", "returned address not page-aligned");
		else if (fd->kind == FK_ENDPOINT && cd->type == VM_FORK && !gsel_is_live((endpoint_t)v))
			reply_finding("field", "forked child is not a live process");
	}
}

/* Judge the replies to a request from src of type; the code of the one reply to
 * src, or VM_SUSPEND when none came. */
static int32_t check_replies(const struct rec *r, endpoint_t src, int32_t type, int was_live)
{
	int32_t code = VM_SUSPEND;
	int to_src = count_events(TR_REPLY_FAILED, src), others = 0;

	for (uint32_t i = 0; i < rs.out.nreplies; i++) {
		const struct fz_reply *rp = reply_get(i);
		if (!rp)
			continue;
		if (rp->dst != src) {
			others++;
			continue;
		}
		to_src++;
		code = rp->m.m_type;
		if (code != VM_OK && code_name(code) == NULL)
			reply_finding("code", "reply code is neither OK nor a known errno");
		else if (code == VM_OK && r->kind == REC_MSG && r->call >= 0)
			check_reply_fields(&call_table[r->call], &rp->m);
	}
	for (uint32_t i = 0; i < rs.out.nev; i++)
		if (rs.out.ev[i].ev == TR_REPLY_FAILED && rs.out.ev[i].a == src)
			code = rs.out.ev[i].b;
	int due = r->kind == REC_MSG && was_live && type != VM_PAGEFAULT;
	int exact = due && r->call >= 0 && !reply_optional(type);
	if (others && !reply_optional(type))
		reply_finding("stray", "replies to processes other than the sender");
	else if (!due && to_src)
		reply_finding("unexpected", was_live ? "a reply, none due (not a request)" :
					     "a reply, none due (sender not live)");
	else if (due && to_src > 1)
		reply_finding("count", "more than one reply to one request");
	else if (exact && to_src == 0)
		reply_finding("missing", "no reply to a request from a live process");
	return to_src ? code : VM_SUSPEND;
}

/* ---- ACL and expectations ---- */
static void check_acl(int32_t code)
{
	const char *key[] = { "acl", cur_call() };

	for (uint32_t i = 0; i < rs.out.nev; i++) {
		if (rs.out.ev[i].ev != TR_ACL_DENY)
			continue;
		if (rs.out.mut_after != rs.out.mut_before)
			gfinding_set("acl", cur_call(), "acl-mutation", "denied call mutated state", key, 2);
		else if (code != VM_ECALLDENIED && code != VM_EPERM && code != VM_SUSPEND)
			gfinding_set("acl", cur_call(), "acl-reply", "denied call answered otherwise", key, 2);
		return;
	}
}

static void check_expect(const struct rec *r, int32_t code)
{
	if (!rs.expect || r->expect == EXP_UNCHECKED)
		return;
	int got = expect_of_code(code);
	if (got == r->expect)
		return;
	const char *gn = got == EXP_UNCHECKED ? "?" : expect_name(got);
	const char *key[] = { "expect", cur_call(), expect_name(r->expect), gn };
	char detail[96];
	gstr_copy(detail, sizeof(detail), "expected ");
	gstr_cat(detail, sizeof(detail), expect_name(r->expect));
	gstr_cat(detail, sizeof(detail), ", got ");
	gstr_cat(detail, sizeof(detail), gn);
	gfinding_set("expect", cur_call(), "expected-reply", detail, key, 4);
}

/* ---- Records ---- */
static void run_msg(const struct rec *r, message *m, uint32_t flags)
{
	endpoint_t src = m->m_source;
	int was_live = gsel_is_live(src);

	gk_msg(m, flags, &rs.out);
	if (vm_gone())
		return;
	gsel_refresh();
	int32_t code = check_replies(r, src, m->m_type, was_live);
	check_acl(code);
	if (r->kind == REC_MSG)
		check_expect(r, code);
}

static void run_access(const struct rec *r)
{
	endpoint_t ep = gsel_endpoint(&r->ep);
	uint32_t addr = gsel_addr(&r->addr) & ~3u;

	gk_access(ep, addr, r->write, r->value, &rs.out);
	if (vm_gone())
		return;
	gsel_refresh();
	check_replies(r, ep, VM_PAGEFAULT, 0);
	if (rs.out.rc == VM_EFAULT && gsel_is_live(ep) && !(gsel_flags(ep) & (FZP_KILLED | FZP_STOPPED)) &&
	    !count_events(TR_PF_SEGV, ep)) {
		const char *key[] = { "hang", "pf-retry" };
		gfinding_set("hang", cur_call(), "harness:retry-cap", "access still faults after the retries", key, 2);
	}
}

static void run_record(const struct rec *r)
{
	message m;

	memset(&m, 0, sizeof m);
	gsel_refresh();
	switch (r->kind) {
	case REC_MSG:
		gsel_build_msg(r, &m);
		run_msg(r, &m, 0);
		break;
	case REC_NOTIFY:
		m.m_source = gsel_endpoint(&r->ep);
		m.m_type = NOTIFY_MESSAGE;
		run_msg(r, &m, FZM_NOTIFY);
		break;
	case REC_KPF:
		m.m_source = gsel_endpoint(&r->ep);
		m.m_type = VM_PAGEFAULT;
		m.u.pagefault.addr = gsel_addr(&r->addr);
		m.u.pagefault.flags = r->value;
		run_msg(r, &m, r->forged ? 0 : FZM_FROM_KERNEL | FZM_MARK_PF);
		break;
	case REC_ACCESS:
		run_access(r);
		break;
	default:
		gk_fault(FZF_ARM, r->site, r->nth, r->mode);
		break;
	}
}

/* The sanity checker once more after the last record (harness/run.c check_sanity). */
static void check_sanity(void)
{
	gk_ctl(FZC_SANITY, 0, &rs.out);
	if (vm_gone())
		return;
	int id = rs.out.ctl.result;
	if (id == SAN_OK || id < 0 || id >= SAN_COUNT)
		return;
	const char *key[] = { "sanity", sanity_name[id] };
	gfinding_set("sanity", cur_call(), sanity_name[id], "invariant failed after the last record", key, 2);
}

int grun_conv(const struct conv *c, int check_expect_flag)
{
	int level = c->sanity > GUEST_SANITY_FLOOR ? c->sanity : GUEST_SANITY_FLOOR;

	rs.c = c;
	rs.rec = -1;
	rs.expect = check_expect_flag;
	gk_ctl(FZC_LEVEL, (uint32_t)level, &rs.out);
	if (vm_gone())
		return 1;
	gk_fault(FZF_RESET, 0, 0, 0);
	if (c->flags & HF_FAIL_SENDS)
		gk_fault(FZF_FAILSENDS, 0, UINT32_MAX, 0);
	for (uint32_t i = 0; i < c->n && !gfinding_get(); i++) {
		rs.rec = (int32_t)i;
		gfinding_record(rs.rec);
		run_record(&c->r[i]);
	}
	if (!gfinding_get())
		check_sanity();
	return gfinding_get() != NULL;
}
