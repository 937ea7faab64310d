/*
 * permissions.c
 *	  App-defined permissions mapped to roles: the trigger that guards
 *	  roboto_orgs.role_permissions (the deployment's table), and
 *	  my_permissions(org), the caller's permissions in an org for an app's UI.
 *	  has_permission() and caller_org_ids_with(), which RLS policies call,
 *	  live in rls.c beside has_role(); the trigger that logs the table's
 *	  changes lives in events.c with the other log triggers.
 *
 * A role has its own permissions and those of every role below it
 * (owner > admin > user), so a permission resolves to the lowest role that
 * has it, and a member has it when their highest role is at least that.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "roboto_orgs.h"

PG_FUNCTION_INFO_V1(roboto_orgs_role_permissions_check);
/*
 * BEFORE INSERT OR UPDATE OR DELETE ON role_permissions, FOR EACH ROW: only
 * a superuser or the trusted service changes the mapping (a restore too),
 * even where a table privilege was granted to another role by mistake.
 * The permission name itself is checked by the table's CHECK constraint.
 */
Datum
roboto_orgs_role_permissions_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "role_permissions_check", true);

	if (!ro_restoring() && !ro_is_trusted_service())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to change roboto_orgs.role_permissions"),
				 errdetail("The mapping of roles to permissions belongs to the deployment."),
				 errhint("Change it as a superuser or as the trusted service (roboto_orgs.service_role).")));
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(td->tg_trigtuple);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return PointerGetDatum(td->tg_newtuple);
	return PointerGetDatum(td->tg_trigtuple);
}

static RoPlan my_permissions_plan = {
	"SELECT DISTINCT rp.permission FROM roboto_orgs.org_members m "
	"JOIN roboto_orgs.role_permissions rp ON rp.role OPERATOR(pg_catalog.<=) ANY (m.roles) "
	"WHERE m.org_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2 "
	"ORDER BY rp.permission",
	2, {TEXTOID, TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_my_permissions);
/*
 * my_permissions(org): the caller's permissions in org, ordered; no rows for
 * an anonymous caller, a non-member or an unknown org (as has_permission
 * answers false for them). STRICT.
 */
Datum
roboto_orgs_my_permissions(PG_FUNCTION_ARGS)
{
	char	   *caller = ro_caller_id();

	/* a set of text: the descriptor is the one the executor expects */
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (caller != NULL)
	{
		Datum		v[2];
		RoSpi		spi;

		v[0] = PG_GETARG_DATUM(0);
		v[1] = CStringGetTextDatum(caller);
		ro_spi_begin(&spi);
		ro_exec(&my_permissions_plan, v, NULL, true, 0);
		ro_result_to_tuplestore(fcinfo);
		ro_spi_end(&spi);
	}
	return (Datum) 0;
}
