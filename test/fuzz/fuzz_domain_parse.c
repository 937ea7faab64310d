/*
 * fuzz_domain_parse.c
 *	  libFuzzer harness for src/domain_parse.c: every input is normalised as a
 *	  domain and as an email address; whatever is accepted must be a host
 *	  name by the rules, normalise to itself, and survive the round trip
 *	  through its Unicode form. Any violation aborts, as do the sanitizers
 *	  (address, undefined behaviour, leaks). Built and run by scripts/fuzz.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain_parse.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* The properties of an accepted, normalised name */
static void
check_normalised(const char *name)
{
	char		again[RO_DOMAIN_BUFSIZE];
	char		unicode[RO_DOMAIN_UNICODE_BUFSIZE];
	char		back[RO_DOMAIN_BUFSIZE];
	size_t		len = strlen(name);
	int			dots = 0;

	CHECK(len >= 3 && len <= RO_DOMAIN_MAX_LEN);
	CHECK(name[0] != '.' && name[len - 1] != '.' && name[0] != '-' && name[len - 1] != '-');
	for (size_t i = 0; i < len; i++)
	{
		char		c = name[i];

		CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
		if (c == '.')
		{
			dots++;
			CHECK(name[i + 1] != '.' && name[i + 1] != '-' && name[i - 1] != '-');
		}
	}
	CHECK(dots >= 1);

	/* Idempotent */
	CHECK(ro_domain_normalize(name, len, again, sizeof again, NULL) == RO_DOMAIN_OK);
	CHECK(strcmp(name, again) == 0);

	/* Display form converts back to the same name */
	CHECK(ro_domain_to_unicode(name, unicode, sizeof unicode, NULL) == RO_DOMAIN_OK);
	CHECK(ro_domain_normalize(unicode, strlen(unicode), back, sizeof back, NULL) == RO_DOMAIN_OK);
	CHECK(strcmp(name, back) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		out[RO_DOMAIN_BUFSIZE];
	char		unicode[RO_DOMAIN_UNICODE_BUFSIZE];
	const char *detail;
	RoDomainStatus st;

	st = ro_domain_normalize((const char *) data, size, out, sizeof out, &detail);
	CHECK(ro_domain_status_text(st) != NULL);
	if (st == RO_DOMAIN_OK)
		check_normalised(out);
	else
		CHECK(out[0] == '\0');

	st = ro_domain_from_email((const char *) data, size, out, sizeof out, &detail);
	if (st == RO_DOMAIN_OK)
	{
		check_normalised(out);
		CHECK(memchr(data, '@', size) != NULL);
	}

	/* The display conversion must not crash on anything either */
	if (size < 1024)
	{
		char		z[1024];

		memcpy(z, data, size);
		z[size] = '\0';
		(void) ro_domain_to_unicode(z, unicode, sizeof unicode, &detail);
	}
	return 0;
}
