/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness: each TEST is a function; CHECK records a failure
 * with file:line and carries on; the summary prints pass/fail counts and
 * the exit status is nonzero when anything failed.
 */
#ifndef SKBREMAP_TEST_HARNESS_H
#define SKBREMAP_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_checks_failed;	/* in the running test */
static int harness_passed, harness_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			harness_checks_failed++;			\
			fprintf(stderr, "    %s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			harness_checks_failed++;			\
			fprintf(stderr,					\
				"    %s:%d: %s == %s: %lld != %lld\n",	\
				__FILE__, __LINE__, #a, #b, _a, _b);	\
		}							\
	} while (0)

/*
 * Stop the running test (after a failure that makes the rest moot);
 * evaluates cond once.
 */
#define REQUIRE(cond)							\
	do {								\
		if (!(cond)) {						\
			harness_checks_failed++;			\
			fprintf(stderr, "    %s:%d: REQUIRE(%s) failed\n", \
				__FILE__, __LINE__, #cond);		\
			return;						\
		}							\
	} while (0)

#define RUN(test)							\
	do {								\
		harness_checks_failed = 0;				\
		test();							\
		if (harness_checks_failed) {				\
			harness_failed++;				\
			printf("FAIL %s\n", #test);			\
		} else {						\
			harness_passed++;				\
			printf("pass %s\n", #test);			\
		}							\
		fflush(stdout);						\
	} while (0)

static inline int harness_summary(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, harness_passed,
	       harness_failed);
	return harness_failed ? 1 : 0;
}

#endif /* SKBREMAP_TEST_HARNESS_H */
