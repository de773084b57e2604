/* test.h - a tiny unit-test framework.  Each test is named by area and number with a
 * one-line claim, e.g. TEST(MMAP0003, "munmap of the middle of a region splits it").
 * Every test starts from the booted hosted system (restored from the boot snapshot). */
#ifndef VMFUZZ_TEST_H
#define VMFUZZ_TEST_H

#include <stdint.h>

void test_register(const char *id, const char *claim, void (*fn)(void));
__attribute__((noreturn)) void test_fail(const char *file, int line, const char *what,
					 long long a, long long b);

#define TEST(id, claim)                                                         \
	static void test_##id(void);                                            \
	__attribute__((constructor)) static void register_##id(void)            \
	{                                                                       \
		test_register(#id, claim, test_##id);                           \
	}                                                                       \
	static void test_##id(void)

#define CHECK(c) do { if (!(c)) test_fail(__FILE__, __LINE__, #c, 0, 0); } while (0)
#define CHECK_EQ(a, b)                                                          \
	do {                                                                    \
		long long a_ = (long long)(a), b_ = (long long)(b);             \
		if (a_ != b_)                                                   \
			test_fail(__FILE__, __LINE__, #a " == " #b, a_, b_);    \
	} while (0)

/* Expect the next VM panic inside the test (sanity tests).  Returns 1 when a panic
 * happened while running fn, 0 otherwise; the panic message is in *why. */
int test_expect_panic(void (*fn)(void), const char **why);

#endif
