/* guest.h - the guest agent of the fuzz image: it replays one conversation (the
 * input module) against the real VM through the fuzz kernel calls
 * (kernel/fuzz_abi.h) and prints the verdict the hosted replay prints.
 *
 * It reuses the harness's codec and call table (harness/codec.c, harness/proto.c);
 * selectors and oracles follow harness/select.c and harness/run.c rule for rule, over
 * the kernel's process table instead of the hosted kernel model.  Prototypes are
 * grouped by the file that implements them. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>
#include "input.h"
#include "fuzz_abi.h"

/* The hosted harness's sanity floor (harness/harness.h HARNESS_SANITY_FLOOR). */
#define GUEST_SANITY_FLOOR 2

/* ---- select.c: selectors against the kernel's process table and VM's regions ---- */
/* Refresh the process table from the kernel (before resolving a record). */
void gsel_refresh(void);
endpoint_t gsel_endpoint(const struct ep_sel *e);
int32_t gsel_slot(const struct ep_sel *e);
uint32_t gsel_addr(const struct addr_sel *a);
void gsel_build_msg(const struct rec *r, message *m);
int gsel_is_live(endpoint_t ep);
/* The flags (FZP_*) of ep's slot, 0 when it is not live. */
uint32_t gsel_flags(endpoint_t ep);

/* ---- run.c: one conversation and its oracles ---- */
/* Run c; 1 on a finding. */
int grun_conv(const struct conv *c, int check_expect);

/* ---- agent.c: findings and kernel calls ---- */
struct gfinding {
	int set;
	char kind[16];
	uint32_t sig;
	char call[32];
	char at[160];
	char detail[200];
	int32_t rec;
};
/* Record the first finding of the run; sig is the hash of the key parts joined
 * with ':' (harness/oracle.c sig_hash over the same key text as the hosted run). */
void gfinding_set(const char *kind, const char *call, const char *at, const char *detail,
		  const char *const *key, int nkey);
const struct gfinding *gfinding_get(void);
/* The index of the record being run (-1 before the first). */
void gfinding_record(int32_t rec);
/* Small string helpers (no libc): copy with truncation, format an unsigned in hex. */
void gstr_copy(char *dst, uint32_t cap, const char *src);
void gstr_cat(char *dst, uint32_t cap, const char *src);
void gstr_hex(char *dst, uint32_t cap, uint32_t v);
/* The fuzz kernel calls (VM_OK or an errno). */
int gk_procs(struct fz_proc *tab);
int gk_fault(uint32_t op, uint32_t site, uint32_t nth, uint32_t mode);
int gk_msg(const message *m, uint32_t flags, struct fz_outcome *out);
int gk_access(endpoint_t ep, uint32_t addr, int write, uint32_t value, struct fz_outcome *out);
int gk_ctl(uint32_t op, uint32_t arg, struct fz_outcome *out);

#endif
