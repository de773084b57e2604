/* qemu_forkserver.c - the host side of make fuzz-qemu: AFL++ fuzzes the real kernel
 * and VM of the fuzz image in QEMU (TCG) through shared memory.
 *
 *   qemu-forkserver IMGDIR FILE          under afl-fuzz (FILE is @@): a forkserver;
 *                                        without its pipes (AFL_NO_FORKSRV, afl-showmap)
 *                                        one run, ending as an instrumented program:
 *                                        exit 0 when clean, abort on a finding
 *   qemu-forkserver --run IMGDIR FILE... each file once: "FILE: VERDICT edges=N ..."
 *   options (before IMGDIR): --expect    check the expected replies an input compiled
 *                                        from text carries (FZI_EXPECT)
 *
 * One QEMU runs the fuzz image (IMGDIR/{kernel,vm,agent}.elf) with QEMU's
 * ivshmem-plain device over /dev/shm/vmfuzz-<pid>, a file this program creates (and
 * unlinks once QEMU has it open).  For each input it clears VM's edge map, copies the
 * input into the shared memory, bumps the request number and waits for the agent
 * (harness/guest/shm.c) to publish it as done; the layout is kernel/shm_abi.h's.
 *
 * AFL++'s forkserver protocol (docs: AFL++'s forkserver and instrumentation notes): a
 * four-byte hello on the status pipe (fd 199) once QEMU is up, whose option bits give
 * the map size (FZSHM_MAP_SIZE) and nothing else to negotiate; then per input afl-fuzz writes four bytes on the control pipe (fd 198), this
 * program answers with a "child" pid (QEMU's: when afl-fuzz's timeout kills it, that is
 * the hang, and the next input boots a new QEMU) and, when the input is done, a wait
 * status: 0 when clean, killed by SIGABRT for a finding (the agent's FINDING line is
 * printed on stderr), killed by SIGSEGV when QEMU died otherwise, or QEMU's own
 * status when afl-fuzz killed it.  VM's edge map goes into afl-fuzz's map
 * (__AFL_SHM_ID, a System V segment), at most FZSHM_MAP_SIZE bytes of it.
 *
 * Environment: QEMU (qemu-system-i386), QEMU_FS_SANITY (VM's boot sanity level on the
 * kernel command line, 0; each input sets its own as in the hosted build), QEMU_FS_LOG
 * (the serial console of every QEMU, appended; default /dev/null), QEMU_FS_BOOT (s
 * to wait for the agent after a boot, 120), QEMU_FS_TIMEOUT (ms an input may take
 * with --run before QEMU is stopped and the input called a hang, 60000; under afl-fuzz
 * its -t rules). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "shm_abi.h"

#define FORKSRV_CTL 198
#define FORKSRV_ST  199
/* The hello's option bits (AFL++'s "reporting options"): options present, and the
 * map size, encoded as (size - 1) << 1 in bits 1..23. */
#define HELLO_OPTIONS  0x80000001u
#define HELLO_MAPSIZE  0x40000000u
#define HELLO ((uint32_t)(HELLO_OPTIONS | HELLO_MAPSIZE | ((FZSHM_MAP_SIZE - 1u) << 1)))

enum result { R_CLEAN, R_FINDING, R_HANG, R_DIED };

static struct {
	const char *img;
	char shm_path[64];
	uint8_t *shm; /* the shared memory, FZSHM_SIZE bytes */
	pid_t qemu;   /* 0: none running */
	int qemu_status;
	uint32_t seq;
	uint32_t flags; /* FZI_* for every input */
	int boots;
} fs;

static void die(const char *why)
{
	fprintf(stderr, "qemu-forkserver: %s\n", why);
	exit(2);
}

static long env_number(const char *name, long dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 10) : dflt;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void nap(void)
{
	struct timespec t = { 0, 20000 };
	nanosleep(&t, NULL);
}

static volatile struct fzshm_hdr *hdr(void) { return (volatile struct fzshm_hdr *)fs.shm; }

/* A fresh /dev/shm/vmfuzz-<pid> of FZSHM_SIZE bytes, mapped shared, header zero. */
static void shm_create(void)
{
	int fd;

	snprintf(fs.shm_path, sizeof(fs.shm_path), "/dev/shm/vmfuzz-%d", (int)getpid());
	fd = open(fs.shm_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, FZSHM_SIZE) != 0)
		die("cannot create the shared memory file in /dev/shm");
	if (fs.shm)
		munmap(fs.shm, FZSHM_SIZE);
	fs.shm = mmap(NULL, FZSHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (fs.shm == MAP_FAILED)
		die("cannot map the shared memory file");
	memset(fs.shm, 0, FZSHM_SIZE);
	fs.seq = 0;
}

/* Stop QEMU (when running) and reap it. */
static void qemu_stop(void)
{
	if (fs.qemu > 0) {
		kill(fs.qemu, SIGKILL);
		waitpid(fs.qemu, &fs.qemu_status, 0);
	}
	fs.qemu = 0;
}

/* Start QEMU on the image with the shared memory as ivshmem; it dies with us. */
static void qemu_exec(void)
{
	char kernel[512], initrd[1100], append[64], obj[160], serial[600];
	const char *qemu = getenv("QEMU") ? getenv("QEMU") : "qemu-system-i386";
	const char *log = getenv("QEMU_FS_LOG") ? getenv("QEMU_FS_LOG") : "/dev/null";
	int fd = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	close(FORKSRV_CTL), close(FORKSRV_ST);
	snprintf(kernel, sizeof(kernel), "%s/kernel.elf", fs.img);
	snprintf(initrd, sizeof(initrd), "%s/vm.elf,%s/agent.elf", fs.img, fs.img);
	snprintf(append, sizeof(append), "sanity=%ld", env_number("QEMU_FS_SANITY", 0));
	snprintf(obj, sizeof(obj), "memory-backend-file,id=shm,mem-path=%s,size=%u,share=on", fs.shm_path,
		 FZSHM_SIZE);
	snprintf(serial, sizeof(serial), "file:%s", log);
	execlp(qemu, qemu, "-m", "128", "-kernel", kernel, "-initrd", initrd, "-append", append, "-display", "none",
	       "-no-reboot", "-nodefaults", "-monitor", "none", "-serial", serial, "-device",
	       "isa-debug-exit,iobase=0xf4,iosize=0x04", "-object", obj, "-device", "ivshmem-plain,memdev=shm",
	       (char *)NULL);
	_exit(127);
}

/* Boot a QEMU and wait until its agent serves; die when it never does. */
static void qemu_start(void)
{
	double t0 = now_ms(), limit = env_number("QEMU_FS_BOOT", 120) * 1e3;

	qemu_stop();
	shm_create();
	fs.qemu = fork();
	if (fs.qemu < 0)
		die("fork failed");
	if (fs.qemu == 0)
		qemu_exec();
	while (hdr()->ready != FZSHM_READY) {
		if (waitpid(fs.qemu, &fs.qemu_status, WNOHANG) == fs.qemu) {
			fs.qemu = 0;
			unlink(fs.shm_path);
			die("QEMU ended before its agent served (QEMU_FS_LOG=file shows its console)");
		}
		if (now_ms() - t0 > limit) {
			qemu_stop();
			unlink(fs.shm_path);
			die("the agent did not serve within QEMU_FS_BOOT seconds");
		}
		nap();
	}
	unlink(fs.shm_path); /* QEMU has it mapped: nothing is left behind */
	fs.seq = hdr()->done;
	fs.boots++;
}

/* Run one input in the guest, at most timeout_ms (0: no limit of our own). */
static enum result run_input(const uint8_t *in, uint32_t len, double timeout_ms)
{
	volatile struct fzshm_hdr *h;
	double t0;

	if (!fs.qemu)
		qemu_start();
	h = hdr();
	if (len > FZSHM_INPUT_CAP)
		len = FZSHM_INPUT_CAP;
	memset(fs.shm + FZSHM_MAP, 0, FZSHM_MAP_SIZE);
	memcpy(fs.shm + FZSHM_INPUT, in, len);
	h->len = len;
	h->flags = fs.flags;
	__sync_synchronize();
	h->req = ++fs.seq;
	t0 = now_ms();
	for (uint32_t spin = 0; h->done != fs.seq; spin++) {
		if ((spin & 63) == 63 && waitpid(fs.qemu, &fs.qemu_status, WNOHANG) == fs.qemu) {
			fs.qemu = 0;
			return R_DIED;
		}
		if (timeout_ms > 0 && now_ms() - t0 > timeout_ms) {
			qemu_stop();
			return R_HANG;
		}
		if (spin > 1000)
			nap();
	}
	__sync_synchronize();
	return h->verdict == FZSHM_FINDING ? R_FINDING : R_CLEAN;
}

/* Edges (non-zero counters) of the last input's map. */
static uint32_t edges(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < FZSHM_MAP_SIZE; i++)
		n += fs.shm[FZSHM_MAP + i] != 0;
	return n;
}

/* The whole of file path, at most FZSHM_INPUT_CAP bytes, into buf; its length or -1. */
static long read_input(const char *path, uint8_t *buf)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while (n < FZSHM_INPUT_CAP && (r = read(fd, buf + n, FZSHM_INPUT_CAP - n)) > 0)
		n += r;
	close(fd);
	return n;
}

/* --run: every file once; a line each and a summary of the edges they reached. */
static int run_files(char **files, int n)
{
	static uint8_t buf[FZSHM_INPUT_CAP], seen[FZSHM_MAP_SIZE];
	double timeout = (double)env_number("QEMU_FS_TIMEOUT", 60000), t0 = now_ms();
	uint32_t total = 0, findings = 0;

	for (int i = 0; i < n; i++) {
		long len = read_input(files[i], buf);
		if (len < 0)
			die("cannot read an input file");
		double t1 = now_ms();
		enum result r = run_input(buf, (uint32_t)len, timeout);
		double ms = now_ms() - t1;
		uint32_t e = r == R_HANG ? 0 : edges();
		for (uint32_t j = 0; r != R_HANG && j < FZSHM_MAP_SIZE; j++)
			if (fs.shm[FZSHM_MAP + j] && !seen[j])
				seen[j] = 1, total++;
		printf("%s: %s edges=%u total=%u ms=%.1f\n", files[i],
		       r == R_CLEAN ? "CLEAN" : r == R_FINDING ? (const char *)hdr()->finding :
			       r == R_HANG ? "HANG" : "QEMU-DIED", e, total, ms);
		findings += r != R_CLEAN;
	}
	printf("qemu-forkserver: %d inputs, %u not clean, %u edges, %.0f ms, %u boot(s)\n", n, findings, total,
	       now_ms() - t0, fs.boots);
	qemu_stop();
	return 0;
}

/* afl-fuzz's map (__AFL_SHM_ID) and its size; NULL when not under afl-fuzz. */
static uint8_t *afl_map(size_t *size)
{
	const char *id = getenv("__AFL_SHM_ID");
	struct shmid_ds ds;
	void *p;

	if (!id)
		return NULL;
	p = shmat(atoi(id), NULL, 0);
	if (p == (void *)-1 || shmctl(atoi(id), IPC_STAT, &ds) != 0)
		die("cannot attach afl-fuzz's map (__AFL_SHM_ID)");
	*size = ds.shm_segsz < FZSHM_MAP_SIZE ? ds.shm_segsz : FZSHM_MAP_SIZE;
	return p;
}

/* The wait status afl-fuzz gets for result r. */
static int wait_status(enum result r)
{
	if (r == R_FINDING)
		return SIGABRT; /* WIFSIGNALED, WTERMSIG == SIGABRT */
	if (r == R_DIED)
		return WIFSIGNALED(fs.qemu_status) ? fs.qemu_status : SIGSEGV;
	return 0;
}

/* Without a forkserver pipe (AFL_NO_FORKSRV, afl-showmap's single run, a person):
 * run path once, as an instrumented program would: its edges into afl-fuzz's map when
 * there is one, exit 0 when clean, abort on a finding (the FINDING line on stderr). */
static int run_once(const char *path, uint8_t *map, size_t map_size)
{
	static uint8_t buf[FZSHM_INPUT_CAP];
	long len = read_input(path, buf);
	enum result r;

	if (len < 0)
		die("cannot read the input file");
	r = run_input(buf, (uint32_t)len, (double)env_number("QEMU_FS_TIMEOUT", 60000));
	if (map && r != R_DIED && r != R_HANG)
		memcpy(map, fs.shm + FZSHM_MAP, map_size);
	qemu_stop();
	if (r == R_CLEAN)
		return 0;
	fprintf(stderr, "%s\n", r == R_FINDING ? (const char *)hdr()->finding : r == R_HANG ? "HANG" : "QEMU-DIED");
	if (r == R_HANG)
		raise(SIGKILL);
	abort();
}

/* Under afl-fuzz: the forkserver loop, until afl-fuzz closes the control pipe. */
static int serve_afl(const char *path)
{
	static uint8_t buf[FZSHM_INPUT_CAP];
	size_t map_size = 0;
	uint8_t *map = afl_map(&map_size);
	uint32_t word = HELLO;

	qemu_start();
	if (write(FORKSRV_ST, &word, 4) != 4)
		return run_once(path, map, map_size);
	while (read(FORKSRV_CTL, &word, 4) == 4) {
		long len;
		if (!fs.qemu)
			qemu_start();
		int32_t pid = fs.qemu;
		if (write(FORKSRV_ST, &pid, 4) != 4)
			break;
		len = read_input(path, buf);
		enum result r = run_input(buf, len < 0 ? 0 : (uint32_t)len, 0);
		if (map && r != R_DIED)
			memcpy(map, fs.shm + FZSHM_MAP, map_size);
		if (getenv("QEMU_FS_DEBUG"))
			fprintf(stderr, "qemu-forkserver: map %p size %zu edges %u result %d\n", (void *)map, map_size, edges(), r);
		if (r == R_FINDING)
			fprintf(stderr, "%s\n", (const char *)hdr()->finding);
		int32_t status = wait_status(r);
		if (write(FORKSRV_ST, &status, 4) != 4)
			break;
	}
	qemu_stop();
	return 0;
}

int main(int argc, char **argv)
{
	int run = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--run"))
			run = 1;
		else if (!strcmp(argv[i], "--expect"))
			fs.flags |= FZI_EXPECT;
		else
			die("unknown option (usage: qemu-forkserver [--run] [--expect] IMGDIR FILE...)");
	}
	if (argc - i < 2)
		die("usage: qemu-forkserver [--run] [--expect] IMGDIR FILE...");
	if (getenv("AFL_DUMP_MAP_SIZE")) { /* afl-fuzz asks a target its map size this way */
		printf("%u\n", FZSHM_MAP_SIZE);
		return 0;
	}
	fs.img = argv[i];
	signal(SIGPIPE, SIG_IGN);
	return run ? run_files(argv + i + 1, argc - i - 1) : serve_afl(argv[i + 1]);
}
