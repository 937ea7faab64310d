/*
 * events.c
 *	  All of the event log: every change to orgs, members, invites, email
 *	  domain bindings and role_permissions appends one row to roboto_orgs.events in the same
 *	  transaction, and sends NOTIFY roboto_orgs_events with {"event_id",
 *	  "org_id", "kind"}, delivered only when the transaction commits. Here
 *	  are the writer (ro_log_event), the one AFTER trigger per table that
 *	  names each change (orgs_log_change, members_log_change,
 *	  invites_log_change, email_domains_log_change, role_permissions_log;
 *	  0.1.0's log_change served the first four), events_append_only, and
 *	  org_events(), the admins' way to page through an org's events. The
 *	  feed over all orgs' events is event_feed.c.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/rel.h"

#include "utils/timestamp.h"

#include "roboto_orgs.h"

#define RO_EVENT_CHANNEL "roboto_orgs_events"
#define RO_MAX_EVENT_ROWS 1000

static RoPlan insert_event_plan = {
	"INSERT INTO roboto_orgs.events (org_id, actor, actor_role, kind, subject, before, after) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING event_id",
	7, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, JSONBOID}
};

/* A row as jsonb (the table's column names as keys) */
static Datum
tuple_jsonb(HeapTuple tuple, TupleDesc desc)
{
	Datum		row = heap_copy_tuple_as_datum(tuple, desc);
	Datum		json = DirectFunctionCall1(row_to_json, row);

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(DatumGetTextPP(json))));
}

/*
 * Append an event and notify listeners. before/after are jsonb or (Datum) 0
 * for none; org_id is NULL for a change of no org (role_permissions). The
 * actor is the caller's user id (NULL when none, e.g. the trusted service);
 * actor_role the database role that made the call.
 */
void
ro_log_event(const char *org_id, const char *kind, const char *subject, Datum before, Datum after)
{
	char	   *actor = ro_caller_id();
	char	   *role = GetUserNameFromId(GetOuterUserId(), true);
	Datum		v[7];
	char		n[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	RoSpi		spi;
	int64		event_id;
	bool		isnull;
	StringInfoData payload;

	v[0] = org_id ? CStringGetTextDatum(org_id) : (Datum) 0;
	v[1] = actor ? CStringGetTextDatum(actor) : (Datum) 0;
	v[2] = role ? CStringGetTextDatum(role) : (Datum) 0;
	v[3] = CStringGetTextDatum(kind);
	v[4] = subject ? CStringGetTextDatum(subject) : (Datum) 0;
	v[5] = before;
	v[6] = after;
	if (!org_id)
		n[0] = 'n';
	if (!actor)
		n[1] = 'n';
	if (!role)
		n[2] = 'n';
	if (!subject)
		n[4] = 'n';
	if (before == (Datum) 0)
		n[5] = 'n';
	if (after == (Datum) 0)
		n[6] = 'n';

	ro_spi_begin(&spi);
	ro_exec(&insert_event_plan, v, n, false, 1);
	event_id = DatumGetInt64(ro_result(0, 0, &isnull));
	ro_spi_end(&spi);

	initStringInfo(&payload);
	appendStringInfo(&payload, "{\"event_id\": " INT64_FORMAT ", \"org_id\": ", event_id);
	if (org_id)
		escape_json(&payload, org_id);
	else
		appendStringInfoString(&payload, "null");
	appendStringInfoString(&payload, ", \"kind\": ");
	escape_json(&payload, kind);
	appendStringInfoChar(&payload, '}');
	Async_Notify(RO_EVENT_CHANNEL, payload.data);
}

/* Whether an org still exists (false while it is being deleted) */
static bool
org_exists(const char *org_id)
{
	RoSpi		spi;
	RoOrgStatus status;
	bool		exists;

	ro_spi_begin(&spi);
	exists = ro_read_org_status(org_id, false, &status);
	ro_spi_end(&spi);
	return exists;
}

/* The kind of event an update of a row is, NULL for none */
typedef const char *(*RoUpdateKind) (HeapTuple old, HeapTuple new, TupleDesc desc);

/*
 * One event for the change of a row a log trigger saw: subject_column names
 * the row (NULL: the org itself); inserted and deleted are the kinds of an
 * insert and a delete (NULL: none); with deleted_alone, a row deleted along
 * with its org is part of org.deleted and logs nothing itself.
 */
static void
log_row_change(TriggerData *td, const char *subject_column, const char *inserted,
			   const char *deleted, bool deleted_alone, RoUpdateKind update_kind)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(old, desc, "org_id");
	char	   *subject = subject_column ? ro_tuple_text(old, desc, subject_column) : NULL;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, inserted, subject, (Datum) 0, tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		if (deleted != NULL && (!deleted_alone || org_exists(org_id)))
			ro_log_event(org_id, deleted, subject, tuple_jsonb(old, desc), (Datum) 0);
	}
	else
	{
		HeapTuple	new = td->tg_newtuple;
		const char *kind = update_kind(old, new, desc);

		if (kind != NULL)
			ro_log_event(org_id, kind, subject, tuple_jsonb(old, desc), tuple_jsonb(new, desc));
	}
}

/* The body of the log triggers: nothing is logged while a dump is restored */
static Datum
log_change(FunctionCallInfo fcinfo, const char *name, const char *subject_column,
		   const char *inserted, const char *deleted, bool deleted_alone,
		   RoUpdateKind update_kind)
{
	TriggerData *td = ro_trigger_data(fcinfo, name, false);

	if (!ro_restoring())
		log_row_change(td, subject_column, inserted, deleted, deleted_alone, update_kind);
	return PointerGetDatum(NULL);
}

/* The kind of an update of an orgs row: what changed, or org.updated for several columns */
static const char *
org_update_kind(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	const char *kind = NULL;
	int			changes = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		const char *col = NameStr(TupleDescAttr(desc, i)->attname);

		if (TupleDescAttr(desc, i)->attisdropped || !ro_column_changed(old, new, desc, col))
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
	return changes > 1 ? "org.updated" : kind;
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON orgs */
Datum
roboto_orgs_orgs_log_change(PG_FUNCTION_ARGS)
{
	return log_change(fcinfo, "orgs_log_change", NULL,
					  "org.created", "org.deleted", false, org_update_kind);
}

/* The kind of an update of a membership: roles added, removed or both */
static const char *
member_update_kind(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	int			old_mask = ro_tuple_roles(old, desc);
	int			new_mask = ro_tuple_roles(new, desc);
	int			added = new_mask & ~old_mask;
	int			removed = old_mask & ~new_mask;

	if (added && removed)
		return "member.roles_changed";
	if (added)
		return "member.role_added";
	if (removed)
		return "member.role_removed";
	return NULL;
}

PG_FUNCTION_INFO_V1(roboto_orgs_members_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON org_members */
Datum
roboto_orgs_members_log_change(PG_FUNCTION_ARGS)
{
	return log_change(fcinfo, "members_log_change", "user_id",
					  "member.joined", "member.removed", true, member_update_kind);
}

/*
 * The kind of an update of an invite: invite.<status> when its status
 * changed; invite.resent (0.3.0) when a pending invite got a later expiry
 * (resend_invite; an expiry moved earlier is no resend)
 */
static const char *
invite_update_kind(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	if (!ro_column_changed(old, new, desc, "status"))
	{
		char	   *status = ro_tuple_enum_label(new, desc, "status");
		bool		old_null;
		bool		new_null;
		Datum		old_expires = ro_tuple_value(old, desc, "expires", &old_null);
		Datum		new_expires = ro_tuple_value(new, desc, "expires", &new_null);

		if (status != NULL && ro_invite_status_from_label(status) == RO_INVITE_PENDING &&
			!old_null && !new_null &&
			DatumGetTimestampTz(new_expires) > DatumGetTimestampTz(old_expires))
			return "invite.resent";
		return NULL;
	}
	return psprintf("invite.%s", ro_tuple_enum_label(new, desc, "status"));
}

PG_FUNCTION_INFO_V1(roboto_orgs_invites_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON org_invites */
Datum
roboto_orgs_invites_log_change(PG_FUNCTION_ARGS)
{
	/* invites deleted with their org or user are part of that deletion */
	return log_change(fcinfo, "invites_log_change", "invite_id",
					  "invite.sent", NULL, false, invite_update_kind);
}

/* The kind of an update of an email domain binding */
static const char *
domain_update_kind(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	const char *kind = NULL;

	if (ro_column_changed(old, new, desc, "verified"))
	{
		bool		isnull;
		Datum		verified = ro_tuple_value(new, desc, "verified", &isnull);

		kind = (!isnull && DatumGetBool(verified)) ? "domain.verified" : "domain.unverified";
	}
	for (int i = 0; i < desc->natts; i++)
	{
		const char *col = NameStr(TupleDescAttr(desc, i)->attname);

		/* the token goes with verification (NULL once verified) */
		if (!TupleDescAttr(desc, i)->attisdropped && strcmp(col, "verified") != 0 &&
			!(kind != NULL && strcmp(col, "verification_token") == 0) &&
			ro_column_changed(old, new, desc, col))
			kind = "domain.updated";
	}
	return kind;
}

static RoPlan verified_elsewhere_plan = {
	"SELECT 1 FROM roboto_orgs.org_email_domains d "
	"WHERE d.email_domain OPERATOR(roboto_orgs.=) $1::roboto_orgs.email_domain "
	"AND d.verified AND d.org_id <> $2",
	2, {TEXTOID, TEXTOID}
};

/*
 * The kind of the deletion of a binding: domain.claim_dropped for a pending
 * claim removed while another org holds the verified binding (what
 * verify_email_domain and a verified bind_email_domain do to the other
 * orgs' claims), domain.unbound otherwise
 */
static const char *
domain_delete_kind(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	bool		isnull;
	Datum		verified = ro_tuple_value(old, desc, "verified", &isnull);
	Datum		v[2];
	RoSpi		spi;
	int			n;

	if (isnull || DatumGetBool(verified) || ro_restoring())
		return "domain.unbound";
	v[0] = ro_tuple_value(old, desc, "email_domain", &isnull);
	if (isnull)
		return "domain.unbound";
	v[1] = ro_tuple_value(old, desc, "org_id", &isnull);
	if (isnull)
		return "domain.unbound";
	ro_spi_begin(&spi);
	n = ro_exec_latest(&verified_elsewhere_plan, v, NULL, 1);
	ro_spi_end(&spi);
	return n > 0 ? "domain.claim_dropped" : "domain.unbound";
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domains_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON org_email_domains */
Datum
roboto_orgs_email_domains_log_change(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "email_domains_log_change", false);
	const char *deleted = TRIGGER_FIRED_BY_DELETE(td->tg_event) ? domain_delete_kind(td) : NULL;

	return log_change(fcinfo, "email_domains_log_change", "email_domain",
					  "domain.bound", deleted, true, domain_update_kind);
}

PG_FUNCTION_INFO_V1(roboto_orgs_log_change);
/*
 * 0.1.0's log_change(), one trigger function on the four tables, kept so
 * that the 0.1.0 install script loads and its triggers work until ALTER
 * EXTENSION UPDATE replaces them with the functions above.
 */
Datum
roboto_orgs_log_change(PG_FUNCTION_ARGS)
{
	static const struct
	{
		const char *table;
		PGFunction	trigger;
	}			triggers[] =
	{
		{"orgs", roboto_orgs_orgs_log_change},
		{"org_members", roboto_orgs_members_log_change},
		{"org_invites", roboto_orgs_invites_log_change},
		{"org_email_domains", roboto_orgs_email_domains_log_change}
	};
	TriggerData *td = ro_trigger_data(fcinfo, "log_change", false);
	const char *table = RelationGetRelationName(td->tg_relation);

	for (int i = 0; i < (int) lengthof(triggers); i++)
		if (strcmp(table, triggers[i].table) == 0)
			return triggers[i].trigger(fcinfo);
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("log_change does not know table \"%s\"", table)));
	return PointerGetDatum(NULL);	/* keep the compiler quiet */
}

static RoPlan org_events_plan = {
	"SELECT e.event_id, e.org_id, e.actor, e.actor_role, e.kind, e.subject, e.before, e.after, e.created "
	"FROM roboto_orgs.events e WHERE e.org_id = $1 AND e.event_id > $2 "
	"ORDER BY e.event_id LIMIT $3",
	3, {TEXTOID, INT8OID, INT4OID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_org_events);
/* org_events(org, after_event_id, max_rows) */
Datum
roboto_orgs_org_events(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	Datum		v[3];
	RoSpi		spi;
	bool		trusted;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments \"after_event_id\" and \"max_rows\" must not be null")));
	if (PG_GETARG_INT32(2) < 1 || PG_GETARG_INT32(2) > RO_MAX_EVENT_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_rows must be between 1 and %d", RO_MAX_EVENT_ROWS)));
	v[0] = CStringGetTextDatum(org_id);
	v[1] = PG_GETARG_DATUM(1);
	v[2] = PG_GETARG_DATUM(2);

	/*
	 * The trusted service reads any org's events, deleted orgs' included.
	 * Asked before ro_spi_begin(), which switches to the extension owner.
	 */
	trusted = ro_is_trusted_service();

	InitMaterializedSRF(fcinfo, 0);
	ro_spi_begin(&spi);
	if (!trusted)
		ro_require_org_role(org_id, ro_require_caller(), RO_ADMIN, "read its events", false);
	ro_exec(&org_events_plan, v, NULL, true, 0);
	ro_result_to_tuplestore(fcinfo);
	ro_spi_end(&spi);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(roboto_orgs_events_append_only);
/* BEFORE UPDATE ON events */
Datum
roboto_orgs_events_append_only(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"events_append_only\" was not called by trigger manager")));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("events of roboto_orgs are never updated"),
			 errdetail("The event log is append-only."),
			 errhint("The extension owner may delete old events for retention.")));
	PG_RETURN_NULL();
}

/* "role:permission" of a row of role_permissions */
static char *
mapping_subject(HeapTuple tuple, TupleDesc desc)
{
	char	   *role = SPI_getvalue(tuple, desc, SPI_fnumber(desc, "role"));
	char	   *permission = SPI_getvalue(tuple, desc, SPI_fnumber(desc, "permission"));

	return psprintf("%s:%s", role ? role : "", permission ? permission : "");
}

PG_FUNCTION_INFO_V1(roboto_orgs_role_permissions_log);
/*
 * AFTER INSERT OR UPDATE OR DELETE ON role_permissions, FOR EACH ROW: an
 * event of no org (org_id NULL), kind permission.granted, .revoked or
 * .changed, subject "role:permission", before and after the rows.
 */
Datum
roboto_orgs_role_permissions_log(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "role_permissions_log", false);
	TupleDesc	desc = td->tg_relation->rd_att;
	Datum		before = (Datum) 0;
	Datum		after = (Datum) 0;
	const char *kind;
	char	   *subject;

	if (ro_restoring())
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		kind = "permission.granted";
		after = tuple_jsonb(td->tg_trigtuple, desc);
		subject = mapping_subject(td->tg_trigtuple, desc);
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		kind = "permission.revoked";
		before = tuple_jsonb(td->tg_trigtuple, desc);
		subject = mapping_subject(td->tg_trigtuple, desc);
	}
	else
	{
		kind = "permission.changed";
		before = tuple_jsonb(td->tg_trigtuple, desc);
		after = tuple_jsonb(td->tg_newtuple, desc);
		subject = mapping_subject(td->tg_newtuple, desc);
	}
	ro_log_event(NULL, kind, subject, before, after);
	return PointerGetDatum(NULL);
}
