/* trap.S - interrupt and trap entry stubs, and the return to ring 3.
 * Every vector pushes (error code, vector) so the frame is uniform; trap_common
 * saves the registers as a struct trapframe (kernel/arch/x86.h) and calls trap(). */
	.macro VEC_NOERR n
	.globl vec\n
vec\n:	pushl $0
	pushl $\n
	jmp trap_common
	.endm
	.macro VEC_ERR n
	.globl vec\n
vec\n:	pushl $\n
	jmp trap_common
	.endm

	.text
	VEC_NOERR 0
	VEC_NOERR 1
	VEC_NOERR 2
	VEC_NOERR 3
	VEC_NOERR 4
	VEC_NOERR 5
	VEC_NOERR 6
	VEC_NOERR 7
	VEC_ERR   8
	VEC_NOERR 9
	VEC_ERR   10
	VEC_ERR   11
	VEC_ERR   12
	VEC_ERR   13
	VEC_ERR   14
	VEC_NOERR 15
	VEC_NOERR 16
	VEC_ERR   17
	VEC_NOERR 18
	VEC_NOERR 19
	.irp n, 20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49
	VEC_NOERR \n
	.endr

trap_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	pushl %esp
	call trap
	addl $4, %esp
trapret:
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp
	iret

/* void user_return(struct trapframe *tf): restore tf and iret (never returns). */
	.globl user_return
user_return:
	movl 4(%esp), %esp
	jmp trapret

/* The vector addresses, indexed by vector number, for the IDT. */
	.section .rodata
	.globl trap_vectors
	.align 4
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49
	.long vec\n
	.endr
