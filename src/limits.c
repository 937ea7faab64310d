/*
 * limits.c
 *	  Tier limits (invariant 6): the members of an org plus its pending
 *	  invites stay within max_members of its tier, and its email domain
 *	  bindings within max_email_domains (roboto_orgs.tier_limits, which a
 *	  deployment edits). The seat check the sign-up auto-join asks, and one
 *	  BEFORE INSERT trigger per table: members_check_seats,
 *	  invites_check_seats, email_domains_check_limit (0.1.0's check_seats
 *	  served all three).
 *
 *	  When the org's tier has a member limit, the org row is locked and the
 *	  count read with the latest snapshot, so concurrent joins cannot both
 *	  take the last seat; when it has none, joins only share a KEY SHARE
 *	  lock of the row (which a tier change waits for) and count nothing. A pending invite holds
 *	  a seat: its acceptance (an invite of this user accepted in this
 *	  transaction) needs only a seat among the members, so lowering a tier
 *	  never strands accepted invites beyond what is left.
 *
 *	  An org's email domains count its own rows only, verified bindings and
 *	  pending claims alike: an org cannot hold more claims than its tier
 *	  allows, and other orgs' claims on a domain (which reserve nothing)
 *	  never count against this org's limit. Verifying inserts nothing, so it
 *	  is not limited again; the claims it drops free their orgs' room.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "roboto_orgs.h"

/*
 * The limits are subqueries of the locked org row, not joins: when the lock
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

/*
 * The member limit of the org's tier under a KEY SHARE lock of the org row,
 * the lock a member's foreign key takes anyway: joins share it, and role
 * changes (NO KEY UPDATE) do not conflict with it, but a tier change
 * (set_org_tier locks the row FOR UPDATE) does, so a join that meets one
 * waits for it and reads the new tier's limit (EvalPlanQual re-reads the
 * row, and the limit is a subquery of it). NULL (no limit) or no such org
 * means there is nothing to count.
 */
static RoPlan seat_limit_peek_plan = {
	"SELECT (SELECT l.max_members FROM roboto_orgs.tier_limits l WHERE l.tier = o.tier) "
	"FROM roboto_orgs.orgs o WHERE o.org_id = $1 FOR KEY SHARE OF o",
	1, {TEXTOID}
};

static RoPlan domain_limit_plan = {
	"SELECT (SELECT l.max_email_domains FROM roboto_orgs.tier_limits l WHERE l.tier = o.tier), "
	"o.tier::text FROM roboto_orgs.orgs o "
	"WHERE o.org_id = $1 FOR NO KEY UPDATE OF o",
	1, {TEXTOID}
};

/*
 * Members, other pending invites, and whether user_id ($2) accepted an invite
 * in this transaction. The invites of user_id itself, by id or by the key of
 * its address (an invitation by email), do not count: they are answered or
 * revoked when it joins. $2 is NULL for an invitation by email.
 */
static RoPlan seats_taken_plan = {
	"WITH me AS (SELECT roboto_orgs.email_address_key(u.email) AS key FROM roboto_orgs.users u "
	"            WHERE u.user_id = $2) "
	"SELECT (SELECT count(*) FROM roboto_orgs.org_members m WHERE m.org_id = $1), "
	"(SELECT count(*) FROM roboto_orgs.org_invites i WHERE i.org_id = $1 "
	" AND (i.user_id IS NULL OR $2 IS NULL OR i.user_id <> $2) "
	" AND (i.email IS NULL OR roboto_orgs.email_address_key(i.email) IS DISTINCT FROM (SELECT me.key FROM me)) "
	" AND i.status = 'pending' AND i.expires > pg_catalog.now()), "
	"EXISTS (SELECT 1 FROM roboto_orgs.org_invites i WHERE i.org_id = $1 "
	" AND (i.user_id = $2 OR roboto_orgs.email_address_key(i.email) = (SELECT me.key FROM me)) "
	" AND i.status = 'accepted' AND i.answered = pg_catalog.now())",
	2, {TEXTOID, TEXTOID}
};

static RoPlan seats_taken_v02_plan = {
	"SELECT (SELECT count(*) FROM roboto_orgs.org_members m WHERE m.org_id = $1), "
	"(SELECT count(*) FROM roboto_orgs.org_invites i WHERE i.org_id = $1 AND i.user_id <> $2 "
	" AND i.status = 'pending' AND i.expires > pg_catalog.now()), "
	"EXISTS (SELECT 1 FROM roboto_orgs.org_invites i WHERE i.org_id = $1 AND i.user_id = $2 "
	" AND i.status = 'accepted' AND i.answered = pg_catalog.now())",
	2, {TEXTOID, TEXTOID}
};

/* The org's own bindings, pending claims included; never another org's */
static RoPlan domains_taken_plan = {
	"SELECT count(*) FROM roboto_orgs.org_email_domains d WHERE d.org_id = $1",
	1, {TEXTOID}
};

/*
 * Lock the org row and read one limit of its tier (limit_plan) into *limit
 * and the tier into *tier; false when the tier has no such limit or there
 * is no such org (the foreign key reports that). Call inside
 * ro_spi_begin/end.
 */
static bool
read_tier_limit(RoPlan *limit_plan, const char *org_id, int *limit, char **tier)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	bool		isnull;
	Datum		limitd;

	if (ro_exec(limit_plan, v, NULL, false, 1) == 0)
		return false;
	limitd = ro_result(0, 0, &isnull);
	if (isnull)
		return false;
	*limit = DatumGetInt32(limitd);
	*tier = ro_result_text(0, 1);
	return true;
}

/*
 * Whether org_id has a seat for user_id, as a member (for_invite false) or
 * as an invitee. *tier and *max_members describe the limit when it is
 * reached. Call inside ro_spi_begin/end.
 */
bool
ro_org_has_seat(const char *org_id, const char *user_id, bool for_invite,
				char **tier, int *max_members)
{
	Datum		v[2] = {CStringGetTextDatum(org_id), user_id ? CStringGetTextDatum(user_id) : (Datum) 0};
	char		n[2] = {' ', user_id ? ' ' : 'n'};
	bool		isnull;
	int64		members;
	int64		pending;
	bool		invited;
	int64		needed;

	/*
	 * An org whose tier has no member limit takes members under a shared
	 * lock only, so that joins into one org (sign-ups at its verified
	 * domain) do not wait for each other; only a limited tier needs the
	 * exclusive lock and the count. (The KEY SHARE lock held here does not
	 * conflict with the NO KEY UPDATE taken next, so two joins cannot
	 * deadlock on the upgrade.)
	 */
	if (ro_exec(&seat_limit_peek_plan, v, NULL, false, 1) == 0)
		return true;
	(void) ro_result(0, 0, &isnull);
	if (isnull)
		return true;
	if (!read_tier_limit(&seat_limit_plan, org_id, max_members, tier))
		return true;
	ro_exec_latest(ro_schema_v03() ? &seats_taken_plan : &seats_taken_v02_plan, v, n, 1);
	members = DatumGetInt64(ro_result(0, 0, &isnull));
	pending = DatumGetInt64(ro_result(0, 1, &isnull));
	invited = DatumGetBool(ro_result(0, 2, &isnull));
	needed = members + 1 + ((!for_invite && invited) ? 0 : pending);
	return needed <= *max_members;
}

/* 23514 for an org without a free seat */
void
ro_raise_org_full(const char *org_id, const char *tier, int max_members)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("org \"%s\" has no free seat", ro_echo(org_id)),
			 errdetail("Members and pending invites together may not exceed max_members of the org's tier (roboto_orgs.tier_limits)."),
			 errhint_plural("Tier %s allows %d member, pending invites included: move the org to a larger tier, or remove members or revoke invites first.",
							"Tier %s allows %d members, pending invites included: move the org to a larger tier, or remove members or revoke invites first.",
							max_members, tier, max_members)));
}

/* 23514 unless org_id has a seat for the member or invitee user_id */
static void
check_seat(const char *org_id, const char *user_id, bool for_invite)
{
	char	   *tier = NULL;
	int			max_members = 0;
	bool		ok;
	RoSpi		spi;

	ro_spi_begin(&spi);
	ok = ro_org_has_seat(org_id, user_id, for_invite, &tier, &max_members);
	ro_spi_end(&spi);
	if (!ok)
		ro_raise_org_full(org_id, tier, max_members);
}

/* 23514 when org_id already binds max_email_domains of its tier */
static void
check_domain_limit(const char *org_id)
{
	Datum		v[1] = {CStringGetTextDatum(org_id)};
	RoSpi		spi;
	bool		isnull;
	int			max_domains = 0;
	char	   *tier = NULL;
	int64		bound = 0;
	bool		limited;

	ro_spi_begin(&spi);
	limited = read_tier_limit(&domain_limit_plan, org_id, &max_domains, &tier);
	if (limited)
	{
		ro_exec_latest(&domains_taken_plan, v, NULL, 1);
		bound = DatumGetInt64(ro_result(0, 0, &isnull));
	}
	ro_spi_end(&spi);
	if (limited && bound + 1 > max_domains)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("org \"%s\" cannot bind another email domain", ro_echo(org_id)),
				 errdetail_plural("Tier %s allows %d email domain.", "Tier %s allows %d email domains.",
								  max_domains, tier, max_domains),
				 errhint_plural("Tier %s allows %d email domain: move the org to a larger tier, or unbind a domain first.",
								"Tier %s allows %d email domains: move the org to a larger tier, or unbind a domain first.",
								max_domains, tier, max_domains)));
}

/*
 * The body of members_check_seats (for_invite false) and invites_check_seats:
 * a new member, or a new pending invite, needs a seat. Not while a dump is
 * restored.
 */
static Datum
check_row_seat(FunctionCallInfo fcinfo, const char *name, bool for_invite)
{
	TriggerData *td = ro_trigger_data(fcinfo, name, true);
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	tuple = td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(tuple, desc, "org_id");
	char	   *user_id = ro_tuple_text(tuple, desc, "user_id");

	/*
	 * NOT NULL constraints report missing ids; an invitation by email (0.3.0)
	 * has no user id and takes a seat like any other
	 */
	if (org_id == NULL || ro_restoring())
		return PointerGetDatum(tuple);
	if (user_id == NULL && (!for_invite || ro_tuple_text(tuple, desc, "email") == NULL))
		return PointerGetDatum(tuple);
	if (for_invite)
	{
		char	   *status = ro_tuple_enum_label(tuple, desc, "status");

		if (status == NULL || ro_invite_status_from_label(status) != RO_INVITE_PENDING)
			return PointerGetDatum(tuple);
	}
	check_seat(org_id, user_id, for_invite);
	return PointerGetDatum(tuple);
}

/* The body of email_domains_check_limit. Not while a dump is restored. */
static Datum
check_row_domain_limit(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *td = ro_trigger_data(fcinfo, name, true);
	char	   *org_id = ro_tuple_text(td->tg_trigtuple, td->tg_relation->rd_att, "org_id");

	if (org_id != NULL && !ro_restoring())
		check_domain_limit(org_id);
	return PointerGetDatum(td->tg_trigtuple);
}

PG_FUNCTION_INFO_V1(roboto_orgs_members_check_seats);
/* BEFORE INSERT ON org_members */
Datum
roboto_orgs_members_check_seats(PG_FUNCTION_ARGS)
{
	return check_row_seat(fcinfo, "members_check_seats", false);
}

PG_FUNCTION_INFO_V1(roboto_orgs_invites_check_seats);
/* BEFORE INSERT ON org_invites */
Datum
roboto_orgs_invites_check_seats(PG_FUNCTION_ARGS)
{
	return check_row_seat(fcinfo, "invites_check_seats", true);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domains_check_limit);
/* BEFORE INSERT ON org_email_domains */
Datum
roboto_orgs_email_domains_check_limit(PG_FUNCTION_ARGS)
{
	return check_row_domain_limit(fcinfo, "email_domains_check_limit");
}

PG_FUNCTION_INFO_V1(roboto_orgs_check_seats);
/*
 * 0.1.0's check_seats(), one trigger function on three tables, kept so that
 * the 0.1.0 install script loads and its triggers work until ALTER
 * EXTENSION UPDATE replaces them with the functions above.
 */
Datum
roboto_orgs_check_seats(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "check_seats", true);
	const char *table = RelationGetRelationName(td->tg_relation);

	if (strcmp(table, "org_email_domains") == 0)
		return check_row_domain_limit(fcinfo, "check_seats");
	return check_row_seat(fcinfo, "check_seats", strcmp(table, "org_invites") == 0);
}
