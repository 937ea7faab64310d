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
 *	  - orgs_require_owner: a new org has an owner at commit (invariant 1);
 *	  - invites_check, members_close_invites: no pending invite for a member,
 *	    an invite is answered once (invariant 4).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/rel.h"

#include "roboto_orgs.h"

/* Check that a trigger function is called as a row trigger at the given timing */
TriggerData *
ro_trigger_data(FunctionCallInfo fcinfo, const char *name, bool before)
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
	TriggerData *td = ro_trigger_data(fcinfo, "members_check_roles", true);
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

	/*
	 * No membership changes while the org is de-provisioning; a restore loads
	 * the memberships such an org had.
	 */
	if (!ro_restoring() && org_is_deprovisioning(org_id))
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
	TriggerData *td = ro_trigger_data(fcinfo, "members_keep_owner", false);
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
	TriggerData *td = ro_trigger_data(fcinfo, "orgs_require_owner", false);

	/*
	 * pg_dump and pg_restore load orgs and memberships in separate statements
	 * and say so by turning check_function_bodies off; the memberships follow.
	 */
	if (ro_restoring())
		return PointerGetDatum(NULL);
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
	TriggerData *td = ro_trigger_data(fcinfo, "orgs_check_status", true);
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

/* Whether a column differs between two versions of a row */
static bool
column_changed(HeapTuple a, HeapTuple b, TupleDesc desc, const char *column)
{
	int			attno = SPI_fnumber(desc, column);
	Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
	bool		anull;
	bool		bnull;
	Datum		ad = heap_getattr(a, attno, desc, &anull);
	Datum		bd = heap_getattr(b, attno, desc, &bnull);

	if (anull || bnull)
		return anull != bnull;
	return !datumIsEqual(ad, bd, att->attbyval, att->attlen);
}

static RoPlan is_member_plan = {
	"SELECT 1 FROM roboto_orgs.org_members m WHERE m.org_id = $1 AND m.user_id = $2",
	2, {TEXTOID, TEXTOID}
};

static RoPlan org_exists_plan = {
	"SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = $1",
	1, {TEXTOID}
};

/*
 * Whether a column of an invite changed because the row it references was
 * renamed: the foreign keys cascade renames of users and orgs (ON UPDATE
 * CASCADE), and the old key is gone from the referenced table by then. A
 * change to a key that still exists moves the invite and is refused.
 */
static bool
renamed_reference(HeapTuple old, HeapTuple new, TupleDesc desc, const char *column, RoPlan *exists)
{
	char	   *old_value = tuple_text(old, desc, column);
	Datum		v[1];
	RoSpi		spi;
	bool		gone;

	if (old_value == NULL || tuple_text(new, desc, column) == NULL)
		return false;
	v[0] = CStringGetTextDatum(old_value);
	ro_spi_begin(&spi);
	gone = ro_exec(exists, v, NULL, false, 1) == 0;
	ro_spi_end(&spi);
	return gone;
}

static RoPlan lock_org_deprovisioning_plan = {
	"SELECT o.status = 'de-provisioning' FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR NO KEY UPDATE",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_invites_check);
/* BEFORE INSERT OR UPDATE ON org_invites */
Datum
roboto_orgs_invites_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "invites_check", true);
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	HeapTuple	new = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : old;
	char	   *invite_id = tuple_text(new, desc, "invite_id");
	char	   *org_id = tuple_text(new, desc, "org_id");
	char	   *user_id = tuple_text(new, desc, "user_id");
	char	   *status = tuple_enum_label(new, desc, "status");

	if (invite_id == NULL || org_id == NULL || user_id == NULL || status == NULL)
		return PointerGetDatum(new);	/* NOT NULL constraints report these */

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		RoSpi		spi;
		Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id)};
		bool		member;
		bool		deprovisioning = false;
		bool		isnull;

		/* A restore loads invites as they were, before or after the members */
		if (strcmp(status, "pending") != 0 || ro_restoring())
			return PointerGetDatum(new);

		/*
		 * Lock the org row, as members_close_invites does, then look for the
		 * membership with the latest snapshot: a user who joined in a
		 * transaction we waited for is seen, at READ COMMITTED and REPEATABLE
		 * READ alike, so an invite and a join that race cannot both commit.
		 */
		ro_spi_begin(&spi);
		if (ro_exec(&lock_org_deprovisioning_plan, v, NULL, false, 1) > 0)
			deprovisioning = DatumGetBool(ro_result(0, 0, &isnull));
		member = ro_exec_latest(&is_member_plan, v, NULL, 1) > 0;
		ro_spi_end(&spi);
		if (member)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("user \"%s\" is already a member of org \"%s\"", user_id, org_id),
					 errdetail("Members are not invited.")));
		if (deprovisioning)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("org \"%s\" is being de-provisioned", org_id),
					 errdetail("It takes no invites; it can only be deleted.")));
		return PointerGetDatum(new);
	}

	/*
	 * UPDATE: the identity of an invite never changes, except that its org or
	 * user follows a rename (ON UPDATE CASCADE)
	 */
	if (column_changed(old, new, desc, "invite_id") || column_changed(old, new, desc, "created") ||
		(column_changed(old, new, desc, "org_id") &&
		 !renamed_reference(old, new, desc, "org_id", &org_exists_plan)) ||
		(column_changed(old, new, desc, "user_id") &&
		 !renamed_reference(old, new, desc, "user_id", &user_exists_plan)))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invite \"%s\" cannot change its id, org, user or creation time", invite_id)));

	{
		char	   *old_status = tuple_enum_label(old, desc, "status");

		if (strcmp(old_status, "pending") != 0)
		{
			/*
			 * Answered once: only the inviter's deletion (SET NULL) or rename
			 * (CASCADE) may touch it
			 */
			bool		inviter_followed = column_changed(old, new, desc, "invited_by") &&
				(tuple_text(new, desc, "invited_by") == NULL ||
				 renamed_reference(old, new, desc, "invited_by", &user_exists_plan));

			if (column_changed(old, new, desc, "status") || column_changed(old, new, desc, "expires") ||
				column_changed(old, new, desc, "answered") ||
				(column_changed(old, new, desc, "invited_by") && !inviter_followed))
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("invite \"%s\" was already answered", invite_id),
						 errdetail("Its status is %s; an invite is answered once.", old_status)));
			return PointerGetDatum(new);
		}
	}

	/* Leaving pending: record when */
	if (strcmp(status, "pending") != 0)
	{
		int			attno = SPI_fnumber(desc, "answered");
		bool		isnull;

		(void) heap_getattr(new, attno, desc, &isnull);
		if (isnull)
		{
			Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
			bool		notnull = false;

			new = heap_modify_tuple_by_cols(new, desc, 1, &attno, &now, &notnull);
		}
	}
	return PointerGetDatum(new);
}

static RoPlan close_invites_plan = {
	"UPDATE roboto_orgs.org_invites SET status = 'revoked', answered = pg_catalog.now() "
	"WHERE org_id = $1 AND user_id = $2 AND status = 'pending'",
	2, {TEXTOID, TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_members_close_invites);
/* AFTER INSERT ON org_members */
Datum
roboto_orgs_members_close_invites(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "members_close_invites", false);
	TupleDesc	desc = td->tg_relation->rd_att;
	Datum		v[2];
	RoSpi		spi;

	if (ro_restoring())
		return PointerGetDatum(NULL);	/* the invites are restored as they were */

	v[0] = CStringGetTextDatum(tuple_text(td->tg_trigtuple, desc, "org_id"));
	v[1] = CStringGetTextDatum(tuple_text(td->tg_trigtuple, desc, "user_id"));

	/*
	 * Lock the org row first, as invites_check does for a new pending invite,
	 * and revoke with the latest snapshot: an invite committed by a
	 * transaction we waited for is revoked too.
	 */
	ro_spi_begin(&spi);
	ro_exec(&lock_org_plan, v, NULL, false, 1);
	ro_exec_latest(&close_invites_plan, v, NULL, 0);
	ro_spi_end(&spi);
	return PointerGetDatum(NULL);
}

/*
 * Tier limits (invariant 6): the members of an org plus its pending invites
 * stay within max_members of its tier (roboto_orgs.tier_limits). The org
 * row is locked and the count read with the latest snapshot, so concurrent
 * joins cannot both take the last seat. A pending invite holds a seat: its
 * acceptance (an invite of this user accepted in this transaction) needs only
 * a seat among the members, so lowering a tier never strands accepted invites
 * beyond what is left.
 */
/*
 * The limit is a subquery of the locked org row, not a join: when the lock
 * waits for a transaction that changed the org's tier, the row is re-read
 * (EvalPlanQual) and a joined tier_limits row would still be the old tier's,
 * failing the join condition and reading as "no limit".
 */
static RoPlan seat_limit_plan = {
	"SELECT (SELECT l.max_members FROM roboto_orgs.tier_limits l WHERE l.tier = o.tier), "
	"o.tier::text FROM roboto_orgs.orgs o "
	"WHERE o.org_id = $1 FOR NO KEY UPDATE OF o",
	1, {TEXTOID}
};

static RoPlan seats_taken_plan = {
	"SELECT (SELECT count(*) FROM roboto_orgs.org_members m WHERE m.org_id = $1), "
	"(SELECT count(*) FROM roboto_orgs.org_invites i WHERE i.org_id = $1 AND i.user_id <> $2 "
	" AND i.status = 'pending' AND i.expires > pg_catalog.now()), "
	"EXISTS (SELECT 1 FROM roboto_orgs.org_invites i WHERE i.org_id = $1 AND i.user_id = $2 "
	" AND i.status = 'accepted' AND i.answered = pg_catalog.now())",
	2, {TEXTOID, TEXTOID}
};

/*
 * Whether org_id has a seat for user_id, as a member (for_invite false) or
 * as an invitee. *tier and *max_members describe the limit when it is
 * reached. Call inside ro_spi_begin/end.
 */
bool
ro_org_has_seat(const char *org_id, const char *user_id, bool for_invite,
				char **tier, int *max_members)
{
	Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(user_id)};
	bool		isnull;
	Datum		maxd;
	int64		members;
	int64		pending;
	bool		invited;
	int64		needed;

	if (ro_exec(&seat_limit_plan, v, NULL, false, 1) == 0)
		return true;			/* no such org: the foreign key reports it */
	maxd = ro_result(0, 0, &isnull);
	if (isnull)
		return true;			/* unlimited */
	*max_members = DatumGetInt32(maxd);
	*tier = ro_result_text(0, 1);
	ro_exec_latest(&seats_taken_plan, v, NULL, 1);
	members = DatumGetInt64(ro_result(0, 0, &isnull));
	pending = DatumGetInt64(ro_result(0, 1, &isnull));
	invited = DatumGetBool(ro_result(0, 2, &isnull));
	needed = members + 1 + ((!for_invite && invited) ? 0 : pending);
	return needed <= *max_members;
}

/* 23514 for an org without a free seat */
void
ro_org_full(const char *org_id, const char *tier, int max_members)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("org \"%s\" has no free seat", org_id),
			 errdetail("Members and pending invites together may not exceed max_members of the org's tier (roboto_orgs.tier_limits)."),
			 errhint_plural("Tier %s allows %d member, pending invites included: move the org to a larger tier, or remove members or revoke invites first.",
							"Tier %s allows %d members, pending invites included: move the org to a larger tier, or remove members or revoke invites first.",
							max_members, tier, max_members)));
}

/* A subquery of the locked org row, as in seat_limit_plan */
static RoPlan domain_limit_plan = {
	"SELECT (SELECT l.max_email_domains FROM roboto_orgs.tier_limits l WHERE l.tier = o.tier), "
	"o.tier::text FROM roboto_orgs.orgs o "
	"WHERE o.org_id = $1 FOR NO KEY UPDATE OF o",
	1, {TEXTOID}
};

static RoPlan domains_taken_plan = {
	"SELECT count(*) FROM roboto_orgs.org_email_domains d WHERE d.org_id = $1",
	1, {TEXTOID}
};

/*
 * 23514 when org_id already binds max_email_domains of its tier. Locks the
 * org row and counts with the latest snapshot, as the seat check does.
 */
static void
check_domain_limit(const char *org_id)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	RoSpi		spi;
	bool		isnull;
	Datum		maxd;
	int			max_domains = 0;
	char	   *tier = NULL;
	int64		bound = 0;

	ro_spi_begin(&spi);
	if (ro_exec(&domain_limit_plan, v, NULL, false, 1) > 0)
	{
		maxd = ro_result(0, 0, &isnull);
		if (!isnull)
		{
			max_domains = DatumGetInt32(maxd);
			tier = ro_result_text(0, 1);
			ro_exec_latest(&domains_taken_plan, v, NULL, 1);
			bound = DatumGetInt64(ro_result(0, 0, &isnull));
		}
	}
	ro_spi_end(&spi);
	if (tier != NULL && bound + 1 > max_domains)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" cannot bind another email domain", org_id),
				 errdetail_plural("Tier %s allows %d email domain.", "Tier %s allows %d email domains.",
								  max_domains, tier, max_domains),
				 errhint_plural("Tier %s allows %d email domain: move the org to a larger tier, or unbind a domain first.",
								"Tier %s allows %d email domains: move the org to a larger tier, or unbind a domain first.",
								max_domains, tier, max_domains)));
}

PG_FUNCTION_INFO_V1(roboto_orgs_check_seats);
/* BEFORE INSERT ON org_members, org_invites, org_email_domains */
Datum
roboto_orgs_check_seats(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "check_seats", true);
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	tuple = td->tg_trigtuple;
	const char *table = RelationGetRelationName(td->tg_relation);
	bool		for_invite = strcmp(table, "org_invites") == 0;
	char	   *org_id = tuple_text(tuple, desc, "org_id");
	char	   *user_id;
	char	   *tier = NULL;
	int			max_members = 0;
	bool		ok;
	RoSpi		spi;

	if (org_id == NULL || !ro_events_enabled())
		return PointerGetDatum(tuple);
	if (strcmp(table, "org_email_domains") == 0)
	{
		check_domain_limit(org_id);
		return PointerGetDatum(tuple);
	}
	user_id = tuple_text(tuple, desc, "user_id");
	if (user_id == NULL)
		return PointerGetDatum(tuple);
	if (for_invite)
	{
		char	   *status = tuple_enum_label(tuple, desc, "status");

		if (status == NULL || strcmp(status, "pending") != 0)
			return PointerGetDatum(tuple);
	}
	ro_spi_begin(&spi);
	ok = ro_org_has_seat(org_id, user_id, for_invite, &tier, &max_members);
	ro_spi_end(&spi);
	if (!ok)
		ro_org_full(org_id, tier, max_members);
	return PointerGetDatum(tuple);
}

/* Whether an org still exists (false while it is being deleted) */
static bool
org_exists(const char *org_id)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	RoSpi		spi;
	bool		exists;

	ro_spi_begin(&spi);
	exists = ro_exec(&org_exists_plan, v, NULL, false, 1) > 0;
	ro_spi_end(&spi);
	return exists;
}

/* One event for a change of an orgs row */
static void
log_org_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = tuple_text(old, desc, "org_id");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "org.created", NULL, (Datum) 0, ro_tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ro_log_event(org_id, "org.deleted", NULL, ro_tuple_jsonb(old, desc), (Datum) 0);
	else
	{
		HeapTuple	new = td->tg_newtuple;
		const char *kind = NULL;
		int			changes = 0;

		for (int i = 0; i < desc->natts; i++)
		{
			const char *col = NameStr(TupleDescAttr(desc, i)->attname);

			if (TupleDescAttr(desc, i)->attisdropped || !column_changed(old, new, desc, col))
				continue;
			changes++;
			if (strcmp(col, "name") == 0)
				kind = "org.renamed";
			else if (strcmp(col, "status") == 0)
				kind = "org.status_changed";
			else if (strcmp(col, "tier") == 0)
				kind = "org.tier_changed";
			else
				kind = "org.updated";
		}
		if (changes == 0)
			return;
		ro_log_event(org_id, changes == 1 ? kind : "org.updated", NULL,
					 ro_tuple_jsonb(old, desc), ro_tuple_jsonb(new, desc));
	}
}

/* One event for a change of a membership */
static void
log_member_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = tuple_text(old, desc, "org_id");
	char	   *user_id = tuple_text(old, desc, "user_id");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "member.joined", user_id, (Datum) 0, ro_tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		/* Members removed along with their org are part of org.deleted */
		if (org_exists(org_id))
			ro_log_event(org_id, "member.removed", user_id, ro_tuple_jsonb(old, desc), (Datum) 0);
	}
	else
	{
		HeapTuple	new = td->tg_newtuple;
		int			old_mask = tuple_roles(old, desc);
		int			new_mask = tuple_roles(new, desc);
		int			added = new_mask & ~old_mask;
		int			removed = old_mask & ~new_mask;
		const char *kind;

		if (added && removed)
			kind = "member.roles_changed";
		else if (added)
			kind = "member.role_added";
		else if (removed)
			kind = "member.role_removed";
		else
			return;
		ro_log_event(org_id, kind, user_id, ro_tuple_jsonb(old, desc), ro_tuple_jsonb(new, desc));
	}
}

/* One event for a change of an invite's status */
static void
log_invite_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = tuple_text(old, desc, "org_id");
	char	   *invite_id = tuple_text(old, desc, "invite_id");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "invite.sent", invite_id, (Datum) 0, ro_tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
			 column_changed(old, td->tg_newtuple, desc, "status"))
	{
		char	   *kind = psprintf("invite.%s", tuple_enum_label(td->tg_newtuple, desc, "status"));

		ro_log_event(org_id, kind, invite_id, ro_tuple_jsonb(old, desc),
					 ro_tuple_jsonb(td->tg_newtuple, desc));
	}
	/* invites deleted with their org or user are part of that deletion */
}

/* One event for a change of an email domain binding */
static void
log_domain_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = tuple_text(old, desc, "org_id");
	char	   *domain = tuple_text(old, desc, "email_domain");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "domain.bound", domain, (Datum) 0, ro_tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		/* bindings removed along with their org are part of org.deleted */
		if (org_exists(org_id))
			ro_log_event(org_id, "domain.unbound", domain, ro_tuple_jsonb(old, desc), (Datum) 0);
	}
	else
	{
		HeapTuple	new = td->tg_newtuple;
		const char *kind = NULL;

		if (column_changed(old, new, desc, "verified"))
		{
			bool		isnull;
			Datum		verified = heap_getattr(new, SPI_fnumber(desc, "verified"), desc, &isnull);

			kind = (!isnull && DatumGetBool(verified)) ? "domain.verified" : "domain.unverified";
		}
		for (int i = 0; i < desc->natts; i++)
		{
			const char *col = NameStr(TupleDescAttr(desc, i)->attname);

			if (!TupleDescAttr(desc, i)->attisdropped && strcmp(col, "verified") != 0 &&
				column_changed(old, new, desc, col))
				kind = "domain.updated";
		}
		if (kind != NULL)
			ro_log_event(org_id, kind, domain, ro_tuple_jsonb(old, desc), ro_tuple_jsonb(new, desc));
	}
}

PG_FUNCTION_INFO_V1(roboto_orgs_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON orgs, org_members, org_invites */
Datum
roboto_orgs_log_change(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "log_change", false);
	const char *table = RelationGetRelationName(td->tg_relation);

	if (!ro_events_enabled())
		return PointerGetDatum(NULL);
	if (strcmp(table, "orgs") == 0)
		log_org_change(td);
	else if (strcmp(table, "org_members") == 0)
		log_member_change(td);
	else if (strcmp(table, "org_invites") == 0)
		log_invite_change(td);
	else if (strcmp(table, "org_email_domains") == 0)
		log_domain_change(td);
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("log_change does not know table \"%s\"", table)));
	return PointerGetDatum(NULL);
}
