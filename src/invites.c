/*
 * invites.c
 *	  Invitations (the seed's OrgInvite): invite_user, org_invites,
 *	  get_invite, accept_invite, decline_invite and revoke_invite. An invite is
 *	  pending until answered once (accepted, declined, revoked) or until it
 *	  expires, roboto_orgs.invite_ttl after creation. Answering is one UPDATE
 *	  guarded by "status = pending", so of two sessions answering the same
 *	  invite at once exactly one succeeds.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"
#include "records.h"

typedef struct Invite
{
	char	   *invite_id;
	char	   *org_id;
	char	   *user_id;
} Invite;

static RoPlan invite_plan = {
	"SELECT i.org_id, i.user_id FROM roboto_orgs.org_invites i WHERE i.invite_id = $1",
	1, {TEXTOID}
};

/* PT404: there is no invite invite_id */
static RO_NORETURN void
raise_invite_not_found(const char *invite_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_RO_NOT_FOUND),
			 errmsg("invite \"%s\" does not exist", ro_echo(invite_id))));
}

/* The invite's org and invitee; PT404 if there is no such invite. Inside SPI. */
static Invite
find_invite(const char *invite_id)
{
	Invite		inv;
	Datum		v[1] = {CStringGetTextDatum(invite_id)};

	if (ro_exec(&invite_plan, v, NULL, true, 1) == 0)
		raise_invite_not_found(invite_id);
	inv.invite_id = pstrdup(invite_id);
	inv.org_id = ro_result_text(0, 0);
	inv.user_id = ro_result_text(0, 1);
	return inv;
}

/* 42501 unless the caller is the invitee */
static void
require_invitee(const Invite *inv, const char *caller, const char *action)
{
	if (strcmp(inv->user_id, caller) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the invited user may %s invite \"%s\"", action, ro_echo(inv->invite_id))));
}

static RoPlan invite_state_plan = {
	"SELECT i.status::text, i.expires <= pg_catalog.now() FROM roboto_orgs.org_invites i WHERE i.invite_id = $1",
	1, {TEXTOID}
};

/*
 * 22023 explaining why an invite could not be answered: answered already, or
 * expired; PT404 when it was deleted (with its org) by a transaction we
 * waited for.
 */
static void
not_answerable(const Invite *inv)
{
	Datum		v[1] = {CStringGetTextDatum(inv->invite_id)};
	RoInviteStatus status;
	bool		expired;
	bool		isnull;

	if (ro_exec_latest(&invite_state_plan, v, NULL, 1) == 0)
		raise_invite_not_found(inv->invite_id);
	status = ro_invite_status_from_label(ro_result_text(0, 0));
	expired = DatumGetBool(ro_result(0, 1, &isnull));
	if (status == RO_INVITE_PENDING && expired)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invite \"%s\" has expired", ro_echo(inv->invite_id)),
				 errhint("Ask an admin of the org for a new invite.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invite \"%s\" is no longer pending", ro_echo(inv->invite_id)),
			 errdetail("It was %s.", status == RO_INVITE_EXPIRED ? "marked expired"
					   : ro_invite_status_label(status))));
}

static RoPlan answer_plan = {
	"UPDATE roboto_orgs.org_invites SET status = $2::roboto_orgs.org_invite_status, answered = pg_catalog.now() "
	"WHERE invite_id = $1 AND status = 'pending' AND expires > pg_catalog.now()",
	2, {TEXTOID, TEXTOID}
};

/* Move a pending, unexpired invite to a final status, else 22023. Inside SPI. */
static void
answer_invite(const Invite *inv, RoInviteStatus status)
{
	Datum		v[2] = {CStringGetTextDatum(inv->invite_id),
	CStringGetTextDatum(ro_invite_status_label(status))};

	if (ro_exec(&answer_plan, v, NULL, false, 0) == 0)
		not_answerable(inv);
}

static RoPlan expire_stale_plan = {
	"UPDATE roboto_orgs.org_invites SET status = 'expired', answered = pg_catalog.now() "
	"WHERE org_id = $1 AND user_id = $2 AND status = 'pending' AND expires <= pg_catalog.now()",
	2, {TEXTOID, TEXTOID}
};

static RoPlan insert_invite_plan = {
	"INSERT INTO roboto_orgs.org_invites (invite_id, org_id, user_id, invited_by, expires) "
	"VALUES ($1, $2, $3, $4, pg_catalog.now() + $5 * interval '1 second') "
	"ON CONFLICT (org_id, user_id) WHERE status = 'pending' DO NOTHING RETURNING invite_id",
	5, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID}
};

static RoPlan invite_record_plan = {
	"SELECT ROW(" RO_INVITE_COLS ")::roboto_orgs.org_invite_record " RO_INVITE_FROM "WHERE i.invite_id = $1",
	1, {TEXTOID}
};

/* The org_invite_record of an invite, copied out of SPI */
static Datum
invite_record(const char *invite_id, bool read_only)
{
	Datum		v[1] = {CStringGetTextDatum(invite_id)};
	bool		isnull;

	if (ro_exec(&invite_record_plan, v, NULL, read_only, 1) == 0)
		raise_invite_not_found(invite_id);
	return ro_result_copy(0, 0, &isnull);
}

PG_FUNCTION_INFO_V1(roboto_orgs_invite_user);
/* invite_user(org, invited_user_id) */
Datum
roboto_orgs_invite_user(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *user_id = ro_arg_cstring(fcinfo, 1, "invited_user_id");
	char	   *caller = ro_require_caller();
	char	   *invite_id = ro_new_id("iv");
	Datum		v[5];
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	v[0] = CStringGetTextDatum(invite_id);
	v[1] = CStringGetTextDatum(org_id);
	v[2] = CStringGetTextDatum(user_id);
	v[3] = CStringGetTextDatum(caller);
	v[4] = Int32GetDatum(ro_invite_ttl_seconds);

	ro_spi_begin(&spi);
	a = ro_require_org_role(org_id, caller, RO_ADMIN, "invite users", true);
	ro_require_org_active(org_id, &a);
	ro_require_known_user(user_id, false);
	ro_exec(&expire_stale_plan, v + 1, NULL, false, 0);
	if (ro_exec(&insert_invite_plan, v, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("user \"%s\" already has a pending invite to org \"%s\"", ro_echo(user_id), ro_echo(org_id)),
				 errhint("Revoke the pending invite first, or let the user answer it.")));
	result = invite_record(invite_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan org_invites_plan = {
	"SELECT " RO_INVITE_COLS " " RO_INVITE_FROM
	"WHERE i.org_id = $1 AND i.status = 'pending' AND i.expires > pg_catalog.now() "
	"ORDER BY i.created, i.invite_id",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_org_invites);
/* org_invites(org) */
Datum
roboto_orgs_org_invites(PG_FUNCTION_ARGS)
{
	ro_list_org(fcinfo, &org_invites_plan, RO_ADMIN, "list its invites", 0);
	return (Datum) 0;
}

static RoPlan invites_for_user_plan = {
	"SELECT " RO_INVITE_COLS " " RO_INVITE_FROM
	"WHERE i.user_id = $1 AND i.status = 'pending' AND i.expires > pg_catalog.now() "
	"ORDER BY i.created, i.invite_id",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_invites_for_self);
/* invites_for_self() (0.2.0): the caller's own pending invites, of orgs that exist */
Datum
roboto_orgs_invites_for_self(PG_FUNCTION_ARGS)
{
	char	   *caller = ro_require_caller();
	Datum		v[1] = {CStringGetTextDatum(caller)};
	RoSpi		spi;

	InitMaterializedSRF(fcinfo, 0);
	ro_spi_begin(&spi);
	ro_require_known_user(caller, true);
	ro_exec(&invites_for_user_plan, v, NULL, true, 0);
	ro_result_to_tuplestore(fcinfo);
	ro_spi_end(&spi);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(roboto_orgs_get_invite);
/* get_invite(invite_id) */
Datum
roboto_orgs_get_invite(PG_FUNCTION_ARGS)
{
	char	   *invite_id = ro_arg_cstring(fcinfo, 0, "invite_id");
	char	   *caller = ro_require_caller();
	Invite		inv;
	RoSpi		spi;
	Datum		result;

	ro_spi_begin(&spi);
	inv = find_invite(invite_id);
	if (strcmp(inv.user_id, caller) != 0)
	{
		RoOrgAccess a = ro_org_access(inv.org_id, caller, false);

		if (ro_role_rank(a.caller_mask) < RO_ADMIN)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("only the invited user or an admin of org \"%s\" may read invite \"%s\"",
							ro_echo(inv.org_id), ro_echo(invite_id))));
	}
	result = invite_record(invite_id, true);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(roboto_orgs_accept_invite);
/* accept_invite(invite_id) */
Datum
roboto_orgs_accept_invite(PG_FUNCTION_ARGS)
{
	char	   *invite_id = ro_arg_cstring(fcinfo, 0, "invite_id");
	char	   *caller = ro_require_caller();
	Invite		inv;
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	ro_spi_begin(&spi);
	inv = find_invite(invite_id);
	require_invitee(&inv, caller, "accept");
	a = ro_org_access(inv.org_id, caller, true);
	if (!a.exists)
		raise_invite_not_found(invite_id);
	ro_require_org_active(inv.org_id, &a);
	answer_invite(&inv, RO_INVITE_ACCEPTED);
	ro_join_org_as_user(inv.org_id, inv.user_id);
	result = ro_org_user_record(inv.org_id, inv.user_id);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

/*
 * Shared body of decline_invite (the invitee) and revoke_invite (an admin of
 * the org): a pending, unexpired invite moves to status.
 */
static void
close_invite(FunctionCallInfo fcinfo, RoInviteStatus status)
{
	char	   *invite_id = ro_arg_cstring(fcinfo, 0, "invite_id");
	char	   *caller = ro_require_caller();
	Invite		inv;
	RoSpi		spi;

	ro_spi_begin(&spi);
	inv = find_invite(invite_id);
	if (status == RO_INVITE_DECLINED)
		require_invitee(&inv, caller, "decline");
	else
		ro_require_org_role(inv.org_id, caller, RO_ADMIN, "revoke its invites", true);
	answer_invite(&inv, status);
	ro_spi_end(&spi);
}

PG_FUNCTION_INFO_V1(roboto_orgs_decline_invite);
/* decline_invite(invite_id) */
Datum
roboto_orgs_decline_invite(PG_FUNCTION_ARGS)
{
	close_invite(fcinfo, RO_INVITE_DECLINED);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(roboto_orgs_revoke_invite);
/* revoke_invite(invite_id) */
Datum
roboto_orgs_revoke_invite(PG_FUNCTION_ARGS)
{
	close_invite(fcinfo, RO_INVITE_REVOKED);
	PG_RETURN_VOID();
}
