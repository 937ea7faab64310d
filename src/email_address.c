/*
 * email_address.c
 *	  Email addresses as roboto_orgs compares them (since 0.3.0): users'
 *	  addresses are unique, and invitations by email find their invitee, on
 *	  the key of an address: its local part with the ASCII letters
 *	  lower-cased, "@", and its domain normalised as the email_domain type
 *	  normalises (lower case, trailing dot dropped, IDN labels as punycode).
 *	  Other characters of the local part are compared as written (their case
 *	  mapping would depend on the locale, and the key must be immutable to be
 *	  indexed).
 *
 *	  Two entry points: ro_email_address_check() for an address given to
 *	  invite_email (strict: 22023 for anything that is not one address), and
 *	  ro_email_address_key() for any stored text (lenient, never raises: an
 *	  address whose domain the email_domain rules reject, which create_user
 *	  accepted before 0.3.0, is keyed on its ASCII-lower-cased text).
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "domain_parse.h"
#include "roboto_orgs.h"

/* Longest address, in octets (RFC 5321's path limit less the brackets) */
#define RO_EMAIL_MAX 320
/* Longest local part, in octets (RFC 5321) */
#define RO_EMAIL_MAX_LOCAL 64
/* Longest part of a rejected address quoted in an error message, in characters */

/* A copy of s[0..len) with ASCII letters lower-cased */
static char *
ascii_lower(const char *s, size_t len)
{
	char	   *r = palloc(len + 1);

	for (size_t i = 0; i < len; i++)
		r[i] = pg_ascii_tolower((unsigned char) s[i]);
	r[len] = '\0';
	return r;
}

/*
 * The key of local@domain, where s[0..at) is the local part; NULL when the
 * domain does not normalise (*st says why).
 */
static char *
key_of(const char *s, size_t len, size_t at, RoDomainStatus *st)
{
	char		domain[RO_DOMAIN_BUFSIZE];
	const char *detail;
	char	   *local;

	*st = ro_email_domain_normalize(s + at + 1, len - at - 1, false, domain, &detail);
	if (*st != RO_DOMAIN_OK)
		return NULL;
	local = ascii_lower(s, at);
	return psprintf("%s@%s", local, domain);
}

/* The key of any text; never raises (but for out of memory) */
char *
ro_email_address_key(const char *s, size_t len)
{
	const char *at = NULL;
	RoDomainStatus st;
	char	   *key;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL || len > RO_EMAIL_MAX || memchr(s, '\0', len) != NULL)
		return ascii_lower(s, len);
	key = key_of(s, len, (size_t) (at - s), &st);
	return key ? key : ascii_lower(s, len);
}

/* The address as quoted in an error message, bounded as every echo is (ro_echo) */
static const char *
shown(const char *s, size_t len)
{
	return ro_echo(pnstrdup(s, Min(len, (size_t) 1024)));
}

static RO_NORETURN void
raise_not_an_address(const char *s, size_t len, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s\" is not an email address", shown(s, len)),
			 errdetail("%s", why),
			 errhint("Give one address of the form name@example.com.")));
}

/*
 * An address given to the API: exactly one "@", a local part of 1 to 64
 * octets, no white space or control character, at most 320 octets, and a
 * domain the email_domain type accepts. Returns its key; 22023 otherwise.
 */
char *
ro_email_address_check(const char *s, size_t len)
{
	const char *at = NULL;
	int			ats = 0;
	RoDomainStatus st;
	char	   *key;

	if (len > RO_EMAIL_MAX)
		raise_not_an_address(s, len, "It is longer than 320 octets.");
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '@')
		{
			ats++;
			at = s + i;
		}
		else if (c < 0x20 || c == 0x7f || isspace(c))
			raise_not_an_address(s, len, "It contains white space or a control character.");
	}
	/* Unicode white space, C1 and bidirectional controls too (a UTF-8 database) */
	if (GetDatabaseEncoding() == PG_UTF8)
	{
		for (size_t i = 0; i < len;)
		{
			int			l = pg_utf_mblen((const unsigned char *) s + i);

			if (l > 1 && i + l <= len &&
				ro_invisible_code_point(utf8_to_unicode((const unsigned char *) s + i)))
				raise_not_an_address(s, len, "It contains white space or a control character.");
			i += l;
		}
	}
	if (ats == 0)
		raise_not_an_address(s, len, "It has no \"@\".");
	if (ats > 1)
		raise_not_an_address(s, len, "It has more than one \"@\".");
	if (at == s)
		raise_not_an_address(s, len, "Its local part (before the \"@\") is empty.");
	if (at - s > RO_EMAIL_MAX_LOCAL)
		raise_not_an_address(s, len, "Its local part (before the \"@\") is longer than 64 octets.");
	key = key_of(s, len, (size_t) (at - s), &st);
	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("email address \"%s\" has no valid domain", shown(s, len)),
				 errdetail("%s", ro_domain_status_text(st)),
				 errhint("Give one address of the form name@example.com.")));
	return key;
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_address_key);
/* email_address_key(text): the key addresses are compared on; never raises */
Datum
roboto_orgs_email_address_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(ro_email_address_key(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))));
}
