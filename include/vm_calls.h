/* vm_calls.h - the one description of the VM protocol.
 *
 * VM_CALLS lists every call of the MINIX VM interface with its MINIX number
 * (type = VM_RQ_BASE + num; VM_PAGEFAULT is 0xFF) and the handler that serves it
 * (0 where vm/ has none yet: the call is answered ENOSYS).  VM_FIELDS_<name> lists
 * the typed payload, in order: kind (what the value means), direction (IN: request,
 * OUT: reply, INOUT: both) and field name.  From these lists come the payload structs,
 * their layout assertions, the dispatch table, the codec, the text form and the
 * fuzzer dictionary.  No second copy of the protocol exists.
 *
 * Layout rule (checked below): no payload may contain compiler padding, so the
 * layout is identical on i386 and x86-64.  Put 64-bit fields first. */
#ifndef VMFUZZ_VM_CALLS_H
#define VMFUZZ_VM_CALLS_H

#include <stdint.h>
#include <stddef.h>

#define VM_RQ_BASE    0xC00
#define NR_VM_CALLS   49
#define VM_PAGEFAULT_NUM 0xFF

/* Field kinds and their C types. */
typedef int32_t  vmk_ENDPOINT; /* an endpoint (selector-resolved by the fuzzer) */
typedef uint32_t vmk_ADDR;     /* a guest virtual address */
typedef uint32_t vmk_LEN;      /* a length in bytes */
typedef uint32_t vmk_FLAGS;    /* a bit set */
typedef int32_t  vmk_SUBCODE;  /* a sub-request selector */
typedef int32_t  vmk_INT;      /* a plain integer (fd, count, bool, result) */
typedef uint32_t vmk_PHYS;     /* a physical address */
typedef int32_t  vmk_SLOT;     /* a process-table slot number */
typedef uint64_t vmk_U64;      /* a 64-bit offset, device or inode number */

/* C(num, NAME, name, handler).  PUSH_SIG (4) and MUNMAP_TEXT (19) carry the numbers
 * of the 2010 MINIX 3.1.x include/minix/com.h (VM_PUSH_SIG = VM_RQ_BASE+4,
 * VM_MUNMAP_TEXT = VM_RQ_BASE+19); later releases dropped both calls. */
#define VM_CALLS(C)                                        \
	C(0, EXIT, exit, do_exit)                          \
	C(1, FORK, fork, do_fork)                          \
	C(2, BRK, brk, do_brk)                             \
	C(3, EXEC_NEWMEM, exec_newmem, do_exec_newmem)     \
	C(4, PUSH_SIG, push_sig, do_push_sig)              \
	C(5, WILLEXIT, willexit, do_willexit)              \
	C(10, MMAP, mmap, do_mmap)                         \
	C(12, ADDDMA, adddma, do_adddma)                        \
	C(13, DELDMA, deldma, do_deldma)                        \
	C(14, GETDMA, getdma, do_getdma)                        \
	C(15, MAP_PHYS, map_phys, do_map_phys)                       \
	C(16, UNMAP_PHYS, unmap_phys, do_unmap_phys)                   \
	C(17, MUNMAP, munmap, do_munmap)                   \
	C(19, MUNMAP_TEXT, munmap_text, do_munmap_text)    \
	C(26, MAPCACHEPAGE, mapcachepage, do_mapcache)               \
	C(27, SETCACHEPAGE, setcachepage, do_setcache)               \
	C(28, FORGETCACHEPAGE, forgetcachepage, do_forgetcache)         \
	C(29, CLEARCACHE, clearcache, do_clearcache)                   \
	C(30, VFS_REPLY, vfs_reply, do_vfs_reply)          \
	C(33, REMAP, remap, do_remap)                             \
	C(34, SHM_UNMAP, shm_unmap, do_shm_unmap)                     \
	C(35, GETPHYS, getphys, do_getphys)                         \
	C(36, GETREF, getref, do_getref)                           \
	C(37, RS_SET_PRIV, rs_set_priv, do_rs_set_priv)                 \
	C(38, QUERY_EXIT, query_exit, do_query_exit)       \
	C(39, NOTIFY_SIG, notify_sig, do_notify_sig)       \
	C(40, INFO, info, do_info)                               \
	C(41, RS_UPDATE, rs_update, do_rs_update)                     \
	C(42, RS_MEMCTL, rs_memctl, do_rs_memctl)                     \
	C(43, WATCH_EXIT, watch_exit, do_watch_exit)       \
	C(44, REMAP_RO, remap_ro, do_remap)                       \
	C(45, PROCCTL, procctl, do_procctl)                         \
	C(46, VFS_MMAP, vfs_mmap, do_vfs_mmap)             \
	C(47, GETRUSAGE, getrusage, do_getrusage)                     \
	C(48, RS_PREPARE, rs_prepare, do_rs_prepare)                   \
	C(0xFF, PAGEFAULT, pagefault, do_pagefault)

/* F(c, kind, dir, field): c is passed through so generators can name the call. */
#define VM_FIELDS_exit(F, c)        F(c, ENDPOINT, IN, endpt)
#define VM_FIELDS_fork(F, c)        F(c, ENDPOINT, IN, parent) F(c, SLOT, IN, slot) F(c, ENDPOINT, OUT, child)
#define VM_FIELDS_brk(F, c)         F(c, ADDR, IN, addr)
#define VM_FIELDS_exec_newmem(F, c) F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, args) F(c, LEN, IN, args_len) \
                                    F(c, FLAGS, OUT, flags) F(c, ADDR, OUT, stack_top)
#define VM_FIELDS_willexit(F, c)    F(c, ENDPOINT, IN, endpt)
#define VM_FIELDS_push_sig(F, c)    F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, sp) F(c, ADDR, OUT, frame)
#define VM_FIELDS_mmap(F, c)        F(c, U64, IN, offset) F(c, ADDR, IN, addr) F(c, LEN, IN, len) \
                                    F(c, FLAGS, IN, prot) F(c, FLAGS, IN, flags) F(c, INT, IN, fd) \
                                    F(c, ENDPOINT, IN, forwhom) F(c, ADDR, OUT, retaddr) \
                                    F(c, INT, IN, pad0)
#define VM_FIELDS_adddma(F, c)      F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, start) F(c, LEN, IN, size)
#define VM_FIELDS_deldma(F, c)      F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, start) F(c, LEN, IN, size)
#define VM_FIELDS_getdma(F, c)      F(c, ENDPOINT, OUT, endpt) F(c, ADDR, OUT, base) F(c, LEN, OUT, size)
#define VM_FIELDS_map_phys(F, c)    F(c, ENDPOINT, IN, endpt) F(c, PHYS, IN, phaddr) F(c, LEN, IN, len) \
                                    F(c, ADDR, OUT, reply)
#define VM_FIELDS_unmap_phys(F, c)  F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, vaddr)
#define VM_FIELDS_munmap(F, c)      F(c, ADDR, IN, addr) F(c, LEN, IN, len)
#define VM_FIELDS_munmap_text(F, c) VM_FIELDS_munmap(F, c)
#define VM_FIELDS_vmmcp(F, c)       F(c, U64, IN, dev_offset) F(c, U64, IN, ino_offset) F(c, U64, IN, ino) \
                                    F(c, INT, IN, dev) F(c, ADDR, IN, block) F(c, ADDR, IN, flags_ptr) \
                                    F(c, INT, IN, pages) F(c, FLAGS, IN, flags) F(c, INT, IN, pad0)
#define VM_FIELDS_mapcachepage(F, c)    VM_FIELDS_vmmcp(F, c) F(c, ADDR, OUT, addr) F(c, INT, IN, pad1)
#define VM_FIELDS_setcachepage(F, c)    VM_FIELDS_vmmcp(F, c)
#define VM_FIELDS_forgetcachepage(F, c) VM_FIELDS_vmmcp(F, c)
#define VM_FIELDS_clearcache(F, c)      VM_FIELDS_vmmcp(F, c)
#define VM_FIELDS_vfs_reply(F, c)   F(c, ENDPOINT, IN, endpt) F(c, INT, IN, result) F(c, INT, IN, reqid) \
                                    F(c, INT, IN, dev) F(c, INT, IN, ino) F(c, INT, IN, fd) F(c, INT, IN, size_pages)
#define VM_FIELDS_remap(F, c)       F(c, ENDPOINT, IN, dst) F(c, ENDPOINT, IN, src) F(c, ADDR, IN, dst_addr) \
                                    F(c, ADDR, IN, src_addr) F(c, LEN, IN, size) F(c, ADDR, OUT, ret_addr)
#define VM_FIELDS_remap_ro(F, c)    VM_FIELDS_remap(F, c)
#define VM_FIELDS_shm_unmap(F, c)   F(c, ENDPOINT, IN, forwhom) F(c, ADDR, IN, addr)
#define VM_FIELDS_getphys(F, c)     F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, addr) F(c, PHYS, OUT, ret_addr)
#define VM_FIELDS_getref(F, c)      F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, addr) F(c, INT, OUT, retc)
#define VM_FIELDS_rs_set_priv(F, c) F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, buf) F(c, INT, IN, sys)
#define VM_FIELDS_query_exit(F, c)  F(c, ENDPOINT, OUT, endpt) F(c, INT, OUT, is_more)
#define VM_FIELDS_notify_sig(F, c)  F(c, ENDPOINT, IN, endpt) F(c, ENDPOINT, IN, ipc_endpt)
#define VM_FIELDS_info(F, c)        F(c, SUBCODE, IN, what) F(c, ENDPOINT, IN, endpt) F(c, INT, INOUT, count) \
                                    F(c, ADDR, IN, ptr) F(c, ADDR, INOUT, next)
#define VM_FIELDS_rs_update(F, c)   F(c, ENDPOINT, IN, src) F(c, ENDPOINT, IN, dst) F(c, FLAGS, IN, flags)
#define VM_FIELDS_rs_memctl(F, c)   F(c, ENDPOINT, IN, endpt) F(c, SUBCODE, IN, req) F(c, ADDR, INOUT, addr) \
                                    F(c, LEN, INOUT, len)
#define VM_FIELDS_watch_exit(F, c)  F(c, ENDPOINT, IN, endpt)
#define VM_FIELDS_procctl(F, c)     F(c, SUBCODE, IN, param) F(c, ENDPOINT, IN, who) F(c, ADDR, IN, m1) \
                                    F(c, LEN, IN, len) F(c, FLAGS, IN, flags)
#define VM_FIELDS_vfs_mmap(F, c)    F(c, U64, IN, offset) F(c, U64, IN, ino) F(c, INT, IN, dev) \
                                    F(c, ENDPOINT, IN, who) F(c, ADDR, IN, vaddr) F(c, LEN, IN, len) \
                                    F(c, FLAGS, IN, flags) F(c, INT, IN, fd) F(c, INT, IN, clearend) \
                                    F(c, INT, IN, pad0)
#define VM_FIELDS_getrusage(F, c)   F(c, ENDPOINT, IN, endpt) F(c, ADDR, IN, addr) F(c, INT, IN, children)
#define VM_FIELDS_rs_prepare(F, c)  F(c, ENDPOINT, IN, src) F(c, ENDPOINT, IN, dst) F(c, FLAGS, IN, flags)
#define VM_FIELDS_pagefault(F, c)   F(c, ADDR, IN, addr) F(c, FLAGS, IN, flags)

/* Message type numbers: VM_EXIT, VM_FORK, ... and VM_PAGEFAULT (0xCFF). */
enum vm_call_type {
#define VM_TYPE_ENUM(num, NAME, name, handler) VM_##NAME = VM_RQ_BASE + (num),
	VM_CALLS(VM_TYPE_ENUM)
#undef VM_TYPE_ENUM
};
/* Call numbers without the base, for masks: VMC_EXIT == 0, ... */
enum vm_call_num {
#define VM_NUM_ENUM(num, NAME, name, handler) VMC_##NAME = (num),
	VM_CALLS(VM_NUM_ENUM)
#undef VM_NUM_ENUM
};

/* The payload structs, and a packed twin of each to prove there is no padding. */
#define VM_PL_FIELD(c, kind, dir, field) vmk_##kind field;
#define VM_PL_STRUCT(num, NAME, name, handler)                                         \
	struct vm_pl_##name { VM_FIELDS_##name(VM_PL_FIELD, name) };                   \
	struct __attribute__((packed)) vm_plp_##name { VM_FIELDS_##name(VM_PL_FIELD, name) }; \
	_Static_assert(sizeof(struct vm_pl_##name) <= 56, "VM_" #NAME " payload exceeds 56 bytes"); \
	_Static_assert(sizeof(struct vm_pl_##name) == sizeof(struct vm_plp_##name),   \
		       "VM_" #NAME " payload has padding: reorder its fields");
VM_CALLS(VM_PL_STRUCT)
#undef VM_PL_STRUCT

/* Field offsets equal those of the packed twin (hence the same on every target). */
#define VM_PL_OFFSET_CHECK(c, kind, dir, field)                                      \
	_Static_assert(offsetof(struct vm_pl_##c, field) == offsetof(struct vm_plp_##c, field), \
		       #c "." #field " offset differs from the packed layout");
#define VM_PL_OFFSETS(num, NAME, name, handler) VM_FIELDS_##name(VM_PL_OFFSET_CHECK, name)
VM_CALLS(VM_PL_OFFSETS)
#undef VM_PL_OFFSETS
#undef VM_PL_OFFSET_CHECK

/* ---- Protocol constants ---- */
/* mmap flags (MINIX sys/mman.h values) */
#define PROT_READ   0x1
#define PROT_WRITE  0x2
#define PROT_EXEC   0x4
#define MAP_SHARED        0x0001
#define MAP_PRIVATE       0x0002
#define MAP_FIXED         0x0010
#define MAP_ANON          0x1000
#define MAP_UNINITIALIZED 0x040000
#define MAP_PREALLOC      0x080000
#define MAP_CONTIG        0x100000
#define MAP_LOWER16M      0x200000
#define MAP_LOWER1M       0x400000
#define MAP_THIRDPARTY    0x800000
#define MAP_ALIGNMENT_64KB (16 << 24)

/* VM_INFO what */
#define VMIW_STATS  1
#define VMIW_USAGE  2
#define VMIW_REGION 3
#define MAX_VRI_COUNT 64

/* VM_RS_MEMCTL requests */
#define VM_RS_MEM_PIN              0
#define VM_RS_MEM_MAKE_VM          1
#define VM_RS_MEM_HEAP_PREALLOC    2
#define VM_RS_MEM_MAP_PREALLOC     3
#define VM_RS_MEM_GET_PREALLOC_MAP 4

/* VM_RS_UPDATE flags (this project's values) */
#define SF_VM_ROLLBACK 0x1 /* the update is a rollback */
#define SF_VM_NOMMAP   0x2 /* the new instance does not take the old one's mmaps */

/* VM_PROCCTL params */
#define VMPPARAM_CLEAR     1
#define VMPPARAM_HANDLEMEM 2

/* The DMA range table: rows VM_ADDDMA may hold at once (MINIX's NR_DMA), exited
 * owners' rows included until VM_DELDMA releases them. */
#define VM_DMA_MAX 16

/* The exit and signal watch table (VM_WATCH_EXIT, VM_NOTIFY_SIG, VM_QUERY_EXIT): rows
 * of watches and of queued events VM holds at once, every watcher together. */
#define VM_WATCH_MAX 16
/* VM_PUSH_SIG: the bytes of the signal frame below the stack pointer (this project's
 * value: an i386 sigcontext and the handler's arguments, rounded up). */
#define VM_SIGFRAME_BYTES 128

/* Page-fault error-code bits (i386), carried in VM_PAGEFAULT.flags */
#define PFERR_PRESENT 0x1
#define PFERR_WRITE   0x2
#define PFERR_USER    0x4

/* A 64-bit mask over call numbers 0..NR_VM_CALLS-1. */
typedef uint64_t vm_callmask_t;
#define VM_CALL_BIT(n) ((vm_callmask_t)1 << (n))
#define VM_BASIC_CALLS (VM_CALL_BIT(VMC_BRK) | VM_CALL_BIT(VMC_MMAP) | VM_CALL_BIT(VMC_MUNMAP) | \
			VM_CALL_BIT(VMC_MUNMAP_TEXT) | \
			VM_CALL_BIT(VMC_MAP_PHYS) | VM_CALL_BIT(VMC_UNMAP_PHYS) | VM_CALL_BIT(VMC_INFO) | \
			VM_CALL_BIT(VMC_GETRUSAGE))
#define VM_ALL_CALLS (VM_CALL_BIT(NR_VM_CALLS) - 1)

#endif
