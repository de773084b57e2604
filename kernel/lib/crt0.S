/* crt0.S - entry of every ring-3 program: the kernel starts it at _start with
 * esp = STACK_TOP.  main() must not return; if it does, ud2 makes the kernel stop
 * the process. */
	.section .text.start, "ax"
	.globl _start
_start:
	xorl %ebp, %ebp
	call main
	ud2
