/*
 * events.c
 *	  The append-only event log: every change to orgs, members, invites and
 *	  email domains appends one row to roboto_orgs.events in the same
 *	  transaction, written by the trigger that sees the change, and sends
 *	  NOTIFY roboto_orgs_events with {"event_id", "org_id", "kind"}, delivered
 *	  only when the transaction commits. Also org_events(), the admins' way
 *	  to page through an org's events.
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
#include "utils/guc.h"
#include "utils/json.h"

#include "roboto_orgs.h"

#define RO_EVENT_CHANNEL "roboto_orgs_events"
#define RO_MAX_EVENT_ROWS 1000

static RoPlan insert_event_plan = {
	"INSERT INTO roboto_orgs.events (org_id, actor, actor_role, kind, subject, before, after) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING event_id",
	7, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, JSONBOID}
};

/*
 * Whether pg_dump's output is being restored, which pg_dump says by turning
 * check_function_bodies off. Any role may turn that setting off, so it
 * counts only for a superuser (restoring the extension's tables takes one);
 * otherwise an API role could change orgs without an event or past the
 * tier's seat limit. GetOuterUserId(): the role that called, not the
 * extension owner the functions switch to. While restoring, the triggers
 * that log events, count seats or look at other tables step aside, so rows
 * come back as they were, in whatever order the restore loads the tables.
 */
bool
ro_restoring(void)
{
	return !check_function_bodies && superuser_arg(GetOuterUserId());
}

/* Whether events are written (and seats checked) now: not while restoring */
bool
ro_events_enabled(void)
{
	return !ro_restoring();
}

/* A row as jsonb (the table's column names as keys) */
Datum
ro_tuple_jsonb(HeapTuple tuple, TupleDesc desc)
{
	Datum		row = heap_copy_tuple_as_datum(tuple, desc);
	Datum		json = DirectFunctionCall1(row_to_json, row);

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(DatumGetTextPP(json))));
}

/*
 * Append an event and notify listeners. before/after are jsonb or (Datum) 0
 * for none; org_id is NULL for a deployment-wide change (role_permissions). The actor is the caller's user id (NULL when none, e.g. the
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
