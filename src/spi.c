/*
 * spi.c
 *	  SPI for roboto_orgs: statements prepared once with $n parameters and kept
 *	  (SPI_keepplan), run as the extension owner (the owner of schema
 *	  roboto_orgs) the way pg_cron does, so API roles need no privileges on
 *	  the tables; results copied out of SPI memory before SPI_finish.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "roboto_orgs.h"

/* Owner of schema roboto_orgs: the role that created the extension */
static Oid
extension_owner(void)
{
	Oid			nsp = get_namespace_oid("roboto_orgs", false);
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Connect to SPI and act as the extension owner until ro_spi_end(). An error
 * in between aborts the (sub)transaction, which restores the user id.
 */
void
ro_spi_begin(RoSpi *s)
{
	Oid			owner = extension_owner();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	GetUserIdAndSecContext(&s->save_userid, &s->save_sec_context);
	SetUserIdAndSecContext(owner, s->save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

/* Back to the caller's user id, and out of SPI */
void
ro_spi_end(RoSpi *s)
{
	SetUserIdAndSecContext(s->save_userid, s->save_sec_context);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/* Prepare a statement once for the life of the backend */
static SPIPlanPtr
ro_plan(RoPlan *p)
{
	if (p->plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(p->sql, p->nargs, p->argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 p->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		p->plan = plan;
	}
	return p->plan;
}

/* Run a kept statement; returns SPI_processed */
int
ro_exec(RoPlan *p, Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc = SPI_execute_plan(ro_plan(p), values, nulls, read_only, count);

	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 p->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * Run a kept statement with the latest snapshot, as the foreign-key triggers
 * do: it sees what other transactions committed after ours began (needed
 * under REPEATABLE READ once a lock has been waited for) and our own changes.
 */
int
ro_exec_latest(RoPlan *p, Datum *values, const char *nulls, long count)
{
	int			rc;

	rc = SPI_execute_snapshot(ro_plan(p), values, nulls,
							  GetLatestSnapshot(), InvalidSnapshot,
							  false, false, count);
	if (rc < 0)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s",
			 p->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/* A value of the last result, in SPI memory */
Datum
ro_result(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col + 1, isnull);
}

/* A value of the last result, copied to the caller's memory context */
Datum
ro_result_copy(int row, int col, bool *isnull)
{
	Form_pg_attribute att = TupleDescAttr(SPI_tuptable->tupdesc, col);
	Datum		d = ro_result(row, col, isnull);

	if (*isnull)
		return (Datum) 0;
	return SPI_datumTransfer(d, att->attbyval, att->attlen);
}

/* A text value of the last result, as a C string that outlives SPI_finish; NULL for NULL */
char *
ro_result_text(int row, int col)
{
	bool		isnull;
	Datum		d = ro_result(row, col, &isnull);
	char	   *s;
	char	   *copy;

	if (isnull)
		return NULL;
	s = TextDatumGetCString(d);
	copy = SPI_palloc(strlen(s) + 1);
	strcpy(copy, s);
	return copy;
}

/* Append every row of the last result to the function's materialized result set */
void
ro_result_to_tuplestore(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (uint64 i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
}
