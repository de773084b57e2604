/* vmseam.c - include/seam.h for the VM server in the image: IPC and kernel calls by
 * trap, physical memory through the RAM window the kernel maps for VM (identity:
 * phys_ptr(p) is p), and no sanitizer or fault-injection machinery.  The fuzz image
 * (KERNEL_FUZZ) takes receive, panic, trace and fault from vmseam_fuzz.c instead. */
#include "vm.h"
#include "ulib.h"

#ifndef KERNEL_FUZZ
#include "monitor_abi.h"

/* Answer a control request of the kernel (init's monitor, kernel/monitor_abi.h):
 * VMCTL_SANITY sets the sanity level and runs one full check, printing its result. */
static void vm_control(const message *m)
{
	int r;

	if (m->u.word[0] != VMCTL_SANITY) {
		vm_log("VM: unknown control request %u", m->u.word[0]);
		return;
	}
	vm.sanity_level = (int32_t)m->u.word[1];
	r = sanity_check();
	vm_log("VM: sanity level %d, check: %s", vm.sanity_level, r == SAN_OK ? "OK" : sanity_text[r]);
}

int seam_receive(message *m, uint32_t *status)
{
	int r;

	for (;;) {
		/* A receive fails only on a broken buffer; VM's own is always fine. */
		while ((r = ipc_receive(ANY, m, status)) != VM_OK)
			uprintf("VM: receive failed: %d\n", r);
		if ((*status & (IPC_FLG_VMCTL | IPC_FLG_MSG_FROM_KERNEL)) != (IPC_FLG_VMCTL | IPC_FLG_MSG_FROM_KERNEL))
			return VM_OK;
		vm_control(m);
	}
}

#endif

int seam_send_nb(endpoint_t dst, const message *m)
{
	return ipc_sendnb(dst, (message *)m);
}

int seam_notify(endpoint_t dst)
{
	return ipc_notify(dst);
}

int kc_bootinfo(struct boot_info *bi)
{
	return kcall(KC_BOOTINFO, (uint32_t)bi, 0, 0, 0, 0, NULL);
}

int kc_fork(endpoint_t parent, int32_t child_slot, endpoint_t *child_ep)
{
	uint32_t out;
	int r = kcall(KC_FORK, (uint32_t)parent, (uint32_t)child_slot, 0, 0, 0, &out);

	if (r == VM_OK)
		*child_ep = (endpoint_t)out;
	return r;
}

int kc_fork_abort(endpoint_t child) { return kcall(KC_FORK_ABORT, (uint32_t)child, 0, 0, 0, 0, NULL); }
int kc_exit(endpoint_t ep) { return kcall(KC_EXIT, (uint32_t)ep, 0, 0, 0, 0, NULL); }
int kc_flush_tlb(endpoint_t ep) { return kcall(KC_FLUSH_TLB, (uint32_t)ep, 0, 0, 0, 0, NULL); }
int kc_clear_pagefault(endpoint_t ep) { return kcall(KC_CLEAR_PF, (uint32_t)ep, 0, 0, 0, 0, NULL); }

int kc_addrspace(endpoint_t ep, uint32_t pdir_phys)
{
	return kcall(KC_ADDRSPACE, (uint32_t)ep, pdir_phys, 0, 0, 0, NULL);
}

int kc_kill(endpoint_t ep, int sig)
{
	return kcall(KC_KILL, (uint32_t)ep, (uint32_t)sig, 0, 0, 0, NULL);
}

int kc_copy(endpoint_t src, uint32_t src_addr, endpoint_t dst, uint32_t dst_addr, uint32_t len)
{
	return kcall(KC_COPY, (uint32_t)src, src_addr, (uint32_t)dst, dst_addr, len, NULL);
}

int kc_privquery_mem(endpoint_t ep, uint32_t phys, uint32_t len)
{
	return kcall(KC_PRIVQUERY_MEM, (uint32_t)ep, phys, len, 0, 0, NULL);
}

int kc_update(endpoint_t a, endpoint_t b)
{
	return kcall(KC_UPDATE, (uint32_t)a, (uint32_t)b, 0, 0, 0, NULL);
}

void *phys_ptr(uint32_t phys, uint32_t len)
{
	(void)len;
	return (void *)phys;
}

void seam_poison(uint32_t phys, uint32_t len) { (void)phys, (void)len; }
void seam_unpoison(uint32_t phys, uint32_t len) { (void)phys, (void)len; }
void seam_poison_obj(void *p, uint32_t len) { (void)p, (void)len; }
void seam_unpoison_obj(void *p, uint32_t len) { (void)p, (void)len; }
int seam_scrub_free(uint32_t phys, uint32_t len) { (void)phys, (void)len; return 1; }

/* VM's log lines come without a newline (hosted stderr style): end each line. */
void seam_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	uprintf(n && s[n - 1] == '\n' ? "%s" : "%s\n", s);
}

#ifndef KERNEL_FUZZ
void seam_panic(const char *file, int line, const char *why)
{
	uprintf("VM PANIC at %s:%d: %s\n", file, line, why);
	sys_shutdown(2);
}

/* Trace events go to the console: the image has no oracle listening. */
void seam_trace(enum trace_ev ev, int32_t a, int32_t b)
{
	static const char *const names[] = { "acl_deny", "drop_forged", "reply_failed", "sanity_fail",
					     "pf_segv", "mutation" };

	if ((uint32_t)ev < sizeof(names) / sizeof(names[0]))
		uprintf("VM trace: %s %d %d\n", names[ev], a, b);
}

int seam_fault(enum fault_site site)
{
	(void)site;
	return 0;
}
#endif
