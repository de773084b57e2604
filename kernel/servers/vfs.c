/* vfs.c - a small file server for VM's file mappings: it serves an in-memory file set
 * to VM's requests (VFS_VMCALL) and answers with VM_VFS_REPLY.  It only ever listens to
 * VM, so a non-blocking send from anyone else finds it not ready (init's SENDNB
 * self-test relies on that).
 *
 * The file set: descriptor VFS_TEST_FD is a VFS_TEST_PAGES-page file (device
 * VFS_TEST_DEV, inode VFS_TEST_INO) whose words are vfs_test_word(offset).  FDLOOKUP
 * of it answers its device, inode and size; any other descriptor is EBADF.  FDIO puts
 * the asked page into VM's block cache under (device, inode, offset) with
 * VM_SETCACHEPAGE, from a page of VFS's own, then answers OK (EIO past the end).
 * Descriptor VFS_HELLO_FD (inode VFS_HELLO_INO, VFS_HELLO_PAGES pages) is the program
 * init's exec self-test runs: kernel/user/hello.c's flat binary, embedded at build
 * time (hello_file.S), zero past its last byte. */
#include "ulib.h"
#include "layout.h"
#include "vm_vfs.h"
#include "selftest.h"

int main(void);

static uint32_t page_buf[PAGE_SIZE / 4] __attribute__((aligned(PAGE_SIZE)));
extern const uint8_t hello_file[], hello_file_end[]; /* hello_file.S */

/* VFS's answer to VM's request req (its reqid and endpoint) with result and the
 * fields of the file ino. */
static void vfs_answer(const message *req, int32_t result, uint32_t ino, int32_t size_pages)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = VM_VFS_REPLY;
	m.u.vfs_reply.endpt = (endpoint_t)req->u.word[VFSW_ENDPT];
	m.u.vfs_reply.reqid = (int32_t)req->u.word[VFSW_REQID];
	m.u.vfs_reply.result = result;
	m.u.vfs_reply.dev = VFS_TEST_DEV;
	m.u.vfs_reply.ino = ino;
	m.u.vfs_reply.fd = (int32_t)req->u.word[VFSW_FD];
	m.u.vfs_reply.size_pages = size_pages;
	ipc_send(VM_PROC_NR, &m);
}

/* Fill page_buf with the hello file's page at off (zero past its end). */
static void hello_page(uint32_t off)
{
	uint32_t size = (uint32_t)(hello_file_end - hello_file);
	uint8_t *b = (uint8_t *)page_buf;

	for (uint32_t i = 0; i < PAGE_SIZE; i++)
		b[i] = off + i < size ? hello_file[off + i] : 0;
}

/* Cache the page at off (page-aligned, inside the file) of file ino: fill page_buf,
 * hand it to VM.  VM_OK or VM's errno. */
static int cache_page(uint32_t ino, uint32_t off)
{
	message m;

	if (ino == VFS_HELLO_INO)
		hello_page(off);
	else
		for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
			page_buf[i] = vfs_test_word(off + 4 * i); /* a write: the page is VFS's own again */
	__builtin_memset(&m, 0, sizeof(m));
	m.u.setcachepage.dev = VFS_TEST_DEV;
	m.u.setcachepage.dev_offset = off;
	m.u.setcachepage.ino = ino;
	m.u.setcachepage.ino_offset = off;
	m.u.setcachepage.block = (uint32_t)(uintptr_t)page_buf;
	m.u.setcachepage.pages = 1;
	return vm_call(VM_SETCACHEPAGE, &m);
}

/* The size in pages of file ino, 0 for none. */
static uint32_t file_pages(uint32_t ino)
{
	return ino == VFS_TEST_INO ? VFS_TEST_PAGES : ino == VFS_HELLO_INO ? VFS_HELLO_PAGES : 0;
}

/* Serve one request of VM. */
static void serve(const message *req)
{
	uint32_t off = req->u.word[VFSW_OFF_LO], ino = req->u.word[VFSW_INO];
	int32_t fd = (int32_t)req->u.word[VFSW_FD];

	switch (req->u.word[VFSW_REQ]) {
	case VMVFSREQ_FDLOOKUP:
		if (fd == VFS_TEST_FD)
			vfs_answer(req, VM_OK, VFS_TEST_INO, VFS_TEST_PAGES);
		else if (fd == VFS_HELLO_FD)
			vfs_answer(req, VM_OK, VFS_HELLO_INO, VFS_HELLO_PAGES);
		else
			vfs_answer(req, VM_EBADF, 0, 0);
		break;
	case VMVFSREQ_FDIO:
		if (req->u.word[VFSW_OFF_HI] || off >= file_pages(ino) * PAGE_SIZE)
			vfs_answer(req, VM_EIO, ino, 0);
		else
			vfs_answer(req, cache_page(ino, off), ino, 0);
		break;
	default:
		vfs_answer(req, VM_EINVAL, 0, 0);
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
