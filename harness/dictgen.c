/* dictgen.c - writes the AFL/libFuzzer dictionary (harness/vmfuzz.dict) from the call
 * table: one MSG record per call, raw message types, endpoint selectors for the special
 * endpoints and kernel tasks, fault records per site, region selectors, protocol flags
 * and interesting addresses, and the constructs that carry a conversation further: a
 * REPEAT of the last 1-4 records many times (with and without a page step), a BIND of
 * a reply field to a name for each call that returns an endpoint or an address, and
 * the named and free-slot selectors.  Nothing is copied by hand from the protocol. */
#include <stdio.h>
#include <string.h>
#include "input.h"
#include "layout.h"

#define TOKEN_MAX 64 /* libFuzzer's longest dictionary word */

static void token(const char *name, const uint8_t *b, size_t n)
{
	if (n == 0 || n > TOKEN_MAX)
		return;
	printf("%s=\"", name);
	for (size_t i = 0; i < n; i++)
		printf("\\x%02x", b[i]);
	printf("\"\n");
}

static void le32(const char *name, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	token(name, b, 4);
}

/* The encoding of a one-record conversation, minus the header. */
static void record(const char *name, const struct rec *r)
{
	static struct conv c;
	uint8_t buf[CONV_ENCODED_MAX];
	memset(&c, 0, sizeof c);
	c.n = 1;
	c.r[0] = *r;
	size_t n = conv_encode(&c, buf, sizeof buf);
	token(name, buf + INPUT_HDR_LEN, n - INPUT_HDR_LEN);
}

static void calls(void)
{
	char name[64];
	for (int i = 0; i < ncalls; i++) {
		struct rec r;
		memset(&r, 0, sizeof r);
		r.kind = REC_MSG;
		r.call = (int16_t)i;
		snprintf(name, sizeof name, "msg_%s", call_table[i].name);
		record(name, &r);
		snprintf(name, sizeof name, "type_%s", call_table[i].name);
		le32(name, (uint32_t)call_table[i].type);
	}
}

static void endpoints(void)
{
	static const struct { const char *name; int32_t ep; } eps[] = {
		{ "ep_ANY", ANY }, { "ep_NONE", NONE }, { "ep_SELF", SELF }, { "ep_KERNEL", KERNEL },
		{ "ep_SYSTEM", SYSTEM }, { "ep_VM", VM_PROC_NR }, { "ep_gen1_init", (1 << 15) + INIT_PROC_NR },
	};
	for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
		uint8_t b[5] = { EPS_RAW << 5, (uint8_t)eps[i].ep, (uint8_t)(eps[i].ep >> 8),
				 (uint8_t)(eps[i].ep >> 16), (uint8_t)(eps[i].ep >> 24) };
		token(eps[i].name, b, 5);
	}
}

static void faults(void)
{
	char name[64];
	for (int s = 0; s < FS_COUNT; s++) {
		struct rec r;
		memset(&r, 0, sizeof r);
		r.kind = REC_FAULT;
		r.site = (uint8_t)s;
		r.nth = 1;
		snprintf(name, sizeof name, "fault_%s_once", fault_site_name[s]);
		record(name, &r);
		r.mode = FM_FROM;
		snprintf(name, sizeof name, "fault_%s_from", fault_site_name[s]);
		record(name, &r);
	}
}

static void values(void)
{
	static const struct { const char *name; uint32_t v; } vals[] = {
		{ "PROT_RW", PROT_READ | PROT_WRITE }, { "MAP_PRIVATE_ANON", MAP_PRIVATE | MAP_ANON },
		{ "MAP_FIXED", MAP_FIXED }, { "MAP_PREALLOC", MAP_PREALLOC }, { "MAP_CONTIG", MAP_CONTIG },
		{ "MAP_LOWER16M", MAP_LOWER16M }, { "MAP_LOWER1M", MAP_LOWER1M },
		{ "MAP_THIRDPARTY", MAP_THIRDPARTY }, { "MAP_ALIGNMENT_64KB", MAP_ALIGNMENT_64KB },
		{ "MAP_UNINITIALIZED", MAP_UNINITIALIZED }, { "MAP_SHARED", MAP_SHARED },
		{ "PAGE_SIZE", PAGE_SIZE }, { "BIG_PAGE", BIG_PAGE_SIZE }, { "USER_BASE", USER_BASE },
		{ "TEXT_VADDR", TEXT_VADDR }, { "MMAP_BASE", MMAP_BASE }, { "MMAP_TOP", MMAP_TOP },
		{ "USER_TOP", USER_TOP }, { "STACK_LAST_PAGE", STACK_TOP - PAGE_SIZE },
		{ "PAGE_MASK_HI", ~PAGE_MASK }, { "U32_MAX", 0xFFFFFFFFu }, { "S32_MAX", 0x7FFFFFFFu },
		{ "S32_MIN", 0x80000000u }, { "PHYS_MAX", PHYS_MAX }, { "PF_USER_WRITE", PFERR_USER | PFERR_WRITE },
		{ "PF_USER_WRITE_PRESENT", PFERR_USER | PFERR_WRITE | PFERR_PRESENT },
	};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		le32(vals[i].name, vals[i].v);
	uint8_t region[5] = { 0x80, 0, 0, 0, 0 };
	token("addr_region_0_0", region, 5);
	uint8_t header[INPUT_HDR_LEN] = { INPUT_MAGIC, INPUT_VERSION, 3, 0 };
	token("header_sanity3", header, INPUT_HDR_LEN);
}

/* REPEAT records: body 1..4, 16/64/256/1024 runs, no step or a page step. */
static void repeats(void)
{
	static const uint16_t counts[] = { 16, 64, 256, 1024 };
	char name[64];
	for (int body = 1; body <= 4; body++)
		for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
			for (int step = 0; step <= 1; step++) {
				uint32_t st = step ? PAGE_SIZE : 0, n = counts[i] - 1u;
				uint8_t b[9] = { BK_REPEAT, (uint8_t)body, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)st,
						 (uint8_t)(st >> 8), (uint8_t)(st >> 16), (uint8_t)(st >> 24), 0 };
				snprintf(name, sizeof name, "repeat_%d_x%u%s", body, counts[i], step ? "_step" : "");
				token(name, b, sizeof b);
			}
}

/* BIND notes: name 0 and 1 to each reply field that is an endpoint or an address. */
static void binds(void)
{
	char name[64];
	for (int c = 0; c < ncalls; c++)
		for (int f = 0; f < call_table[c].nfields; f++) {
			const struct field_desc *fd = &call_table[c].fields[f];
			if (fd->dir == FD_IN || (fd->kind != FK_ENDPOINT && fd->kind != FK_ADDR))
				continue;
			for (uint8_t n = 0; n < 2; n++) {
				uint8_t b[4] = { BK_NOTE, NOTE_BIND, (uint8_t)f, n };
				snprintf(name, sizeof name, "bind_%s_%s_%u", call_table[c].name, fd->name, n);
				token(name, b, sizeof b);
			}
		}
	for (uint8_t n = 0; n < 2; n++) {
		uint8_t ep = (uint8_t)(EPS_NAMED << 5 | n), ad[5] = { (uint8_t)(0x40 | n), 0, 0, 0, 0 };
		snprintf(name, sizeof name, "ep_named_%u", n);
		token(name, &ep, 1);
		snprintf(name, sizeof name, "addr_named_%u", n);
		token(name, ad, sizeof ad);
	}
	uint8_t free0 = EPS_FREE << 5;
	token("ep_free_0", &free0, 1);
}

/* VFS records (VFS answers VM's last request): OK for a file of 1 and 4 pages, and the
 * failures ENOENT and EIO. */
static void vfs_answers(void)
{
	static const struct { const char *name; int32_t res; uint32_t size; } v[] = {
		{ "vfs_ok_1", VM_OK, 1 }, { "vfs_ok_4", VM_OK, 4 }, { "vfs_enoent", VM_ENOENT, 0 }, { "vfs_eio", VM_EIO, 0 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t b[22] = { BK_NOTE, NOTE_VFS };
		for (int k = 0; k < 4; k++) {
			b[2 + k] = (uint8_t)((uint32_t)v[i].res >> (8 * k));
			b[6 + k] = (uint8_t)(v[i].size >> (8 * k));
		}
		b[10] = 5; /* dev */
		b[14] = 77; /* ino */
		b[18] = 9; /* fd */
		token(v[i].name, b, sizeof b);
	}
}

int main(void)
{
	printf("# vmfuzz.dict - generated by harness/dictgen.c from include/vm_calls.h; do not edit.\n");
	calls();
	endpoints();
	faults();
	values();
	repeats();
	binds();
	vfs_answers();
	return 0;
}
