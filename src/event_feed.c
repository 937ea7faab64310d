/*
 * event_feed.c
 *	  The exactly-once change feed over the event log: event_feed(after,
 *	  max_events) for webhook consumers, and next_event_id(), the default of
 *	  events.event_id, which registers each event-writing transaction so that
 *	  the feed knows what may still commit below a given id.
 *
 * The problem: event ids come from a sequence when a change happens, so a
 * transaction that took id 7 and commits after another one committed id 8
 * makes 7 appear below an id a consumer may already have read. A consumer
 * that keeps "the last id seen" would skip it (the outbox gap).
 *
 * The design: before a transaction takes its first event id, next_event_id()
 * reads the sequence's last value R and takes a share lock (transaction
 * scope, owned by the top transaction) whose tag carries R. Every id that
 * transaction takes is then above R. The feed
 *	 1. reads the sequence's last value L,
 *	 2. reads the registration locks held now (pg_locks) and their values R,
 *	 3. returns, under a snapshot taken after that, the events with
 *		after < event_id <= H, where H = min(L, every R), in event_id order.
 * Any id <= H was taken by a transaction that registered before it took the
 * id. If that transaction still ran at step 2, its lock would be listed with
 * an R below the id, so H < id: a contradiction. So it had ended before step
 * 2 (commit makes a transaction visible before its locks are released), and
 * the snapshot of step 3 sees its events if it committed. Ids in (H, L] wait
 * for the next call. So a consumer that passes the cursor of the last row it
 * received gets every committed event exactly once, in id order, whatever
 * order the writers commit in. Nothing waits: the feed never blocks on a
 * lock, and a transaction that writes no event never holds it back (only a
 * running writer does, from the point where it registered).
 *
 * The lock tag is an advisory tag of its own kind (field4 RO_LOCK_KIND_FEED,
 * not 1 or 2 as pg_advisory_*() use), so it cannot collide with an app's
 * advisory locks. On a hot standby the primary's locks are not visible, so
 * the feed refuses to run there (0A000).
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "roboto_orgs.h"


/* Rows one call may return */
#define RO_FEED_MAX_EVENTS 10000

/* The top transaction that registered last (and so still holds its lock) */
static TransactionId registered_xid = InvalidTransactionId;

/* The sequence's last value; 0 when it was never called */
static int64
sequence_last_value(Oid seqoid)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		d;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(seqoid);
	fcinfo->args[0].isnull = false;
	d = pg_sequence_last_value(fcinfo);
	return fcinfo->isnull ? 0 : DatumGetInt64(d);
}

/* Register the current top transaction as an event writer, once */
static void
register_writer(Oid seqoid)
{
	TransactionId xid = GetTopTransactionId();
	ResourceOwner save = CurrentResourceOwner;
	LOCKTAG		tag;
	int64		last;

	if (xid == registered_xid)
		return;
	last = sequence_last_value(seqoid);
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId,
						 (uint32) ((uint64) last >> 32), (uint32) last,
						 RO_LOCK_KIND_FEED);
	/* Owned by the top transaction: a rolled back savepoint keeps it */
	CurrentResourceOwner = TopTransactionResourceOwner;
	PG_TRY();
	{
		(void) LockAcquire(&tag, ShareLock, false, false);
	}
	PG_FINALLY();
	{
		CurrentResourceOwner = save;
	}
	PG_END_TRY();
	registered_xid = xid;
}

PG_FUNCTION_INFO_V1(roboto_orgs_next_event_id);
/*
 * next_event_id(seq regclass): the default of events.event_id. Registers the
 * transaction as an event writer (see above), then takes the next id.
 */
Datum
roboto_orgs_next_event_id(PG_FUNCTION_ARGS)
{
	Oid			seqoid = PG_GETARG_OID(0);

	register_writer(seqoid);
	return DirectFunctionCall1(nextval_oid, ObjectIdGetDatum(seqoid));
}

/* The writers running now, as the lowest R of their locks; -1 when none */
static RoPlan running_writers_plan = {
	"SELECT pg_catalog.min((l.classid::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32) "
	"OPERATOR(pg_catalog.|) l.objid::pg_catalog.int8) "
	"FROM pg_catalog.pg_locks l "
	"WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted "
	"AND l.database OPERATOR(pg_catalog.=) $1 "
	"AND l.objsubid OPERATOR(pg_catalog.=) $2 "
	"AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()",
	2, {OIDOID, INT4OID}
};

static RoPlan feed_plan = {
	"SELECT e.event_id::pg_catalog.text, e.event_id, e.org_id, e.actor, e.actor_role, e.kind, "
	"e.subject, e.before, e.after, e.created "
	"FROM roboto_orgs.events e "
	"WHERE e.event_id OPERATOR(pg_catalog.>) $1 AND e.event_id OPERATOR(pg_catalog.<=) $2 "
	"ORDER BY e.event_id LIMIT $3",
	3, {INT8OID, INT8OID, INT4OID}
};

/*
 * The feed's reasoning needs every id a transaction takes to be above the
 * sequence's last value when it registered. With CACHE n > 1 a backend hands
 * out ids from a block it reserved earlier, below the last value, so the
 * feed could pass ids that are still to commit: it refuses instead.
 */
static void
require_uncached_sequence(Oid seqoid)
{
	HeapTuple	tup = SearchSysCache1(SEQRELID, ObjectIdGetDatum(seqoid));
	int64		cache;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for sequence %u", seqoid);
	cache = ((Form_pg_sequence) GETSTRUCT(tup))->seqcache;
	ReleaseSysCache(tup);
	if (cache != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("event_feed needs roboto_orgs.event_id_seq without a cache, and it caches " INT64_FORMAT " values", cache),
				 errdetail("With a cache, a session takes event ids below ones already taken, so the feed could not know which ids may still commit."),
				 errhint("ALTER SEQUENCE roboto_orgs.event_id_seq CACHE 1; then reconnect the sessions that write events, which may still hold cached ids.")));
}

/* A cursor event_feed gave: the decimal event id; 22023 otherwise */
static int64
parse_cursor(text *cursor)
{
	const char *s = VARDATA_ANY(cursor);
	int			len = (int) VARSIZE_ANY_EXHDR(cursor);
	int64		v = 0;

	if (len < 1 || len > 19)
		goto bad;
	for (int i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (len == 19 && v < 0)
		goto bad;
	return v;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"after\" is not a cursor returned by event_feed"),
			 errdetail("A cursor is the value of the cursor column of a row event_feed returned (%d bytes given).", len),
			 errhint("Pass NULL to read from the first event.")));
	pg_unreachable();
}

/* Whether the current role may read the feed: trusted service or event consumer */
static bool
may_read_feed(void)
{
	Oid			consumer;

	if (ro_is_trusted_service())
		return true;
	if (ro_event_consumer_role == NULL || ro_event_consumer_role[0] == '\0')
		return false;
	consumer = get_role_oid(ro_event_consumer_role, true);
	return OidIsValid(consumer) && has_privs_of_role(GetUserId(), consumer);
}

PG_FUNCTION_INFO_V1(roboto_orgs_event_feed);
/* event_feed(after text DEFAULT NULL, max_events integer DEFAULT 1000) */
Datum
roboto_orgs_event_feed(PG_FUNCTION_ARGS)
{
	int64		after = 0;
	int32		max_events;
	Oid			seqoid;
	int64		last;
	int64		horizon;
	Datum		v[3];
	RoSpi		spi;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"max_events\" must not be null")));
	max_events = PG_GETARG_INT32(1);
	if (max_events < 1 || max_events > RO_FEED_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_events must be between 1 and %d", RO_FEED_MAX_EVENTS)));
	if (!PG_ARGISNULL(0))
		after = parse_cursor(PG_GETARG_TEXT_PP(0));
	if (!may_read_feed())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to read the event feed"),
				 errdetail("The feed holds every org's events."),
				 errhint("Call it as the trusted service or as a member of the role named by roboto_orgs.event_consumer_role (\"%s\").",
						 ro_event_consumer_role ? ro_event_consumer_role : "")));
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("event_feed cannot run on a standby"),
				 errdetail("The feed needs to see which transactions of the primary are still writing events, which a standby cannot."),
				 errhint("Run the feed's consumer against the primary.")));

	seqoid = get_relname_relid("event_id_seq", get_namespace_oid("roboto_orgs", false));
	if (!OidIsValid(seqoid))
		elog(ERROR, "sequence roboto_orgs.event_id_seq does not exist");
	require_uncached_sequence(seqoid);

	InitMaterializedSRF(fcinfo, 0);
	ro_spi_begin(&spi);

	/* 1. the last id taken, 2. the running writers, 3. the events below both */
	last = sequence_last_value(seqoid);
	horizon = last;
	v[0] = ObjectIdGetDatum(MyDatabaseId);
	v[1] = Int32GetDatum(RO_LOCK_KIND_FEED);
	if (ro_exec_latest(&running_writers_plan, v, NULL, 1) == 1)
	{
		bool		isnull;
		Datum		low = ro_result(0, 0, &isnull);

		if (!isnull && DatumGetInt64(low) < horizon)
			horizon = DatumGetInt64(low);
	}
	if (horizon > after)
	{
		v[0] = Int64GetDatum(after);
		v[1] = Int64GetDatum(horizon);
		v[2] = Int32GetDatum(max_events);
		ro_exec_latest(&feed_plan, v, NULL, 0);
		ro_result_to_tuplestore(fcinfo);
	}
	ro_spi_end(&spi);
	return (Datum) 0;
}
