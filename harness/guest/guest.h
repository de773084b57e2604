/* guest.h - the guest agent of the fuzz image: it replays one conversation (the input
 * module) against the real VM with the hosted harness's runner and oracles
 * (harness/runner.c, harness/oracle_*.c) over the guest platform, and prints the
 * verdict the hosted replay prints.  Prototypes are grouped by the file that
 * implements them. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>
#include "oracle.h"

/* Exit statuses of the agent (QEMU exits with 33 + 2 * status). */
#define GUEST_CLEAN_STATUS   0
#define GUEST_BROKEN_STATUS  2 /* no input, or a fuzz kernel call failed */
#define GUEST_FINDING_STATUS 3

/* ---- plat.c: the platform over the fuzz kernel calls (kernel/fuzz_abi.h) ---- */
extern const struct platform guest_platform;
/* Copy the input module into buf (at most cap bytes); *len gets its whole length and
 * *run_flags the RUN_* flags the kernel command line asked for (expected replies of a
 * text input, trace).  VM_OK or an errno. */
int guest_input(uint8_t *buf, uint32_t cap, uint32_t *len, int *run_flags);

/* ---- agent.c: one conversation ---- */
#define ONE_INPUT_CAP (64u << 10) /* bytes of one input the agent decodes */
/* Decode and run one input with the guest's oracles: 1 on a finding, else 0. */
int agent_replay(const uint8_t *in, uint32_t len, int flags);
/* Print the last run's verdict after prefix: the FINDING line and detail, or CLEAN. */
void agent_verdict(const char *prefix);
/* Name the oracles the agent runs and those only the hosted harness runs. */
void say_oracles(void);

/* ---- batch.c: many inputs per boot (kernel/snapshot.c) ---- */
/* True when the input module is a batch (BATCH_MAGIC). */
int batch_is(const uint8_t *in, uint32_t len);
/* Replay every input of the batch, restoring the boot snapshot after each, print a
 * "VERDICT <i> " line per input and a summary, and shut down (GUEST_CLEAN_STATUS when
 * the batch was read to its end, GUEST_BROKEN_STATUS otherwise). */
__attribute__((noreturn)) void batch_run(const uint8_t *in, uint32_t len, int flags);
/* FZ_SNAP(op) (FZS_TAKE or FZS_RESTORE); the pages restored so far.  A failure means
 * the bench is broken: the agent says so and shuts down. */
uint32_t guest_snap(uint32_t op);

/* ---- shm.c: inputs from the host through shared memory (make fuzz-qemu) ---- */
/* When the host shares memory (kernel/shm_abi.h), serve its inputs forever: take the
 * snapshot, then for each new request run the input, write the verdict and restore.
 * Returns only when there is no shared memory. */
void shm_serve(void);

#endif
