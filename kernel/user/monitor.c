/* monitor.c - a small monitor on the serial console, for a person who boots the
 * hardened image (`make qemu`): one command a line, each answered before the next
 * "monitor> " prompt.  Commands: help, ps, mem, regions SLOT, sanity N, selftest,
 * soak N, halt. */
#include "user.h"
#include "layout.h"
#include "vm_info.h"
#include "monitor_abi.h"

#define LINE_MAX 64

/* The next character typed on the console (polled: nothing else runs meanwhile but
 * the servers, which are waiting for messages). */
static char getc_console(void)
{
	uint32_t c;

	while (kcall(KC_CONSOLE_GETC, 0, 0, 0, 0, 0, &c) != VM_OK)
		;
	return (char)c;
}

/* Read a line (echoed) into buf; returns its length. */
static int read_line(char *buf, int cap)
{
	int n = 0;

	for (;;) {
		char c = getc_console();
		if (c == '\r' || c == '\n') {
			uputs("\n");
			buf[n] = '\0';
			return n;
		}
		if ((c == 0x7F || c == '\b') && n > 0) {
			n--;
			uputs("\b \b");
		} else if (c >= ' ' && c < 0x7F && n + 1 < cap) {
			buf[n++] = c;
			uprintf("%c", c);
		}
	}
}

/* The decimal number at s (skipping spaces); *ok = 0 when there is none. */
static uint32_t number(const char *s, int *ok)
{
	uint32_t v = 0;

	while (*s == ' ')
		s++;
	*ok = *s >= '0' && *s <= '9';
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint32_t)(*s - '0');
	return v;
}

/* True when line is word, alone or followed by a space; *arg = what follows. */
static int is_cmd(const char *line, const char *word, const char **arg)
{
	int i = 0;

	while (word[i] && line[i] == word[i])
		i++;
	if (word[i] || (line[i] != '\0' && line[i] != ' '))
		return 0;
	*arg = line + i;
	return 1;
}

static void cmd_help(void)
{
	uputs("commands:\n"
	      "  help          this list\n"
	      "  ps            the process table: slot, endpoint, name, state\n"
	      "  mem           VM_INFO: page statistics, VM's own pages, init's usage\n"
	      "  regions SLOT  the regions of the process in SLOT (VM_INFO)\n"
	      "  sanity N      set VM's sanity level to N and run one full check\n"
	      "  selftest      run init's protocol self-tests again\n"
	      "  soak N        run the soak with N fork/exit cycles\n"
	      "  halt          shut the machine down\n");
}

static void cmd_ps(void)
{
	struct si_proc sp;

	uputs("slot endpoint name state\n");
	for (uint32_t s = 0; s < NR_PROCS; s++) {
		if (kcall(KC_SYSINFO, SI_PROC, s, (uint32_t)&sp, 0, 0, NULL) != VM_OK || !(sp.flags & SIP_INUSE))
			continue;
		uprintf("%4u %8d %s %s\n", s, sp.endpt, sp.name,
			(sp.flags & SIP_KILLED) ? "killed" : (sp.flags & SIP_PAGEFAULT) ? "pagefault" :
			(sp.flags & SIP_BLOCKED) ? "blocked" : "runnable");
	}
}

static void cmd_mem(void)
{
	struct vm_stats_info si;
	struct vm_usage_info uk, ui;

	__builtin_memset(&si, 0, sizeof(si));
	__builtin_memset(&uk, 0, sizeof(uk));
	__builtin_memset(&ui, 0, sizeof(ui));
	if (vm_info(VMIW_STATS, SELF, &si, NULL, NULL) != VM_OK || vm_info(VMIW_USAGE, KERNEL, &uk, NULL, NULL) != VM_OK ||
	    vm_info(VMIW_USAGE, SELF, &ui, NULL, NULL) != VM_OK) {
		uputs("mem: VM_INFO failed\n");
		return;
	}
	uprintf("pages: %u total, %u free, largest free run %u, %u cached (%u bytes each)\n", si.total, si.free,
		si.largest, si.cached, si.pagesize);
	uprintf("VM's own pages (page tables, slab): %u\n", uk.maxrss);
	uprintf("init: %u bytes resident, %u shared, %u in regions, %u minor faults\n", ui.total, ui.common,
		ui.vtotal, ui.minflt);
}

static void cmd_regions(const char *arg)
{
	struct vm_region_info ri[8];
	struct si_proc sp;
	uint32_t next = 0;
	int ok, n = 0;
	uint32_t slot = number(arg, &ok);

	if (!ok || kcall(KC_SYSINFO, SI_PROC, slot, (uint32_t)&sp, 0, 0, NULL) != VM_OK || !(sp.flags & SIP_INUSE)) {
		uputs("regions: give the slot of a live process (see ps)\n");
		return;
	}
	uprintf("regions of %s (endpoint %d):\n", sp.name, sp.endpt);
	for (;;) {
		int32_t count = 8;
		int r = vm_info(VMIW_REGION, sp.endpt, ri, &count, &next);
		if (r != VM_OK) {
			uprintf("regions: VM_INFO: %d\n", r);
			return;
		}
		for (int32_t i = 0; i < count; i++, n++)
			uprintf("  0x%08x-0x%08x %s flags 0x%x\n", ri[i].addr, ri[i].addr + ri[i].length,
				(ri[i].prot & PROT_WRITE) ? "rw" : "r-", ri[i].flags);
		if (count < 8)
			break;
	}
	uprintf("%d region(s)\n", n);
}

static void cmd_sanity(const char *arg)
{
	int ok;
	uint32_t level = number(arg, &ok);

	if (!ok || level > 3) {
		uputs("sanity: give a level 0..3\n");
		return;
	}
	/* VM prints the check's result itself */
	while (kcall(KC_VMCTL, VMCTL_SANITY, level, 0, 0, 0, NULL) == VM_EBUSY)
		;
	/* a VM call after it: VM has printed by the time it answers */
	struct vm_stats_info si;
	vm_info(VMIW_STATS, SELF, &si, NULL, NULL);
}

static void cmd_soak(const char *arg)
{
	int ok;
	uint32_t n = number(arg, &ok);

	if (!ok || n == 0) {
		uputs("soak: give a number of cycles\n");
		return;
	}
	soak_run(n);
}

void monitor_run(void)
{
	char line[LINE_MAX];
	const char *arg;

	uputs("monitor: type help for the commands\n");
	for (;;) {
		uputs("monitor> ");
		if (read_line(line, LINE_MAX) == 0)
			continue;
		if (is_cmd(line, "help", &arg))
			cmd_help();
		else if (is_cmd(line, "ps", &arg))
			cmd_ps();
		else if (is_cmd(line, "mem", &arg))
			cmd_mem();
		else if (is_cmd(line, "regions", &arg))
			cmd_regions(arg);
		else if (is_cmd(line, "sanity", &arg))
			cmd_sanity(arg);
		else if (is_cmd(line, "selftest", &arg))
			selftest_run();
		else if (is_cmd(line, "soak", &arg))
			cmd_soak(arg);
		else if (is_cmd(line, "halt", &arg))
			sys_shutdown(0);
		else
			uprintf("unknown command '%s' (help lists them)\n", line);
	}
}
