/*
 * domain_parse.c
 *	  Parsing and normalisation of email domains (see domain_parse.h). No
 *	  server dependencies: plain C and libidn2, so that test/fuzz/ can drive
 *	  it under libFuzzer with the address and undefined-behaviour sanitizers.
 *	  IDNA is libidn2's (idn2_lookup_u8, idn2_to_unicode_8z8z); this file only
 *	  screens the input before and checks the host name rules after.
 */
#include "domain_parse.h"

#include <idn2.h>
#include <string.h>

/* Flags for idn2_lookup_u8: IDNA2008 with the UTS #46 non-transitional mapping */
#define RO_IDN2_FLAGS (IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL)

/* ASCII white space, as trimmed around the input */
static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Whether the len octets at s are well-formed UTF-8 without NUL; *ascii tells whether all are ASCII */
static bool
valid_utf8(const unsigned char *s, size_t len, bool *ascii)
{
	size_t		i = 0;

	*ascii = true;
	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		unsigned int cp;

		if (c == 0)
			return false;
		if (c < 0x80)
		{
			i++;
			continue;
		}
		*ascii = false;
		if (c >= 0xC2 && c <= 0xDF)
		{
			n = 1;
			cp = c & 0x1F;
		}
		else if (c >= 0xE0 && c <= 0xEF)
		{
			n = 2;
			cp = c & 0x0F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			n = 3;
			cp = c & 0x07;
		}
		else
			return false;
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
			(cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return false;
		i += n + 1;
	}
	return true;
}

/* What an ASCII character is doing in a domain: RO_DOMAIN_OK for letters, digits, hyphen and dot */
static RoDomainStatus
classify_ascii(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '.')
		return RO_DOMAIN_OK;
	switch (c)
	{
		case '@':
			return RO_DOMAIN_AT;
		case '*':
			return RO_DOMAIN_WILDCARD;
		case ':':
			return RO_DOMAIN_PORT;
		case '/':
		case '\\':
		case '?':
		case '#':
			return RO_DOMAIN_PATH;
		default:
			break;
	}
	if (c <= ' ' || c == 0x7F)
		return RO_DOMAIN_SPACE;
	return RO_DOMAIN_BAD_CHAR;
}

/* Whether s[0..len) contains "://" */
static bool
has_scheme(const char *s, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
			return true;
	return false;
}

/*
 * The host name rules on an ASCII name of len octets (no trailing dot):
 * labels of 1 to 63 letters, digits and hyphens, no hyphen at either end,
 * at least two labels, at most 253 octets, a top-level label not all digits.
 */
static RoDomainStatus
check_host_name(const char *s, size_t len)
{
	size_t		start = 0;
	int			labels = 0;
	bool		all_digits = false;

	for (size_t i = 0; i < len; i++)
	{
		RoDomainStatus st = classify_ascii((unsigned char) s[i]);

		if (st != RO_DOMAIN_OK)
			return st;
		if (s[i] >= 'A' && s[i] <= 'Z')
			return RO_DOMAIN_BAD_CHAR;	/* callers lower-case first */
	}
	for (size_t i = 0; i <= len; i++)
	{
		size_t		llen;

		if (i < len && s[i] != '.')
			continue;
		llen = i - start;
		if (llen == 0)
			return RO_DOMAIN_EMPTY_LABEL;
		if (llen > RO_DOMAIN_MAX_LABEL)
			return RO_DOMAIN_LABEL_TOO_LONG;
		if (s[start] == '-' || s[i - 1] == '-')
			return RO_DOMAIN_HYPHEN;
		all_digits = true;
		for (size_t k = start; k < i; k++)
			if (s[k] < '0' || s[k] > '9')
			{
				all_digits = false;
				break;
			}
		labels++;
		start = i + 1;
	}
	if (labels < 2)
		return RO_DOMAIN_SINGLE_LABEL;
	if (len > RO_DOMAIN_MAX_LEN)
		return RO_DOMAIN_NAME_TOO_LONG;
	if (all_digits)
		return RO_DOMAIN_NUMERIC_TLD;
	return RO_DOMAIN_OK;
}

/* Our status for a libidn2 error */
static RoDomainStatus
from_idn2(int rc)
{
	switch (rc)
	{
		case IDN2_MALLOC:
			return RO_DOMAIN_NOMEM;
		case IDN2_ENCODING_ERROR:
		case IDN2_NFC:
			return RO_DOMAIN_ENCODING;
		case IDN2_TOO_BIG_DOMAIN:
			return RO_DOMAIN_NAME_TOO_LONG;
		case IDN2_TOO_BIG_LABEL:
		case IDN2_PUNYCODE_BIG_OUTPUT:	/* the A-label would be over 63 octets */
			return RO_DOMAIN_LABEL_TOO_LONG;
		case IDN2_HYPHEN_STARTEND:
			return RO_DOMAIN_HYPHEN;
		case IDN2_2HYPHEN:
			return RO_DOMAIN_DOUBLE_HYPHEN;
		case IDN2_PUNYCODE_BAD_INPUT:
		case IDN2_PUNYCODE_OVERFLOW:
		case IDN2_INVALID_ALABEL:
		case IDN2_ALABEL_ROUNDTRIP_FAILED:
		case IDN2_INVALID_NONTRANSITIONAL:
			return RO_DOMAIN_BAD_ALABEL;
		default:
			return RO_DOMAIN_IDNA;
	}
}

/* Whether an ASCII name of len octets has a label starting with "xn--" */
static bool
has_alabel(const char *s, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if ((i == 0 || s[i - 1] == '.') && strncmp(s + i, "xn--", 4) == 0)
			return true;
	return false;
}

/*
 * A-labels must be canonical: decoded to Unicode and mapped again they give
 * the same name. libidn2 accepts some A-labels whose U-label the UTS #46
 * mapping changes (xn--1va is U+037A, which maps to a space and an iota);
 * storing those would make two spellings of one name unequal, so they are
 * refused (found by the fuzzer).
 */
static RoDomainStatus
check_alabels(const char *name, const char **detail)
{
	char	   *unicode = NULL;
	char	   *again = NULL;
	int			rc;
	bool		same;

	rc = idn2_to_unicode_8z8z(name, &unicode, 0);
	if (rc != IDN2_OK)
	{
		if (detail)
			*detail = idn2_strerror(rc);
		return rc == IDN2_MALLOC ? RO_DOMAIN_NOMEM : RO_DOMAIN_BAD_ALABEL;
	}
	rc = idn2_lookup_u8((const uint8_t *) unicode, (uint8_t **) &again, RO_IDN2_FLAGS);
	idn2_free(unicode);
	if (rc != IDN2_OK)
	{
		if (detail)
			*detail = idn2_strerror(rc);
		return rc == IDN2_MALLOC ? RO_DOMAIN_NOMEM : RO_DOMAIN_BAD_ALABEL;
	}
	same = strcmp(name, again) == 0;
	idn2_free(again);
	if (!same && detail)
		*detail = "A-label is not the canonical form of its Unicode label";
	return same ? RO_DOMAIN_OK : RO_DOMAIN_BAD_ALABEL;
}

static RoDomainStatus
fail(RoDomainStatus st, char *out, size_t outsize)
{
	if (outsize > 0)
		out[0] = '\0';
	return st;
}

/*
 * What both entry points do first: clear *detail, check the output buffer,
 * and trim white space from both ends of the input (*s, *len), which must
 * not be empty then.
 */
static RoDomainStatus
begin(const char **s, size_t *len, char *out, size_t outsize, const char **detail)
{
	if (detail)
		*detail = NULL;
	if (outsize < RO_DOMAIN_BUFSIZE)
		return fail(RO_DOMAIN_NOMEM, out, outsize);
	while (*len > 0 && is_space((unsigned char) (*s)[0]))
	{
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((unsigned char) (*s)[*len - 1]))
		(*len)--;
	if (*len == 0)
		return fail(RO_DOMAIN_EMPTY, out, outsize);
	return RO_DOMAIN_OK;
}

RoDomainStatus
ro_domain_normalize(const char *in, size_t len, char *out, size_t outsize,
					const char **detail)
{
	char		work[RO_DOMAIN_MAX_INPUT + 1];
	const char *s = in;
	bool		ascii;
	bool		dot_dropped = false;
	char	   *res = NULL;
	size_t		rlen;
	int			rc;
	RoDomainStatus st;

	st = begin(&s, &len, out, outsize, detail);
	if (st != RO_DOMAIN_OK)
		return st;
	if (len > RO_DOMAIN_MAX_INPUT)
		return fail(RO_DOMAIN_INPUT_TOO_LONG, out, outsize);
	if (!valid_utf8((const unsigned char *) s, len, &ascii))
		return fail(RO_DOMAIN_ENCODING, out, outsize);

	/* Screen the ASCII characters: schemes, addresses, wildcards, ports, paths */
	if (has_scheme(s, len))
		return fail(RO_DOMAIN_SCHEME, out, outsize);
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x80 && (st = classify_ascii(c)) != RO_DOMAIN_OK)
			return fail(st, out, outsize);
	}

	/* One trailing dot (the root) is dropped */
	if (len > 0 && s[len - 1] == '.')
	{
		len--;
		dot_dropped = true;
		if (len == 0)
			return fail(RO_DOMAIN_EMPTY_LABEL, out, outsize);
	}

	memcpy(work, s, len);
	work[len] = '\0';

	/* An ASCII name gets the precise host name errors before IDNA */
	if (ascii)
	{
		for (size_t i = 0; i < len; i++)
			if (work[i] >= 'A' && work[i] <= 'Z')
				work[i] = (char) (work[i] - 'A' + 'a');
		st = check_host_name(work, len);
		if (st != RO_DOMAIN_OK)
			return fail(st, out, outsize);
	}

	/* IDNA2008 + UTS #46: case folding, mapping, NFC, A-labels (validated) */
	rc = idn2_lookup_u8((const uint8_t *) work, (uint8_t **) &res, RO_IDN2_FLAGS);
	if (rc != IDN2_OK)
	{
		if (detail)
			*detail = idn2_strerror(rc);
		return fail(from_idn2(rc), out, outsize);
	}
	rlen = strlen(res);
	/* The mapping may have produced the trailing dot (a full-width one, say) */
	if (!dot_dropped && rlen > 0 && res[rlen - 1] == '.')
		rlen--;
	if (rlen == 0)
	{
		idn2_free(res);
		return fail(RO_DOMAIN_EMPTY_LABEL, out, outsize);
	}
	if (rlen > RO_DOMAIN_MAX_INPUT)
	{
		idn2_free(res);
		return fail(RO_DOMAIN_NAME_TOO_LONG, out, outsize);
	}
	memcpy(work, res, rlen);
	work[rlen] = '\0';
	idn2_free(res);

	/* The mapping can yield anything (a full-width "@", upper case via NFC): check again */
	for (size_t i = 0; i < rlen; i++)
		if (work[i] >= 'A' && work[i] <= 'Z')
			work[i] = (char) (work[i] - 'A' + 'a');
	st = check_host_name(work, rlen);
	if (st == RO_DOMAIN_OK && has_alabel(work, rlen))
		st = check_alabels(work, detail);
	if (st != RO_DOMAIN_OK)
		return fail(st, out, outsize);
	memcpy(out, work, rlen + 1);
	return RO_DOMAIN_OK;
}

RoDomainStatus
ro_domain_from_email(const char *in, size_t len, char *out, size_t outsize,
					 const char **detail)
{
	const char *s = in;
	size_t		at;
	bool		found = false;
	RoDomainStatus st;

	st = begin(&s, &len, out, outsize, detail);
	if (st != RO_DOMAIN_OK)
		return st;
	for (at = len; at > 0; at--)
		if (s[at - 1] == '@')
		{
			found = true;
			at--;
			break;
		}
	if (!found)
		return fail(RO_DOMAIN_NO_AT, out, outsize);
	if (at == 0)
		return fail(RO_DOMAIN_EMPTY_LOCAL, out, outsize);
	for (size_t i = 0; i < at; i++)
		if ((unsigned char) s[i] <= ' ' || s[i] == 0x7F)
			return fail(RO_DOMAIN_SPACE, out, outsize);
	if (at + 1 == len)
		return fail(RO_DOMAIN_EMPTY, out, outsize);
	/* White space right after the "@" is not trimmed away */
	if (is_space((unsigned char) s[at + 1]))
		return fail(RO_DOMAIN_SPACE, out, outsize);
	return ro_domain_normalize(s + at + 1, len - at - 1, out, outsize, detail);
}

RoDomainStatus
ro_domain_to_unicode(const char *ascii, char *out, size_t outsize, const char **detail)
{
	char	   *res = NULL;
	size_t		rlen;
	int			rc;

	if (detail)
		*detail = NULL;
	if (outsize < RO_DOMAIN_UNICODE_BUFSIZE)
		return fail(RO_DOMAIN_NOMEM, out, outsize);
	rc = idn2_to_unicode_8z8z(ascii, &res, 0);
	if (rc != IDN2_OK)
	{
		if (detail)
			*detail = idn2_strerror(rc);
		return fail(from_idn2(rc), out, outsize);
	}
	rlen = strlen(res);
	if (rlen >= outsize)
	{
		idn2_free(res);
		return fail(RO_DOMAIN_NAME_TOO_LONG, out, outsize);
	}
	memcpy(out, res, rlen + 1);
	idn2_free(res);
	return RO_DOMAIN_OK;
}

bool
ro_domain_status_is_syntax(RoDomainStatus status)
{
	return status >= RO_DOMAIN_ENCODING && status <= RO_DOMAIN_BAD_ALABEL;
}

const char *
ro_domain_status_text(RoDomainStatus status)
{
	switch (status)
	{
		case RO_DOMAIN_OK:
			return "It is a valid domain.";
		case RO_DOMAIN_ENCODING:
			return "It is not valid UTF-8 text.";
		case RO_DOMAIN_SCHEME:
			return "It has a URL scheme (\"://\"); a domain is a host name only.";
		case RO_DOMAIN_AT:
			return "It contains \"@\"; a domain is the part after the \"@\" of an address.";
		case RO_DOMAIN_WILDCARD:
			return "It contains \"*\"; wildcards are not domains.";
		case RO_DOMAIN_PORT:
			return "It contains \":\" (a port or scheme); a domain is a host name only.";
		case RO_DOMAIN_PATH:
			return "It contains \"/\", \"\\\", \"?\" or \"#\" (a path or URL part); a domain is a host name only.";
		case RO_DOMAIN_SPACE:
			return "It contains white space or a control character.";
		case RO_DOMAIN_BAD_CHAR:
			return "It contains a character other than letters, digits, hyphens and dots.";
		case RO_DOMAIN_BAD_ALABEL:
			return "It has an \"xn--\" label that is not valid punycode for an internationalised label.";
		case RO_DOMAIN_EMPTY:
			return "It is empty.";
		case RO_DOMAIN_INPUT_TOO_LONG:
			return "It is longer than 2048 octets.";
		case RO_DOMAIN_NAME_TOO_LONG:
			return "It is longer than 253 octets in its ASCII form.";
		case RO_DOMAIN_LABEL_TOO_LONG:
			return "It has a label longer than 63 octets in its ASCII form.";
		case RO_DOMAIN_EMPTY_LABEL:
			return "It has an empty label (two dots in a row, or a leading dot).";
		case RO_DOMAIN_SINGLE_LABEL:
			return "It has a single label; a registrable domain has at least two (example.com).";
		case RO_DOMAIN_HYPHEN:
			return "It has a label that starts or ends with a hyphen.";
		case RO_DOMAIN_DOUBLE_HYPHEN:
			return "It has a label with hyphens in the third and fourth positions, reserved for \"xn--\" labels.";
		case RO_DOMAIN_NUMERIC_TLD:
			return "Its top-level label is all digits; IP addresses are not domains.";
		case RO_DOMAIN_IDNA:
			return "It is not a valid internationalised domain name (IDNA2008).";
		case RO_DOMAIN_NO_AT:
			return "It has no \"@\".";
		case RO_DOMAIN_EMPTY_LOCAL:
			return "It has nothing before the \"@\".";
		case RO_DOMAIN_NOMEM:
			return "Out of memory.";
	}
	return "It is not a valid domain.";
}
