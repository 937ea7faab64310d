/*
 * orgs.c
 *	  Orgs: create, read, list, update and delete (the seed's Org methods),
 *	  and the access check every org operation starts with.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "access/xact.h"
#include "funcapi.h"
#include "utils/resowner.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"

#define ORG_COLS "o.org_id, o.name, o.tier, o.status, o.data_region, o.created, o.created_by"
#define ORG_ROW "ROW(" ORG_COLS ")::roboto_orgs.org_record"

static RoPlan access_plan = {
	"SELECT o.status::text, m.roles::text[] "
	"FROM roboto_orgs.orgs o "
	"LEFT JOIN roboto_orgs.org_members m ON m.org_id = o.org_id AND m.user_id = $2 "
	"WHERE o.org_id = $1",
	2, {TEXTOID, TEXTOID}
};

static RoPlan lock_org_plan = {
	"SELECT o.status::text FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR NO KEY UPDATE",
	1, {TEXTOID}
};

static RoPlan caller_roles_plan = {
	"SELECT m.roles::text[] FROM roboto_orgs.org_members m WHERE m.org_id = $1 AND m.user_id = $2",
	2, {TEXTOID, TEXTOID}
};

/* Record an existing org's status (a text datum) in a */
static void
set_status(RoOrgAccess *a, Datum status)
{
	char	   *s = TextDatumGetCString(status);

	a->exists = true;
	a->active = strcmp(s, "active") == 0;
	a->deprovisioning = strcmp(s, "de-provisioning") == 0;
}

/*
 * Whether the org exists, is de-provisioning, and the caller's roles in it.
 * With lock_org, the org row is locked (FOR NO KEY UPDATE) so that changes to
 * one org's members are serialised, and the caller's roles are read with the
 * latest snapshot, so a role lost to a transaction we waited for is seen.
 * Call inside ro_spi_begin/end.
 */
RoOrgAccess
ro_org_access(const char *org_id, const char *caller, bool lock_org)
{
	RoOrgAccess a = {false, false, false, 0};
	Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(caller ? caller : "")};
	char		n[2] = {' ', caller ? ' ' : 'n'};
	bool		isnull;
	Datum		roles;

	if (lock_org)
	{
		if (ro_exec(&lock_org_plan, v, n, false, 1) == 0)
			return a;
		set_status(&a, ro_result(0, 0, &isnull));
		if (caller != NULL && ro_exec_latest(&caller_roles_plan, v, n, 1) > 0)
		{
			roles = ro_result(0, 0, &isnull);
			a.caller_mask = isnull ? 0 : ro_mask_from_text_array(roles);
		}
		return a;
	}
	if (ro_exec(&access_plan, v, n, true, 1) == 0)
		return a;
	set_status(&a, ro_result(0, 0, &isnull));
	roles = ro_result(0, 1, &isnull);
	a.caller_mask = isnull ? 0 : ro_mask_from_text_array(roles);
	return a;
}

/*
 * The org must exist (PT404) and the caller must hold min_role in it (42501).
 * action completes "... to <action>" in the message.
 */
static void
require_role_in(const RoOrgAccess *a, const char *org_id, const char *caller,
				RoRole min_role, const char *action)
{
	if (!a->exists)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 errmsg("org \"%s\" does not exist", org_id)));
	if (ro_role_rank(a->caller_mask) < min_role)
	{
		if (a->caller_mask == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("user \"%s\" is not a member of org \"%s\"", caller, org_id),
					 errdetail("Only members with role %s or above may %s.",
							   ro_role_label(min_role), action)));
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("user \"%s\" needs role %s in org \"%s\" to %s",
						caller, ro_role_label(min_role), org_id, action)));
	}
}

/* Look the org and the caller's roles up, then require_role_in() */
RoOrgAccess
ro_require_org_role(const char *org_id, const char *caller, RoRole min_role,
					const char *action, bool lock_org)
{
	RoOrgAccess a = ro_org_access(org_id, caller, lock_org);

	require_role_in(&a, org_id, caller, min_role, action);
	return a;
}

/* 22023 for an org that is being de-provisioned: nothing but deletion is allowed */
void
ro_require_org_not_deprovisioning(const char *org_id, RoOrgAccess *a)
{
	if (a->deprovisioning)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("org \"%s\" is being de-provisioned", org_id),
				 errdetail("An org in status de-provisioning can only be deleted.")));
}

/* 22023 unless the org is active (invitations and joins need an active org) */
void
ro_require_org_active(const char *org_id, RoOrgAccess *a)
{
	ro_require_org_not_deprovisioning(org_id, a);
	if (!a->active)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("org \"%s\" is not active", org_id),
				 errdetail("Only active orgs take new members."),
				 errhint("An owner moves the org to status active with update_org().")));
}

/*
 * The body of every "list something of an org" function: the org (first
 * argument) must exist and the caller hold min_role in it; then plan's rows
 * for that org ($1) become the function's result set. action completes
 * "... to <action>" in the refusal.
 */
void
ro_list_org(FunctionCallInfo fcinfo, RoPlan *plan, RoRole min_role, const char *action,
			bits32 srf_flags)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *caller = ro_require_caller();
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	RoSpi		spi;

	InitMaterializedSRF(fcinfo, srf_flags);
	ro_spi_begin(&spi);
	ro_require_org_role(org_id, caller, min_role, action, false);
	ro_exec(plan, v, NULL, true, 0);
	ro_result_to_tuplestore(fcinfo);
	ro_spi_end(&spi);
}

static RoPlan org_record_plan = {
	"SELECT " ORG_ROW " FROM roboto_orgs.orgs o WHERE o.org_id = $1",
	1, {TEXTOID}
};

/* The org_record of an org, copied out of SPI; call inside ro_spi_begin/end */
Datum
ro_org_record(const char *org_id, bool read_only)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	bool		isnull;

	if (ro_exec(&org_record_plan, v, NULL, read_only, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 errmsg("org \"%s\" does not exist", org_id)));
	return ro_result_copy(0, 0, &isnull);
}

/*
 * The org and its owner in one statement: the deferred check that a new org
 * has an owner (orgs_require_owner) fires at the end of a statement when the
 * caller's transaction made it immediate (SET CONSTRAINTS ALL IMMEDIATE), so
 * the owner must already be there by then.
 */
static RoPlan insert_org_plan = {
	"WITH o AS ("
	"INSERT INTO roboto_orgs.orgs (org_id, name, data_region, created_by) "
	"VALUES ($1, $2, $3::roboto_orgs.roboto_region, $4) "
	"ON CONFLICT ((pg_catalog.lower(name))) DO NOTHING RETURNING org_id) "
	"INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) "
	"SELECT o.org_id, $4, '{owner}' FROM o RETURNING org_id",
	4, {TEXTOID, TEXTOID, TEXTOID, TEXTOID}
};

/* 23505 for a taken org name */
static void
name_taken(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("org name \"%s\" is already taken", name),
			 errdetail("Org names are unique regardless of case."),
			 errhint("Choose another name.")));
}

PG_FUNCTION_INFO_V1(roboto_orgs_create_org);
/* create_org(name, bind_email_domain, data_region) */
Datum
roboto_orgs_create_org(PG_FUNCTION_ARGS)
{
	char	   *name = ro_arg_cstring(fcinfo, 0, "name");
	char	   *caller;
	char	   *org_id;
	Datum		v[4];
	RoSpi		spi;
	Datum		result;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments \"bind_email_domain\" and \"data_region\" must not be null")));
	caller = ro_require_caller();
	ro_check_name("org name", name, false);

	org_id = ro_new_id("og");
	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(name);
	v[2] = CStringGetTextDatum(ro_enum_label(PG_GETARG_DATUM(2)));
	v[3] = CStringGetTextDatum(caller);

	ro_spi_begin(&spi);
	ro_require_known_user(caller, true);
	if (ro_exec(&insert_org_plan, v, NULL, false, 1) == 0)
		name_taken(name);
	if (PG_GETARG_BOOL(1))
		ro_bind_creator_email_domain(org_id, caller);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

/* The org's record with the caller's roles: get_org's access check and answer in one read */
static RoPlan get_org_plan = {
	"SELECT o.status::text, m.roles::text[], " ORG_ROW " "
	"FROM roboto_orgs.orgs o "
	"LEFT JOIN roboto_orgs.org_members m ON m.org_id = o.org_id AND m.user_id = $2 "
	"WHERE o.org_id = $1",
	2, {TEXTOID, TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_get_org);
/* get_org(org) */
Datum
roboto_orgs_get_org(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *caller = ro_require_caller();
	RoSpi		spi;
	Datum		result;

	Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(caller)};
	RoOrgAccess a = {false, false, false, 0};
	bool		isnull;

	ro_spi_begin(&spi);
	if (ro_exec(&get_org_plan, v, NULL, true, 1) > 0)
	{
		Datum		roles;

		set_status(&a, ro_result(0, 0, &isnull));
		roles = ro_result(0, 1, &isnull);
		a.caller_mask = isnull ? 0 : ro_mask_from_text_array(roles);
	}
	require_role_in(&a, org_id, caller, RO_USER, "read it");
	result = ro_result_copy(0, 2, &isnull);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan orgs_of_user_plan = {
	"SELECT " ORG_COLS " FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.orgs o ON o.org_id = m.org_id "
	"WHERE m.user_id = $1 ORDER BY m.created, m.org_id",
	1, {TEXTOID}
};

/* The orgs of a user into the function's result set */
static void
orgs_of_user(FunctionCallInfo fcinfo, const char *user_id, bool is_caller)
{
	Datum		v[1] = {CStringGetTextDatum(user_id)};
	RoSpi		spi;

	InitMaterializedSRF(fcinfo, 0);
	ro_spi_begin(&spi);
	ro_require_known_user(user_id, is_caller);
	ro_exec(&orgs_of_user_plan, v, NULL, true, 0);
	ro_result_to_tuplestore(fcinfo);
	ro_spi_end(&spi);
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_for_self);
/* orgs_for_self() */
Datum
roboto_orgs_orgs_for_self(PG_FUNCTION_ARGS)
{
	orgs_of_user(fcinfo, ro_require_caller(), true);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_for_user);
/* orgs_for_user(user_id) */
Datum
roboto_orgs_orgs_for_user(PG_FUNCTION_ARGS)
{
	char	   *user_id = ro_arg_cstring(fcinfo, 0, "user_id");
	char	   *caller = ro_caller_id();

	if (!ro_is_trusted_service() && (caller == NULL || strcmp(caller, user_id) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only user \"%s\" or the trusted service may list the user's orgs", user_id)));
	orgs_of_user(fcinfo, user_id, false);
	return (Datum) 0;
}

static RoPlan name_taken_plan = {
	"SELECT 1 FROM roboto_orgs.orgs o WHERE pg_catalog.lower(o.name) = pg_catalog.lower($1) AND o.org_id <> $2",
	2, {TEXTOID, TEXTOID}
};

static RoPlan update_org_plan = {
	"UPDATE roboto_orgs.orgs SET name = COALESCE($2, name), "
	"status = COALESCE($3::roboto_orgs.org_status, status) WHERE org_id = $1",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_update_org);
/* update_org(org, name, status) */
Datum
roboto_orgs_update_org(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *name = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *status = PG_ARGISNULL(2) ? NULL : ro_enum_label(PG_GETARG_DATUM(2));
	char	   *caller = ro_require_caller();
	RoOrgAccess a;
	Datum		v[3];
	char		n[3] = {' ', name ? ' ' : 'n', status ? ' ' : 'n'};
	RoSpi		spi;
	Datum		result;

	if (name == NULL && status == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no change given for org \"%s\"", org_id),
				 errhint("Pass name, status or both.")));
	ro_check_name("org name", name, true);

	v[0] = CStringGetTextDatum(org_id);
	v[1] = name ? CStringGetTextDatum(name) : (Datum) 0;
	v[2] = status ? CStringGetTextDatum(status) : (Datum) 0;

	ro_spi_begin(&spi);
	a = ro_require_org_role(org_id, caller, status ? RO_OWNER : RO_ADMIN,
							status ? "change its status" : "rename it", true);
	ro_require_org_not_deprovisioning(org_id, &a);
	if (name != NULL)
	{
		Datum		nv[2] = {v[1], v[0]};

		if (ro_exec(&name_taken_plan, nv, NULL, true, 1) > 0)
			name_taken(name);
	}
	ro_exec(&update_org_plan, v, n, false, 0);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan delete_org_plan = {
	"DELETE FROM roboto_orgs.orgs WHERE org_id = $1",
	1, {TEXTOID}
};

static RoPlan set_tier_plan = {
	"UPDATE roboto_orgs.orgs SET tier = $2::roboto_orgs.org_tier WHERE org_id = $1",
	2, {TEXTOID, TEXTOID}
};

/*
 * Delete the org. A row of an app's table that still references it (ON
 * DELETE RESTRICT or NO ACTION) makes the DELETE fail with 23503 (23001 for
 * RESTRICT on 18); that error is caught in a subtransaction and raised again
 * as 23503 naming the table, with a hint, and nothing is written.
 */
static void
delete_org_or_explain(const char *org_id, Datum *v)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(mcxt);
	PG_TRY();
	{
		ro_exec(&delete_org_plan, v, NULL, false, 0);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
		/* ON DELETE RESTRICT raises 23001 from PostgreSQL 18 on, 23503 before */
		if (edata->sqlerrcode != ERRCODE_FOREIGN_KEY_VIOLATION &&
			edata->sqlerrcode != ERRCODE_RESTRICT_VIOLATION)
			ReThrowError(edata);
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("org \"%s\" is still referenced from table %s%s%s",
						org_id,
						edata->schema_name ? quote_identifier(edata->schema_name) : "",
						edata->schema_name ? "." : "",
						edata->table_name ? quote_identifier(edata->table_name) : "(unknown)"),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 errhint("Delete the rows that reference the org, or declare the reference ON DELETE CASCADE, before deleting the org.")));
	}
	PG_END_TRY();
}

/*
 * The lock the DELETE needs, taken first: FOR UPDATE waits for every
 * transaction holding FOR KEY SHARE on the org row (an app's insert of a
 * row that references the org), not only for those changing it. Taking
 * FOR NO KEY UPDATE first and FOR UPDATE in the DELETE deadlocks with such a
 * transaction when it then calls a function that locks the org row.
 */
static RoPlan lock_org_for_delete_plan = {
	"SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR UPDATE",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_delete_org);
/* delete_org(org) */
Datum
roboto_orgs_delete_org(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *caller = ro_require_caller();
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	RoSpi		spi;

	ro_spi_begin(&spi);
	ro_exec(&lock_org_for_delete_plan, v, NULL, false, 1);
	ro_require_org_role(org_id, caller, RO_OWNER, "delete it", true);
	delete_org_or_explain(org_id, v);
	ro_spi_end(&spi);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(roboto_orgs_set_org_tier);
/* set_org_tier(org, tier) */
Datum
roboto_orgs_set_org_tier(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	Datum		v[2];
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"tier\" must not be null")));
	if (!ro_is_trusted_service())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the trusted service may change the tier of org \"%s\"", org_id)));
	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(ro_enum_label(PG_GETARG_DATUM(1)));

	ro_spi_begin(&spi);
	a = ro_org_access(org_id, NULL, true);
	if (!a.exists)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 errmsg("org \"%s\" does not exist", org_id)));
	ro_require_org_not_deprovisioning(org_id, &a);
	ro_exec(&set_tier_plan, v, NULL, false, 0);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}
