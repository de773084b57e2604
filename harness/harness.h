/* harness.h - prototypes shared between the files of harness/, grouped by the file
 * that implements them.  The input format itself is in input.h. */
#ifndef VMFUZZ_HARNESS_H
#define VMFUZZ_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include "input.h"
#include "oracle.h"

/* The build's sanity floor: an input may raise the level, never lower it. */
#ifndef HARNESS_SANITY_FLOOR
#define HARNESS_SANITY_FLOOR 2
#endif

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

/* ---- report.c: printing findings (hosted tools) ---- */
/* Print the finding report: the FINDING line, the detail, the conversation up to the
 * failing record. */
void finding_print(FILE *out, const struct finding *f, const struct conv *c);
/* Replay only: report sanitizer deaths and fatal signals as crash findings. */
void crash_handlers_install(void);
/* Where crash reports also write "kind sig\n" (minimizer children); -1 = nowhere. */
extern int finding_report_fd;

/* ---- run.c: one conversation in the hosted build ---- */
/* Boot the hosted system at the floor level, snapshot it, initialise the oracles. */
void run_init(int flags);
/* Run c from the snapshot with every hosted oracle; 1 on a finding (see
 * finding_get).  With RUN_ABORT a finding is printed and the process aborts. */
int run_conv(const struct conv *c, int flags);
/* The self-test plant VMFUZZ_PLANT names, if any (crash:SITE, panic:SITE, mem:RULE,
 * leak:WHAT, model:WHAT, sanity:WHAT): 0, or -1 with a one-line reason in err. */
int run_plant_from_env(char *err, size_t len);
/* Hash of everything observable in the last run (replies, events, reads, digest). */
uint64_t run_trace_hash(void);

/* ---- shadow.c: the memory oracle (memory_oracle) ---- */
/* Take the boot shadows from the platform's boot description. */
void shadow_init(const struct platform *plat);
/* Reads of the last run compared with a value the shadow knew (self-test). */
uint32_t shadow_checked(void);
/* Of those, the reads judged by rule id ("MEMFX-01", ..., "memory": the memory
 * rules), and for MEMFX-12 the copies judged; 0 for an unknown id. */
uint32_t shadow_checked_rule(const char *id);
/* Self-test: plant "mem:flip", "mem:cow", "mem:unmap", "mem:ro", "mem:alias" (a write
 * through a REMAP alias does not reach the shared memory), "mem:cache" (the old
 * owner's write after VM_SETCACHEPAGE lands in the cached block) or "none"; -1 when
 * the name is not one of them. */
int shadow_plant(const char *name);

/* ---- leak.c: the leak oracle (leak_oracle) ---- */
/* Record the boot set and the teardown baseline (after the snapshot; restores it). */
void leak_init(const struct platform *plat);
/* Self-test: plant "leak:kslot", "leak:fork-abort", "leak:pages", "leak:slab",
 * "leak:acl", "leak:host" or "none"; -1 when the name is not one of them. */
int leak_plant(const char *name);

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
