/* codec.c - the binary form of a conversation (layout in input.h).  Decoding is total;
 * encoding is canonical.  Both walk the call table, so a new call or field in
 * include/vm_calls.h needs no change here. */
#include <string.h>
#include "input.h"

/* ---- Reading: a cursor that fails softly at the end of the input ---- */
struct rd {
	const uint8_t *p, *end;
	int short_read; /* set once a read ran past the end */
};

static uint64_t rd_le(struct rd *r, int n)
{
	uint64_t v = 0;
	if (r->end - r->p < n) {
		r->short_read = 1;
		r->p = r->end;
		return 0;
	}
	for (int i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}
static uint8_t rd_u8(struct rd *r) { return (uint8_t)rd_le(r, 1); }
static uint32_t rd_u32(struct rd *r) { return (uint32_t)rd_le(r, 4); }

/* An ep-sel: kind in the top three bits, arg in the low five; RAW adds an i32. */
static void rd_ep(struct rd *r, struct ep_sel *e)
{
	uint8_t b = rd_u8(r);
	e->kind = b >> 5;
	e->arg = b & 31;
	e->raw = 0;
	if (e->kind >= EPS_KINDS) { /* 6, 7: more live processes, the useful case */
		e->kind = EPS_LIVE;
	} else if (e->kind == EPS_RAW) {
		e->arg = 0;
		e->raw = (int32_t)rd_u32(r);
	}
	if (e->kind == EPS_SPECIAL)
		e->arg %= 3;
}

/* An addr-sel: bit 7 = region (proc in bits 4-6, region in bits 0-3) + i32 offset. */
static void rd_addr(struct rd *r, struct addr_sel *a)
{
	uint8_t b = rd_u8(r);
	memset(a, 0, sizeof *a);
	if (b & 0x80) {
		a->kind = ADS_REGION;
		a->proc = (b >> 4) & 7;
		a->region = b & 15;
	}
	a->value = rd_u32(r);
}

/* The payload fields a MSG carries: the IN and INOUT fields of the call. */
static void rd_fields(struct rd *r, struct rec *x)
{
	const struct call_desc *cd = &call_table[x->call];
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (!field_is_in(fd))
			continue;
		if (fd->kind == FK_ENDPOINT || fd->kind == FK_SLOT)
			rd_ep(r, &x->f[i].ep);
		else if (fd->kind == FK_ADDR)
			rd_addr(r, &x->f[i].ad);
		else
			x->f[i].raw = rd_le(r, fd->size);
	}
}

static void rd_msg(struct rd *r, struct rec *x)
{
	rd_ep(r, &x->ep);
	int c = rd_u8(r) % (ncalls + 1);
	if (c == ncalls) {
		x->call = -1;
		x->raw_type = rd_u32(r);
	} else {
		x->call = (int16_t)c;
		rd_fields(r, x);
	}
}

/* Decode one record body of kind k into x.  EXPECT is handled by the caller. */
static void rd_body(struct rd *r, int k, struct rec *x)
{
	x->kind = (uint8_t)k;
	switch (k) {
	case REC_MSG:
		rd_msg(r, x);
		break;
	case REC_FAULT:
		x->site = rd_u8(r) % FS_COUNT;
		x->nth = (uint32_t)rd_le(r, 2) + 1;
		x->mode = rd_u8(r) & 1;
		break;
	case REC_ACCESS:
		rd_ep(r, &x->ep);
		x->write = rd_u8(r) & 1;
		rd_addr(r, &x->addr);
		x->value = rd_u32(r);
		if (!x->write)
			x->value = 0;
		break;
	case REC_NOTIFY:
		rd_ep(r, &x->ep);
		break;
	case REC_KPF:
		rd_ep(r, &x->ep);
		x->forged = rd_u8(r) & 1;
		rd_addr(r, &x->addr);
		x->value = rd_u32(r);
		break;
	}
}

static const uint8_t kind_of_byte[8] = { REC_MSG, REC_FAULT, REC_ACCESS, REC_NOTIFY,
					 REC_KPF, REC_EXPECT, REC_MSG, REC_MSG };

/* An EXPECT attaches to the MSG right before it; otherwise it is dropped. */
static void attach_expect(struct conv *c, int last_was_msg, uint8_t code)
{
	if (last_was_msg && c->n > 0 && c->r[c->n - 1].expect == EXP_UNCHECKED)
		c->r[c->n - 1].expect = (int16_t)(code % EXP_COUNT);
}

void conv_decode(const uint8_t *data, size_t len, struct conv *c)
{
	struct rd r = { data, data + len, 0 };
	int last_was_msg = 0;

	memset(c, 0, sizeof *c);
	if (len < INPUT_HDR_LEN)
		return;
	r.p += 2; /* magic and version: informative, never rejected */
	c->sanity = rd_u8(&r) & 3;
	c->flags = rd_u8(&r) & HF_KNOWN;
	while (r.p < r.end && c->n < CONV_MAX_RECORDS) {
		int k = kind_of_byte[rd_u8(&r) & 7];
		if (k == REC_EXPECT) {
			uint8_t code = rd_u8(&r);
			if (!r.short_read)
				attach_expect(c, last_was_msg, code);
			last_was_msg = 0;
			continue;
		}
		struct rec *x = &c->r[c->n];
		memset(x, 0, sizeof *x);
		x->expect = EXP_UNCHECKED;
		rd_body(&r, k, x);
		if (r.short_read)
			break; /* a truncated record is dropped */
		c->n++;
		last_was_msg = (k == REC_MSG);
	}
}

/* ---- Writing ---- */
struct wr {
	uint8_t *p, *end;
	int overflow;
};

static void wr_le(struct wr *w, uint64_t v, int n)
{
	if (w->end - w->p < n) {
		w->overflow = 1;
		return;
	}
	for (int i = 0; i < n; i++)
		*w->p++ = (uint8_t)(v >> (8 * i));
}

static void wr_ep(struct wr *w, const struct ep_sel *e)
{
	wr_le(w, (uint64_t)((e->kind << 5) | (e->arg & 31)), 1);
	if (e->kind == EPS_RAW)
		wr_le(w, (uint32_t)e->raw, 4);
}

static void wr_addr(struct wr *w, const struct addr_sel *a)
{
	uint8_t b = a->kind == ADS_REGION ? (uint8_t)(0x80 | (a->proc & 7) << 4 | (a->region & 15)) : 0;
	wr_le(w, b, 1);
	wr_le(w, a->value, 4);
}

static void wr_msg(struct wr *w, const struct rec *x)
{
	wr_ep(w, &x->ep);
	if (x->call < 0) {
		wr_le(w, (uint64_t)ncalls, 1);
		wr_le(w, x->raw_type, 4);
		return;
	}
	wr_le(w, (uint64_t)x->call, 1);
	const struct call_desc *cd = &call_table[x->call];
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (!field_is_in(fd))
			continue;
		if (fd->kind == FK_ENDPOINT || fd->kind == FK_SLOT)
			wr_ep(w, &x->f[i].ep);
		else if (fd->kind == FK_ADDR)
			wr_addr(w, &x->f[i].ad);
		else
			wr_le(w, x->f[i].raw, fd->size);
	}
}

static void wr_rec(struct wr *w, const struct rec *x)
{
	wr_le(w, x->kind, 1);
	switch (x->kind) {
	case REC_MSG:
		wr_msg(w, x);
		if (x->expect != EXP_UNCHECKED) {
			wr_le(w, REC_EXPECT, 1);
			wr_le(w, (uint64_t)x->expect, 1);
		}
		break;
	case REC_FAULT:
		wr_le(w, x->site, 1);
		wr_le(w, x->nth - 1, 2);
		wr_le(w, x->mode, 1);
		break;
	case REC_ACCESS:
		wr_ep(w, &x->ep);
		wr_le(w, x->write, 1);
		wr_addr(w, &x->addr);
		wr_le(w, x->write ? x->value : 0, 4);
		break;
	case REC_NOTIFY:
		wr_ep(w, &x->ep);
		break;
	case REC_KPF:
		wr_ep(w, &x->ep);
		wr_le(w, x->forged, 1);
		wr_addr(w, &x->addr);
		wr_le(w, x->value, 4);
		break;
	}
}

size_t conv_encode(const struct conv *c, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, buf + cap, 0 };
	wr_le(&w, INPUT_MAGIC, 1);
	wr_le(&w, INPUT_VERSION, 1);
	wr_le(&w, c->sanity, 1);
	wr_le(&w, c->flags, 1);
	for (uint32_t i = 0; i < c->n; i++)
		wr_rec(&w, &c->r[i]);
	return w.overflow ? 0 : (size_t)(w.p - buf);
}
