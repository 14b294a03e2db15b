/* check.h - the unit tests' one assertion.  Each CHECK prints a "PASS name"
 * or "FAIL name: file:line: expr" line; tests/run.sh counts them.  main()
 * returns check_failures != 0. */
#ifndef ST_TESTS_CHECK_H
#define ST_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(name, expr) do { \
	if (expr) \
		printf("PASS %s\n", (name)); \
	else { \
		printf("FAIL %s: %s:%d: %s\n", (name), __FILE__, __LINE__, #expr); \
		check_failures++; \
	} \
} while (0)

#define CHECK_STR(name, got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && strcmp(g_, w_) == 0) \
		printf("PASS %s\n", (name)); \
	else { \
		printf("FAIL %s: %s:%d: got [%s] want [%s]\n", (name), __FILE__, __LINE__, \
		       g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
		check_failures++; \
	} \
} while (0)

#endif
