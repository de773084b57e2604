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

#endif
