/*
 * email_domain.c
 *	  The roboto_orgs.email_domain base type: input and output, binary send
 *	  and receive, the cast from text, comparison and hashing for the btree
 *	  and hash operator classes, the Unicode display form and the domain of
 *	  an email address. A value is stored as the varlena text of its
 *	  normalised ASCII form (so it is binary-compatible with text), and
 *	  compares byte-wise: two spellings of one domain are equal because they
 *	  normalise to the same bytes. Parsing is src/domain_parse.c's.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "domain_parse.h"
#include "roboto_orgs.h"

/* The input as quoted in an error message: bounded as every echo is (ro_echo) */
static char *
shown(const char *s, size_t len)
{
	/* Only the first bytes can be shown: no need to copy a long input whole */
	size_t		take = Min(len, (size_t) RO_ECHO_MAX_CHARS * MAX_MULTIBYTE_CHAR_LEN + 1);

	return (char *) ro_echo(pnstrdup(s, take));
}

/* The text in UTF-8 for libidn2; *len is updated */
static const char *
to_utf8(const char *s, size_t *len)
{
	int			enc = GetDatabaseEncoding();
	char	   *u;

	if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
		return s;
	u = pg_server_to_any(s, (int) *len, PG_UTF8);
	if (u != s)
		*len = strlen(u);
	return u;
}

/*
 * Normalises a domain (email false) or the domain of an email address
 * (email true) given in the server encoding, into out (RO_DOMAIN_BUFSIZE).
 */
RoDomainStatus
ro_email_domain_normalize(const char *s, size_t len, bool email, char *out,
						  const char **detail)
{
	const char *u = to_utf8(s, &len);

	if (email)
		return ro_domain_from_email(u, len, out, RO_DOMAIN_BUFSIZE, detail);
	return ro_domain_normalize(u, len, out, RO_DOMAIN_BUFSIZE, detail);
}

/*
 * Raises the error for a rejected domain or address: 22P02 for malformed
 * text, 22023 for a value that is not a registrable domain or not an address.
 */
void
ro_email_domain_report(RoDomainStatus st, const char *detail, const char *s, size_t len, bool email)
{
	char	   *what = shown(s, len);
	int			code = ro_domain_status_is_syntax(st) ? ERRCODE_INVALID_TEXT_REPRESENTATION
		: ERRCODE_INVALID_PARAMETER_VALUE;
	const char *hint = NULL;

	if (st == RO_DOMAIN_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while normalising email domain \"%s\"", what)));
	switch (st)
	{
		case RO_DOMAIN_AT:
			hint = "To take the domain of an email address, use roboto_orgs.email_domain_of().";
			break;
		case RO_DOMAIN_SCHEME:
		case RO_DOMAIN_PORT:
		case RO_DOMAIN_PATH:
		case RO_DOMAIN_WILDCARD:
		case RO_DOMAIN_SINGLE_LABEL:
			hint = "Give a domain such as example.com.";
			break;
		default:
			break;
	}
	if (email && (st == RO_DOMAIN_NO_AT || st == RO_DOMAIN_EMPTY_LOCAL || st == RO_DOMAIN_EMPTY))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not an email address", what),
				 errdetail("%s", ro_domain_status_text(st)),
				 errhint("Give an address of the form name@example.com.")));
	if (email)
		ereport(ERROR,
				(errcode(code),
				 errmsg("email address \"%s\" has no valid domain", what),
				 detail ? errdetail("%s (libidn2: %s)", ro_domain_status_text(st), detail)
				 : errdetail("%s", ro_domain_status_text(st))));
	if (code == ERRCODE_INVALID_TEXT_REPRESENTATION)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid input syntax for type email_domain: \"%s\"", what),
				 detail ? errdetail("%s (libidn2: %s)", ro_domain_status_text(st), detail)
				 : errdetail("%s", ro_domain_status_text(st)),
				 hint ? errhint("%s", hint) : 0));
	ereport(ERROR,
			(errcode(code),
			 errmsg("\"%s\" is not a valid email domain", what),
			 detail ? errdetail("%s (libidn2: %s)", ro_domain_status_text(st), detail)
			 : errdetail("%s", ro_domain_status_text(st)),
			 hint ? errhint("%s", hint) : 0));
}

/* An email_domain value from text in the server encoding; raises on bad input */
static text *
email_domain_from(const char *s, size_t len, bool email)
{
	char		out[RO_DOMAIN_BUFSIZE];
	const char *detail;
	RoDomainStatus st = ro_email_domain_normalize(s, len, email, out, &detail);

	if (st != RO_DOMAIN_OK)
		ro_email_domain_report(st, detail, s, len, email);
	return cstring_to_text(out);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_in);
/* email_domain_in(cstring) */
Datum
roboto_orgs_email_domain_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);

	PG_RETURN_TEXT_P(email_domain_from(s, strlen(s), false));
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_out);
/* email_domain_out(email_domain): the normalised ASCII form */
Datum
roboto_orgs_email_domain_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(TextDatumGetCString(PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_recv);
/* email_domain_recv(internal): text, normalised and checked like input */
Datum
roboto_orgs_email_domain_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *s = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);

	PG_RETURN_TEXT_P(email_domain_from(s, (size_t) nbytes, false));
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_send);
/* email_domain_send(email_domain): the normalised form as text */
Datum
roboto_orgs_email_domain_send(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* The email_domain of the text argument: a domain, or with email an address's domain */
static text *
email_domain_from_text_arg(FunctionCallInfo fcinfo, bool email)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	return email_domain_from(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), email);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_from_text);
/* email_domain(text): the cast from text */
Datum
roboto_orgs_email_domain_from_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(email_domain_from_text_arg(fcinfo, false));
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_to_text);
/*
 * email_domain_text(email_domain): the cast to text. The value is stored as
 * text already, so this returns it as it is. The cast is a function rather
 * than binary coercible (WITHOUT FUNCTION, as in 0.1.0): a binary-coercible
 * d::text over an indexed email_domain column lets the planner match the
 * column's index for text operators, and PostgreSQL 18 then looks up the
 * index column's collation for LIKE and anchored regexes, which a
 * non-collatable type does not have ("cache lookup failed for collation 0").
 */
Datum
roboto_orgs_email_domain_to_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_of);
/* email_domain_of(email text): the domain of an address, after its last @ */
Datum
roboto_orgs_email_domain_of(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(email_domain_from_text_arg(fcinfo, true));
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_unicode);
/* email_domain_unicode(email_domain): the Unicode (U-label) form, for display */
Datum
roboto_orgs_email_domain_unicode(PG_FUNCTION_ARGS)
{
	char	   *ascii = TextDatumGetCString(PG_GETARG_DATUM(0));
	char		out[RO_DOMAIN_UNICODE_BUFSIZE];
	const char *detail;
	RoDomainStatus st = ro_domain_to_unicode(ascii, out, sizeof out, &detail);
	char	   *server;

	if (st != RO_DOMAIN_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("email domain \"%s\" has no Unicode form", ro_echo(ascii)),
				 errdetail("%s", detail ? detail : ro_domain_status_text(st))));
	server = pg_any_to_server(out, strlen(out), PG_UTF8);
	PG_RETURN_TEXT_P(cstring_to_text(server));
}

/* Byte-wise comparison of two normalised domains */
static int
email_domain_cmp_internal(text *a, text *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (r != 0)
		return r < 0 ? -1 : 1;
	return la < lb ? -1 : (la > lb ? 1 : 0);
}

#define EMAIL_DOMAIN_CMP_FN(fname, expr) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	text	   *a = PG_GETARG_TEXT_PP(0); \
	text	   *b = PG_GETARG_TEXT_PP(1); \
	int			c = email_domain_cmp_internal(a, b); \
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	PG_RETURN_BOOL(expr); \
}

/* =, <>, <, <=, >, >= */
EMAIL_DOMAIN_CMP_FN(roboto_orgs_email_domain_eq, c == 0)
EMAIL_DOMAIN_CMP_FN(roboto_orgs_email_domain_ne, c != 0)
EMAIL_DOMAIN_CMP_FN(roboto_orgs_email_domain_lt, c < 0)
EMAIL_DOMAIN_CMP_FN(roboto_orgs_email_domain_le, c <= 0)
EMAIL_DOMAIN_CMP_FN(roboto_orgs_email_domain_gt, c > 0)
EMAIL_DOMAIN_CMP_FN(roboto_orgs_email_domain_ge, c >= 0)

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_cmp);
/* email_domain_cmp(a, b): btree support function 1 */
Datum
roboto_orgs_email_domain_cmp(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	int			c = email_domain_cmp_internal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_hash);
/* email_domain_hash(d): hash support function 1 */
Datum
roboto_orgs_email_domain_hash(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Datum		h = hash_any((unsigned char *) VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	PG_FREE_IF_COPY(t, 0);
	return h;
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_hash_extended);
/* email_domain_hash_extended(d, seed): hash support function 2 */
Datum
roboto_orgs_email_domain_hash_extended(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Datum		h = hash_any_extended((unsigned char *) VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t),
									  PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(t, 0);
	return h;
}
