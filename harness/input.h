/* input.h - the fuzz input: one conversation with the VM server.
 *
 * A conversation is a header and at most CONV_MAX_RECORDS records.  Records are
 * messages (MSG), fault-schedule entries (FAULT), process memory accesses through the
 * MMU (ACCESS), notifications (NOTIFY), raw kernel page faults (KPF), assertions on the
 * whole system (CHECK), loops (REPEAT: run the K records before it N times in all) and
 * VFS's answers to VM (VFS: a VM_VFS_REPLY from the boot VFS whose endpt and reqid are
 * those of the last request VM sent VFS, so the fuzzer need not guess them).
 * A MSG may carry the replies it accepts, checks of its OUT fields and names bound to
 * them; an ACCESS the result it expects.  Values that name things in the running
 * system are selectors, resolved against live state when the record runs
 * (harness/selcore.c, harness/runner.c), so a mutated input stays meaningful; a name
 * bound to a reply field (a forked child, a mapped address) is a selector too.
 *
 * Binary form (all integers little-endian; docs/input-format.md has the full table):
 *   header  4 bytes: 'V', version (2), sanity raise (bits 0-1) and repeat budget class
 *           (bits 2-3), flags
 *   record  1 byte kind (b & 7: 0 MSG 1 FAULT 2 ACCESS 3 NOTIFY 4 KPF 5 NOTE 6 REPEAT
 *           7 MSG) then the kind's body:
 *     MSG     ep-sel source, call byte (b % (NCALLS+1); NCALLS = raw: u32 m_type
 *             follows), then each IN/INOUT field of the call in table order:
 *             ENDPOINT and SLOT: ep-sel; ADDR: addr-sel; U64: u64; others u32
 *     FAULT   site byte (% FS_COUNT), u16 nth-1, mode byte (& 1: 0 once, 1 from); when
 *             it runs it arms the fault engine: the nth hit of the site counted from
 *             there fails (once), or that hit and every later one (from)
 *     ACCESS  ep-sel process, rw byte (& 1: 0 read, 1 write), addr-sel, u32 value
 *     NOTIFY  ep-sel source
 *     KPF     ep-sel process, byte (& 1: 1 forged, no kernel flag), addr-sel, u32 flags
 *     REPEAT  body byte (records before it, clipped to 1..those since the last
 *             REPEAT), u16 count-1, u32 step, sel byte (& 31); see struct rec
 *     NOTE    sub byte (% NOTE_KINDS), then:
 *             0 REPLY  code byte (% EXP_COUNT): 0 none, 1 OK, 2+i the i-th errno
 *                      of VM_ERRNOS; adds to the accepted set of the MSG before it
 *             1 FIELD  field byte (% the call's fields), u64: the reply field equals it
 *             2 BIND   field byte, name byte (% NAMES_MAX): bind the name to the field
 *             3 RESULT mode byte (% AX_KINDS), u32 value: the ACCESS before it gives it
 *             4 CHECK  what byte (% CHK_KINDS), ep-sel: a CHECK record
 *             5 NAME   index byte (% NAMES_MAX), length byte (<= NAME_LEN), the
 *                      characters: how the text form spells name i
 *             6 VFS    i32 result, u32 size_pages, u32 dev, u32 ino, u32 fd: a VFS
 *                      record (struct rec)
 *             REPLY, FIELD and BIND attach to the MSG before them, RESULT to the
 *             ACCESS before it (otherwise they are dropped)
 *   ep-sel   1 byte: kind = b >> 5, arg = b & 31; kind 5 (RAW) is followed by an i32,
 *            kind 6 is the name arg (NAMED), kind 7 the arg-th free slot (FREE)
 *   addr-sel 1 byte: bit 7 set = region (process = live:((b >> 4) & 7), region b & 15)
 *            followed by an i32 offset; bit 7 clear and bit 6 set = name b & 31
 *            followed by an i32 offset; else raw, followed by a u32
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
#define INPUT_VERSION 2
#define INPUT_HDR_LEN 4

#define CONV_MAX_RECORDS 64 /* records per conversation */
#define CALL_MAX_FIELDS  12 /* fields of the widest call in VM_CALLS */
#define OUT_CHECKS_MAX   4  /* field checks and binds per MSG */
#define NAMES_MAX        32 /* names a conversation binds (@child, @buf) */
#define NAME_LEN         15 /* characters of a name */
#define REPEAT_BUDGET_MIN 128 /* records all REPEATs may run again: 128 << 2 * budget class */

/* Header flags. */
#define HF_FAIL_SENDS 0x01 /* every reply send of VM fails (tests the failed-reply path) */
#define HF_KNOWN      0x01

enum rec_kind { REC_MSG, REC_FAULT, REC_ACCESS, REC_NOTIFY, REC_KPF, REC_CHECK, REC_REPEAT, REC_VFS, REC_KINDS };
/* Binary kind bytes beyond the record kinds. */
#define BK_NOTE 5
#define BK_REPEAT 6
enum note_kind { NOTE_REPLY, NOTE_FIELD, NOTE_BIND, NOTE_RESULT, NOTE_CHECK, NOTE_NAME, NOTE_VFS, NOTE_KINDS };

/* Endpoint selectors (ep-sel). */
enum eps_kind {
	EPS_LIVE,  /* the arg-th live process in slot order (modulo their count) */
	EPS_STALE, /* a dead endpoint of the arg-th ever-used slot (modulo) */
	EPS_FRESH, /* generation 0 of the arg-th never-used slot (modulo) */
	EPS_TASK,  /* kernel task -1 - (arg % NR_TASKS) */
	EPS_SPECIAL, /* arg % 3: ANY, NONE, SELF */
	EPS_RAW,   /* the raw value */
	EPS_NAMED, /* the endpoint bound to name arg (live:arg while it is unbound) */
	EPS_FREE,  /* the arg-th slot not in use (modulo): its last occupant's endpoint,
		      generation 0 when never used */
	EPS_KINDS
};
struct ep_sel {
	uint8_t kind, arg;
	int32_t raw;
};

/* Address selectors (addr-sel). */
enum ads_kind { ADS_RAW, ADS_REGION, ADS_NAMED };
struct addr_sel {
	uint8_t kind;
	uint8_t proc, region; /* ADS_REGION: live:proc (0..7), region index (0..15) */
	uint8_t name;         /* ADS_NAMED: the name (0..NAMES_MAX-1) */
	uint32_t value;       /* ADS_RAW: the address; else the offset from the start or
				 the name's value (the offset alone while it is unbound) */
};

/* One payload field value: which member counts depends on the field's kind. */
struct field_val {
	struct ep_sel ep;    /* ENDPOINT, SLOT */
	struct addr_sel ad;  /* ADDR */
	uint64_t raw;        /* every other kind */
};

/* Expected reply codes (REPLY notes); a MSG's accepted set is a bit mask of them. */
#define EXP_UNCHECKED (-1) /* not a code of the table */
#define EXP_NONE 0         /* no reply due */
#define EXP_OK   1
/* 2 + i: the i-th entry of VM_ERRNOS */
#define EXP_BIT(e) ((uint64_t)1 << (e))

enum fault_mode { FM_ONCE, FM_FROM };

/* A check of a reply field (OX_EQ) or a name bound to it (OX_BIND). */
enum { OX_EQ, OX_BIND };
struct out_check {
	uint8_t op, field, name; /* field: index into the call's fields */
	uint64_t value;          /* OX_EQ */
};

/* The result an ACCESS expects (RESULT note). */
enum access_exp { AX_NONE, AX_OK, AX_VALUE, AX_FAULT, AX_KILLED, AX_KINDS };

/* What a CHECK asserts: ep is live / not live; a counter equals its value at the
 * start of the conversation. */
enum check_kind { CHK_ALIVE, CHK_DEAD, CHK_FREE_PAGES, CHK_SLAB_OBJECTS, CHK_PROCS, CHK_KINDS };
extern const char *const check_name[CHK_KINDS];

struct rec {
	uint8_t kind;
	struct ep_sel ep;      /* MSG, NOTIFY: the source; ACCESS, KPF: the process */
	/* MSG */
	int16_t call;          /* index into call_table, or -1 for a raw m_type */
	uint32_t raw_type;
	struct field_val f[CALL_MAX_FIELDS]; /* by field index of the call */
	uint64_t expect;       /* accepted codes: EXP_BIT(EXP_*) set; 0 = not checked */
	uint8_t noc;
	struct out_check oc[OUT_CHECKS_MAX];
	/* FAULT */
	uint8_t site, mode;
	uint32_t nth;          /* 1..65536 */
	/* ACCESS, KPF */
	uint8_t write, forged;
	struct addr_sel addr;
	uint32_t value;        /* ACCESS: value written; KPF: page-fault flags */
	uint8_t aexp;          /* ACCESS: AX_*, with aval for AX_VALUE */
	uint32_t aval;
	/* CHECK: what (CHK_*), with ep for CHK_ALIVE and CHK_DEAD */
	uint8_t check;
	/* REPEAT: the body (the records before it) runs count times in all; in run j
	 * (0 = as written) every address (raw, region or name offset) and U64 field
	 * gains j * step, and live/stale/fresh selector args gain j * sel. */
	uint8_t body, sel;
	uint32_t count, step;
	/* VFS: VM_VFS_REPLY's result, size_pages, dev, ino and fd (endpt and reqid come
	 * from VM's last VFS_VMCALL when the record runs; 0 before any) */
	int32_t vres;
	uint32_t vsize, vdev, vino, vfd;
};

struct conv {
	uint8_t sanity; /* requested sanity level (raises the build floor, never lowers) */
	uint8_t budget; /* repeat budget class 0..3: REPEATs run conv_repeat_budget() again */
	uint8_t flags;  /* HF_* */
	uint32_t n;
	struct rec r[CONV_MAX_RECORDS];
	char names[NAMES_MAX][NAME_LEN + 1]; /* how the text form spells them; "" = @vI */
};
/* Records all REPEATs of c may run again in all: 128, 512, 2048 or 8192. */
static inline uint32_t conv_repeat_budget(const struct conv *c)
{
	return (uint32_t)REPEAT_BUDGET_MIN << (2 * (c->budget & 3));
}
/* True when s is a valid name (a letter or '_', then letters, digits, '_'; not vN,
 * which is how name N prints when it has no spelling). */
int name_valid(const char *s);
/* The start of the REPEAT body that record i closes (i itself when it is none):
 * body clipped to 1..the records since the last REPEAT before i. */
uint32_t repeat_start(const struct conv *c, uint32_t i);

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
#define CONV_ENCODED_MAX (INPUT_HDR_LEN + CONV_MAX_RECORDS * 192 + NAMES_MAX * (NAME_LEN + 3))

/* ---- text.c ---- */
/* Parse text into *c.  0 on success; -1 with "line: reason" in err otherwise. */
int conv_parse(const char *text, struct conv *c, char *err, size_t errlen);
/* The same, and line[i] gets the line number (1-based) of record i (may be NULL). */
int conv_parse_lines(const char *text, struct conv *c, char *err, size_t errlen, int *line);
/* Print c canonically, records 0..upto-1 (all when upto > c->n; a cut inside a
 * REPEAT body extends to the REPEAT), to out. */
void conv_print(const struct conv *c, uint32_t upto, FILE *out);

/* ---- recfmt.c: one record's line (freestanding, shared with the guest agent) ---- */
/* Print one record's canonical line (no newline) into buf; a REPEAT is its "}". */
void rec_format(const struct conv *c, const struct rec *r, char *buf, size_t len);
/* The line that opens REPEAT record r's body ("repeat 1000 {"). */
void rec_format_repeat(const struct rec *r, char *buf, size_t len);
/* The text of a name: its spelling, or "vI". */
const char *conv_name(const struct conv *c, uint32_t i, char *buf, size_t len);
/* The words of endpoint selectors: kinds EPS_LIVE..EPS_TASK ("live:3") and the
 * EPS_SPECIAL endpoints ("any", "none", "self"), for the printer and the parser. */
extern const char *const sel_kind_word[4];
extern const char *const sel_special_word[3];

#endif
