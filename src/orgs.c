/*
 * orgs.c
 *	  Orgs: create, read, list, update, delete and move between tiers (the
 *	  seed's Org methods, set_org_tier beyond it). The access check they
 *	  start with is access.c's; the invariants on the orgs table are
 *	  invariants.c's.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "access/xact.h"
#include "funcapi.h"
#include "utils/resowner.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "roboto_orgs.h"
#include "records.h"

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
static RO_NORETURN void
raise_org_name_taken(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("org name \"%s\" is already taken", ro_echo(name)),
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
		raise_org_name_taken(name);
	if (PG_GETARG_BOOL(1))
		ro_bind_creator_email_domain(org_id, caller);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

/* The org's record with the caller's roles: get_org's access check and answer in one read */
static RoPlan get_org_plan = {
	"SELECT o.status::text, m.roles::text[], " RO_ORG_RECORD("o") " "
	"FROM roboto_orgs.orgs o "
	"LEFT JOIN roboto_orgs.org_members m ON m.org_id = o.org_id AND m.user_id = $2 "
	"WHERE o.org_id = $1",
	2, {TEXTOID, TEXTOID}
};

static RoPlan get_org_v02_plan = {
	"SELECT o.status::text, m.roles::text[], " RO_ORG_RECORD_V02("o") " "
	"FROM roboto_orgs.orgs o "
	"LEFT JOIN roboto_orgs.org_members m ON m.org_id = o.org_id AND m.user_id = $2 "
	"WHERE o.org_id = $1",
	2, {TEXTOID, TEXTOID}
};

/* get_org's access check and answer, as the caller; inside SPI */
static Datum
get_org_as(const char *org_id, const char *caller)
{
	Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(caller)};
	RoOrgAccess a = {false, RO_ORG_PROVISIONING, 0};
	bool		isnull;

	if (ro_exec(ro_schema_v03() ? &get_org_plan : &get_org_v02_plan, v, NULL, true, 1) > 0)
	{
		bool		roles_null;
		Datum		roles = ro_result(0, 1, &roles_null);

		a = ro_org_access_of(ro_result(0, 0, &isnull), roles_null, roles);
	}
	ro_require_role_in(&a, org_id, caller, RO_USER, "read it");
	return ro_result_copy(0, 2, &isnull);
}

PG_FUNCTION_INFO_V1(roboto_orgs_get_org);
/* get_org(org) */
Datum
roboto_orgs_get_org(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *caller = ro_require_caller();
	RoSpi		spi;
	Datum		result;

	ro_spi_begin(&spi);
	result = get_org_as(org_id, caller);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

/* Longest slug, in characters (0.3.0) */
#define RO_MAX_SLUG 63

static RoPlan org_of_slug_plan = {
	"SELECT o.org_id FROM roboto_orgs.orgs o WHERE o.slug = $1",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_get_org_by_slug);
/* get_org_by_slug(slug) (0.3.0): as get_org, for the org with the slug */
Datum
roboto_orgs_get_org_by_slug(PG_FUNCTION_ARGS)
{
	char	   *slug = ro_arg_cstring(fcinfo, 0, "slug");
	char	   *caller = ro_require_caller();
	Datum		v[1] = {CStringGetTextDatum(slug)};
	RoSpi		spi;
	Datum		result;

	ro_spi_begin(&spi);
	if (strlen(slug) > RO_MAX_SLUG || ro_exec(&org_of_slug_plan, v, NULL, true, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 strlen(slug) > RO_MAX_SLUG ? errmsg("no org has a slug of %zu characters", strlen(slug))
				 : errmsg("no org has slug \"%s\"", ro_echo(slug)),
				 errdetail("Slugs are 1 to %d lower-case letters, digits and single inner hyphens.", RO_MAX_SLUG)));
	result = get_org_as(ro_result_text(0, 0), caller);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan orgs_of_user_plan = {
	"SELECT " RO_ORG_COLS("o") " FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.orgs o ON o.org_id = m.org_id "
	"WHERE m.user_id = $1 ORDER BY m.created, m.org_id",
	1, {TEXTOID}
};

static RoPlan orgs_of_user_v02_plan = {
	"SELECT " RO_ORG_COLS_V02("o") " FROM roboto_orgs.org_members m "
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
	ro_exec(ro_schema_v03() ? &orgs_of_user_plan : &orgs_of_user_v02_plan, v, NULL, true, 0);
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
				 errmsg("only user \"%s\" or the trusted service may list the user's orgs", ro_echo(user_id))));
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

/* Since 0.3.0: also the metadata and the slug ('' removes it) */
static RoPlan update_org_v03_plan = {
	"UPDATE roboto_orgs.orgs SET name = COALESCE($2, name), "
	"status = COALESCE($3::roboto_orgs.org_status, status), "
	"public_metadata = COALESCE($4, public_metadata), "
	"private_metadata = COALESCE($5, private_metadata), "
	"slug = CASE WHEN $6 IS NULL THEN slug WHEN $6 = '' THEN NULL ELSE $6 END "
	"WHERE org_id = $1",
	6, {TEXTOID, TEXTOID, TEXTOID, JSONBOID, JSONBOID, TEXTOID}
};

static RoPlan slug_taken_plan = {
	"SELECT 1 FROM roboto_orgs.orgs o WHERE o.slug = $1 AND o.org_id <> $2",
	2, {TEXTOID, TEXTOID}
};

/* Longest metadata, in octets of its JSON text (0.3.0) */
#define RO_MAX_METADATA 8192

/* A metadata argument: a JSON object of at most RO_MAX_METADATA octets as text, else 22023 */
static void
check_metadata(const char *argname, Jsonb *jb)
{
	size_t		len;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", argname),
				 errdetail("It is a JSON %s.", JB_ROOT_IS_SCALAR(jb) ? "scalar" : "array"),
				 errhint("Pass an object such as '{\"key\": \"value\"}'; '{}' empties it.")));
	len = strlen(JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
	if (len > RO_MAX_METADATA)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is longer than %d octets", argname, RO_MAX_METADATA),
				 errdetail("It is %zu octets as JSON text.", len),
				 errhint("Keep large data in a table of the app's own that references roboto_orgs.orgs.")));
}

/*
 * A slug: 1 to RO_MAX_SLUG of a-z, 0-9 and hyphens, no hyphen first, last or
 * next to another ('' removes the slug), else 22023
 */
static void
check_slug(const char *slug)
{
	size_t		len = strlen(slug);
	const char *why = NULL;

	if (len == 0)
		return;
	if (len > RO_MAX_SLUG)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("slug is longer than %d characters", RO_MAX_SLUG),
				 errdetail("It is %zu octets.", len)));
	for (size_t i = 0; i < len && why == NULL; i++)
	{
		char		c = slug[i];

		if (c >= 'A' && c <= 'Z')
			why = "It has upper-case letters; slugs are lower-case.";
		else if (c == '-' && (i == 0 || i == len - 1 || slug[i + 1] == '-'))
			why = "A hyphen starts or ends it, or follows another.";
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			why = "It has characters other than a-z, 0-9 and hyphens.";
	}
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a valid slug", ro_echo(slug)),
				 errdetail("%s", why),
				 errhint("Use 1 to %d lower-case letters, digits and single inner hyphens, such as \"acme-corp\".",
						 RO_MAX_SLUG)));
}

PG_FUNCTION_INFO_V1(roboto_orgs_update_org);
/*
 * update_org(org, name, status, public_metadata, private_metadata, slug); the
 * 0.1.0 and 0.2.0 scripts declare the first three
 */
Datum
roboto_orgs_update_org(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *name = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *status = PG_ARGISNULL(2) ? NULL : ro_enum_label(PG_GETARG_DATUM(2));
	Jsonb	   *public_metadata = (PG_NARGS() > 3 && !PG_ARGISNULL(3)) ? PG_GETARG_JSONB_P(3) : NULL;
	Jsonb	   *private_metadata = (PG_NARGS() > 4 && !PG_ARGISNULL(4)) ? PG_GETARG_JSONB_P(4) : NULL;
	char	   *slug = (PG_NARGS() > 5 && !PG_ARGISNULL(5)) ? text_to_cstring(PG_GETARG_TEXT_PP(5)) : NULL;
	bool		v03 = PG_NARGS() > 3;
	char	   *caller = ro_require_caller();
	RoOrgAccess a;
	Datum		v[6];
	char		n[6] = {' ', name ? ' ' : 'n', status ? ' ' : 'n', public_metadata ? ' ' : 'n',
	private_metadata ? ' ' : 'n', slug ? ' ' : 'n'};
	RoSpi		spi;
	Datum		result;

	if (name == NULL && status == NULL && public_metadata == NULL && private_metadata == NULL && slug == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no change given for org \"%s\"", ro_echo(org_id)),
				 v03 ? errhint("Pass name, status, public_metadata, private_metadata or slug.")
				 : errhint("Pass name, status or both.")));
	ro_check_name("org name", name, true);
	if (public_metadata != NULL)
		check_metadata("public_metadata", public_metadata);
	if (private_metadata != NULL)
		check_metadata("private_metadata", private_metadata);
	if (slug != NULL)
		check_slug(slug);

	v[0] = CStringGetTextDatum(org_id);
	v[1] = name ? CStringGetTextDatum(name) : (Datum) 0;
	v[2] = status ? CStringGetTextDatum(status) : (Datum) 0;
	v[3] = public_metadata ? JsonbPGetDatum(public_metadata) : (Datum) 0;
	v[4] = private_metadata ? JsonbPGetDatum(private_metadata) : (Datum) 0;
	v[5] = slug ? CStringGetTextDatum(slug) : (Datum) 0;

	ro_spi_begin(&spi);
	a = ro_require_org_role(org_id, caller, status ? RO_OWNER : RO_ADMIN,
							status ? "change its status" : (name ? "rename it" : "change its metadata or slug"),
							true);
	ro_require_org_not_deprovisioning(org_id, &a);
	if (name != NULL)
	{
		Datum		nv[2] = {v[1], v[0]};

		if (ro_exec(&name_taken_plan, nv, NULL, true, 1) > 0)
			raise_org_name_taken(name);
	}
	if (slug != NULL && slug[0] != '\0')
	{
		Datum		sv[2] = {v[5], v[0]};

		if (ro_exec(&slug_taken_plan, sv, NULL, true, 1) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("slug \"%s\" is already taken", ro_echo(slug)),
					 errhint("Choose another slug.")));
	}
	if (v03)
		ro_exec(&update_org_v03_plan, v, n, false, 0);
	else
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
						ro_echo(org_id),
						edata->schema_name ? quote_identifier(edata->schema_name) : "",
						edata->schema_name ? "." : "",
						edata->table_name ? quote_identifier(edata->table_name) : "(unknown)"),
				 edata->detail ? errdetail_internal("%s", ro_echo(edata->detail)) : 0,
				 errhint("Delete the rows that reference the org, or declare the reference ON DELETE CASCADE, before deleting the org.")));
	}
	PG_END_TRY();
}

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
	ro_lock_org_for_update(org_id);
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
				 errmsg("only the trusted service may change the tier of org \"%s\"", ro_echo(org_id))));
	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(ro_enum_label(PG_GETARG_DATUM(1)));

	ro_spi_begin(&spi);
	ro_lock_org_for_update(org_id);
	a = ro_org_access(org_id, NULL, true);
	ro_require_org_exists(org_id, &a);
	ro_require_org_not_deprovisioning(org_id, &a);
	ro_exec(&set_tier_plan, v, NULL, false, 0);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}
