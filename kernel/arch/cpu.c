/* cpu.c - descriptor tables (GDT with a TSS, IDT), the 8259 PIC and the 8253 PIT. */
#include "kernel.h"

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};

static uint64_t gdt[6];
static struct tss tss;
static struct idt_gate idt[NR_VECTORS];
extern const uint32_t trap_vectors[NR_VECTORS];
extern char kstack_top[];

/* A flat 4 GiB segment descriptor with access byte acc (present, DPL, type). */
static uint64_t seg_flat(uint8_t acc)
{
	return 0x0000FFFFull | ((uint64_t)acc << 40) | (0xCFull << 48);
}

/* The TSS descriptor for base/limit (32-bit available TSS, DPL 0). */
static uint64_t seg_tss(uint32_t base, uint32_t limit)
{
	return (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | (0x89ull << 40) |
	       ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)(base >> 24) << 56);
}

/* Load the GDT (kernel and user code/data, TSS), reload every segment register and
 * the task register.  Traps from ring 3 switch to the top of the kernel stack. */
void gdt_init(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;

	gdt[0] = 0;
	gdt[1] = seg_flat(0x9A); /* kernel code */
	gdt[2] = seg_flat(0x92); /* kernel data */
	gdt[3] = seg_flat(0xFA); /* user code */
	gdt[4] = seg_flat(0xF2); /* user data */
	gdt[5] = seg_tss((uint32_t)&tss, sizeof(tss) - 1);
	tss.ss0 = SEL_KDATA;
	tss.esp0 = (uint32_t)kstack_top;
	tss.iomap = sizeof(tss); /* no I/O bitmap: ring 3 has no port access */
	d.limit = sizeof(gdt) - 1;
	d.base = (uint32_t)gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n"
			 "1:\tmovw $0x10, %%ax\n\t"
			 "movw %%ax, %%ds\n\tmovw %%ax, %%es\n\tmovw %%ax, %%ss\n\t"
			 "movw %%ax, %%fs\n\tmovw %%ax, %%gs\n\t"
			 "movw $0x28, %%ax\n\tltr %%ax"
			 : : "m"(d) : "eax", "memory");
}

/* Fill the IDT: interrupt gates (interrupts off in the kernel) for every vector;
 * the IPC and kernel-call vectors may be raised from ring 3. */
void idt_init(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;

	for (int v = 0; v < NR_VECTORS; v++) {
		int dpl = (v == IPC_VECTOR || v == KCALL_VECTOR) ? 3 : 0;
		idt[v].off_lo = trap_vectors[v] & 0xFFFF;
		idt[v].off_hi = trap_vectors[v] >> 16;
		idt[v].sel = SEL_KCODE;
		idt[v].zero = 0;
		idt[v].type = (uint8_t)(0x8E | (dpl << 5));
	}
	d.limit = sizeof(idt) - 1;
	d.base = (uint32_t)idt;
	__asm__ volatile("lidt %0" : : "m"(d));
}

/* Remap the two 8259 PICs to vectors 32..47 and unmask only the timer (IRQ 0). */
void pic_init(void)
{
	outb(0x20, 0x11); outb(0xA0, 0x11);       /* ICW1: init, ICW4 follows */
	outb(0x21, IRQ_BASE); outb(0xA1, IRQ_BASE + 8);
	outb(0x21, 0x04); outb(0xA1, 0x02);       /* cascade on IRQ 2 */
	outb(0x21, 0x01); outb(0xA1, 0x01);       /* 8086 mode */
	outb(0x21, 0xFE); outb(0xA1, 0xFF);       /* masks */
}

/* Acknowledge IRQ irq at the PIC(s). */
void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(0xA0, 0x20);
	outb(0x20, 0x20);
}

/* Program PIT channel 0 to interrupt hz times a second. */
void pit_init(uint32_t hz)
{
	uint32_t div = 1193182u / hz;

	outb(0x43, 0x34); /* channel 0, lo/hi, rate generator */
	outb(0x40, div & 0xFF);
	outb(0x40, (div >> 8) & 0xFF);
}
