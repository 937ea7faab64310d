/*
 * invariants.c
 *	  The invariant triggers on members, orgs, invites and email domain
 *	  bindings. They hold whatever path writes the tables (the functions, a
 *	  superuser's direct writes, pg_restore's data reload):
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
 *	    an invite is answered once (invariant 4);
 *	  - email_domains_check_org: no binding changes while the org is
 *	    de-provisioning (invariant 3);
 *	  - truncate_check: a TRUNCATE of the memberships, invites or email
 *	    domain bindings that leaves orgs behind is refused: it would leave
 *	    orgs without owners (invariant 1), and changes without events.
 *	  Tier limits (invariant 6) are limits.c's, the event log events.c's.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/rel.h"

#include "roboto_orgs.h"

/*
 * Order a user's joining an org against a new pending invite of that user to
 * that org, for the rest of the transaction: a lock of the (org, user) pair
 * (hashed into an advisory tag of our own kind; a collision only orders two
 * unrelated pairs too). Joins of different users into one org do not wait
 * for each other, as they would on the org row.
 */
static void
lock_membership_of(const char *org_id, const char *user_id)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId,
						 hash_bytes((const unsigned char *) org_id, (int) strlen(org_id)),
						 hash_bytes((const unsigned char *) user_id, (int) strlen(user_id)),
						 RO_LOCK_KIND_MEMBERSHIP);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/* The same for the (org, address) pair of an invitation by email: the address's key */
static void
lock_address_of(const char *org_id, const char *email)
{
	lock_membership_of(org_id, psprintf("@%s", ro_email_address_key(email, strlen(email))));
}

static RoPlan user_email_plan = {
	"SELECT u.email FROM roboto_orgs.users u WHERE u.user_id = $1",
	1, {TEXTOID}
};

/* Whether an org is visible to us and de-provisioning; lock: lock its row first */
static bool
org_is_deprovisioning(const char *org_id, bool lock)
{
	RoSpi		spi;
	RoOrgStatus status;
	bool		deprovisioning;

	ro_spi_begin(&spi);
	deprovisioning = ro_read_org_status(org_id, lock, &status) &&
		status == RO_ORG_DEPROVISIONING;
	ro_spi_end(&spi);
	return deprovisioning;
}

/* Whether a user is visible to us (not deleted by our transaction) */
static bool
user_exists(const char *user_id)
{
	RoSpi		spi;
	bool		exists;

	ro_spi_begin(&spi);
	exists = ro_user_exists(user_id, false);
	ro_spi_end(&spi);
	return exists;
}

/* Whether the row a reference names still exists; called inside ro_spi_begin/end */
typedef bool (*RoRowExists) (const char *key);

static bool
org_row_exists(const char *org_id)
{
	RoOrgStatus status;

	return ro_read_org_status(org_id, false, &status);
}

static bool
user_row_exists(const char *user_id)
{
	return ro_user_exists(user_id, false);
}

/* 23514: the members of a de-provisioning org do not change */
static void
members_frozen(const char *org_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("org \"%s\" is being de-provisioned", ro_echo(org_id)),
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
	char	   *org_id = ro_tuple_text(tuple, desc, "org_id");
	char	   *user_id = ro_tuple_text(tuple, desc, "user_id");
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
		if (org_is_deprovisioning(org_id, false) && user_exists(user_id))
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
						ro_echo(user_id), ro_echo(org_id))));
	deconstruct_array(roles, ARR_ELEMTYPE(roles), sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		RoRole		r;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("roles of user \"%s\" in org \"%s\" must not contain null", ro_echo(user_id), ro_echo(org_id))));
		r = ro_role_from_enum(elems[i]);
		if (mask & RO_BIT(r))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("role %s appears twice for user \"%s\" in org \"%s\"",
							ro_role_label(r), ro_echo(user_id), ro_echo(org_id)),
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
				 errmsg("user \"%s\" must hold at least one role in org \"%s\"", ro_echo(user_id), ro_echo(org_id)),
				 errhint("Remove the membership instead of emptying its roles.")));

	/*
	 * No membership changes while the org is de-provisioning; a restore loads
	 * the memberships such an org had.
	 */
	if (!ro_restoring() && org_is_deprovisioning(org_id, false))
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
	RoOrgStatus status;
	int64		owners;
	bool		isnull;

	ro_spi_begin(&spi);
	if (!ro_read_org_status(org_id, lock, &status))
	{
		ro_spi_end(&spi);
		return;
	}
	if (lock)
		ro_exec_latest(&count_owners_plan, v, NULL, 1);
	else
		ro_exec(&count_owners_plan, v, NULL, false, 1);
	owners = DatumGetInt64(ro_result(0, 0, &isnull));
	ro_spi_end(&spi);
	if (owners > 0)
		return;
	if (user_id != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" must keep at least one owner", ro_echo(org_id)),
				 errdetail("Removing or demoting user \"%s\" would leave the org without an owner.", ro_echo(user_id)),
				 errhint("Grant role owner to another member first, or delete the org.")));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("org \"%s\" has no owner", ro_echo(org_id)),
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
	int			old_mask = ro_tuple_roles(old, desc);
	char	   *org_id = ro_tuple_text(old, desc, "org_id");

	if (old_mask < 0 || !(old_mask & RO_BIT(RO_OWNER)))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	new = td->tg_newtuple;
		int			new_mask = ro_tuple_roles(new, desc);
		char	   *new_org = ro_tuple_text(new, desc, "org_id");

		if (new_mask > 0 && (new_mask & RO_BIT(RO_OWNER)) &&
			new_org != NULL && strcmp(new_org, org_id) == 0)
			return PointerGetDatum(NULL);
	}
	require_an_owner(org_id, ro_tuple_text(old, desc, "user_id"), true);
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
	require_an_owner(ro_tuple_text(td->tg_trigtuple, td->tg_relation->rd_att, "org_id"), NULL, false);
	return PointerGetDatum(NULL);
}

/* Whether an org may move from status from to status to: forward only */
static bool
status_move_allowed(RoOrgStatus from, RoOrgStatus to)
{
	switch (from)
	{
		case RO_ORG_PROVISIONING:
			return true;
		case RO_ORG_ACTIVE:
			return to != RO_ORG_PROVISIONING;
		case RO_ORG_DEPROVISIONING:
			return to == RO_ORG_DEPROVISIONING;
	}
	return false;
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_check_status);
/* BEFORE UPDATE ON orgs */
Datum
roboto_orgs_orgs_check_status(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "orgs_check_status", true);
	TupleDesc	desc = td->tg_relation->rd_att;
	char	   *org_id = ro_tuple_text(td->tg_trigtuple, desc, "org_id");
	char	   *from = ro_tuple_enum_label(td->tg_trigtuple, desc, "status");
	char	   *to = ro_tuple_enum_label(td->tg_newtuple, desc, "status");

	if (from == NULL || to == NULL)
		return PointerGetDatum(td->tg_newtuple);
	if (ro_org_status_from_label(from) == RO_ORG_DEPROVISIONING)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" is being de-provisioned", ro_echo(org_id)),
				 errdetail("An org in status de-provisioning cannot change; it can only be deleted.")));
	if (!status_move_allowed(ro_org_status_from_label(from), ro_org_status_from_label(to)))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" cannot move from status %s to %s", ro_echo(org_id), from, to),
				 errdetail("Status moves provisioning -> active -> de-provisioning, or provisioning -> de-provisioning, and never back.")));
	return PointerGetDatum(td->tg_newtuple);
}

/*
 * Whether a column of an invite changed because the row it references was
 * renamed: the foreign keys cascade renames of users and orgs (ON UPDATE
 * CASCADE), and the old key is gone from the referenced table by then. A
 * change to a key that still exists moves the invite and is refused.
 */
static bool
renamed_reference(HeapTuple old, HeapTuple new, TupleDesc desc, const char *column,
				  RoRowExists exists)
{
	char	   *old_value = ro_tuple_text(old, desc, column);
	RoSpi		spi;
	bool		gone;

	if (old_value == NULL || ro_tuple_text(new, desc, column) == NULL)
		return false;
	ro_spi_begin(&spi);
	gone = !exists(old_value);
	ro_spi_end(&spi);
	return gone;
}

/* A member of org $1 whose address has the key of $2 (0.3.0) */
static RoPlan member_with_address_plan = {
	"SELECT 1 FROM roboto_orgs.org_members m JOIN roboto_orgs.users u ON u.user_id = m.user_id "
	"WHERE m.org_id = $1 AND roboto_orgs.email_address_key(u.email) = roboto_orgs.email_address_key($2)",
	2, {TEXTOID, TEXTOID}
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
	char	   *invite_id = ro_tuple_text(new, desc, "invite_id");
	char	   *org_id = ro_tuple_text(new, desc, "org_id");
	char	   *user_id = ro_tuple_text(new, desc, "user_id");
	char	   *status = ro_tuple_enum_label(new, desc, "status");
	/* Since 0.3.0: the role accepting grants, and the address of an invitation by email */
	bool		v03 = SPI_fnumber(desc, "role") > 0 && SPI_fnumber(desc, "email") > 0;
	char	   *email = v03 ? ro_tuple_text(new, desc, "email") : NULL;
	char	   *role = v03 ? ro_tuple_enum_label(new, desc, "role") : NULL;
	bool		pending;

	/* NOT NULL and CHECK constraints report these */
	if (invite_id == NULL || org_id == NULL || (user_id == NULL && email == NULL) || status == NULL)
		return PointerGetDatum(new);
	pending = ro_invite_status_from_label(status) == RO_INVITE_PENDING;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		RoSpi		spi;
		RoOrgStatus org_status;
		bool		member;
		bool		deprovisioning;
		char	   *inviter = ro_tuple_text(new, desc, "invited_by");
		int			inviter_mask;

		/* A restore loads invites as they were, before or after the members */
		if (!pending || ro_restoring())
			return PointerGetDatum(new);

		/*
		 * Lock the org row (for its status), then take the lock of the
		 * (org, user) or (org, address) pair, as members_close_invites does
		 * (always in this order: a join that counts seats locks the org row
		 * first too), then look for the membership with the latest snapshot:
		 * a user who joined in a transaction we waited for is seen, at READ
		 * COMMITTED and REPEATABLE READ alike, so an invite and a join that
		 * race cannot both commit.
		 */
		ro_spi_begin(&spi);
		deprovisioning = ro_read_org_status(org_id, true, &org_status) &&
			org_status == RO_ORG_DEPROVISIONING;
		if (user_id != NULL)
			lock_membership_of(org_id, user_id);
		else
			lock_address_of(org_id, email);
		if (user_id != NULL)
			member = ro_member_mask(org_id, user_id, true) != 0;
		else
		{
			Datum		v[2] = {CStringGetTextDatum(org_id), CStringGetTextDatum(email)};

			member = ro_exec_latest(&member_with_address_plan, v, NULL, 1) > 0;
		}
		inviter_mask = inviter != NULL ? ro_member_mask(org_id, inviter, true) : 0;
		ro_spi_end(&spi);
		if (member && user_id != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("user \"%s\" is already a member of org \"%s\"", ro_echo(user_id), ro_echo(org_id)),
					 errdetail("Members are not invited.")));
		if (member)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("email address \"%s\" belongs to a member of org \"%s\"", ro_echo(email), ro_echo(org_id)),
					 errdetail("Members are not invited; addresses are compared with the domain normalised and the local part's ASCII letters in lower case.")));
		if (deprovisioning)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("org \"%s\" is being de-provisioned", ro_echo(org_id)),
					 errdetail("It takes no invites; it can only be deleted.")));

		/*
		 * An invite that grants admin or owner comes from a member holding
		 * that role, whatever path inserts it (invite_user and invite_email
		 * check the same before they write)
		 */
		if (role != NULL && ro_role_from_label(role) > RO_USER &&
			ro_role_rank(inviter_mask) < ro_role_from_label(role))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("an invite to org \"%s\" with role %s needs an inviter who holds role %s there",
							org_id, role, role),
					 errdetail("invited_by is %s%s%s.", inviter ? "\"" : "", inviter ? inviter : "NULL",
							   inviter ? "\"" : "")));
		return PointerGetDatum(new);
	}

	/*
	 * UPDATE: the identity of an invite never changes, except that its org or
	 * user follows a rename (ON UPDATE CASCADE)
	 */
	if (ro_column_changed(old, new, desc, "invite_id") || ro_column_changed(old, new, desc, "created") ||
		(v03 && (ro_column_changed(old, new, desc, "role") || ro_column_changed(old, new, desc, "email"))) ||
		(ro_column_changed(old, new, desc, "org_id") &&
		 !renamed_reference(old, new, desc, "org_id", org_row_exists)) ||
		(ro_column_changed(old, new, desc, "user_id") &&
		 !renamed_reference(old, new, desc, "user_id", user_row_exists)))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invite \"%s\" cannot change its id, org, user, address, role or creation time", ro_echo(invite_id))));

	{
		char	   *old_status = ro_tuple_enum_label(old, desc, "status");

		if (ro_invite_status_from_label(old_status) != RO_INVITE_PENDING)
		{
			/*
			 * Answered once: only the inviter's deletion (SET NULL) or rename
			 * (CASCADE) may touch it
			 */
			bool		inviter_followed = ro_column_changed(old, new, desc, "invited_by") &&
				(ro_tuple_text(new, desc, "invited_by") == NULL ||
				 renamed_reference(old, new, desc, "invited_by", user_row_exists));

			if (ro_column_changed(old, new, desc, "status") || ro_column_changed(old, new, desc, "expires") ||
				ro_column_changed(old, new, desc, "answered") ||
				(ro_column_changed(old, new, desc, "invited_by") && !inviter_followed))
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("invite \"%s\" was already answered", ro_echo(invite_id)),
						 errdetail("Its status is %s; an invite is answered once.", old_status)));
			return PointerGetDatum(new);
		}
	}

	/* Leaving pending: record when */
	if (!pending)
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

/* Since 0.3.0 also the invitations by email of the member's address */
static RoPlan close_invites_plan = {
	"UPDATE roboto_orgs.org_invites SET status = 'revoked', answered = pg_catalog.now() "
	"WHERE org_id = $1 AND status = 'pending' AND (user_id = $2 OR roboto_orgs.email_address_key(email) = "
	"(SELECT roboto_orgs.email_address_key(u.email) FROM roboto_orgs.users u WHERE u.user_id = $2))",
	2, {TEXTOID, TEXTOID}
};

static RoPlan close_invites_v02_plan = {
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
	char	   *org_id = ro_tuple_text(td->tg_trigtuple, desc, "org_id");
	Datum		v[2];
	RoSpi		spi;

	if (ro_restoring())
		return PointerGetDatum(NULL);	/* the invites are restored as they were */

	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(ro_tuple_text(td->tg_trigtuple, desc, "user_id"));

	/*
	 * Take the locks of the (org, user) and (org, the user's address) pairs,
	 * as invites_check does for a new pending invite by user id or by email,
	 * and revoke with the latest snapshot: an invite committed by a
	 * transaction we waited for is revoked too.
	 */
	lock_membership_of(org_id, TextDatumGetCString(v[1]));
	ro_spi_begin(&spi);
	if (ro_schema_v03() && ro_exec(&user_email_plan, &v[1], NULL, true, 1) == 1)
	{
		char	   *email = ro_result_text(0, 0);

		if (email != NULL)
			lock_address_of(org_id, email);
	}
	ro_exec_latest(ro_schema_v03() ? &close_invites_plan : &close_invites_v02_plan, v, NULL, 0);
	ro_spi_end(&spi);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domains_check_org);
/* BEFORE INSERT OR UPDATE ON org_email_domains: 23514 while the org is de-provisioning */
Datum
roboto_orgs_email_domains_check_org(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "email_domains_check_org", true);
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(tuple, td->tg_relation->rd_att, "org_id");

	if (org_id == NULL)
		return PointerGetDatum(tuple);	/* NOT NULL reports it */
	if (ro_restoring())
		return PointerGetDatum(tuple);	/* a restore loads the domains such an org had */
	if (org_is_deprovisioning(org_id, false))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" is being de-provisioned", ro_echo(org_id)),
				 errdetail("Its email domains cannot change; it can only be deleted.")));
	return PointerGetDatum(tuple);
}

static RoPlan any_org_plan = {
	"SELECT 1 FROM roboto_orgs.orgs LIMIT 1",
	0, {InvalidOid}
};

PG_FUNCTION_INFO_V1(roboto_orgs_truncate_check);
/*
 * AFTER TRUNCATE ON org_members, org_invites, org_email_domains, FOR EACH
 * STATEMENT: the row triggers do not see a TRUNCATE, which would leave every
 * org without an owner (memberships) and make changes the event log never
 * hears of (invites, bindings). Allowed only when the orgs go too (TRUNCATE
 * roboto_orgs.orgs CASCADE): after the statement's truncations no org is
 * left. Not while a dump is restored.
 */
Datum
roboto_orgs_truncate_check(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	RoSpi		spi;
	bool		orgs_left;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"truncate_check\" must be fired for TRUNCATE")));
	td = (TriggerData *) fcinfo->context;
	if (ro_restoring())
		return PointerGetDatum(NULL);
	ro_spi_begin(&spi);
	orgs_left = ro_exec_latest(&any_org_plan, NULL, NULL, 1) > 0;
	ro_spi_end(&spi);
	if (orgs_left)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("TRUNCATE of roboto_orgs.%s is refused while orgs remain",
						RelationGetRelationName(td->tg_relation)),
				 errdetail("A TRUNCATE skips the triggers that keep every org's owner and log every change."),
				 errhint("Delete the rows with DELETE, or truncate the orgs with them (TRUNCATE roboto_orgs.orgs CASCADE).")));
	return PointerGetDatum(NULL);
}
