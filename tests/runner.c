/* runner.c - runs every registered test from the boot snapshot.
 * Usage: vm-tests [ID-prefix...]   exit 0 when all selected tests pass. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosted.h"
#include "test.h"

#define MAX_TESTS 512
static struct {
	const char *id, *claim;
	void (*fn)(void);
} tests[MAX_TESTS];
static int ntests;
static jmp_buf fail_jmp, panic_jmp;
static int panic_armed;
static const char *panic_why;

void test_register(const char *id, const char *claim, void (*fn)(void))
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(2);
	}
	tests[ntests].id = id;
	tests[ntests].claim = claim;
	tests[ntests].fn = fn;
	ntests++;
}

void test_fail(const char *file, int line, const char *what, long long a, long long b)
{
	printf("    %s:%d: CHECK(%s) failed", file, line, what);
	if (a != b)
		printf(" (%lld vs %lld)", a, b);
	printf("\n");
	longjmp(fail_jmp, 1);
}

/* A VM panic outside test_expect_panic fails the running test. */
static void on_panic(const char *file, int line, const char *why)
{
	if (panic_armed) {
		panic_why = why;
		longjmp(panic_jmp, 1);
	}
	printf("    unexpected VM panic at %s:%d: %s\n", file, line, why);
	longjmp(fail_jmp, 1);
}

int test_expect_panic(void (*fn)(void), const char **why)
{
	panic_armed = 1;
	panic_why = NULL;
	if (setjmp(panic_jmp) == 0) {
		fn();
		panic_armed = 0;
		return 0;
	}
	panic_armed = 0;
	if (why)
		*why = panic_why;
	return 1;
}

/* True when id starts with one of the prefixes (or none was given). */
static int selected(const char *id, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strncmp(id, argv[i], strlen(argv[i])) == 0)
			return 1;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	qsort(tests, ntests, sizeof tests[0], by_id);
	hosted_set_panic_hook(on_panic);
	hosted_boot(2);
	hosted_snapshot();
	for (int i = 0; i < ntests; i++) {
		if (!selected(tests[i].id, argc, argv))
			continue;
		hosted_restore();
		hosted_set_fault_hook(NULL);
		hosted_set_trace_hook(NULL);
		if (setjmp(fail_jmp) == 0) {
			tests[i].fn();
			printf("PASS %s %s\n", tests[i].id, tests[i].claim);
			passed++;
		} else {
			printf("FAIL %s %s\n", tests[i].id, tests[i].claim);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
