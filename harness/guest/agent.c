/* agent.c - the guest agent's entry: take the input module, decode it with the
 * harness codec, replay it (run.c), print the verdict on the console and shut down.
 *
 * The verdict is the first line the hosted replay prints for a finding,
 *   FINDING kind=<kind> sig=<8 hex> call=<VM_*> at=<...>
 * followed by "detail:" and "record:" lines, or the single line CLEAN.  The exit
 * status is 0 (QEMU exit 33) when clean and GUEST_FINDING_STATUS (QEMU exit 39) on a
 * finding. */
#include <string.h>
#include "ulib.h"
#include "guest.h"

int main(void);

#define INPUT_CAP (64u << 10)
#define GUEST_FINDING_STATUS 3

static uint8_t input[INPUT_CAP];
static struct conv conv;
static struct gfinding found;
static int32_t cur_rec = -1;

/* ---- Strings ---- */
void gstr_copy(char *dst, uint32_t cap, const char *src)
{
	uint32_t i = 0;

	for (; cap && i + 1 < cap && src[i]; i++)
		dst[i] = src[i];
	if (cap)
		dst[i] = '\0';
}

void gstr_cat(char *dst, uint32_t cap, const char *src)
{
	uint32_t n = (uint32_t)strlen(dst);

	if (n < cap)
		gstr_copy(dst + n, cap - n, src);
}

void gstr_hex(char *dst, uint32_t cap, uint32_t v)
{
	char t[9];
	int n = 0;

	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	uint32_t i = 0;
	while (n && i + 1 < cap)
		dst[i++] = t[--n];
	if (cap)
		dst[i] = '\0';
}

/* ---- Findings ---- */
/* FNV-1a over the key, as harness/oracle.c sig_hash. */
static uint32_t sig_hash(const char *const *key, int nkey)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < nkey; i++) {
		if (i)
			h = (h ^ (uint8_t)':') * 16777619u;
		for (const char *s = key[i]; *s; s++)
			h = (h ^ (uint8_t)*s) * 16777619u;
	}
	return h;
}

void gfinding_set(const char *kind, const char *call, const char *at, const char *detail,
		  const char *const *key, int nkey)
{
	if (found.set)
		return;
	found.set = 1;
	found.rec = cur_rec;
	found.sig = sig_hash(key, nkey);
	gstr_copy(found.kind, sizeof(found.kind), kind);
	gstr_copy(found.call, sizeof(found.call), call);
	gstr_copy(found.at, sizeof(found.at), at);
	gstr_copy(found.detail, sizeof(found.detail), detail);
}

const struct gfinding *gfinding_get(void)
{
	return found.set ? &found : NULL;
}

void gfinding_record(int32_t rec)
{
	cur_rec = rec;
}

/* ---- Kernel calls ---- */
int gk_procs(struct fz_proc *tab)
{
	return kcall(KC_FZ_PROCS, (uint32_t)tab, 0, 0, 0, 0, NULL);
}

int gk_fault(uint32_t op, uint32_t site, uint32_t nth, uint32_t mode)
{
	return kcall(KC_FZ_FAULT, op, site, nth, mode, 0, NULL);
}

int gk_msg(const message *m, uint32_t flags, struct fz_outcome *out)
{
	return kcall(KC_FZ_MSG, (uint32_t)m, flags, (uint32_t)out, 0, 0, NULL);
}

int gk_access(endpoint_t ep, uint32_t addr, int write, uint32_t value, struct fz_outcome *out)
{
	return kcall(KC_FZ_ACCESS, (uint32_t)ep, addr, (uint32_t)write, value, (uint32_t)out, NULL);
}

int gk_ctl(uint32_t op, uint32_t arg, struct fz_outcome *out)
{
	return kcall(KC_FZ_CTL, op, arg, (uint32_t)out, 0, 0, NULL);
}

/* Print the verdict: the FINDING line and its detail, or CLEAN. */
static void verdict(const struct conv *c)
{
	const struct gfinding *f = gfinding_get();

	if (!f) {
		uprintf("CLEAN (%u records)\n", c->n);
		return;
	}
	uprintf("FINDING kind=%s sig=%08x call=%s at=%s\n", f->kind, f->sig, f->call, f->at);
	uprintf("detail: %s\n", f->detail);
	if (f->rec >= 0)
		uprintf("record: %d\n", f->rec);
}

int main(void)
{
	uint32_t flags = 0, len = 0;

	if (kcall(KC_FZ_INPUT, (uint32_t)input, INPUT_CAP, (uint32_t)&flags, 0, 0, &len) != VM_OK) {
		uprintf("agent: no input\n");
		sys_shutdown(2);
	}
	conv_decode(input, len < INPUT_CAP ? len : INPUT_CAP, &conv);
	grun_conv(&conv, (flags & FZI_EXPECT) != 0);
	verdict(&conv);
	sys_shutdown(gfinding_get() ? GUEST_FINDING_STATUS : 0);
}
