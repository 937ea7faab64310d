/*
 * records.c
 *	  The records the API returns, read by one statement each: org_record
 *	  and org_user_record (their column lists are in records.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"
#include "records.h"

static RoPlan org_record_plan = {
	"SELECT " RO_ORG_RECORD("o") " FROM roboto_orgs.orgs o WHERE o.org_id = $1",
	1, {TEXTOID}
};

static RoPlan org_record_v02_plan = {
	"SELECT " RO_ORG_RECORD_V02("o") " FROM roboto_orgs.orgs o WHERE o.org_id = $1",
	1, {TEXTOID}
};

static RoPlan org_user_record_v02_plan = {
	"SELECT ROW(" RO_USER_RECORD("u") ", " RO_ORG_RECORD_V02("o") ", m.roles)::roboto_orgs.org_user_record "
	"FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.users u ON u.user_id = m.user_id "
	"JOIN roboto_orgs.orgs o ON o.org_id = m.org_id "
	"WHERE m.org_id = $1 AND m.user_id = $2",
	2, {TEXTOID, TEXTOID}
};

static RoPlan org_user_record_plan = {
	"SELECT ROW(" RO_USER_RECORD("u") ", " RO_ORG_RECORD("o") ", m.roles)::roboto_orgs.org_user_record "
	"FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.users u ON u.user_id = m.user_id "
	"JOIN roboto_orgs.orgs o ON o.org_id = m.org_id "
	"WHERE m.org_id = $1 AND m.user_id = $2",
	2, {TEXTOID, TEXTOID}
};

/* The org_record of an org, copied out of SPI (PT404 if none); call inside ro_spi_begin/end */
Datum
ro_org_record(const char *org_id, bool read_only)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	bool		isnull;

	if (ro_exec(ro_schema_v03() ? &org_record_plan : &org_record_v02_plan, v, NULL, read_only, 1) == 0)
		ro_raise_org_not_found(org_id);
	return ro_result_copy(0, 0, &isnull);
}

/* The org_user_record of a member, copied out of SPI (PT404 if none); call inside ro_spi_begin/end */
Datum
ro_org_user_record(const char *org_id, const char *user_id)
{
	Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id)};
	bool		isnull;

	if (ro_exec(ro_schema_v03() ? &org_user_record_plan : &org_user_record_v02_plan, v, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 errmsg("user \"%s\" is not a member of org \"%s\"", ro_echo(user_id), ro_echo(org_id))));
	return ro_result_copy(0, 0, &isnull);
}
