/*
 * access.c
 *	  The caller's access to an org, the check every org operation starts
 *	  with: the org exists (PT404), the caller holds a role in it (42501),
 *	  it is not being de-provisioned or it is active (22023). Also the reads
 *	  those checks and the triggers share: an org's status (optionally
 *	  locking its row) and a member's roles.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"

static RoPlan access_plan = {
	"SELECT o.status::text, m.roles::text[] "
	"FROM roboto_orgs.orgs o "
	"LEFT JOIN roboto_orgs.org_members m ON m.org_id = o.org_id AND m.user_id = $2 "
	"WHERE o.org_id = $1",
	2, {TEXTOID, TEXTOID}
};

static RoPlan org_status_plan = {
	"SELECT o.status::text FROM roboto_orgs.orgs o WHERE o.org_id = $1",
	1, {TEXTOID}
};

static RoPlan lock_org_status_plan = {
	"SELECT o.status::text FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR NO KEY UPDATE",
	1, {TEXTOID}
};

/* Qualified to the letter: rls.c runs it without a pinned search_path */
static RoPlan member_roles_plan = {
	"SELECT m.roles::pg_catalog.text[] FROM roboto_orgs.org_members m "
	"WHERE m.org_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2",
	2, {TEXTOID, TEXTOID}
};

/*
 * The status of an org into *status; false when there is no such org (or
 * it is deleted by our transaction). With lock, the org row is locked FOR NO
 * KEY UPDATE, which serialises the changes to one org's members, invites
 * and bindings. Call inside ro_spi_begin/end.
 */
bool
ro_read_org_status(const char *org_id, bool lock, RoOrgStatus *status)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};

	if (ro_exec(lock ? &lock_org_status_plan : &org_status_plan, v, NULL, false, 1) == 0)
		return false;
	*status = ro_org_status_from_label(ro_result_text(0, 0));
	return true;
}

/*
 * The roles of user_id in org_id as a bit set, 0 for a non-member. latest:
 * read with the latest snapshot (a role lost to a transaction we waited for
 * is seen); otherwise read-only under the active snapshot. Call inside
 * ro_spi_begin/end.
 */
int
ro_member_mask(const char *org_id, const char *user_id, bool latest)
{
	Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id)};
	bool		isnull;
	Datum		roles;
	int			n;

	n = latest ? ro_exec_latest(&member_roles_plan, v, NULL, 1)
		: ro_exec(&member_roles_plan, v, NULL, true, 1);
	if (n == 0)
		return 0;
	roles = ro_result(0, 0, &isnull);
	return isnull ? 0 : ro_mask_from_text_array(roles);
}

/* The access of a caller to an existing org from its status (text) and the caller's roles (text[]) */
RoOrgAccess
ro_org_access_of(Datum status, bool roles_null, Datum roles)
{
	RoOrgAccess a;

	a.exists = true;
	a.status = ro_org_status_from_label(TextDatumGetCString(status));
	a.caller_mask = roles_null ? 0 : ro_mask_from_text_array(roles);
	return a;
}

/*
 * Whether the org exists, its status, and the caller's roles in it (caller
 * may be NULL). With lock_org, the org row is locked (FOR NO KEY UPDATE) so
 * that changes to one org's members are serialised, and the caller's roles
 * are read with the latest snapshot. Call inside ro_spi_begin/end.
 */
RoOrgAccess
ro_org_access(const char *org_id, const char *caller, bool lock_org)
{
	RoOrgAccess a = {false, RO_ORG_PROVISIONING, 0};
	Datum		v[2];
	bool		isnull;
	bool		roles_null;
	Datum		roles;

	if (lock_org)
	{
		a.exists = ro_read_org_status(org_id, true, &a.status);
		if (a.exists && caller != NULL)
			a.caller_mask = ro_member_mask(org_id, caller, true);
		return a;
	}
	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(caller ? caller : "");
	if (ro_exec(&access_plan, v, caller ? NULL : " n", true, 1) == 0)
		return a;
	roles = ro_result(0, 1, &roles_null);
	return ro_org_access_of(ro_result(0, 0, &isnull), roles_null, roles);
}

/* PT404: there is no org org_id */
void
ro_raise_org_not_found(const char *org_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_RO_NOT_FOUND),
			 errmsg("org \"%s\" does not exist", ro_echo(org_id))));
}

/* PT404 unless the org looked up into a exists */
void
ro_require_org_exists(const char *org_id, const RoOrgAccess *a)
{
	if (!a->exists)
		ro_raise_org_not_found(org_id);
}

/*
 * The org must exist (PT404) and the caller must hold min_role in it (42501).
 * action completes "... to <action>" in the message.
 */
void
ro_require_role_in(const RoOrgAccess *a, const char *org_id, const char *caller,
				   RoRole min_role, const char *action)
{
	ro_require_org_exists(org_id, a);
	if (ro_role_rank(a->caller_mask) < min_role)
	{
		if (a->caller_mask == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("user \"%s\" is not a member of org \"%s\"", ro_echo(caller), ro_echo(org_id)),
					 errdetail("Only members with role %s or above may %s.",
							   ro_role_label(min_role), action)));
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("user \"%s\" needs role %s in org \"%s\" to %s",
						ro_echo(caller), ro_role_label(min_role), ro_echo(org_id), action)));
	}
}

/* Look the org and the caller's roles up, then ro_require_role_in() */
RoOrgAccess
ro_require_org_role(const char *org_id, const char *caller, RoRole min_role,
					const char *action, bool lock_org)
{
	RoOrgAccess a = ro_org_access(org_id, caller, lock_org);

	ro_require_role_in(&a, org_id, caller, min_role, action);
	return a;
}

/* 22023 for an org that is being de-provisioned: nothing but deletion is allowed */
void
ro_require_org_not_deprovisioning(const char *org_id, const RoOrgAccess *a)
{
	if (a->status == RO_ORG_DEPROVISIONING)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("org \"%s\" is being de-provisioned", ro_echo(org_id)),
				 errdetail("An org in status de-provisioning can only be deleted.")));
}

/* 22023 unless the org is active (invitations and joins need an active org) */
void
ro_require_org_active(const char *org_id, const RoOrgAccess *a)
{
	ro_require_org_not_deprovisioning(org_id, a);
	if (a->status != RO_ORG_ACTIVE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("org \"%s\" is not active", ro_echo(org_id)),
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

static RoPlan lock_org_for_update_plan = {
	"SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR UPDATE",
	1, {TEXTOID}
};

/*
 * Lock the org row FOR UPDATE, the strongest row lock, which waits for
 * every transaction holding FOR KEY SHARE on it too: an app's insert of a
 * row that references the org, and a join into an org whose tier has no
 * member limit (limits.c). delete_org takes it first (taking FOR NO KEY
 * UPDATE first and FOR UPDATE in the DELETE deadlocks with such a
 * transaction when it then calls a function that locks the org row);
 * set_org_tier takes it so that joins in flight finish first and new ones
 * wait and read the new tier's limit. Call inside ro_spi_begin/end.
 */
void
ro_lock_org_for_update(const char *org_id)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};

	ro_exec(&lock_org_for_update_plan, v, NULL, false, 1);
}
