/*
 * events.c
 *	  All of the event log: every change to orgs, members, invites and email
 *	  domain bindings appends one row to roboto_orgs.events in the same
 *	  transaction, and sends NOTIFY roboto_orgs_events with {"event_id",
 *	  "org_id", "kind"}, delivered only when the transaction commits. Here
 *	  are the writer (ro_log_event), the one AFTER trigger per table that
 *	  names each change (orgs_log_change, members_log_change,
 *	  invites_log_change, email_domains_log_change; 0.1.0's log_change
 *	  served all four), events_append_only, and org_events(), the admins'
 *	  way to page through an org's events.
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
 * for none. The actor is the caller's user id (NULL when none, e.g. the
 * trusted service); actor_role the database role that made the call.
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

	v[0] = CStringGetTextDatum(org_id);
	v[1] = actor ? CStringGetTextDatum(actor) : (Datum) 0;
	v[2] = role ? CStringGetTextDatum(role) : (Datum) 0;
	v[3] = CStringGetTextDatum(kind);
	v[4] = subject ? CStringGetTextDatum(subject) : (Datum) 0;
	v[5] = before;
	v[6] = after;
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
	escape_json(&payload, org_id);
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

/* One event for a change of an orgs row */
static void
log_org_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(old, desc, "org_id");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "org.created", NULL, (Datum) 0, tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ro_log_event(org_id, "org.deleted", NULL, tuple_jsonb(old, desc), (Datum) 0);
	else
	{
		HeapTuple	new = td->tg_newtuple;
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
		if (changes == 0)
			return;
		ro_log_event(org_id, changes == 1 ? kind : "org.updated", NULL,
					 tuple_jsonb(old, desc), tuple_jsonb(new, desc));
	}
}

/* One event for a change of a membership */
static void
log_member_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(old, desc, "org_id");
	char	   *user_id = ro_tuple_text(old, desc, "user_id");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "member.joined", user_id, (Datum) 0, tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		/* Members removed along with their org are part of org.deleted */
		if (org_exists(org_id))
			ro_log_event(org_id, "member.removed", user_id, tuple_jsonb(old, desc), (Datum) 0);
	}
	else
	{
		HeapTuple	new = td->tg_newtuple;
		int			old_mask = ro_tuple_roles(old, desc);
		int			new_mask = ro_tuple_roles(new, desc);
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
		ro_log_event(org_id, kind, user_id, tuple_jsonb(old, desc), tuple_jsonb(new, desc));
	}
}

/* One event for a change of an invite's status */
static void
log_invite_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(old, desc, "org_id");
	char	   *invite_id = ro_tuple_text(old, desc, "invite_id");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "invite.sent", invite_id, (Datum) 0, tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
			 ro_column_changed(old, td->tg_newtuple, desc, "status"))
	{
		char	   *kind = psprintf("invite.%s", ro_tuple_enum_label(td->tg_newtuple, desc, "status"));

		ro_log_event(org_id, kind, invite_id, tuple_jsonb(old, desc),
					 tuple_jsonb(td->tg_newtuple, desc));
	}
	/* invites deleted with their org or user are part of that deletion */
}

/* One event for a change of an email domain binding */
static void
log_domain_change(TriggerData *td)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	old = td->tg_trigtuple;
	char	   *org_id = ro_tuple_text(old, desc, "org_id");
	char	   *domain = ro_tuple_text(old, desc, "email_domain");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ro_log_event(org_id, "domain.bound", domain, (Datum) 0, tuple_jsonb(old, desc));
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		/* bindings removed along with their org are part of org.deleted */
		if (org_exists(org_id))
			ro_log_event(org_id, "domain.unbound", domain, tuple_jsonb(old, desc), (Datum) 0);
	}
	else
	{
		HeapTuple	new = td->tg_newtuple;
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

			if (!TupleDescAttr(desc, i)->attisdropped && strcmp(col, "verified") != 0 &&
				ro_column_changed(old, new, desc, col))
				kind = "domain.updated";
		}
		if (kind != NULL)
			ro_log_event(org_id, kind, domain, tuple_jsonb(old, desc), tuple_jsonb(new, desc));
	}
}

/* Names the change a row trigger saw and logs it */
typedef void (*RoChangeLogger) (TriggerData *td);

/* The body of the log triggers: nothing is logged while a dump is restored */
static Datum
log_change(FunctionCallInfo fcinfo, const char *name, RoChangeLogger logger)
{
	TriggerData *td = ro_trigger_data(fcinfo, name, false);

	if (!ro_restoring())
		logger(td);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(roboto_orgs_orgs_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON orgs */
Datum
roboto_orgs_orgs_log_change(PG_FUNCTION_ARGS)
{
	return log_change(fcinfo, "orgs_log_change", log_org_change);
}

PG_FUNCTION_INFO_V1(roboto_orgs_members_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON org_members */
Datum
roboto_orgs_members_log_change(PG_FUNCTION_ARGS)
{
	return log_change(fcinfo, "members_log_change", log_member_change);
}

PG_FUNCTION_INFO_V1(roboto_orgs_invites_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON org_invites */
Datum
roboto_orgs_invites_log_change(PG_FUNCTION_ARGS)
{
	return log_change(fcinfo, "invites_log_change", log_invite_change);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domains_log_change);
/* AFTER INSERT OR UPDATE OR DELETE ON org_email_domains */
Datum
roboto_orgs_email_domains_log_change(PG_FUNCTION_ARGS)
{
	return log_change(fcinfo, "email_domains_log_change", log_domain_change);
}

/*
 * 0.1.0's log_change(), one trigger function on the four tables, kept so
 * that the 0.1.0 install script loads and its triggers work until ALTER
 * EXTENSION UPDATE replaces them with the functions above.
 */
static const struct
{
	const char *table;
	RoChangeLogger logger;
}			logger_of_0_1_0_table[] =
{
	{"orgs", log_org_change},
	{"org_members", log_member_change},
	{"org_invites", log_invite_change},
	{"org_email_domains", log_domain_change}
};

PG_FUNCTION_INFO_V1(roboto_orgs_log_change);
/* 0.1.0: AFTER INSERT OR UPDATE OR DELETE ON orgs, org_members, org_invites, org_email_domains */
Datum
roboto_orgs_log_change(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "log_change", false);
	const char *table = RelationGetRelationName(td->tg_relation);

	for (int i = 0; i < (int) lengthof(logger_of_0_1_0_table); i++)
		if (strcmp(table, logger_of_0_1_0_table[i].table) == 0)
			return log_change(fcinfo, "log_change", logger_of_0_1_0_table[i].logger);
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
