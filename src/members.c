/*
 * members.c
 *	  Members and their roles: Org.users, add_role_for_user,
 *	  remove_role_from_user, UpdateOrgUserRequest, ModifyRoleForUserRequest
 *	  (deprecated) and remove_user, and the one statement by which a user
 *	  joins an org as user. Every change locks the org row first, so changes
 *	  to one org's members are serialised; the triggers (invariants.c,
 *	  limits.c, events.c) keep the invariants on top of that.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"
#include "records.h"


typedef enum MemberChange
{
	CHANGE_ROLES,				/* add and remove roles; none left is an error */
	CHANGE_REMOVE_ROLE,			/* remove roles; none left removes the member */
	CHANGE_SET_ROLES,			/* roles become exactly add_mask */
	CHANGE_REMOVE_MEMBER		/* remove the member */
} MemberChange;

static RoPlan target_plan = {
	"SELECT m.roles::text[] FROM roboto_orgs.org_members m "
	"WHERE m.org_id = $1 AND m.user_id = $2 FOR UPDATE",
	2, {TEXTOID, TEXTOID}
};

static RoPlan set_roles_plan = {
	"UPDATE roboto_orgs.org_members SET roles = $3::roboto_orgs.org_role_name[] "
	"WHERE org_id = $1 AND user_id = $2",
	3, {TEXTOID, TEXTOID, TEXTARRAYOID}
};

static RoPlan delete_member_plan = {
	"DELETE FROM roboto_orgs.org_members WHERE org_id = $1 AND user_id = $2",
	2, {TEXTOID, TEXTOID}
};

/*
 * Change the roles of member user_id of org_id as the caller. Admins change
 * roles; only owners grant or revoke owner or touch an owner's roles; a
 * member may always remove themself. Call inside ro_spi_begin/end.
 */
static void
change_member(const char *org_id, const char *user_id, const char *caller,
			  MemberChange change, int add_mask, int remove_mask)
{
	Datum		v[3] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id), (Datum) 0};
	bool		self_removal = change == CHANGE_REMOVE_MEMBER && strcmp(caller, user_id) == 0;
	RoOrgAccess a;
	int			old_mask;
	int			new_mask;
	bool		isnull;

	a = ro_org_access(org_id, caller, true);
	ro_require_org_exists(org_id, &a);
	if (!self_removal && ro_role_rank(a.caller_mask) < RO_ADMIN)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("user \"%s\" needs role admin in org \"%s\" to change its members",
						ro_echo(caller), ro_echo(org_id))));
	ro_require_org_not_deprovisioning(org_id, &a);

	if (ro_exec(&target_plan, v, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 errmsg("user \"%s\" is not a member of org \"%s\"", ro_echo(user_id), ro_echo(org_id))));
	old_mask = ro_mask_from_text_array(ro_result(0, 0, &isnull));

	if (!self_removal && ro_role_rank(a.caller_mask) < RO_OWNER &&
		((add_mask | remove_mask | old_mask) & RO_BIT(RO_OWNER)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("user \"%s\" needs role owner in org \"%s\" to change the roles of user \"%s\"",
						ro_echo(caller), ro_echo(org_id), ro_echo(user_id)),
				 errdetail("Only owners grant or revoke role owner, and change or remove an owner.")));

	switch (change)
	{
		case CHANGE_SET_ROLES:
			new_mask = add_mask;
			break;
		case CHANGE_REMOVE_MEMBER:
			new_mask = 0;
			break;
		default:
			new_mask = (old_mask | add_mask) & ~remove_mask;
			break;
	}
	if (new_mask == old_mask)
		return;
	if (new_mask == 0 && change == CHANGE_ROLES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("user \"%s\" would have no role left in org \"%s\"", ro_echo(user_id), ro_echo(org_id)),
				 errhint("Use remove_user() to remove a member.")));
	if (new_mask == 0)
		ro_exec(&delete_member_plan, v, NULL, false, 0);
	else
	{
		v[2] = ro_text_array_from_mask(new_mask);
		ro_exec(&set_roles_plan, v, NULL, false, 0);
	}
}

static RoPlan join_plan = {
	"INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) "
	"VALUES ($1, $2, ARRAY[$3::roboto_orgs.org_role_name]) "
	"ON CONFLICT (org_id, user_id) DO NOTHING",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

/*
 * user_id joins org_id with role, unless already a member: the one way in
 * besides create_org (accept_invite with the invite's role, and the sign-up
 * auto-join of a bound email domain as user). The triggers check seats and
 * invariants. Call inside ro_spi_begin/end.
 */
void
ro_join_org(const char *org_id, const char *user_id, RoRole role)
{
	Datum		v[3] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id),
	CStringGetTextDatum(ro_role_label(role))};

	ro_exec(&join_plan, v, NULL, false, 0);
}

/* user_id joins org_id with role user (see ro_join_org) */
void
ro_join_org_as_user(const char *org_id, const char *user_id)
{
	ro_join_org(org_id, user_id, RO_USER);
}

/* An org_role_name argument that must not be NULL, as a bit */
static int
role_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be null", argname)));
	return RO_BIT(ro_role_from_enum(PG_GETARG_DATUM(argno)));
}

/*
 * Shared body of the functions that change one member: returns the org's
 * org_record, or with return_member the member's org_user_record.
 */
static Datum
change_and_return(FunctionCallInfo fcinfo, MemberChange change, int add_mask, int remove_mask,
				  bool return_member)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *user_id = ro_arg_cstring(fcinfo, 1, "user_id");
	char	   *caller = ro_require_caller();
	RoSpi		spi;
	Datum		result;

	ro_spi_begin(&spi);
	change_member(org_id, user_id, caller, change, add_mask, remove_mask);
	result = return_member ? ro_org_user_record(org_id, user_id) : ro_org_record(org_id, false);
	ro_spi_end(&spi);
	return result;
}

PG_FUNCTION_INFO_V1(roboto_orgs_add_role_for_user);
/* add_role_for_user(org, user_id, role) */
Datum
roboto_orgs_add_role_for_user(PG_FUNCTION_ARGS)
{
	int			role = role_arg(fcinfo, 2, "role");

	PG_RETURN_DATUM(change_and_return(fcinfo, CHANGE_ROLES, role, 0, false));
}

PG_FUNCTION_INFO_V1(roboto_orgs_remove_role_from_user);
/* remove_role_from_user(org, user_id, role) */
Datum
roboto_orgs_remove_role_from_user(PG_FUNCTION_ARGS)
{
	int			role = role_arg(fcinfo, 2, "role");

	PG_RETURN_DATUM(change_and_return(fcinfo, CHANGE_REMOVE_ROLE, 0, role, false));
}

PG_FUNCTION_INFO_V1(roboto_orgs_remove_user);
/* remove_user(org, user_id) */
Datum
roboto_orgs_remove_user(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(change_and_return(fcinfo, CHANGE_REMOVE_MEMBER, 0, 0, false));
}

/* A role list argument of update_org_user: NULL is empty; NULL elements are refused */
static int
role_list_arg(FunctionCallInfo fcinfo, int argno, const char *argname, bool *given)
{
	bool		has_null;
	int			mask;
	ArrayType  *arr;

	*given = false;
	if (PG_ARGISNULL(argno))
		return 0;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	mask = ro_mask_from_enum_array(arr, &has_null);
	if (has_null)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" must not contain null", argname)));
	*given = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) > 0;
	return mask;
}

PG_FUNCTION_INFO_V1(roboto_orgs_update_org_user);
/* update_org_user(org, user_id, add_roles, remove_roles) */
Datum
roboto_orgs_update_org_user(PG_FUNCTION_ARGS)
{
	bool		add_given;
	bool		remove_given;
	int			add_mask = role_list_arg(fcinfo, 2, "add_roles", &add_given);
	int			remove_mask = role_list_arg(fcinfo, 3, "remove_roles", &remove_given);

	if (!add_given && !remove_given)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no roles to add or remove"),
				 errdetail("check_some_updates_present: add_roles or remove_roles must name a role."),
				 errhint("Pass add_roles, remove_roles or both.")));
	if (add_mask & remove_mask)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role %s is both added and removed",
						ro_role_label(ro_role_rank(add_mask & remove_mask)))));
	PG_RETURN_DATUM(change_and_return(fcinfo, CHANGE_ROLES, add_mask, remove_mask, true));
}

PG_FUNCTION_INFO_V1(roboto_orgs_modify_role_for_user);
/* modify_role_for_user(org, user_id, role_name): deprecated */
Datum
roboto_orgs_modify_role_for_user(PG_FUNCTION_ARGS)
{
	int			role = role_arg(fcinfo, 2, "role_name");

	ereport(WARNING,
			(errcode(ERRCODE_WARNING_DEPRECATED_FEATURE),
			 errmsg("modify_role_for_user() is deprecated"),
			 errhint("Use roboto_orgs.update_org_user() instead.")));
	PG_RETURN_DATUM(change_and_return(fcinfo, CHANGE_SET_ROLES, role, 0, true));
}

PG_FUNCTION_INFO_V1(roboto_orgs_transfer_ownership);
/*
 * transfer_ownership(org, new_owner_user_id) (0.3.0): the member gains owner
 * first, then the caller trades owner for admin, so the org never lacks an
 * owner (members_keep_owner checks each step).
 */
Datum
roboto_orgs_transfer_ownership(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *user_id = ro_arg_cstring(fcinfo, 1, "new_owner_user_id");
	char	   *caller = ro_require_caller();
	Datum		v[3] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id), (Datum) 0};
	Datum		cv[3] = {v[0], CStringGetTextDatum(caller), (Datum) 0};
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;
	int			target_mask;
	bool		isnull;

	ro_spi_begin(&spi);
	a = ro_require_org_role(org_id, caller, RO_OWNER, "transfer its ownership", true);
	ro_require_org_not_deprovisioning(org_id, &a);
	if (strcmp(caller, user_id) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("user \"%s\" cannot transfer the ownership of org \"%s\" to themself", ro_echo(caller), ro_echo(org_id)),
				 errhint("Name another member as the new owner.")));
	if (ro_exec(&target_plan, v, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RO_NOT_FOUND),
				 errmsg("user \"%s\" is not a member of org \"%s\"", ro_echo(user_id), ro_echo(org_id)),
				 errhint("Invite the user first; ownership goes to a member.")));
	target_mask = ro_mask_from_text_array(ro_result(0, 0, &isnull));
	if (!(target_mask & RO_BIT(RO_OWNER)))
	{
		v[2] = ro_text_array_from_mask(target_mask | RO_BIT(RO_OWNER));
		ro_exec(&set_roles_plan, v, NULL, false, 0);
	}
	cv[2] = ro_text_array_from_mask((a.caller_mask & ~RO_BIT(RO_OWNER)) | RO_BIT(RO_ADMIN));
	ro_exec(&set_roles_plan, cv, NULL, false, 0);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan org_users_plan = {
	"SELECT " RO_USER_RECORD("u") ", " RO_ORG_RECORD("o") ", m.roles "
	"FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.users u ON u.user_id = m.user_id "
	"JOIN roboto_orgs.orgs o ON o.org_id = m.org_id "
	"WHERE m.org_id = $1 ORDER BY m.created, m.user_id",
	1, {TEXTOID}
};

static RoPlan org_users_v02_plan = {
	"SELECT " RO_USER_RECORD("u") ", " RO_ORG_RECORD_V02("o") ", m.roles "
	"FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.users u ON u.user_id = m.user_id "
	"JOIN roboto_orgs.orgs o ON o.org_id = m.org_id "
	"WHERE m.org_id = $1 ORDER BY m.created, m.user_id",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_org_users);
/* org_users(org) */
Datum
roboto_orgs_org_users(PG_FUNCTION_ARGS)
{
	ro_list_org(fcinfo, ro_schema_v03() ? &org_users_plan : &org_users_v02_plan, RO_USER, "list its members", 0);
	return (Datum) 0;
}
