/*
 * domain_parse.h
 *	  Parsing and normalisation of email domains, independent of the server
 *	  (no postgres.h, no palloc, no ereport) so that a libFuzzer harness
 *	  (test/fuzz/) can drive it. The server side is src/email_domain.c.
 *
 *	  The normalised form of a domain is its ASCII (A-label, punycode) form:
 *	  white space trimmed, one trailing dot dropped, lower case, IDNA2008
 *	  with the UTS #46 non-transitional mapping (libidn2), at least two
 *	  labels of 1 to 63 octets of letters, digits and hyphens (no hyphen at
 *	  either end), at most 253 octets, a top-level label that is not all
 *	  digits (so no IPv4 addresses).
 */
#ifndef DOMAIN_PARSE_H
#define DOMAIN_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest normalised name, in octets (RFC 1035 without the trailing dot) */
#define RO_DOMAIN_MAX_LEN 253
/* Longest label, in octets */
#define RO_DOMAIN_MAX_LABEL 63
/* Longest input (after trimming) looked at at all, in octets */
#define RO_DOMAIN_MAX_INPUT 2048
/* Buffer size for a normalised name and its terminating NUL */
#define RO_DOMAIN_BUFSIZE (RO_DOMAIN_MAX_LEN + 1)
/* Buffer size for the Unicode form of a normalised name */
#define RO_DOMAIN_UNICODE_BUFSIZE 1024

typedef enum RoDomainStatus
{
	RO_DOMAIN_OK = 0,
	/* malformed text (22P02 in the server) */
	RO_DOMAIN_ENCODING,			/* not UTF-8, or a NUL byte */
	RO_DOMAIN_SCHEME,			/* "https://..." */
	RO_DOMAIN_AT,				/* an "@": an address, not a domain */
	RO_DOMAIN_WILDCARD,			/* a "*" */
	RO_DOMAIN_PORT,				/* a ":" (port) */
	RO_DOMAIN_PATH,				/* a "/", "?" or "#" (path, query, fragment) */
	RO_DOMAIN_SPACE,			/* white space or a control character inside */
	RO_DOMAIN_BAD_CHAR,			/* another character outside letters, digits, hyphen, dot */
	RO_DOMAIN_BAD_ALABEL,		/* an "xn--" label that is not valid punycode */
	/* not a registrable host name (22023 in the server) */
	RO_DOMAIN_EMPTY,			/* nothing but white space */
	RO_DOMAIN_INPUT_TOO_LONG,	/* input over RO_DOMAIN_MAX_INPUT octets */
	RO_DOMAIN_NAME_TOO_LONG,	/* over RO_DOMAIN_MAX_LEN octets */
	RO_DOMAIN_LABEL_TOO_LONG,	/* a label over RO_DOMAIN_MAX_LABEL octets */
	RO_DOMAIN_EMPTY_LABEL,		/* "a..b", ".a.b" */
	RO_DOMAIN_SINGLE_LABEL,		/* "localhost", "com" */
	RO_DOMAIN_HYPHEN,			/* a label starting or ending with "-" */
	RO_DOMAIN_DOUBLE_HYPHEN,	/* "--" in the third and fourth positions, not an A-label */
	RO_DOMAIN_NUMERIC_TLD,		/* an all-digit top-level label (an IP address) */
	RO_DOMAIN_IDNA,				/* rejected by IDNA2008 (disallowed code point, bidi, ...) */
	/* addresses (22023 in the server) */
	RO_DOMAIN_NO_AT,			/* an email address without "@" */
	RO_DOMAIN_EMPTY_LOCAL,		/* nothing before the last "@" */
	/* out of memory in libidn2 */
	RO_DOMAIN_NOMEM
} RoDomainStatus;

/*
 * Normalises the len octets at in (need not be NUL-terminated) into out, a
 * buffer of outsize >= RO_DOMAIN_BUFSIZE octets, NUL-terminated. On failure
 * out holds an empty string. *detail, when not NULL, receives a static
 * string with libidn2's reason for RO_DOMAIN_IDNA and RO_DOMAIN_BAD_ALABEL,
 * NULL otherwise.
 */
extern RoDomainStatus ro_domain_normalize(const char *in, size_t len,
										  char *out, size_t outsize,
										  const char **detail);

/*
 * The normalised domain of an email address: the part after the last "@"
 * (white space around the address is trimmed). Same contract as
 * ro_domain_normalize.
 */
extern RoDomainStatus ro_domain_from_email(const char *in, size_t len,
										   char *out, size_t outsize,
										   const char **detail);

/*
 * The Unicode (U-label) form of a normalised name, for display, into out (a
 * buffer of outsize >= RO_DOMAIN_UNICODE_BUFSIZE octets), NUL-terminated.
 */
extern RoDomainStatus ro_domain_to_unicode(const char *ascii, char *out, size_t outsize,
										   const char **detail);

/* Whether a status is malformed text (22P02) rather than an invalid value (22023) */
extern bool ro_domain_status_is_syntax(RoDomainStatus status);

/* A sentence saying what is wrong, for errdetail */
extern const char *ro_domain_status_text(RoDomainStatus status);

#endif							/* DOMAIN_PARSE_H */
