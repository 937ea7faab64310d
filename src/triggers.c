/*
 * triggers.c
 *	  The invariant triggers. They hold whatever path writes the tables (the
 *	  functions, a superuser's direct writes, pg_restore's data reload):
 *	  - members_check_roles: a membership holds a non-empty set of roles,
 *	    stored in role order; no membership is added, changed or removed
 *	    while the org is de-provisioning, but by deleting the org or the
 *	    user (invariants 2 and 3);
 *	  - members_keep_owner: an org keeps at least one owner, under concurrency
 *	    too (invariant 1);
 *	  - orgs_check_status: status moves forward only; a de-provisioning org is
 *	    not updated (invariant 3);
 *	  - orgs_require_owner: a new org has an owner at commit (invariant 1).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "roboto_orgs.h"

/* Check that a trigger function is called as a row trigger at the given timing */
static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *name, bool before)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", name)));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		(before ? !TRIGGER_FIRED_BEFORE(td->tg_event) : !TRIGGER_FIRED_AFTER(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired %s for each row", name,
						before ? "BEFORE" : "AFTER")));
	return td;
}

/* A text column of a tuple as a C string; NULL for NULL */
static char *
tuple_text(HeapTuple tuple, TupleDesc desc, const char *column)
{
	int			attno = SPI_fnumber(desc, column);
	bool		isnull;
	Datum		d;

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", column);
	d = heap_getattr(tuple, attno, desc, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/* Label of an enum column of a tuple; NULL for NULL */
static char *
tuple_enum_label(HeapTuple tuple, TupleDesc desc, const char *column)
{
	int			attno = SPI_fnumber(desc, column);
	bool		isnull;
	Datum		d;

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", column);
	d = heap_getattr(tuple, attno, desc, &isnull);
	return isnull ? NULL : ro_enum_label(d);
}

/* Roles of a membership tuple as a bit set; -1 if the roles are NULL */
static int
tuple_roles(HeapTuple tuple, TupleDesc desc)
{
	int			attno = SPI_fnumber(desc, "roles");
	bool		isnull;
	bool		has_null;
	Datum		d;

	d = heap_getattr(tuple, attno, desc, &isnull);
	if (isnull)
		return -1;
	return ro_mask_from_enum_array(DatumGetArrayTypeP(d), &has_null);
}

static RoPlan org_deprovisioning_plan = {
	"SELECT o.status = 'de-provisioning' FROM roboto_orgs.orgs o WHERE o.org_id = $1",
	1, {TEXTOID}
};

static RoPlan user_exists_plan = {
	"SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = $1",
	1, {TEXTOID}
};

/* Whether an org is visible to us and de-provisioning */
static bool
org_is_deprovisioning(const char *org_id)
{
	RoSpi		spi;
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	bool		deprovisioning = false;
	bool		isnull;

	ro_spi_begin(&spi);
	if (ro_exec(&org_deprovisioning_plan, v, NULL, false, 1) > 0)
		deprovisioning = DatumGetBool(ro_result(0, 0, &isnull));
	ro_spi_end(&spi);
	return deprovisioning;
}

/* Whether a user is visible to us (not deleted by our transaction) */
static bool
user_exists(const char *user_id)
{
	RoSpi		spi;
	Datum		v[1] = {CStringGetTextDatum(user_id)};
	bool		exists;

	ro_spi_begin(&spi);
	exists = ro_exec(&user_exists_plan, v, NULL, false, 1) > 0;
	ro_spi_end(&spi);
	return exists;
}

/* 23514: the members of a de-provisioning org do not change */
static void
members_frozen(const char *org_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("org \"%s\" is being de-provisioned", org_id),
			 errdetail("Its members cannot change; it can only be deleted.")));
}

PG_FUNCTION_INFO_V1(roboto_orgs_members_check_roles);
/* BEFORE INSERT OR UPDATE OR DELETE ON org_members */
Datum
roboto_orgs_members_check_roles(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "members_check_roles", true);
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	TupleDesc	desc = td->tg_relation->rd_att;
	int			attno = SPI_fnumber(desc, "roles");
	char	   *org_id = tuple_text(tuple, desc, "org_id");
	char	   *user_id = tuple_text(tuple, desc, "user_id");
	bool		isnull;
	Datum		rolesd;
	ArrayType  *roles;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			mask = 0;
	Datum		by_role[RO_OWNER + 1] = {0};
	bool		in_order = true;
	RoRole		prev = RO_ROLE_NONE;

	/*
	 * A membership of a de-provisioning org is deleted only with the org or
	 * with the user: the org's or the user's row is then already gone (the
	 * foreign keys cascade), and the org's own row is still there otherwise.
	 */
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		if (org_is_deprovisioning(org_id) && user_exists(user_id))
			members_frozen(org_id);
		return PointerGetDatum(tuple);
	}

	rolesd = heap_getattr(tuple, attno, desc, &isnull);
	/* NOT NULL constraints are checked after this trigger and report those */
	if (isnull || org_id == NULL || user_id == NULL)
		return PointerGetDatum(tuple);

	roles = DatumGetArrayTypeP(rolesd);
	if (ARR_NDIM(roles) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("roles of user \"%s\" in org \"%s\" must be a one-dimensional array",
						user_id, org_id)));
	deconstruct_array(roles, ARR_ELEMTYPE(roles), sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		RoRole		r;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("roles of user \"%s\" in org \"%s\" must not contain null", user_id, org_id)));
		r = ro_role_from_enum(elems[i]);
		if (mask & RO_BIT(r))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("role %s appears twice for user \"%s\" in org \"%s\"",
							ro_role_label(r), user_id, org_id),
					 errdetail("Roles are a set.")));
		mask |= RO_BIT(r);
		by_role[r] = elems[i];
		if (r < prev)
			in_order = false;
		prev = r;
	}
	if (mask == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("user \"%s\" must hold at least one role in org \"%s\"", user_id, org_id),
				 errhint("Remove the membership instead of emptying its roles.")));

	/* No membership changes while the org is de-provisioning */
	if (org_is_deprovisioning(org_id))
		members_frozen(org_id);

	/* Store the set in role order */
	if (!in_order)
	{
		Datum		sorted[RO_OWNER];
		int			k = 0;
		Datum		newval;
		bool		newnull = false;

		for (int r = RO_USER; r <= RO_OWNER; r++)
			if (mask & RO_BIT(r))
				sorted[k++] = by_role[r];
		newval = PointerGetDatum(construct_array(sorted, k, ARR_ELEMTYPE(roles),
												 sizeof(Oid), true, TYPALIGN_INT));
		tuple = heap_modify_tuple_by_cols(tuple, desc, 1, &attno, &newval, &newnull);
	}
	return PointerGetDatum(tuple);
}

static RoPlan lock_org_plan = {
	"SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR NO KEY UPDATE",
	1, {TEXTOID}
};

static RoPlan count_owners_plan = {
	"SELECT count(*) FROM roboto_orgs.org_members m "
	"WHERE m.org_id = $1 AND 'owner' = ANY (m.roles)",
	1, {TEXTOID}
};

/*
 * Fails with 23514 when org_id has no owner left. The org row is locked
 * first, so a concurrent transaction that removes another owner waits for
 * us; the count uses the latest snapshot, so once we had to wait we see what
 * that transaction committed, at READ COMMITTED and REPEATABLE READ alike.
 * An org deleted (by us or concurrently) needs no owner.
 */
static void
require_an_owner(const char *org_id, const char *user_id, bool lock)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	RoSpi		spi;
	int64		owners;
	bool		isnull;

	ro_spi_begin(&spi);
	if (lock)
	{
		if (ro_exec(&lock_org_plan, v, NULL, false, 1) == 0)
		{
			ro_spi_end(&spi);
			return;
		}
		ro_exec_latest(&count_owners_plan, v, NULL, 1);
	}
	else
	{
		if (ro_exec(&org_deprovisioning_plan, v, NULL, false, 1) == 0)
		{
			ro_spi_end(&spi);
			return;
		}
		ro_exec(&count_owners_plan, v, NULL, false, 1);
	}
	owners = DatumGetInt64(ro_result(0, 0, &isnull));
	ro_spi_end(&spi);
	if (owners > 0)
		return;
	if (user_id != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" must keep at least one owner", org_id),
				 errdetail("Removing or demoting user \"%s\" would leave the org without an owner.", user_id),
				 errhint("Grant role owner to another member first, or delete the org.")));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("org \"%s\" has no owner", org_id),
			 errhint("Insert a membership with role owner in the same transaction, or create orgs with roboto_orgs.create_org().")));
}

PG_FUNCTION_INFO_V1(roboto_orgs_members_keep_owner);
/* AFTER UPDATE OR DELETE ON org_members */
Datum
roboto_orgs_members_keep_owner(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "members_keep_owner", false);
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	int			old_mask = tuple_roles(old, desc);
	char	   *org_id = tuple_text(old, desc, "org_id");

	if (old_mask < 0 || !(old_mask & RO_BIT(RO_OWNER)))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	new = td->tg_newtuple;
		int			new_mask = tuple_roles(new, desc);
		char	   *new_org = tuple_text(new, desc, "org_id");

		if (new_mask > 0 && (new_mask & RO_BIT(RO_OWNER)) &&
			new_org != NULL && strcmp(new_org, org_id) == 0)
			return PointerGetDatum(NULL);
	}
	require_an_owner(org_id, tuple_text(old, desc, "user_id"), true);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_require_owner);
/* AFTER INSERT ON orgs, deferred to commit */
Datum
roboto_orgs_orgs_require_owner(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "orgs_require_owner", false);

	require_an_owner(tuple_text(td->tg_trigtuple, td->tg_relation->rd_att, "org_id"), NULL, false);
	return PointerGetDatum(NULL);
}

/* Whether an org may move from status from to status to */
static bool
status_move_allowed(const char *from, const char *to)
{
	if (strcmp(from, to) == 0)
		return true;
	if (strcmp(from, "provisioning") == 0)
		return strcmp(to, "active") == 0 || strcmp(to, "de-provisioning") == 0;
	if (strcmp(from, "active") == 0)
		return strcmp(to, "de-provisioning") == 0;
	return false;
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_check_status);
/* BEFORE UPDATE ON orgs */
Datum
roboto_orgs_orgs_check_status(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "orgs_check_status", true);
	TupleDesc	desc = td->tg_relation->rd_att;
	char	   *org_id = tuple_text(td->tg_trigtuple, desc, "org_id");
	char	   *from = tuple_enum_label(td->tg_trigtuple, desc, "status");
	char	   *to = tuple_enum_label(td->tg_newtuple, desc, "status");

	if (from == NULL || to == NULL)
		return PointerGetDatum(td->tg_newtuple);
	if (strcmp(from, "de-provisioning") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" is being de-provisioned", org_id),
				 errdetail("An org in status de-provisioning cannot change; it can only be deleted.")));
	if (!status_move_allowed(from, to))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" cannot move from status %s to %s", org_id, from, to),
				 errdetail("Status moves provisioning -> active -> de-provisioning, or provisioning -> de-provisioning, and never back.")));
	return PointerGetDatum(td->tg_newtuple);
}
