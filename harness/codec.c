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
	if (e->kind == EPS_RAW) {
		e->arg = 0;
		e->raw = (int32_t)rd_u32(r);
	}
	if (e->kind == EPS_SPECIAL)
		e->arg %= 3;
}

/* An addr-sel: bit 7 = region (proc in bits 4-6, region in bits 0-3), else bit 6 =
 * name (bits 0-4), each + i32 offset; else raw + u32. */
static void rd_addr(struct rd *r, struct addr_sel *a)
{
	uint8_t b = rd_u8(r);
	memset(a, 0, sizeof *a);
	if (b & 0x80) {
		a->kind = ADS_REGION;
		a->proc = (b >> 4) & 7;
		a->region = b & 15;
	} else if (b & 0x40) {
		a->kind = ADS_NAMED;
		a->name = b & 31;
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

/* Decode one record body of kind k into x. */
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
	case REC_REPEAT:
		x->body = rd_u8(r);
		x->count = (uint32_t)rd_le(r, 2) + 1;
		x->step = rd_u32(r);
		x->sel = rd_u8(r) & 31;
		break;
	}
}

static const uint8_t kind_of_byte[8] = { REC_MSG, REC_FAULT, REC_ACCESS, REC_NOTIFY,
					 REC_KPF, BK_NOTE, REC_REPEAT, REC_MSG };

/* A NAME note: name i is spelled so (dropped when invalid or already used). */
static void rd_name(struct rd *r, struct conv *c)
{
	uint32_t i = rd_u8(r) % NAMES_MAX, n = rd_u8(r);
	char buf[256];
	for (uint32_t k = 0; k < n; k++)
		buf[k] = (char)rd_u8(r);
	buf[n] = 0;
	if (r->short_read || n > NAME_LEN || !name_valid(buf))
		return;
	for (uint32_t k = 0; k < NAMES_MAX; k++)
		if (k != i && !strcmp(c->names[k], buf))
			return;
	memcpy(c->names[i], buf, n + 1);
}

/* A REPLY, FIELD or BIND note on MSG x. */
static void rd_msg_note(struct rd *r, int sub, struct rec *x)
{
	int nf = x->call >= 0 ? call_table[x->call].nfields : 0;
	if (sub == NOTE_REPLY) {
		uint8_t code = rd_u8(r);
		if (!r->short_read)
			x->expect |= EXP_BIT(code % EXP_COUNT);
		return;
	}
	uint8_t field = rd_u8(r);
	struct out_check oc = { .op = sub == NOTE_FIELD ? OX_EQ : OX_BIND };
	if (sub == NOTE_FIELD)
		oc.value = rd_le(r, 8);
	else
		oc.name = rd_u8(r) % NAMES_MAX;
	if (r->short_read || nf == 0 || x->noc == OUT_CHECKS_MAX)
		return;
	oc.field = (uint8_t)(field % nf);
	if (oc.op == OX_EQ)
		oc.value &= call_table[x->call].fields[oc.field].size == 8 ? ~0ull : 0xffffffffull;
	x->oc[x->noc++] = oc;
}

/* A NOTE: attaches to last (the record before it, or NULL), or is a CHECK or VFS
 * record (returned in *chk, 1) or a NAME. */
static int rd_note(struct rd *r, struct conv *c, struct rec *last, struct rec *chk)
{
	int sub = rd_u8(r) % NOTE_KINDS;
	if (sub == NOTE_NAME) {
		rd_name(r, c);
	} else if (sub == NOTE_CHECK) {
		memset(chk, 0, sizeof *chk);
		chk->kind = REC_CHECK;
		chk->check = rd_u8(r) % CHK_KINDS;
		rd_ep(r, &chk->ep);
		if (chk->check != CHK_ALIVE && chk->check != CHK_DEAD)
			memset(&chk->ep, 0, sizeof chk->ep); /* a counter check names nobody */
		return !r->short_read;
	} else if (sub == NOTE_VFS) {
		memset(chk, 0, sizeof *chk);
		chk->kind = REC_VFS;
		chk->vres = (int32_t)rd_u32(r);
		chk->vsize = rd_u32(r);
		chk->vdev = rd_u32(r);
		chk->vino = rd_u32(r);
		chk->vfd = rd_u32(r);
		return !r->short_read;
	} else if (sub == NOTE_RESULT) {
		uint8_t mode = rd_u8(r) % AX_KINDS;
		uint32_t v = rd_u32(r);
		if (!r->short_read && last && last->kind == REC_ACCESS && !last->aexp && mode != AX_NONE &&
		    !(mode == AX_VALUE && last->write)) {
			last->aexp = mode;
			last->aval = mode == AX_VALUE ? v : 0;
		}
	} else if (last && last->kind == REC_MSG) {
		rd_msg_note(r, sub, last);
	} else {
		struct rec dummy = { .call = -1 };
		rd_msg_note(r, sub, &dummy); /* consumed, dropped */
	}
	return 0;
}

uint32_t repeat_start(const struct conv *c, uint32_t i)
{
	if (i >= c->n || c->r[i].kind != REC_REPEAT)
		return i;
	uint32_t s = i;
	while (s > 0 && c->r[s - 1].kind != REC_REPEAT && i - (s - 1) <= c->r[i].body)
		s--;
	return s;
}

/* A REPEAT closes the records since the last REPEAT, at most body of them; one with
 * nothing to repeat is dropped.  Returns 1 to keep it (body made exact). */
static int fix_repeat(struct conv *c, struct rec *x)
{
	uint32_t k = c->n;
	x->body = x->body ? x->body : 1;
	c->r[k] = *x;
	c->n++; /* repeat_start looks at a record of the conversation */
	uint32_t s = repeat_start(c, k);
	c->n--;
	if (s == k)
		return 0;
	x->body = (uint8_t)(k - s);
	return 1;
}

/* ---- Names: spellings kept only where the text form gives them back ---- */
struct name_walk {
	struct conv *c;
	uint32_t spelled_ok, unspelled, seen;
};

/* One reference to name i, in printing order: the text parser gives a spelled name
 * the lowest index no spelled name and no earlier @vN holds; a spelling at any other
 * index would not survive text, so it is dropped (the name prints as @vI). */
static void name_ref(struct name_walk *w, uint32_t i)
{
	i %= NAMES_MAX;
	w->seen |= 1u << i;
	if (!w->c->names[i][0]) {
		w->unspelled |= 1u << i;
		return;
	}
	if (w->spelled_ok & (1u << i))
		return;
	uint32_t k = 0;
	while (k < NAMES_MAX && ((w->spelled_ok | w->unspelled) & (1u << k)))
		k++;
	if (k == i)
		w->spelled_ok |= 1u << i;
	else {
		w->c->names[i][0] = 0;
		w->unspelled |= 1u << i;
	}
}

static void name_ep(struct name_walk *w, const struct ep_sel *e)
{
	if (e->kind == EPS_NAMED)
		name_ref(w, e->arg);
}

static void name_addr(struct name_walk *w, const struct addr_sel *a)
{
	if (a->kind == ADS_NAMED)
		name_ref(w, a->name);
}

/* Walk every name reference of c in the order the printer writes them. */
static void canon_names(struct conv *c)
{
	struct name_walk w = { c, 0, 0, 0 };
	for (uint32_t n = 0; n < c->n; n++) {
		const struct rec *r = &c->r[n];
		name_ep(&w, &r->ep);
		if (r->kind == REC_ACCESS || r->kind == REC_KPF)
			name_addr(&w, &r->addr);
		if (r->kind != REC_MSG || r->call < 0)
			continue;
		const struct call_desc *cd = &call_table[r->call];
		for (int f = 0; f < cd->nfields; f++) {
			if (!field_is_in(&cd->fields[f]))
				continue;
			if (cd->fields[f].kind == FK_ENDPOINT || cd->fields[f].kind == FK_SLOT)
				name_ep(&w, &r->f[f].ep);
			else if (cd->fields[f].kind == FK_ADDR)
				name_addr(&w, &r->f[f].ad);
		}
		for (uint32_t k = 0; k < r->noc; k++)
			if (r->oc[k].op == OX_BIND)
				name_ref(&w, r->oc[k].name);
	}
	for (uint32_t i = 0; i < NAMES_MAX; i++)
		if (!(w.seen & (1u << i)))
			c->names[i][0] = 0;
}

void conv_decode(const uint8_t *data, size_t len, struct conv *c)
{
	struct rd r = { data, data + len, 0 };
	struct rec *last = NULL;

	/* the header and the names; records exist only below n, each written whole */
	c->sanity = c->budget = c->flags = 0;
	c->n = 0;
	memset(c->names, 0, sizeof c->names);
	if (len < INPUT_HDR_LEN)
		return;
	r.p += 2; /* magic and version: informative, never rejected */
	uint8_t level = rd_u8(&r);
	c->sanity = level & 3;
	c->budget = (level >> 2) & 3;
	c->flags = rd_u8(&r) & HF_KNOWN;
	while (r.p < r.end && c->n < CONV_MAX_RECORDS) {
		int k = kind_of_byte[rd_u8(&r) & 7];
		struct rec x;
		memset(&x, 0, sizeof x);
		if (k == BK_NOTE) {
			if (!rd_note(&r, c, last, &x))
				continue;
		} else {
			rd_body(&r, k, &x);
		}
		if (r.short_read)
			break; /* a truncated record is dropped */
		if (x.kind == REC_REPEAT && !fix_repeat(c, &x)) {
			last = NULL;
			continue;
		}
		c->r[c->n] = x;
		last = &c->r[c->n++];
	}
	canon_names(c);
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
	uint8_t b = a->kind == ADS_REGION  ? (uint8_t)(0x80 | (a->proc & 7) << 4 | (a->region & 15))
		    : a->kind == ADS_NAMED ? (uint8_t)(0x40 | (a->name & 31))
					   : 0;
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

/* The notes of MSG x: its accepted codes in table order, then its field checks. */
static void wr_msg_notes(struct wr *w, const struct rec *x)
{
	for (int e = 0; e < EXP_COUNT; e++)
		if (x->expect & EXP_BIT(e)) {
			wr_le(w, BK_NOTE, 1);
			wr_le(w, NOTE_REPLY, 1);
			wr_le(w, (uint64_t)e, 1);
		}
	for (uint32_t i = 0; i < x->noc; i++) {
		const struct out_check *oc = &x->oc[i];
		wr_le(w, BK_NOTE, 1);
		wr_le(w, oc->op == OX_EQ ? NOTE_FIELD : NOTE_BIND, 1);
		wr_le(w, oc->field, 1);
		if (oc->op == OX_EQ)
			wr_le(w, oc->value, 8);
		else
			wr_le(w, oc->name, 1);
	}
}

static void wr_rec(struct wr *w, const struct rec *x)
{
	if (x->kind == REC_CHECK) {
		wr_le(w, BK_NOTE, 1);
		wr_le(w, NOTE_CHECK, 1);
		wr_le(w, x->check, 1);
		wr_ep(w, &x->ep);
		return;
	}
	if (x->kind == REC_VFS) {
		wr_le(w, BK_NOTE, 1);
		wr_le(w, NOTE_VFS, 1);
		wr_le(w, (uint32_t)x->vres, 4);
		wr_le(w, x->vsize, 4);
		wr_le(w, x->vdev, 4);
		wr_le(w, x->vino, 4);
		wr_le(w, x->vfd, 4);
		return;
	}
	wr_le(w, x->kind, 1);
	switch (x->kind) {
	case REC_MSG:
		wr_msg(w, x);
		wr_msg_notes(w, x);
		break;
	case REC_REPEAT:
		wr_le(w, x->body, 1);
		wr_le(w, x->count - 1, 2);
		wr_le(w, x->step, 4);
		wr_le(w, x->sel, 1);
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
		if (x->aexp) {
			wr_le(w, BK_NOTE, 1);
			wr_le(w, NOTE_RESULT, 1);
			wr_le(w, x->aexp, 1);
			wr_le(w, x->aexp == AX_VALUE ? x->aval : 0, 4);
		}
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
	wr_le(&w, (uint64_t)(c->sanity | c->budget << 2), 1);
	wr_le(&w, c->flags, 1);
	for (uint32_t i = 0; i < NAMES_MAX; i++) {
		uint32_t n = (uint32_t)strlen(c->names[i]);
		if (!n)
			continue;
		wr_le(&w, BK_NOTE, 1);
		wr_le(&w, NOTE_NAME, 1);
		wr_le(&w, i, 1);
		wr_le(&w, n, 1);
		for (uint32_t k = 0; k < n; k++)
			wr_le(&w, (uint8_t)c->names[i][k], 1);
	}
	for (uint32_t i = 0; i < c->n; i++)
		wr_rec(&w, &c->r[i]);
	return w.overflow ? 0 : (size_t)(w.p - buf);
}
