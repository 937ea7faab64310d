/*
 * rls.c
 *	  Helpers for row-level security policies of an app's own tables:
 *	  is_member(org) and has_role(org, role) for the caller. Anonymous callers,
 *	  unknown orgs and NULL get false, never an error.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"

static RoPlan member_roles_plan = {
	"SELECT m.roles::pg_catalog.text[] FROM roboto_orgs.org_members m "
	"WHERE m.org_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2",
	2, {TEXTOID, TEXTOID}
};

/* Highest role of the caller in an org; RO_ROLE_NONE for anonymous callers and non-members */
static RoRole
caller_rank(const char *org_id)
{
	char	   *caller = ro_caller_id();
	Datum		v[2];
	RoSpi		spi;
	RoRole		rank = RO_ROLE_NONE;
	bool		isnull;

	if (caller == NULL)
		return RO_ROLE_NONE;
	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(caller);
	ro_spi_begin(&spi);
	if (ro_exec(&member_roles_plan, v, NULL, true, 1) > 0)
	{
		Datum		roles = ro_result(0, 0, &isnull);

		if (!isnull)
			rank = ro_role_rank(ro_mask_from_text_array(roles));
	}
	ro_spi_end(&spi);
	return rank;
}

PG_FUNCTION_INFO_V1(roboto_orgs_is_member);
/* is_member(org) */
Datum
roboto_orgs_is_member(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(caller_rank(text_to_cstring(PG_GETARG_TEXT_PP(0))) >= RO_USER);
}

PG_FUNCTION_INFO_V1(roboto_orgs_has_role);
/* has_role(org, role) */
Datum
roboto_orgs_has_role(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(caller_rank(text_to_cstring(PG_GETARG_TEXT_PP(0))) >=
				   ro_role_from_enum(PG_GETARG_DATUM(1)));
}
