/* hello_file.S - the bytes of kernel/user/hello.c's flat binary (HELLO_BIN, given by
 * kernel/kernel.mk) in VFS's read-only data: the file VFS_HELLO_FD of its file set. */
	.section .rodata
	.globl hello_file, hello_file_end
	.balign 4
hello_file:
	.incbin HELLO_BIN
hello_file_end:
