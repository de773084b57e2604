/* fuzz_entry.c - the one fuzz entry point, for libFuzzer and for AFL++ (afl-clang-fast
 * -fsanitize=fuzzer links AFL++'s driver: persistent mode, shared-memory test cases,
 * deferred init).  Boot once; every input runs from the boot snapshot, with VM's
 * per-handler sanity checks incremental (only the processes a message changed are
 * re-derived; the check after the last record is the full one, as in every replay).
 * A finding is printed and aborts, so the engine keeps the input.  VMFUZZ_PLANT plants
 * a self-test bug as in vm-replay (make bench times how long each takes to be found). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[200];
	(void)argc;
	(void)argv;
	if (run_plant_from_env(err, sizeof err)) { /* make bench's time to first finding */
		fprintf(stderr, "fuzz: %s\n", err);
		exit(2);
	}
	run_init(RUN_ABORT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conv c;
	conv_decode(data, size, &c);
	run_conv(&c, RUN_ABORT | RUN_FAST);
	return 0;
}
