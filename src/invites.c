/*
 * invites.c
 *	  Invitations (the seed's OrgInvite): invite_user, invite_email (0.3.0),
 *	  org_invites, invites_for_self, get_invite, accept_invite,
 *	  decline_invite, revoke_invite and resend_invite (0.3.0). An invite is
 *	  pending until answered once (accepted, declined, revoked) or until it
 *	  expires, roboto_orgs.invite_ttl after creation. Answering is one UPDATE
 *	  guarded by "status = pending", so of two sessions answering the same
 *	  invite at once exactly one succeeds.
 *
 *	  An invite names its invitee by user id, or (invite_email) by address:
 *	  then its user_id stays NULL and the invitee is the user whose address
 *	  has the same roboto_orgs.email_address_key(), whoever that is when the
 *	  invite is read or answered. invite_email never looks at users, so its
 *	  answer is the same whether or not an account has the address. Accepting
 *	  grants the invite's role.
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
	char	   *user_id;		/* NULL for an invitation by email */
	char	   *email;			/* NULL for an invitation by user id */
	RoRole		role;			/* what accepting grants */
} Invite;

static RoPlan invite_plan = {
	"SELECT i.org_id, i.user_id, i.email, i.role::text FROM roboto_orgs.org_invites i WHERE i.invite_id = $1",
	1, {TEXTOID}
};

static RoPlan invite_v02_plan = {
	"SELECT i.org_id, i.user_id, NULL::text, 'user' FROM roboto_orgs.org_invites i WHERE i.invite_id = $1",
	1, {TEXTOID}
};

/* The user whose address an invitation by email names (same key) */
static RoPlan user_has_address_plan = {
	"SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = $1 "
	"AND roboto_orgs.email_address_key(u.email) = roboto_orgs.email_address_key($2)",
	2, {TEXTOID, TEXTOID}
};

/* The lowest role that may invite with role: admin, owner for owner */
static RoRole
inviter_role(RoRole role)
{
	return role == RO_OWNER ? RO_OWNER : RO_ADMIN;
}

/* The role argument argno of an invite function: 'user' when not passed (two arguments) */
static RoRole
invite_role_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno)
		return RO_USER;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"role\" must not be null"),
				 errhint("Leave it out to invite with role user.")));
	return ro_role_from_enum(PG_GETARG_DATUM(argno));
}

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

	if (ro_exec(ro_schema_v03() ? &invite_plan : &invite_v02_plan, v, NULL, true, 1) == 0)
		raise_invite_not_found(invite_id);
	inv.invite_id = pstrdup(invite_id);
	inv.org_id = ro_result_text(0, 0);
	inv.user_id = ro_result_text(0, 1);
	inv.email = ro_result_text(0, 2);
	inv.role = ro_role_from_label(ro_result_text(0, 3));
	return inv;
}

/*
 * Whether the caller is the invitee: the invited user, or the user whose
 * address an invitation by email names. Inside SPI.
 */
static bool
is_invitee(const Invite *inv, const char *caller)
{
	Datum		v[2];

	if (inv->user_id != NULL)
		return strcmp(inv->user_id, caller) == 0;
	v[0] = CStringGetTextDatum(caller);
	v[1] = CStringGetTextDatum(inv->email);
	return ro_exec(&user_has_address_plan, v, NULL, true, 1) > 0;
}

/* 42501 unless the caller is the invitee. Inside SPI. */
static void
require_invitee(const Invite *inv, const char *caller, const char *action)
{
	if (!is_invitee(inv, caller))
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
	"INSERT INTO roboto_orgs.org_invites (invite_id, org_id, user_id, invited_by, expires, role) "
	"VALUES ($1, $2, $3, $4, pg_catalog.now() + $5 * interval '1 second', $6::roboto_orgs.org_role_name) "
	"ON CONFLICT (org_id, user_id) WHERE status = 'pending' DO NOTHING RETURNING invite_id",
	6, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID}
};

/* Before 0.3.0 (ro_schema_v03), with role user */
static RoPlan insert_invite_v02_plan = {
	"INSERT INTO roboto_orgs.org_invites (invite_id, org_id, user_id, invited_by, expires) "
	"VALUES ($1, $2, $3, $4, pg_catalog.now() + $5 * interval '1 second') "
	"ON CONFLICT (org_id, user_id) WHERE status = 'pending' DO NOTHING RETURNING invite_id",
	5, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID}
};

static RoPlan expire_stale_email_plan = {
	"UPDATE roboto_orgs.org_invites SET status = 'expired', answered = pg_catalog.now() "
	"WHERE org_id = $1 AND email IS NOT NULL AND roboto_orgs.email_address_key(email) = $2 "
	"AND status = 'pending' AND expires <= pg_catalog.now()",
	2, {TEXTOID, TEXTOID}
};

static RoPlan insert_email_invite_plan = {
	"INSERT INTO roboto_orgs.org_invites (invite_id, org_id, email, invited_by, expires, role) "
	"VALUES ($1, $2, $3, $4, pg_catalog.now() + $5 * interval '1 second', $6::roboto_orgs.org_role_name) "
	"ON CONFLICT (org_id, roboto_orgs.email_address_key(email)) WHERE status = 'pending' AND email IS NOT NULL "
	"DO NOTHING RETURNING invite_id",
	6, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID}
};

static RoPlan invite_record_plan = {
	"SELECT ROW(" RO_INVITE_COLS ")::roboto_orgs.org_invite_record " RO_INVITE_FROM "WHERE i.invite_id = $1",
	1, {TEXTOID}
};

static RoPlan invite_record_v02_plan = {
	"SELECT ROW(" RO_INVITE_COLS_V02 ")::roboto_orgs.org_invite_record " RO_INVITE_FROM "WHERE i.invite_id = $1",
	1, {TEXTOID}
};

/* The org_invite_record of an invite, copied out of SPI */
static Datum
invite_record(const char *invite_id, bool read_only)
{
	Datum		v[1] = {CStringGetTextDatum(invite_id)};
	bool		isnull;

	if (ro_exec(ro_schema_v03() ? &invite_record_plan : &invite_record_v02_plan, v, NULL, read_only, 1) == 0)
		raise_invite_not_found(invite_id);
	return ro_result_copy(0, 0, &isnull);
}

/* The caller may invite to org_id with role, which must be active. Inside SPI. */
static void
require_may_invite(const char *org_id, const char *caller, RoRole role)
{
	RoOrgAccess a;

	a = ro_require_org_role(org_id, caller, inviter_role(role),
							role == RO_OWNER ? "invite with role owner" : "invite users", true);
	ro_require_org_active(org_id, &a);
}

PG_FUNCTION_INFO_V1(roboto_orgs_invite_user);
/* invite_user(org, invited_user_id, role DEFAULT 'user'); 0.1.0 and 0.2.0 declare two arguments */
Datum
roboto_orgs_invite_user(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *user_id = ro_arg_cstring(fcinfo, 1, "invited_user_id");
	RoRole		role = invite_role_arg(fcinfo, 2);
	char	   *caller = ro_require_caller();
	char	   *invite_id = ro_new_id("iv");
	Datum		v[6];
	RoSpi		spi;
	Datum		result;

	v[0] = CStringGetTextDatum(invite_id);
	v[1] = CStringGetTextDatum(org_id);
	v[2] = CStringGetTextDatum(user_id);
	v[3] = CStringGetTextDatum(caller);
	v[4] = Int32GetDatum(ro_invite_ttl_seconds);
	v[5] = CStringGetTextDatum(ro_role_label(role));

	ro_spi_begin(&spi);
	require_may_invite(org_id, caller, role);
	ro_require_known_user(user_id, false);
	ro_exec(&expire_stale_plan, v + 1, NULL, false, 0);
	if (ro_exec(ro_schema_v03() ? &insert_invite_plan : &insert_invite_v02_plan, v, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("user \"%s\" already has a pending invite to org \"%s\"", ro_echo(user_id), ro_echo(org_id)),
				 errhint("Revoke the pending invite first, or let the user answer it.")));
	result = invite_record(invite_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(roboto_orgs_invite_email);
/*
 * invite_email(org, email, role DEFAULT 'user') (0.3.0). Nothing here reads
 * users: whether an account has the address changes neither the answer nor
 * the error. That the address belongs to a member (23505) is invites_check's.
 */
Datum
roboto_orgs_invite_email(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	text	   *email = ro_arg_text(fcinfo, 1, "email");
	RoRole		role = invite_role_arg(fcinfo, 2);
	char	   *caller = ro_require_caller();
	char	   *key = ro_email_address_check(VARDATA_ANY(email), VARSIZE_ANY_EXHDR(email));
	char	   *invite_id = ro_new_id("iv");
	Datum		v[6];
	Datum		ev[2];
	RoSpi		spi;
	Datum		result;

	v[0] = CStringGetTextDatum(invite_id);
	v[1] = CStringGetTextDatum(org_id);
	v[2] = PointerGetDatum(email);
	v[3] = CStringGetTextDatum(caller);
	v[4] = Int32GetDatum(ro_invite_ttl_seconds);
	v[5] = CStringGetTextDatum(ro_role_label(role));
	ev[0] = v[1];
	ev[1] = CStringGetTextDatum(key);

	ro_spi_begin(&spi);
	require_may_invite(org_id, caller, role);
	ro_exec(&expire_stale_email_plan, ev, NULL, false, 0);
	if (ro_exec(&insert_email_invite_plan, v, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("email address \"%s\" already has a pending invite to org \"%s\"", ro_echo(key), ro_echo(org_id)),
				 errdetail("Addresses are compared with the domain normalised and the local part's ASCII letters in lower case."),
				 errhint("Resend the pending invite (resend_invite), or revoke it first.")));
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

static RoPlan org_invites_v02_plan = {
	"SELECT " RO_INVITE_COLS_V02 " " RO_INVITE_FROM
	"WHERE i.org_id = $1 AND i.status = 'pending' AND i.expires > pg_catalog.now() "
	"ORDER BY i.created, i.invite_id",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_org_invites);
/* org_invites(org) */
Datum
roboto_orgs_org_invites(PG_FUNCTION_ARGS)
{
	ro_list_org(fcinfo, ro_schema_v03() ? &org_invites_plan : &org_invites_v02_plan, RO_ADMIN, "list its invites", 0);
	return (Datum) 0;
}

/* By user id, or by the key of the user's address ($2, NULL for none) */
static RoPlan invites_for_user_plan = {
	"SELECT " RO_INVITE_COLS " " RO_INVITE_FROM
	"WHERE (i.user_id = $1 OR roboto_orgs.email_address_key(i.email) = $2) "
	"AND i.status = 'pending' AND i.expires > pg_catalog.now() "
	"ORDER BY i.created, i.invite_id",
	2, {TEXTOID, TEXTOID}
};

static RoPlan invites_for_user_v02_plan = {
	"SELECT " RO_INVITE_COLS_V02 " " RO_INVITE_FROM
	"WHERE i.user_id = $1 AND i.status = 'pending' AND i.expires > pg_catalog.now() "
	"ORDER BY i.created, i.invite_id",
	1, {TEXTOID}
};

static RoPlan user_address_key_plan = {
	"SELECT roboto_orgs.email_address_key(u.email) FROM roboto_orgs.users u WHERE u.user_id = $1",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_invites_for_self);
/* invites_for_self() (0.2.0): the caller's own pending invites, of orgs that exist */
Datum
roboto_orgs_invites_for_self(PG_FUNCTION_ARGS)
{
	char	   *caller = ro_require_caller();
	Datum		v[2] = {CStringGetTextDatum(caller), (Datum) 0};
	char		n[2] = {' ', 'n'};
	char	   *key = NULL;
	RoSpi		spi;

	InitMaterializedSRF(fcinfo, 0);
	ro_spi_begin(&spi);
	ro_require_known_user(caller, true);
	if (!ro_schema_v03())
		ro_exec(&invites_for_user_v02_plan, v, NULL, true, 0);
	else
	{
		if (ro_exec(&user_address_key_plan, v, NULL, true, 1) > 0)
			key = ro_result_text(0, 0);
		if (key != NULL)
		{
			v[1] = CStringGetTextDatum(key);
			n[1] = ' ';
		}
		ro_exec(&invites_for_user_plan, v, n, true, 0);
	}
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
	if (!is_invitee(&inv, caller))
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
	ro_join_org(inv.org_id, caller, inv.role);
	result = ro_org_user_record(inv.org_id, caller);
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

static RoPlan resend_plan = {
	"UPDATE roboto_orgs.org_invites SET expires = pg_catalog.now() + $2 * interval '1 second' "
	"WHERE invite_id = $1 AND status = 'pending' RETURNING invite_id",
	2, {TEXTOID, INT4OID}
};

static RoPlan invite_expired_plan = {
	"SELECT i.status = 'pending' AND i.expires <= pg_catalog.now() FROM roboto_orgs.org_invites i "
	"WHERE i.invite_id = $1 FOR UPDATE",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_resend_invite);
/*
 * resend_invite(invite_id) (0.3.0): a pending invite, expired or not, gets a
 * new expiry; the UPDATE logs invite.resent (events.c), which an app's
 * mailer reacts to. Reviving an expired invite takes a seat again.
 */
Datum
roboto_orgs_resend_invite(PG_FUNCTION_ARGS)
{
	char	   *invite_id = ro_arg_cstring(fcinfo, 0, "invite_id");
	char	   *caller = ro_require_caller();
	Datum		v[2] = {CStringGetTextDatum(invite_id), Int32GetDatum(ro_invite_ttl_seconds)};
	Invite		inv;
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;
	bool		isnull;

	ro_spi_begin(&spi);
	inv = find_invite(invite_id);
	a = ro_require_org_role(inv.org_id, caller, inviter_role(inv.role),
							inv.role == RO_OWNER ? "resend an invite with role owner" : "resend its invites",
							true);
	ro_require_org_active(inv.org_id, &a);
	if (ro_exec(&invite_expired_plan, v, NULL, false, 1) > 0 &&
		DatumGetBool(ro_result(0, 0, &isnull)))
	{
		char	   *tier = NULL;
		int			max_members = 0;

		if (!ro_org_has_seat(inv.org_id, inv.user_id, true, &tier, &max_members))
			ro_raise_org_full(inv.org_id, tier, max_members);
	}
	if (ro_exec(&resend_plan, v, NULL, false, 1) == 0)
		not_answerable(&inv);
	result = invite_record(invite_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}
