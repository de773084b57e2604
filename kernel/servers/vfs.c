/* vfs.c - a small file server for VM's file mappings: it serves an in-memory file set
 * to VM's requests (VFS_VMCALL) and answers with VM_VFS_REPLY.  It only ever listens to
 * VM, so a non-blocking send from anyone else finds it not ready (init's SENDNB
 * self-test relies on that).
 *
 * The file set: descriptor VFS_TEST_FD is a VFS_TEST_PAGES-page file (device
 * VFS_TEST_DEV, inode VFS_TEST_INO) whose words are vfs_test_word(offset).  FDLOOKUP
 * of it answers its device, inode and size; any other descriptor is EBADF.  FDIO puts
 * the asked page into VM's block cache under (device, inode, offset) with
 * VM_SETCACHEPAGE, from a page of VFS's own, then answers OK (EIO past the end). */
#include "ulib.h"
#include "layout.h"
#include "vm_vfs.h"
#include "selftest.h"

int main(void);

static uint32_t page_buf[PAGE_SIZE / 4] __attribute__((aligned(PAGE_SIZE)));

/* VFS's answer to VM's request req (its reqid and endpoint) with result and the file's fields. */
static void vfs_answer(const message *req, int32_t result, int32_t size_pages)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = VM_VFS_REPLY;
	m.u.vfs_reply.endpt = (endpoint_t)req->u.word[VFSW_ENDPT];
	m.u.vfs_reply.reqid = (int32_t)req->u.word[VFSW_REQID];
	m.u.vfs_reply.result = result;
	m.u.vfs_reply.dev = VFS_TEST_DEV;
	m.u.vfs_reply.ino = VFS_TEST_INO;
	m.u.vfs_reply.fd = (int32_t)req->u.word[VFSW_FD];
	m.u.vfs_reply.size_pages = size_pages;
	ipc_send(VM_PROC_NR, &m);
}

/* Cache the file page at off (page-aligned, inside the file): fill page_buf, hand it
 * to VM.  VM_OK or VM's errno. */
static int cache_page(uint32_t off)
{
	message m;

	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		page_buf[i] = vfs_test_word(off + 4 * i); /* a write: the page is VFS's own again */
	__builtin_memset(&m, 0, sizeof(m));
	m.u.setcachepage.dev = VFS_TEST_DEV;
	m.u.setcachepage.dev_offset = off;
	m.u.setcachepage.ino = VFS_TEST_INO;
	m.u.setcachepage.ino_offset = off;
	m.u.setcachepage.block = (uint32_t)(uintptr_t)page_buf;
	m.u.setcachepage.pages = 1;
	return vm_call(VM_SETCACHEPAGE, &m);
}

/* Serve one request of VM. */
static void serve(const message *req)
{
	uint32_t off = req->u.word[VFSW_OFF_LO];

	switch (req->u.word[VFSW_REQ]) {
	case VMVFSREQ_FDLOOKUP:
		if ((int32_t)req->u.word[VFSW_FD] == VFS_TEST_FD)
			vfs_answer(req, VM_OK, VFS_TEST_PAGES);
		else
			vfs_answer(req, VM_EBADF, 0);
		break;
	case VMVFSREQ_FDIO:
		if (req->u.word[VFSW_INO] != VFS_TEST_INO || req->u.word[VFSW_OFF_HI] || off >= VFS_TEST_PAGES * PAGE_SIZE)
			vfs_answer(req, VM_EIO, 0);
		else
			vfs_answer(req, cache_page(off), 0);
		break;
	default:
		vfs_answer(req, VM_EINVAL, 0);
		break;
	}
}

int main(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_receive(VM_PROC_NR, &m, NULL) != VM_OK)
			continue;
		if (m.m_type == VFS_VMCALL)
			serve(&m);
	}
}
