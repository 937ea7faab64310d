/*
 * roboto_orgs.h
 *	  Declarations shared by the parts of roboto_orgs, grouped by the file
 *	  that defines them: settings, SQLSTATEs, roles as bit sets, statuses,
 *	  SPI plan helpers, identity, trigger rows, access checks, records,
 *	  limits, events. CONTRIBUTING.md ("Code map") shows how they layer.
 */
#ifndef ROBOTO_ORGS_H
#define ROBOTO_ORGS_H

#include "postgres.h"

#include "compat.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"

/* RobotoNotFoundException */
#define ERRCODE_RO_NOT_FOUND MAKE_SQLSTATE('P','T','4','0','4')

/*
 * field4 of the advisory lock tags the module takes itself, apart from 1 and
 * 2 (what pg_advisory_*() use), so they never meet an app's advisory locks:
 * the event feed's writer registration (event_feed.c) and the lock that
 * orders a user's joining an org against a new pending invite of that user
 * to that org (invariants.c).
 */
#define RO_LOCK_KIND_FEED 0x524F		/* 'R' 'O' */
#define RO_LOCK_KIND_MEMBERSHIP 0x524D	/* 'R' 'M' */

/* Longest org name, user id, user name, in characters */
#define RO_MAX_NAME_CHARS 200

/* Settings (roboto_orgs.c) */
extern char *ro_request_jwt_claims;
extern char *ro_jwt_claim;
extern char *ro_user_id;
extern char *ro_service_role;
extern char *ro_event_consumer_role;
extern int	ro_invite_ttl_seconds;
/* Bumped whenever request.jwt.claims, roboto_orgs.jwt_claim or roboto_orgs.user_id is assigned */
extern uint64 ro_caller_settings_generation;

/*
 * Roles as a bit set: a member holds a set of roles, and a role implies the
 * ones below it, so "holds at least admin" is ro_role_rank(mask) >= RO_ADMIN.
 */
typedef enum RoRole
{
	RO_ROLE_NONE = 0,
	RO_USER = 1,
	RO_ADMIN = 2,
	RO_OWNER = 3
} RoRole;

#define RO_BIT(role) (1 << ((role) - 1))
#define RO_ALL_ROLES (RO_BIT(RO_USER) | RO_BIT(RO_ADMIN) | RO_BIT(RO_OWNER))

extern const char *ro_role_label(RoRole role);
extern RoRole ro_role_from_label(const char *label);
extern RoRole ro_role_from_enum(Datum enumval);
extern RoRole ro_role_rank(int mask);
extern int	ro_mask_from_text_array(Datum textarray);
extern int	ro_mask_from_enum_array(ArrayType *arr, bool *has_null);
extern Datum ro_text_array_from_mask(int mask);
extern char *ro_enum_label(Datum enumval);

/*
 * A parameterised SPI statement, prepared on first use and kept for the life
 * of the backend (SPI_keepplan). Argument types are built-in types only, so a
 * plan never holds the OID of one of our types; our types are named in the
 * SQL text and resolved again whenever the plan cache revalidates the plan.
 */
typedef struct RoPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[8];
	SPIPlanPtr	plan;
} RoPlan;

/* SPI session run as the extension owner (spi.c) */
typedef struct RoSpi
{
	Oid			save_userid;
	int			save_sec_context;
} RoSpi;

extern void ro_spi_begin(RoSpi *s);
extern void ro_spi_end(RoSpi *s);
extern int	ro_exec(RoPlan *p, Datum *values, const char *nulls, bool read_only, long count);
extern int	ro_exec_latest(RoPlan *p, Datum *values, const char *nulls, long count);
extern Datum ro_result(int row, int col, bool *isnull);
extern Datum ro_result_copy(int row, int col, bool *isnull);
extern char *ro_result_text(int row, int col);
extern void ro_result_to_tuplestore(FunctionCallInfo fcinfo);

/*
 * Org and invite statuses as C values; their labels are the SQL enums'
 * (org_status, org_invite_status), converted in one place (roboto_orgs.c).
 */
typedef enum RoOrgStatus
{
	RO_ORG_PROVISIONING,
	RO_ORG_ACTIVE,
	RO_ORG_DEPROVISIONING
} RoOrgStatus;

typedef enum RoInviteStatus
{
	RO_INVITE_PENDING,
	RO_INVITE_ACCEPTED,
	RO_INVITE_DECLINED,
	RO_INVITE_REVOKED,
	RO_INVITE_EXPIRED
} RoInviteStatus;

extern RoOrgStatus ro_org_status_from_label(const char *label);
extern const char *ro_invite_status_label(RoInviteStatus status);
extern RoInviteStatus ro_invite_status_from_label(const char *label);

/* Which schema the database has (roboto_orgs.c) */
extern bool ro_schema_v03(void);

/* Argument checks (roboto_orgs.c) */
extern text *ro_arg_text(FunctionCallInfo fcinfo, int argno, const char *argname);
extern char *ro_arg_cstring(FunctionCallInfo fcinfo, int argno, const char *argname);
extern void ro_check_name(const char *what, const char *value, bool allow_null);

/* Input echoed in an error: at most this many characters, then "…" (roboto_orgs.c) */
#define RO_ECHO_MAX_CHARS 64
extern bool ro_invisible_code_point(pg_wchar c);
extern const char *ro_echo(const char *s);

/* Identity (identity.c) */
extern char *ro_caller_id(void);
extern char *ro_require_caller(void);
/* Call ro_is_trusted_service() before ro_spi_begin(): inside, the user is the extension owner */
extern bool ro_is_trusted_service(void);
extern void ro_require_trusted_service(const char *action);
extern bool ro_user_exists(const char *user_id, bool read_only);
extern void ro_require_known_user(const char *user_id, bool is_caller);

/* ids.c */
extern char *ro_new_id(const char *prefix);

/* Restore detection (restore.c) */
extern bool ro_restoring(void);

/* Reading the rows a trigger sees (tuples.c) */
struct TriggerData;
extern struct TriggerData *ro_trigger_data(FunctionCallInfo fcinfo, const char *name, bool before);
extern Datum ro_tuple_value(HeapTuple tuple, TupleDesc desc, const char *column, bool *isnull);
extern char *ro_tuple_text(HeapTuple tuple, TupleDesc desc, const char *column);
extern char *ro_tuple_enum_label(HeapTuple tuple, TupleDesc desc, const char *column);
extern int	ro_tuple_roles(HeapTuple tuple, TupleDesc desc);
extern bool ro_column_changed(HeapTuple a, HeapTuple b, TupleDesc desc, const char *column);

/* Access to an org (access.c) */
typedef struct RoOrgAccess
{
	bool		exists;
	RoOrgStatus status;			/* when exists */
	int			caller_mask;	/* roles of the caller, 0 if not a member */
} RoOrgAccess;

extern bool ro_read_org_status(const char *org_id, bool lock, RoOrgStatus *status);
extern int	ro_member_mask(const char *org_id, const char *user_id, bool latest);
extern void ro_lock_org_for_update(const char *org_id);
extern RoOrgAccess ro_org_access(const char *org_id, const char *caller, bool lock_org);
extern RoOrgAccess ro_org_access_of(Datum status, bool roles_null, Datum roles);
extern RO_NORETURN void ro_raise_org_not_found(const char *org_id);
extern void ro_require_org_exists(const char *org_id, const RoOrgAccess *a);
extern void ro_require_role_in(const RoOrgAccess *a, const char *org_id, const char *caller,
							   RoRole min_role, const char *action);
extern RoOrgAccess ro_require_org_role(const char *org_id, const char *caller,
									   RoRole min_role, const char *action, bool lock_org);
extern void ro_require_org_not_deprovisioning(const char *org_id, const RoOrgAccess *a);
extern void ro_require_org_active(const char *org_id, const RoOrgAccess *a);
extern void ro_list_org(FunctionCallInfo fcinfo, RoPlan *plan, RoRole min_role,
						const char *action, bits32 srf_flags);

/* Records (records.c; their column lists in records.h) */
extern Datum ro_org_record(const char *org_id, bool read_only);
extern Datum ro_org_user_record(const char *org_id, const char *user_id);

/* Tier limits (limits.c) */
extern bool ro_org_has_seat(const char *org_id, const char *user_id, bool for_invite,
							char **tier, int *max_members);
extern RO_NORETURN void ro_raise_org_full(const char *org_id, const char *tier, int max_members);

/* The event log (events.c) */
extern void ro_log_event(const char *org_id, const char *kind, const char *subject,
						 Datum before, Datum after);

/* Members (members.c) */
extern void ro_join_org_as_user(const char *org_id, const char *user_id);
extern void ro_join_org(const char *org_id, const char *user_id, RoRole role);

/* Email addresses (email_address.c, since 0.3.0) */
extern char *ro_email_address_key(const char *s, size_t len);
extern char *ro_email_address_check(const char *s, size_t len);

/* Email domains (email_domain.c: the type; email_domain_bindings.c: the bindings) */
#include "domain_parse.h"

extern RoDomainStatus ro_email_domain_normalize(const char *s, size_t len, bool email,
												char *out, const char **detail);
extern RO_NORETURN void ro_email_domain_report(RoDomainStatus st, const char *detail,
											const char *s, size_t len, bool email);
extern void ro_bind_creator_email_domain(const char *org_id, const char *caller);

#endif							/* ROBOTO_ORGS_H */
