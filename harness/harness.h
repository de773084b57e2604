/* harness.h - prototypes shared between the files of harness/, grouped by the file
 * that implements them.  The input format itself is in input.h. */
#ifndef VMFUZZ_HARNESS_H
#define VMFUZZ_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include "input.h"

/* The build's sanity floor: an input may raise the level, never lower it. */
#ifndef HARNESS_SANITY_FLOOR
#define HARNESS_SANITY_FLOOR 2
#endif
#define STEP_CAP 16 /* vm_step calls per record before it counts as a hang */

/* ---- select.c: selectors against live state ---- */
/* The endpoint an ep-sel names now (raw fallback when its set is empty). */
endpoint_t sel_endpoint(const struct ep_sel *e);
/* The slot number an ep-sel names (SLOT fields): the slot of sel_endpoint, or raw. */
int32_t sel_slot(const struct ep_sel *e);
/* The address an addr-sel names now (the offset alone when the region is missing). */
uint32_t sel_addr(const struct addr_sel *a);
/* The request of MSG record r, built against live state. */
void sel_build_msg(const struct rec *r, message *m);
/* True when ep is a live process for the kernel model. */
int sel_is_live(endpoint_t ep);

/* ---- fault.c: the fault engine ---- */
/* Zero the hit counters and drop the schedule (at the first record). */
void fault_reset(void);
/* A FAULT record runs: fail the nth hit of site counted from now, once (FM_ONCE) or
 * that hit and every later one (FM_FROM). */
void fault_arm(int site, uint32_t nth, int mode);
/* The seam's fault hook: counts the hit, true when it must fail. */
int fault_hook(enum fault_site site);
uint32_t fault_hits(int site);
uint32_t fault_injected(void);
/* Self-test: make the first hit of site crash (use after free) or panic. */
void fault_plant(int site, int panic);

/* ---- oracle.c: findings ---- */
struct finding {
	int set;
	char kind[16];
	uint32_t sig;
	char call[32];
	char at[160];
	char detail[512];
	int32_t rec; /* index of the failing record, -1 = none */
};
/* Record a finding (the first one of a run wins).  The signature is the hash of
 * sigkey; call and at go on the FINDING line. */
void finding_set(const char *kind, const char *sigkey, const char *call, const char *at,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const struct finding *finding_get(void);
void finding_clear(void);
/* Print the finding report: the FINDING line, the detail, the conversation up to the
 * failing record. */
void finding_print(FILE *out, const struct finding *f, const struct conv *c);
uint32_t sig_hash(const char *s);
/* Replay only: report sanitizer deaths and fatal signals as crash findings. */
void crash_handlers_install(void);
/* Where crash reports also write "kind sig\n" (minimizer children); -1 = nowhere. */
extern int finding_report_fd;

/* ---- run.c: one conversation ---- */
#define RUN_TRACE  0x1 /* print every record and its outcome */
#define RUN_EXPECT 0x2 /* check expected replies (text inputs) */
#define RUN_ABORT  0x4 /* abort on a finding (under the engines) */
#define RUN_DIGEST 0x8 /* fold the final state digest into the trace hash */
/* Boot the hosted system at the floor level, snapshot it and plug in the hooks. */
void run_init(int flags);
/* Run c from the snapshot with every oracle; 1 on a finding (see finding_get). */
int run_conv(const struct conv *c, int flags);
/* Hash of everything observable in the last run (replies, events, reads, digest). */
uint64_t run_trace_hash(void);
/* The reply code record i got in the last run (VM_SUSPEND: none; 0 for non-MSG). */
int32_t run_reply_code(uint32_t i);
/* The conversation and record being run (crash reports). */
const struct conv *run_current(int32_t *rec);
/* A display name for record r's call ("VM_MMAP", "0xc04", "NOTIFY"). */
void rec_call_name(const struct rec *r, char *buf, size_t len);

/* Send m from src through VM's loop (the leak oracle's teardown); the code of the
 * reply to src, or VM_SUSPEND when none came. */
int32_t run_call(endpoint_t src, message *m);
/* The sanity checker at level (after the last record); a finding on failure. */
void check_sanity(int level);

/* ---- shadow.c: the memory oracle ---- */
/* Take the boot shadows from the boot description (after the snapshot). */
void shadow_init(void);
/* Every run starts from the boot shadows. */
void shadow_begin(void);
/* Around an ACCESS record (resolved endpoint and aligned address); val is what was
 * written or read, rc the access's result. */
void shadow_before_access(endpoint_t ep, uint32_t addr, int write);
void shadow_access(endpoint_t ep, uint32_t addr, int write, uint32_t val, int rc);
/* Around a message as sent; rep is VM's reply to the sender (NULL when none was
 * logged), was_live whether the sender was live. */
void shadow_before_msg(const message *m);
void shadow_msg(const message *m, int32_t code, const message *rep, int was_live);
/* Reads of the last run compared with a value the shadow knew (self-test). */
uint32_t shadow_checked(void);
/* Self-test: plant "mem:flip", "mem:cow", "mem:unmap", "mem:ro" or "none"; -1 when
 * the name is not one of them. */
int shadow_plant(const char *name);

/* ---- leak.c: the leak oracle ---- */
/* Record the boot set and the teardown baseline (after the snapshot; restores it). */
void leak_init(void);
/* After a clean conversation: end every process, compare with the baseline. */
void leak_check(void);
/* Self-test: plant "leak:kslot", "leak:pages", "leak:slab", "leak:acl", "leak:host"
 * or "none"; -1 when the name is not one of them. */
int leak_plant(const char *name);
/* Every run: forget the devices of the last one. */
void leak_begin(void);
/* After every message: remember the devices VM_SETCACHEPAGE filled; planted bugs
 * that act on a message's outcome. */
void leak_msg(const message *m, int32_t code);

/* ---- minimize.c ---- */
/* Shrink c while its (kind, sig) stays that of the first run.  0, or -1 when c does
 * not give a finding. */
int minimize(struct conv *c, FILE *log);
/* Run c in a child process; 1 with kind and sig filled when it gives a finding. */
int classify(const struct conv *c, char *kind, size_t kindlen, uint32_t *sig);

/* ---- sweep.c ---- */
/* The fault sweep over c; returns the number of findings (the first is reported). */
int sweep(const struct conv *c, FILE *out);

#endif
