/* user.h - init's parts, grouped by the file that implements them: the self-tests
 * (init.c), the soak (soak.c) and the console monitor (monitor.c). */
#ifndef KERNEL_USER_H
#define KERNEL_USER_H

#include <stdint.h>
#include "ulib.h"

/* ---- init.c ---- */
/* Run the protocol self-tests (one PASS or FAIL line each): the number that failed. */
int selftest_run(void);
/* init.c's exec and signal self-tests as rounds the soak repeats: report prints
 * each check; the count of failed expectations. */
int exec_hello_round(int report);
int signal_child_round(int report);
/* The first page past init's heap as grown so far (VM_BRK only grows it). */
uint32_t heap_top(void);

/* ---- soak.c ---- */
/* Drive cycles fork/exit cycles and the other workloads through PM, RS and VM, then
 * compare VM's free pages, its own pages and the used slots with the baseline taken
 * first; print a summary line.  0 when every data check held and nothing drifted,
 * else the number of failures. */
int soak_run(uint32_t cycles);

/* ---- monitor.c ---- */
/* Read commands on the serial console and answer them until "halt". */
__attribute__((noreturn)) void monitor_run(void);

/* ---- small helpers shared by soak.c and monitor.c (soak.c) ---- */
/* A kernel SYSINFO fact (kernel/monitor_abi.h); 0 when the call fails. */
uint32_t sysinfo(uint32_t what);
/* VM_INFO of endpoint ep: what (VMIW_*) into buf; VM_OK or an errno. */
int vm_info(int what, endpoint_t ep, void *buf, int32_t *count, uint32_t *next);

#endif
