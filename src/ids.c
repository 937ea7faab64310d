/*
 * ids.c
 *	  Opaque ids: a prefix ("og" for orgs, "iv" for invites), an underscore and
 *	  128 bits from pg_strong_random() as 32 hex digits. Never sequential,
 *	  never guessable.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "roboto_orgs.h"

#define RO_ID_RANDOM_BYTES 16

/* A new id with the given prefix, palloc'd */
char *
ro_new_id(const char *prefix)
{
	unsigned char buf[RO_ID_RANDOM_BYTES];
	size_t		plen = strlen(prefix);
	char	   *id;

	if (!pg_strong_random(buf, sizeof(buf)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random id")));
	id = palloc(plen + 1 + 2 * RO_ID_RANDOM_BYTES + 1);
	memcpy(id, prefix, plen);
	id[plen] = '_';
	hex_encode((const char *) buf, sizeof(buf), id + plen + 1);
	id[plen + 1 + 2 * RO_ID_RANDOM_BYTES] = '\0';
	return id;
}

PG_FUNCTION_INFO_V1(roboto_orgs_new_id);
/* new_id(prefix): SQL access for column defaults */
Datum
roboto_orgs_new_id(PG_FUNCTION_ARGS)
{
	char	   *prefix = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const char *p;

	if (*prefix == '\0' || strlen(prefix) > 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("id prefix must have 1 to 8 characters")));
	for (p = prefix; *p; p++)
		if (!(*p >= 'a' && *p <= 'z'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("id prefix must be lower-case ASCII letters")));
	PG_RETURN_TEXT_P(cstring_to_text(ro_new_id(prefix)));
}
