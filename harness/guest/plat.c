/* plat.c - the guest platform: struct platform (harness/platform.h) over the fuzz
 * kernel calls (kernel/fuzz_abi.h), so the guest agent runs harness/runner.c and the
 * oracles exactly as the hosted harness runs them over harness/host.c.  The one guest
 * file that knows the kernel's fuzz ABI.
 *
 * The kernel fills include/outcome.h's struct outcome itself, so requests need no
 * conversion.  The process table is fetched from the kernel (FZ_PROCS) at most once
 * per request, the first time a selector or an oracle asks after it; the boot
 * description once (FZ_BOOTINFO).  Peeks are the kernel's reads through the page tables
 * (FZ_PEEK).  What the kernel cannot offer stays NULL: a digest of VM's whole state.
 * A fuzz kernel call that fails means the bench itself is broken: the agent says so
 * and shuts down with GUEST_BROKEN_STATUS. */
#include <string.h>
#include "ulib.h"
#include "fuzz_abi.h"
#include "guest.h"

_Static_assert(FZP_INUSE == PF_LIVE && FZP_PAGEFAULT == PF_PAGEFAULT && FZP_KILLED == PF_KILLED &&
		       FZP_STOPPED == PF_STOPPED,
	       "the kernel's process flags are the platform's");

static struct {
	struct fz_proc tab[NR_PROCS];
	int stale;              /* a request ran since tab was fetched */
	struct outcome ctl_out; /* outcome of a control request nobody judges */
	struct fz_ctl ctl;
	struct boot_info bi;
	int have_bi;
} gp = { .stale = 1 };

/* A fuzz kernel call failed: nothing the agent reports after it could be trusted. */
static void check(const char *call, int rc)
{
	if (rc == VM_OK)
		return;
	uprintf("agent: %s failed: %d\n", call, rc);
	sys_shutdown(GUEST_BROKEN_STATUS);
}

/* ---- The process table ---- */
/* tab, fetched again when a request ran since the last fetch. */
static const struct fz_proc *procs(void)
{
	if (gp.stale) {
		check("FZ_PROCS", kcall(KC_FZ_PROCS, (uint32_t)gp.tab, 0, 0, 0, 0, NULL));
		gp.stale = 0;
	}
	return gp.tab;
}

static int gp_live(int32_t s) { return (procs()[s].flags & FZP_INUSE) != 0; }
static int gp_used(int32_t s) { return gp_live(s) || procs()[s].ever_used; }
static endpoint_t gp_endpt(int32_t s) { return procs()[s].endpt; }
static int32_t gp_generation(int32_t s) { return procs()[s].generation; }
static const struct sel_table guest_procs = { gp_live, gp_used, gp_endpt, gp_generation, NULL };

static uint32_t guest_proc_flags(endpoint_t ep)
{
	int32_t s = ep_slot(ep);
	if (s < 0 || s >= NR_PROCS || !gp_live(s) || procs()[s].endpt != ep)
		return 0;
	return procs()[s].flags & (PF_LIVE | PF_PAGEFAULT | PF_KILLED | PF_STOPPED);
}

/* ---- Requests ---- */
/* A control request for VM's fuzz seam; its outcome goes to o, its answer to gp.ctl. */
static void control(uint32_t op, uint32_t arg, struct outcome *o)
{
	check("FZ_CTL", kcall(KC_FZ_CTL, op, arg, (uint32_t)o, (uint32_t)&gp.ctl, 0, NULL));
}

static void guest_reset(int level, uint32_t how)
{
	control(FZC_LEVEL, (uint32_t)level, &gp.ctl_out);
	check("FZ_FAULT", kcall(KC_FZ_FAULT, FZF_RESET, 0, 0, 0, 0, NULL));
	if (how & RESET_FAIL_SENDS)
		check("FZ_FAULT", kcall(KC_FZ_FAULT, FZF_FAILSENDS, 0, UINT32_MAX, 0, 0, NULL));
	gp.stale = 1;
}

/* The kernel's FZM_* flags for the runner's deliver status bits. */
static uint32_t fzm_flags(uint32_t status)
{
	return ((status & IPC_FLG_MSG_FROM_KERNEL) ? FZM_FROM_KERNEL : 0) |
	       ((status & IPC_FLG_NOTIFY) ? FZM_NOTIFY : 0) | ((status & DELIVER_MARK_PF) ? FZM_MARK_PF : 0);
}

static void guest_deliver(const message *m, uint32_t status, struct outcome *o)
{
	check("FZ_MSG", kcall(KC_FZ_MSG, (uint32_t)m, fzm_flags(status), (uint32_t)o, 0, 0, NULL));
	gp.stale = 1;
}

static void guest_access(endpoint_t ep, uint32_t addr, int write, uint32_t value, struct outcome *o)
{
	check("FZ_ACCESS", kcall(KC_FZ_ACCESS, (uint32_t)ep, addr, (uint32_t)write, value, (uint32_t)o, NULL));
	gp.stale = 1;
}

static void guest_fault(int site, uint32_t nth, int mode)
{
	check("FZ_FAULT", kcall(KC_FZ_FAULT, FZF_ARM, (uint32_t)site, nth, (uint32_t)mode, 0, NULL));
}

static int guest_regions(int32_t slot, uint32_t *vaddr, int max)
{
	control(FZC_REGIONS, (uint32_t)slot, &gp.ctl_out);
	for (int i = 0; i < max && i < gp.ctl.result && i < FZ_CTL_REGIONS; i++)
		vaddr[i] = gp.ctl.vaddr[i];
	return gp.ctl.result;
}

/* VM's checker: the kernel fills o's life and sanity_* (VM names a failed invariant
 * and the kind of object it failed on, so the signature is the hosted one). */
static void guest_sanity(struct outcome *o)
{
	control(FZC_SANITY, 0, o);
}

/* The boot description VM was given, fetched once (it never changes). */
static const struct boot_info *guest_bootinfo(void)
{
	if (!gp.have_bi) {
		check("FZ_BOOTINFO", kcall(KC_FZ_BOOTINFO, (uint32_t)&gp.bi, 0, 0, 0, 0, NULL));
		gp.have_bi = 1;
	}
	return &gp.bi;
}

static int guest_peek(endpoint_t ep, uint32_t addr, uint32_t *val)
{
	return kcall(KC_FZ_PEEK, (uint32_t)ep, addr, 0, 0, 0, val) == VM_OK ? 0 : -1;
}

static void guest_print(const char *line)
{
	uprintf("%s\n", line);
}

const struct platform guest_platform = {
	.name = "qemu",
	.reset = guest_reset,
	.deliver = guest_deliver,
	.access = guest_access,
	.fault = guest_fault,
	.procs = &guest_procs,
	.proc_flags = guest_proc_flags,
	.regions = guest_regions,
	.sanity = guest_sanity,
	.bootinfo = guest_bootinfo,
	.peek = guest_peek,
	.print = guest_print,
};

int guest_input(uint8_t *buf, uint32_t cap, uint32_t *len, int *run_flags)
{
	uint32_t fzi = 0;
	int rc = kcall(KC_FZ_INPUT, (uint32_t)buf, cap, (uint32_t)&fzi, 0, 0, len);

	*run_flags = ((fzi & FZI_EXPECT) ? RUN_EXPECT : 0) | ((fzi & FZI_TRACE) ? RUN_TRACE : 0);
	return rc;
}
