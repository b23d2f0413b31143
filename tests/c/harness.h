/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness: each TEST is a function; CHECK records a failure
 * with file:line and carries on; the summary prints pass/fail/skip counts
 * and the exit status is nonzero when anything failed.
 *
 * Skips: a test that cannot run here calls skip_test(reason) and returns;
 * RUN prints "skip: <name>: <reason>" and counts it as skipped, never as
 * passed. With CI=true in the environment a skip fails the run unless the
 * test's name is in EXPECTED_SKIPS (space-separated names), so a CI
 * machine that lost a tool cannot turn a suite green by skipping it.
 * HARNESS_FORCE_SKIP=<name> skips that test without running it (to prove
 * the guard: make -C tests/c check-skips).
 */
#ifndef SKBREMAP_TEST_HARNESS_H
#define SKBREMAP_TEST_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_checks_failed;	/* in the running test */
static const char *harness_skip_reason;	/* in the running test */
static int harness_passed, harness_failed, harness_skipped;
static int harness_unexpected_skips;

/* The running test cannot run here: say why; the test then returns. */
static inline void skip_test(const char *reason)
{
	harness_skip_reason = reason;
}

/* Whether @name is a word of the space-separated list in $@var. */
static inline bool harness_listed(const char *var, const char *name)
{
	const char *list = getenv(var), *p;
	size_t n = strlen(name);

	for (p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static inline void harness_skipped_test(const char *name)
{
	const char *ci = getenv("CI");

	harness_skipped++;
	printf("skip: %s: %s\n", name, harness_skip_reason);
	if (ci && !strcmp(ci, "true") &&
	    !harness_listed("EXPECTED_SKIPS", name)) {
		harness_unexpected_skips++;
		printf("FAIL %s: skipped with CI=true and not in EXPECTED_SKIPS\n",
		       name);
	}
}

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
		harness_skip_reason = NULL;				\
		if (harness_listed("HARNESS_FORCE_SKIP", #test))	\
			skip_test("forced by HARNESS_FORCE_SKIP");	\
		else							\
			test();						\
		if (harness_checks_failed) {				\
			harness_failed++;				\
			printf("FAIL %s\n", #test);			\
		} else if (harness_skip_reason) {			\
			harness_skipped_test(#test);			\
		} else {						\
			harness_passed++;				\
			printf("pass %s\n", #test);			\
		}							\
		fflush(stdout);						\
	} while (0)

/* The closing line; nonzero on a failure or (CI=true) an unexpected skip. */
static inline int harness_summary(const char *suite)
{
	printf("%s: %d passed, %d failed, %d skipped\n", suite,
	       harness_passed, harness_failed, harness_skipped);
	if (harness_unexpected_skips)
		printf("%s: %d skipped with CI=true and not in EXPECTED_SKIPS\n",
		       suite, harness_unexpected_skips);
	return harness_failed || harness_unexpected_skips ? 1 : 0;
}

#endif /* SKBREMAP_TEST_HARNESS_H */
