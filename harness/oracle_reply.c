/* oracle_reply.c - the reply oracle: every reply code is OK or a known errno, returned
 * fields are sane (addresses in the user range, page-aligned where the call returns a
 * mapping, a forked child live), exactly one reply goes to the sender of a request
 * that is due one, none to anybody else, and none at all for what is not a request
 * (a notification, a page fault, a message from a dead sender, a user access). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "oracle.h"
#include "vm_vfs.h"

/* Requests that may legitimately be answered later or never (at most one reply now):
 * RS_UPDATE, VFS_REPLY (whose replies go to the requesters VFS answered), and an mmap
 * of a file, which waits for VFS: 1.  The exit of the boot VFS answers everyone who
 * waits for VFS (the sender too, before its own reply): 2. */
static int reply_optional(const message *m)
{
	if (m->m_type == VM_EXIT && m->u.exit.endpt == ep_make(0, VFS_PROC_NR))
		return 2;
	return m->m_type == VM_RS_UPDATE || m->m_type == VM_VFS_REPLY ||
	       (m->m_type == VM_MMAP && !(m->u.mmap.flags & MAP_ANON) && m->u.mmap.fd != -1);
}

/* Is rp a request VM sent VFS (VFS_VMCALL to the boot VFS), not a reply? */
static int vfs_request(const struct out_reply *rp)
{
	return rp->dst == ep_make(0, VFS_PROC_NR) && rp->m.m_type == VFS_VMCALL;
}

/* Calls whose returned address must be page-aligned. */
static int reply_aligned(int32_t type)
{
	return type == VM_MMAP || type == VM_REMAP || type == VM_REMAP_RO;
}

/* Calls whose returned address is the end of a range (VM_EXEC_NEWMEM's stack_top): it
 * lies in (USER_BASE, USER_TOP], page-aligned. */
static int reply_range_end(int32_t type)
{
	return type == VM_EXEC_NEWMEM;
}

static void reply_finding(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_finding(const char *why, const char *fmt, ...)
{
	char key[128], at[64], detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(key, sizeof key, "reply:%s:%s", finding_call(), why);
	snprintf(at, sizeof at, "reply-%s", why);
	finding_set("reply", key, NULL, at, "%s", detail);
}

/* Returned fields of an OK reply (only calls that return an address have an OUT
 * address field: VM_MAPCACHEPAGE has its own field list for that reason). */
static void check_fields(const struct run_ctx *x, const struct call_desc *cd, const message *rep)
{
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (fd->dir != FD_OUT)
			continue;
		uint32_t v = (uint32_t)field_read(rep, fd);
		if (fd->kind == FK_ADDR && reply_range_end(cd->type)) {
			if (v <= USER_BASE || v > USER_TOP || (v & PAGE_MASK))
				reply_finding("field", "%s.%s = 0x%x not a page-aligned end in the user range", cd->name,
					      fd->name, v);
		} else if (fd->kind == FK_ADDR && (v < USER_BASE || v >= USER_TOP))
			reply_finding("field", "%s.%s = 0x%x outside the user range", cd->name, fd->name, v);
		else if (fd->kind == FK_ADDR && reply_aligned(cd->type) && (v & PAGE_MASK))
			reply_finding("field", "%s.%s = 0x%x not page-aligned", cd->name, fd->name, v);
		else if (fd->kind == FK_ENDPOINT && cd->type == VM_FORK && !plat_is_live(x->plat, (endpoint_t)v))
			reply_finding("field", "%s.%s = %d is not a live process", cd->name, fd->name, (int)v);
	}
}

/* Judge every reply of o: r is the record (NULL: none), src who asked, due whether a
 * reply to src is owed, optional whether it may come later. */
static void judge(const struct run_ctx *x, const struct rec *r, const struct outcome *o, endpoint_t src,
		  int due, int optional)
{
	int to_src = out_events(o, TR_REPLY_FAILED, src), others = 0, vfs_reqs = 0;
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		if (!rp)
			continue;
		if (vfs_request(rp)) {
			uint32_t req = rp->m.u.word[VFSW_REQ];
			if (req != VMVFSREQ_FDLOOKUP && req != VMVFSREQ_FDIO)
				reply_finding("vfs-request", "request to VFS with code %u", req);
			else if ((int32_t)rp->m.u.word[VFSW_REQID] <= 0)
				reply_finding("vfs-request", "request to VFS with reqid %d", (int32_t)rp->m.u.word[VFSW_REQID]);
			else if (++vfs_reqs > 1)
				reply_finding("vfs-request", "%d requests sent to VFS at once (one is active at a time)", vfs_reqs);
			continue;
		}
		if (rp->dst != src) {
			others++;
			continue;
		}
		to_src++;
		int32_t code = rp->m.m_type;
		if (code != VM_OK && code_name(code) == NULL)
			reply_finding("code", "reply code %d is neither OK nor a known errno", code);
		else if (code == VM_OK && r && r->kind == REC_MSG && r->call >= 0)
			check_fields(x, &call_table[r->call], &rp->m);
	}
	int exact = due && r && r->call >= 0 && !optional;
	if (others && !optional)
		reply_finding("stray", "%d replies to processes other than the sender %d", others, src);
	else if (!due && to_src)
		reply_finding("unexpected", "%d replies to %d, none due (%s)", to_src, src,
			      r && r->kind == REC_MSG ? "sender not live" : "not a request");
	else if (due && to_src > 1 && optional != 2)
		reply_finding("count", "%d replies to one request from %d", to_src, src);
	else if (exact && to_src == 0)
		reply_finding("missing", "no reply to a request from live %d", src);
}

static void reply_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	if (!s->r)
		return;
	int due = (s->r->kind == REC_MSG || s->r->kind == REC_VFS) && s->was_live && s->m.m_type != VM_PAGEFAULT;
	judge(x, s->r, s->o, s->m.m_source, due, reply_optional(&s->m));
}

static void reply_access(const struct run_ctx *x, const struct access_seen *a)
{
	judge(x, a->r, a->o, a->ep, 0, 0);
}

const struct oracle reply_oracle = {
	.name = "reply",
	.after_msg = reply_after_msg,
	.access = reply_access,
};
