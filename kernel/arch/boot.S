/* boot.S - multiboot v1 header and the kernel entry point.
 * The boot loader (QEMU -kernel) enters in 32-bit protected mode, paging off,
 * eax = multiboot magic, ebx = physical address of the multiboot info. */
	.set MB_MAGIC, 0x1BADB002
	.set MB_FLAGS, 0x00000003          /* page-align modules, give the memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	movl $kstack_top, %esp
	pushl %ebx                         /* multiboot info */
	pushl %eax                         /* magic */
	call kmain
1:	cli
	hlt
	jmp 1b

	.bss
	.align 16
	.globl kstack_top
kstack:
	.space 16384
kstack_top:
