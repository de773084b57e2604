/* oracle_vm.c - VM's own alarms: a panic (a sanity failure when VM announced one
 * before panicking), an exception inside VM (the image), a request that keeps VM busy
 * past STEP_CAP steps, an access that still faults after the retries without VM
 * killing the process (unless VM keeps it waiting on its fault: a file page VM asked
 * VFS for, once the conversation has seen VM send VFS a request), and the sanity
 * checker once more after the last record (plus the state digest for RUN_DIGEST).
 *
 * Signature keys: sanity:<invariant>:<call>:<object> (the call being handled, or the
 * last record's for the check after it; the kind of object the checker failed on, as
 * VM names it: a region's memory type, proc, pagetable, slab, acl, alloc, blockcache),
 * so one invariant broken by two handlers, or on two kinds of object, gives two
 * signatures; panic:<file>:<message>; hang:steps:<call> and hang:pf-retry:<call>. */
#include <stdio.h>
#include "oracle.h"
#include "vm_vfs.h"

static int vfs_asked; /* VM sent VFS a request in this conversation */

/* Note whether o holds a request VM sent VFS. */
static void note_vfs(const struct outcome *o)
{
	for (uint32_t i = 0; i < o->nreplies; i++) {
		const struct out_reply *rp = out_reply_get(o, i);
		if (rp && rp->m.m_type == VFS_VMCALL && rp->dst == ep_make(0, VFS_PROC_NR))
			vfs_asked = 1;
	}
}

static void vm_begin(const struct run_ctx *x)
{
	(void)x;
	vfs_asked = 0;
}

/* The signature key of o's sanity failure during (or after) the current call. */
static void sanity_key(const struct outcome *o, char *key, uint32_t len)
{
	snprintf(key, len, "sanity:%s:%s:%s", o->sanity_inv, finding_call(), o->sanity_obj[0] ? o->sanity_obj : "?");
}

/* A finding for VM's alarm in o: its death (panic, sanity failure, exception) or a
 * request that kept it busy past STEP_CAP steps; 1 when there was one. */
int vm_alarm_finding(const struct outcome *o)
{
	char at[160], key[256];
	if (o->life == VM_ALIVE && o->hang) {
		snprintf(key, sizeof key, "hang:steps:%s", finding_call());
		finding_set("hang", key, NULL, "harness:step-cap", "VM still has messages after %d steps", STEP_CAP);
		return 1;
	}
	if (o->life == VM_ALIVE)
		return 0;
	if (o->life == VM_PANICKED && o->sanity_fail > 0) {
		sanity_key(o, key, sizeof key);
		snprintf(at, sizeof at, "%s:%d", o->panic_file, o->panic_line);
		finding_set("sanity", key, NULL, o->sanity_inv, "invariant %s failed (%s) on %s; panic at %s: %s",
			    o->sanity_inv, o->sanity_text, o->sanity_obj[0] ? o->sanity_obj : "?", at, o->panic_why);
	} else if (o->life == VM_PANICKED) {
		snprintf(key, sizeof key, "panic:%s:%s", o->panic_file, o->panic_why);
		snprintf(at, sizeof at, "%s:%d", o->panic_file, o->panic_line);
		finding_set("panic", key, NULL, at, "VM panic: %s", o->panic_why);
	} else {
		snprintf(key, sizeof key, "crash:vm-exception:%u:%x", o->exc_vec, o->exc_eip);
		snprintf(at, sizeof at, "vm:eip=0x%x", o->exc_eip);
		finding_set("crash", key, NULL, at, "exception %u in VM at 0x%x", o->exc_vec, o->exc_eip);
	}
	return 1;
}

static void vm_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	(void)x;
	note_vfs(s->o);
	vm_alarm_finding(s->o);
}

static void vm_access(const struct run_ctx *x, const struct access_seen *a)
{
	if (vm_alarm_finding(a->o))
		return;
	uint32_t pf = x->plat->proc_flags(a->ep);
	char key[64];
	note_vfs(a->o);
	if (a->rc == VM_EFAULT && (pf & PF_LIVE) && !(pf & (PF_KILLED | PF_STOPPED)) &&
	    !out_events(a->o, TR_PF_SEGV, a->ep) && !(vfs_asked && (pf & PF_PAGEFAULT))) {
		snprintf(key, sizeof key, "hang:pf-retry:%s", finding_call());
		finding_set("hang", key, NULL, "harness:retry-cap",
			    "%s of 0x%x by %d still faults after the retries and VM did not kill it",
			    a->write ? "write" : "read", a->addr, a->ep);
	}
}

/* The state the last record left must pass the checker too. */
static void vm_end(const struct run_ctx *x)
{
	static struct outcome o;
	if (x->level >= 1) {
		x->plat->sanity(&o);
		if (vm_alarm_finding(&o))
			return;
		if (o.sanity_fail > 0) {
			char key[128];
			sanity_key(&o, key, sizeof key);
			finding_set("sanity", key, NULL, o.sanity_inv, "invariant %s failed after the record: %s, on %s",
				    o.sanity_inv, o.sanity_text, o.sanity_obj[0] ? o.sanity_obj : "?");
			return;
		}
	}
	if ((x->flags & RUN_DIGEST) && x->plat->digest) {
		uint64_t d = x->plat->digest();
		runner_hash_in(&d, sizeof d);
	}
}

const struct oracle vmdeath_oracle = {
	.name = "vm",
	.begin = vm_begin,
	.after_msg = vm_after_msg,
	.access = vm_access,
	.end = vm_end,
};
