/*
 * tuples.c
 *	  What every trigger function shares: the trigger protocol check
 *	  (called by the trigger manager, for each row, at the right timing) and
 *	  reading the columns of the rows it sees, by name.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"

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

/* A column of a tuple; *isnull set */
Datum
ro_tuple_value(HeapTuple tuple, TupleDesc desc, const char *column, bool *isnull)
{
	int			attno = SPI_fnumber(desc, column);

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", column);
	return heap_getattr(tuple, attno, desc, isnull);
}

/* A text column of a tuple as a C string; NULL for NULL */
char *
ro_tuple_text(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	Datum		d = ro_tuple_value(tuple, desc, column, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Label of an enum column of a tuple; NULL for NULL */
char *
ro_tuple_enum_label(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	Datum		d = ro_tuple_value(tuple, desc, column, &isnull);

	return isnull ? NULL : ro_enum_label(d);
}

/* Roles of a membership tuple as a bit set; -1 if the roles are NULL */
int
ro_tuple_roles(HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;
	bool		has_null;
	Datum		d = ro_tuple_value(tuple, desc, "roles", &isnull);

	if (isnull)
		return -1;
	return ro_mask_from_enum_array(DatumGetArrayTypeP(d), &has_null);
}

/* Whether a column differs between two versions of a row */
bool
ro_column_changed(HeapTuple a, HeapTuple b, TupleDesc desc, const char *column)
{
	int			attno = SPI_fnumber(desc, column);
	Form_pg_attribute att;
	bool		anull;
	bool		bnull;
	Datum		ad;
	Datum		bd;

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", column);
	att = TupleDescAttr(desc, attno - 1);
	ad = heap_getattr(a, attno, desc, &anull);
	bd = heap_getattr(b, attno, desc, &bnull);
	if (anull || bnull)
		return anull != bnull;

	/*
	 * A varlena is compared on its contents: the same value may come with a
	 * 4-byte header from a column's missing value (a column added with a
	 * default, as 0.3.0 adds orgs.public_metadata) and with a 1-byte header
	 * from a stored tuple, and datumIsEqual compares the headers too
	 */
	if (att->attlen == -1)
	{
		struct varlena *av = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(ad));
		struct varlena *bv = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(bd));

		return VARSIZE_ANY_EXHDR(av) != VARSIZE_ANY_EXHDR(bv) ||
			memcmp(VARDATA_ANY(av), VARDATA_ANY(bv), VARSIZE_ANY_EXHDR(av)) != 0;
	}
	return !datumIsEqual(ad, bd, att->attbyval, att->attlen);
}
