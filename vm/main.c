/* main.c - VM's message loop: one message per vm_step(). */
#include "vm.h"

typedef int (*vm_handler_t)(message *m);

/* The dispatch table, one row per call of include/vm_calls.h (0 = ENOSYS). */
#define VM_DISPATCH_ROW(num, NAME, name, handler) [num] = handler,
static vm_handler_t const vm_handlers[256] = { VM_CALLS(VM_DISPATCH_ROW) };
#undef VM_DISPATCH_ROW

/* Numbers the protocol defines (rows of the table, with or without a handler). */
#define VM_KNOWN_ROW(num, NAME, name, handler) [num] = 1,
static const uint8_t vm_known[256] = { VM_CALLS(VM_KNOWN_ROW) };
#undef VM_KNOWN_ROW

/* Send m as the reply with result to dst (the sender, or whom a handler that
 * answers itself names); a refused reply is counted, never fatal. */
void vm_reply_to(endpoint_t dst, message *m, int result)
{
	m->m_type = result;
	if (seam_send_nb(dst, m) != VM_OK) {
		vm.reply_failed++;
		seam_trace(TR_REPLY_FAILED, dst, result);
	}
}

/* A message the real kernel would never deliver: dropped, counted, not answered. */
static void vm_drop(const message *m)
{
	vm.dropped++;
	seam_trace(TR_DROP_FORGED, m->m_source, m->m_type);
}

/* Run the handler of a table call from the live process in slot.  The ACL comes
 * first, so a call of the table outside the mask is denied whether or not VM serves
 * it; a type outside the table or an allowed call without a handler is VM_ENOSYS.  Returns the
 * result to reply (VM_SUSPEND: none). */
static int vm_dispatch(message *m, int32_t slot)
{
	uint32_t c = (uint32_t)m->m_type - VM_RQ_BASE; /* any garbage type: no overflow */
	int result;

	if (c >= NR_VM_CALLS || !vm_known[c])
		return VM_ENOSYS;
	if (acl_check(&vm.proc[slot], (int)c) != VM_OK) {
		seam_trace(TR_ACL_DENY, m->m_source, (int32_t)c);
		return VM_ECALLDENIED;
	}
	if (!vm_handlers[c])
		return VM_ENOSYS;
	SANITYCHECK(SCL_FUNCTIONS);
	result = vm_handlers[c](m);
	SANITYCHECK(SCL_FUNCTIONS);
	return result;
}

/* Handle one received message. */
static void vm_handle(message *m, uint32_t status)
{
	int32_t slot;
	int result;

	if (status & IPC_FLG_NOTIFY)
		return;
	if (vm_isokendpt(m->m_source, &slot) != VM_OK) {
		vm_drop(m);
		return;
	}
	if (m->m_type == VM_PAGEFAULT) {
		if (!(status & IPC_FLG_MSG_FROM_KERNEL)) {
			vm_drop(m);
			return;
		}
		do_pagefault(m);
		SANITYCHECK(SCL_FUNCTIONS);
		return;
	}
	if (m->m_source == vm.self) /* forged: VM never sends itself requests */
		result = VM_EPERM;
	else
		result = vm_dispatch(m, slot);
	if (result != VM_SUSPEND)
		vm_reply_to(m->m_source, m, result);
}

/* Receive one message and handle it: 1 when one was handled, 0 when none came. */
int vm_step(void)
{
	message m;
	uint32_t status = 0;

	if (seam_receive(&m, &status) != VM_OK)
		return 0;
	SANITYCHECK(SCL_TOP);
	vm_handle(&m, status);
	return 1;
}
