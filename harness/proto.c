/* proto.c - the harness's view of the protocol, generated from the X-macro lists in
 * include/ (VM_CALLS, VM_FIELDS_*, VM_ERRNOS, FAULT_SITES).  The codec, the text form,
 * the oracles and the dictionary read these tables; none of them names a call. */
#include <string.h>
#include "input.h"
#include "layout.h"

#define FK_OF_ENDPOINT FK_ENDPOINT
#define FK_OF_ADDR FK_ADDR
#define FK_OF_LEN FK_LEN
#define FK_OF_FLAGS FK_FLAGS
#define FK_OF_SUBCODE FK_SUBCODE
#define FK_OF_INT FK_INT
#define FK_OF_PHYS FK_PHYS
#define FK_OF_SLOT FK_SLOT
#define FK_OF_U64 FK_U64
#define FD_OF_IN FD_IN
#define FD_OF_OUT FD_OUT
#define FD_OF_INOUT FD_INOUT

/* One field_desc array per call: fields_<name>[]. */
#define FIELD_ROW(c, kind, dir, field)                                                    \
	{ #field, FK_OF_##kind, FD_OF_##dir, offsetof(struct vm_pl_##c, field), sizeof(vmk_##kind) },
#define FIELD_ARRAY(num, NAME, name, handler) \
	static const struct field_desc fields_##name[] = { VM_FIELDS_##name(FIELD_ROW, name) };
VM_CALLS(FIELD_ARRAY)
#undef FIELD_ARRAY
#undef FIELD_ROW

#define CALL_ROW(num, NAME, name, handler)                                                \
	{ VMC_##NAME, VM_##NAME, "VM_" #NAME, fields_##name,                              \
	  (int)(sizeof fields_##name / sizeof fields_##name[0]) },
const struct call_desc call_table[] = { VM_CALLS(CALL_ROW) };
#undef CALL_ROW
const int ncalls = (int)(sizeof call_table / sizeof call_table[0]);

/* Every call fits the conversation's field array. */
#define FIELD_COUNT_CHECK(num, NAME, name, handler)                                       \
	_Static_assert(sizeof fields_##name / sizeof fields_##name[0] <= CALL_MAX_FIELDS, \
		       "VM_" #NAME " has more fields than CALL_MAX_FIELDS");
VM_CALLS(FIELD_COUNT_CHECK)
#undef FIELD_COUNT_CHECK

#define SITE_NAME(id, name) name,
const char *const fault_site_name[FS_COUNT] = { FAULT_SITES(SITE_NAME) };
#undef SITE_NAME

#define ERRNO_NAME(name, num) #name,
#define ERRNO_VALUE(name, num) -(num),
const char *const errno_name[] = { VM_ERRNOS(ERRNO_NAME) };
const int32_t errno_value[] = { VM_ERRNOS(ERRNO_VALUE) };
#undef ERRNO_NAME
#undef ERRNO_VALUE
const int nerrnos = (int)(sizeof errno_value / sizeof errno_value[0]);

int call_by_type(int32_t t)
{
	for (int i = 0; i < ncalls; i++)
		if (call_table[i].type == t)
			return i;
	return -1;
}

int call_by_name(const char *s)
{
	for (int i = 0; i < ncalls; i++)
		if (strcmp(call_table[i].name, s) == 0)
			return i;
	return -1;
}

int32_t expect_code(int e)
{
	if (e == EXP_NONE)
		return VM_SUSPEND;
	if (e == EXP_OK)
		return VM_OK;
	return errno_value[e - 2];
}

int expect_of_code(int32_t code)
{
	if (code == VM_SUSPEND)
		return EXP_NONE;
	if (code == VM_OK)
		return EXP_OK;
	for (int i = 0; i < nerrnos; i++)
		if (errno_value[i] == code)
			return 2 + i;
	return EXP_UNCHECKED;
}

const char *expect_name(int e)
{
	if (e == EXP_NONE)
		return "none";
	if (e == EXP_OK)
		return "OK";
	if (e >= 2 && e < EXP_COUNT)
		return errno_name[e - 2];
	return NULL;
}

const char *const check_name[CHK_KINDS] = { "alive", "dead", "free_pages", "slab_objects", "procs" };

int name_valid(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	if (s[0] == 'v' && s[1] >= '0' && s[1] <= '9') {
		const char *d = s + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (!*d)
			return 0; /* vN: how an unspelled name prints */
	}
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

const char *code_name(int32_t code)
{
	int e = expect_of_code(code);
	return e == EXP_UNCHECKED || e == EXP_NONE ? NULL : expect_name(e);
}

/* Protocol constants by name, for numeric fields in the text form. */
#define K(x) { #x, (int64_t)(x) }
static const struct {
	const char *name;
	int64_t value;
} consts[] = {
	K(PROT_READ), K(PROT_WRITE), K(PROT_EXEC), K(MAP_SHARED), K(MAP_PRIVATE), K(MAP_FIXED),
	K(MAP_ANON), K(MAP_UNINITIALIZED), K(MAP_PREALLOC), K(MAP_CONTIG), K(MAP_LOWER16M),
	K(MAP_LOWER1M), K(MAP_THIRDPARTY), K(MAP_ALIGNMENT_64KB), K(VMIW_STATS), K(VMIW_USAGE),
	K(VMIW_REGION), K(VM_RS_MEM_PIN), K(VM_RS_MEM_MAKE_VM), K(VM_RS_MEM_HEAP_PREALLOC),
	K(VM_RS_MEM_MAP_PREALLOC), K(VM_RS_MEM_GET_PREALLOC_MAP), K(VMPPARAM_CLEAR),
	K(VMPPARAM_HANDLEMEM), K(PFERR_PRESENT), K(PFERR_WRITE), K(PFERR_USER), K(PAGE_SIZE),
	K(USER_BASE), K(USER_TOP), K(TEXT_VADDR), K(MMAP_BASE), K(MMAP_TOP), K(STACK_TOP),
};
#undef K

int const_by_name(const char *s, int64_t *v)
{
	for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
		if (strcmp(consts[i].name, s) == 0) {
			*v = consts[i].value;
			return 1;
		}
	return 0;
}

uint64_t field_read(const message *m, const struct field_desc *fd)
{
	uint64_t v = 0;

	for (int i = 0; i < fd->size; i++)
		v |= (uint64_t)m->u.raw[fd->off + i] << (8 * i);
	return v;
}

void field_write(message *m, const struct field_desc *fd, uint64_t v)
{
	for (int i = 0; i < fd->size; i++)
		m->u.raw[fd->off + i] = (uint8_t)(v >> (8 * i));
}
