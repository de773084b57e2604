/* outcome.h - what one request or user access did to the VM server, as a client, the
 * kernel or a debugger attached to VM could observe it.  One struct for both builds:
 * the hosted platform (harness/host.c) fills it from the kernel model, and the fuzz
 * kernel (kernel/fuzz.c) fills it for the guest agent (kernel/fuzz_abi.h), so the
 * runner and the oracles (harness/platform.h, harness/oracle.h) judge the same thing.
 *
 * It holds the replies VM sent (to whom, what), the trace events it emitted (ACL
 * denials, dropped forgeries, failed sends, kills), its mutation counter around the
 * request, how many failures the fault engine injected, whether VM died (panic,
 * sanity failure, exception) and, for an access, its result.  Fixed-width fields only. */
#ifndef VMFUZZ_OUTCOME_H
#define VMFUZZ_OUTCOME_H

#include <stdint.h>
#include "ipc.h"

#define OUT_REPLY_MAX 64 /* replies kept per request: the last ones */
#define OUT_EV_MAX    64 /* trace events kept per request: the first ones */

struct out_reply {
	endpoint_t dst;
	message m;
};

struct out_event {
	int32_t ev, a, b; /* enum trace_ev and its two arguments (include/seam.h) */
};

enum vm_life { VM_ALIVE, VM_PANICKED, VM_CRASHED };

struct outcome {
	uint32_t nreplies;                  /* exact count; reply i is reply[i % OUT_REPLY_MAX] */
	struct out_reply reply[OUT_REPLY_MAX];
	uint32_t nev, ev_lost;
	struct out_event ev[OUT_EV_MAX];
	uint32_t mut_before, mut_after;     /* VM's mutation counter around the request */
	uint32_t injected;                  /* failures injected by the fault engine during it */
	uint32_t free_before;               /* VM's free pages before it (0 = not known) */
	int32_t hang;                       /* VM still had work after STEP_CAP steps */
	int32_t rc;                         /* an access: VM_OK or an errno */
	uint32_t value;                     /* an access: the value read */
	int32_t life;                       /* enum vm_life after the request */
	int32_t sanity_fail;                /* invariant id of a failed sanity check, or -1 */
	char sanity_inv[32], sanity_text[96]; /* its name (SAN_*) and statement */
	char sanity_obj[16];                /* the kind of object it failed on (SOBJ_* name) */
	int32_t panic_line;
	char panic_file[64], panic_why[128];
	uint32_t exc_vec, exc_eip;          /* VM_CRASHED (the image): the exception */
};

#endif
