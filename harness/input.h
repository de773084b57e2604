/* input.h - the fuzz input: one conversation with the VM server.
 *
 * A conversation is a header and at most CONV_MAX_RECORDS records.  Records are
 * messages (MSG), fault-schedule entries (FAULT), process memory accesses through the
 * MMU (ACCESS), notifications (NOTIFY) and raw kernel page faults (KPF); an EXPECT
 * record carries the expected reply of the MSG before it.  Values that name things in
 * the running system are selectors, resolved against live state when the record runs
 * (harness/selcore.c, harness/runner.c), so a mutated input stays meaningful.
 *
 * Binary form (all integers little-endian; docs/input-format.md has the full table):
 *   header  4 bytes: 'V', version (1), sanity raise, flags
 *   record  1 byte kind (b & 7: 0 MSG 1 FAULT 2 ACCESS 3 NOTIFY 4 KPF 5 EXPECT 6,7 MSG)
 *           then the kind's body:
 *     MSG     ep-sel source, call byte (b % (NCALLS+1); NCALLS = raw: u32 m_type
 *             follows), then each IN/INOUT field of the call in table order:
 *             ENDPOINT and SLOT: ep-sel; ADDR: addr-sel; U64: u64; others u32
 *     FAULT   site byte (% FS_COUNT), u16 nth-1, mode byte (& 1: 0 once, 1 from); when
 *             it runs it arms the fault engine: the nth hit of the site counted from
 *             there fails (once), or that hit and every later one (from)
 *     ACCESS  ep-sel process, rw byte (& 1: 0 read, 1 write), addr-sel, u32 value
 *     NOTIFY  ep-sel source
 *     KPF     ep-sel process, byte (& 1: 1 forged, no kernel flag), addr-sel, u32 flags
 *     EXPECT  code byte (% EXP_COUNT): 0 none (no reply due), 1 OK, 2+i the i-th errno
 *             of VM_ERRNOS
 *   ep-sel   1 byte: kind = b >> 5, arg = b & 31; kind 5 (RAW) is followed by an i32
 *   addr-sel 1 byte: bit 7 set = region (process = live:((b >> 4) & 7), region b & 15)
 *            followed by an i32 offset; bit 7 clear = raw, followed by a u32
 *
 * The decoder is total: every byte string decodes (a short header takes defaults,
 * selector and kind bytes are taken modulo, a truncated record is dropped, records
 * past CONV_MAX_RECORDS are ignored).  The encoder writes the canonical bytes, so
 * encode(decode(encode(c))) == encode(c) and text -> binary -> text is the identity. */
#ifndef VMFUZZ_HARNESS_INPUT_H
#define VMFUZZ_HARNESS_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ipc.h"
#include "fault_sites.h"

#define INPUT_MAGIC   'V'
#define INPUT_VERSION 1
#define INPUT_HDR_LEN 4

#define CONV_MAX_RECORDS 64 /* records per conversation */
#define CALL_MAX_FIELDS  12 /* fields of the widest call in VM_CALLS */

/* Header flags. */
#define HF_FAIL_SENDS 0x01 /* every reply send of VM fails (tests the failed-reply path) */
#define HF_KNOWN      0x01

enum rec_kind { REC_MSG, REC_FAULT, REC_ACCESS, REC_NOTIFY, REC_KPF, REC_EXPECT, REC_KINDS };

/* Endpoint selectors (ep-sel). */
enum eps_kind {
	EPS_LIVE,  /* the arg-th live process in slot order (modulo their count) */
	EPS_STALE, /* a dead endpoint of the arg-th ever-used slot (modulo) */
	EPS_FRESH, /* generation 0 of the arg-th never-used slot (modulo) */
	EPS_TASK,  /* kernel task -1 - (arg % NR_TASKS) */
	EPS_SPECIAL, /* arg % 3: ANY, NONE, SELF */
	EPS_RAW,   /* the raw value */
	EPS_KINDS
};
struct ep_sel {
	uint8_t kind, arg;
	int32_t raw;
};

/* Address selectors (addr-sel). */
enum ads_kind { ADS_RAW, ADS_REGION };
struct addr_sel {
	uint8_t kind;
	uint8_t proc, region; /* ADS_REGION: live:proc (0..7), region index (0..15) */
	uint32_t value;       /* ADS_RAW: the address; ADS_REGION: offset from the start */
};

/* One payload field value: which member counts depends on the field's kind. */
struct field_val {
	struct ep_sel ep;    /* ENDPOINT, SLOT */
	struct addr_sel ad;  /* ADDR */
	uint64_t raw;        /* every other kind */
};

/* Expected reply codes (EXPECT record). */
#define EXP_UNCHECKED (-1) /* no EXPECT record */
#define EXP_NONE 0         /* no reply due */
#define EXP_OK   1
/* 2 + i: the i-th entry of VM_ERRNOS */

enum fault_mode { FM_ONCE, FM_FROM };

struct rec {
	uint8_t kind;
	struct ep_sel ep;      /* MSG, NOTIFY: the source; ACCESS, KPF: the process */
	/* MSG */
	int16_t call;          /* index into call_table, or -1 for a raw m_type */
	uint32_t raw_type;
	struct field_val f[CALL_MAX_FIELDS]; /* by field index of the call */
	int16_t expect;        /* EXP_* or 2 + errno index */
	/* FAULT */
	uint8_t site, mode;
	uint32_t nth;          /* 1..65536 */
	/* ACCESS, KPF */
	uint8_t write, forged;
	struct addr_sel addr;
	uint32_t value;        /* ACCESS: value written; KPF: page-fault flags */
};

struct conv {
	uint8_t sanity; /* requested sanity level (raises the build floor, never lowers) */
	uint8_t flags;  /* HF_* */
	uint32_t n;
	struct rec r[CONV_MAX_RECORDS];
};

/* ---- proto.c: the call table, generated from VM_CALLS / VM_FIELDS_* ---- */
enum field_kind { FK_ENDPOINT, FK_ADDR, FK_LEN, FK_FLAGS, FK_SUBCODE, FK_INT, FK_PHYS, FK_SLOT, FK_U64 };
enum field_dir { FD_IN, FD_OUT, FD_INOUT };
struct field_desc {
	const char *name;
	uint8_t kind, dir;
	uint8_t off, size; /* within the 56-byte payload */
};
struct call_desc {
	int num;          /* VMC_* */
	int32_t type;     /* VM_* message type */
	const char *name; /* "VM_MMAP" */
	const struct field_desc *fields;
	int nfields;
};
extern const struct call_desc call_table[];
extern const int ncalls;
extern const char *const fault_site_name[FS_COUNT];
/* Index of the call with message type t, or -1. */
int call_by_type(int32_t t);
/* Index of the call named s ("VM_MMAP"), or -1. */
int call_by_name(const char *s);
/* A field's value in a message (little-endian, the field's size). */
uint64_t field_read(const message *m, const struct field_desc *fd);
void field_write(message *m, const struct field_desc *fd, uint64_t v);
/* True when the field is sent in the request (IN or INOUT). */
static inline int field_is_in(const struct field_desc *fd) { return fd->dir != FD_OUT; }
/* The errno table: names and (negative) values, in VM_ERRNOS order. */
extern const char *const errno_name[];
extern const int32_t errno_value[];
extern const int nerrnos;
#define EXP_COUNT (2 + nerrnos)
/* The reply code an EXP_* value stands for (EXP_NONE: VM_SUSPEND). */
int32_t expect_code(int e);
/* The EXP_* value for a reply code, or EXP_UNCHECKED when the code is not in the table. */
int expect_of_code(int32_t code);
/* "OK", "EINVAL", "none", or NULL. */
const char *expect_name(int e);
/* Name of a reply code ("OK", "EINVAL") or NULL when unknown. */
const char *code_name(int32_t code);
/* Symbolic constants the text form accepts in numeric fields (PROT_READ, MAP_ANON, ...). */
int const_by_name(const char *s, int64_t *v);

/* ---- codec.c ---- */
/* Decode any byte string into *c (total). */
void conv_decode(const uint8_t *data, size_t len, struct conv *c);
/* Encode c canonically into buf (size cap); returns the length, or 0 if cap is too small. */
size_t conv_encode(const struct conv *c, uint8_t *buf, size_t cap);
#define CONV_ENCODED_MAX (INPUT_HDR_LEN + CONV_MAX_RECORDS * 128)

/* ---- text.c ---- */
/* Parse text into *c.  0 on success; -1 with "line: reason" in err otherwise. */
int conv_parse(const char *text, struct conv *c, char *err, size_t errlen);
/* The same, and line[i] gets the line number (1-based) of record i (may be NULL). */
int conv_parse_lines(const char *text, struct conv *c, char *err, size_t errlen, int *line);
/* Print c canonically, records 0..upto-1 (all when upto > c->n), to out. */
void conv_print(const struct conv *c, uint32_t upto, FILE *out);

/* ---- recfmt.c: one record's line (freestanding, shared with the guest agent) ---- */
/* Print one record's canonical line (no newline) into buf. */
void rec_format(const struct conv *c, const struct rec *r, char *buf, size_t len);
/* The words of endpoint selectors: kinds EPS_LIVE..EPS_TASK ("live:3") and the
 * EPS_SPECIAL endpoints ("any", "none", "self"), for the printer and the parser. */
extern const char *const sel_kind_word[4];
extern const char *const sel_special_word[3];

#endif
