/* vm_vfs.h - what VM asks VFS (file mappings) and the limits of that conversation.
 *
 * VM sends VFS one request at a time (non-blocking) as a message of type VFS_VMCALL,
 * its fields in payload words (VFSW_*); VFS answers with VM_VFS_REPLY (a call of the
 * table) carrying the request's reqid and endpoint.  Requests VM cannot send yet wait
 * in a bounded queue, first come first served. */
#ifndef VMFUZZ_VM_VFS_H
#define VMFUZZ_VM_VFS_H

#define VFS_VMCALL 0x1100 /* VM -> VFS; outside VM's range and the notifications' */

/* Request codes (MINIX's VMVFSREQ_* numbers). */
#define VMVFSREQ_FDLOOKUP 101 /* an mmap of fd: which file, how large (dev, ino, size_pages) */
#define VMVFSREQ_FDIO     103 /* a page fault: bring the page at offset into the block cache */

/* Payload words of a VFS_VMCALL. */
#define VFSW_REQ      0  /* VMVFSREQ_* */
#define VFSW_FD       1  /* the file descriptor (of ENDPT's for FDLOOKUP; VFS's reference for FDIO) */
#define VFSW_REQID    2  /* echoed by VM_VFS_REPLY.reqid */
#define VFSW_ENDPT    3  /* the process concerned; echoed by VM_VFS_REPLY.endpt */
#define VFSW_OFF_LO   4  /* file offset (page-aligned), low and high words */
#define VFSW_OFF_HI   5
#define VFSW_LEN      6  /* bytes */
#define VFSW_DEV      7  /* FDIO: the file's device and inode */
#define VFSW_INO      8

#define VM_VFS_QUEUE_MAX 8 /* requests waiting or active at once; one more is refused */

#endif
