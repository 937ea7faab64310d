/*
 * restore.c
 *	  Whether pg_dump's output is being restored. While it is, the triggers
 *	  that log events, count seats or look at other tables step aside, so
 *	  rows come back as they were, in whatever order the restore loads the
 *	  tables.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "roboto_orgs.h"

/*
 * pg_dump says it is restoring by turning check_function_bodies off. Any role
 * may turn that setting off, so it counts only for a superuser (restoring the
 * extension's tables takes one); otherwise an API role could change orgs
 * without an event or past the tier's seat limit. GetOuterUserId(): the role
 * that called, not the extension owner the functions switch to.
 */
bool
ro_restoring(void)
{
	return !check_function_bodies && superuser_arg(GetOuterUserId());
}
