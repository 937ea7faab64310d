/*
 * email_domain_bindings.c
 *	  Email domains bound to orgs: the API over the bindings (the seed's
 *	  Org.bind_email_domain, unbind_email_domain, email_domains;
 *	  verify_email_domain and email_domain_bindings beyond the seed),
 *	  create_org's binding of the creator's domain, and the two triggers
 *	  bindings drive:
 *	  - users_join_by_email_domain: a new user whose email domain is bound
 *	    to an org, and verified, joins it as user (sign-up auto-join);
 *	  - webmail_domains_merge: a row inserted for a listed webmail domain
 *	    updates that row, so that a dump of the list restores over the list
 *	    CREATE EXTENSION ships.
 *	  Invariant 5 (a domain has at most one binding, compared on the
 *	  normalised form) is the primary key of org_email_domains: the type
 *	  normalises on input, so every spelling of a domain is one key. The
 *	  tier's limit on bindings is limits.c's; no binding changes while the
 *	  org is de-provisioning is invariants.c's.
 *
 *	  Domains are passed to SPI as text (the type is binary-compatible with
 *	  text) and cast in SQL; operators are written OPERATOR(roboto_orgs.=)
 *	  since the functions run with search_path = pg_catalog, pg_temp.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"

#include "roboto_orgs.h"

#define ED_EQ "OPERATOR(roboto_orgs.=)"

/* A non-NULL email_domain argument, as a C string (its normalised form) */
static char *
arg_domain(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"email_domain\" must not be null")));
	return TextDatumGetCString(PG_GETARG_DATUM(argno));
}

static RoPlan webmail_plan = {
	"SELECT w.email_domain::text FROM roboto_orgs.webmail_domains w "
	"WHERE w.refused AND w.email_domain " ED_EQ " ANY ($1::roboto_orgs.email_domain[]) "
	"ORDER BY pg_catalog.length(w.email_domain::text) LIMIT 1",
	1, {TEXTARRAYOID}
};

/*
 * 22023 when domain is a public webmail domain, or a subdomain of one,
 * listed (and refused) in roboto_orgs.webmail_domains.
 */
static void
refuse_webmail(const char *domain)
{
	Datum		suffixes[RO_DOMAIN_MAX_LEN / 2 + 1];
	int			n = 0;
	const char *p = domain;
	Datum		v[1];

	/* The domain and each parent with at least two labels */
	while (p != NULL && strchr(p, '.') != NULL)
	{
		suffixes[n++] = CStringGetTextDatum(p);
		p = strchr(p, '.') + 1;
	}
	v[0] = PointerGetDatum(construct_array(suffixes, n, TEXTOID, -1, false, TYPALIGN_INT));
	if (ro_exec(&webmail_plan, v, NULL, true, 1) > 0)
	{
		char	   *listed = ro_result_text(0, 0);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("email domain \"%s\" is a public webmail domain", domain),
				 strcmp(listed, domain) == 0
				 ? errdetail("Anyone can have an address at %s, so it cannot tie users to an org.", domain)
				 : errdetail("It is under %s, which anyone can have an address at.", listed),
				 errhint("Bind the org's own domain; the list is the table roboto_orgs.webmail_domains.")));
	}
}

static RoPlan insert_binding_plan = {
	"INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id, verified, bound_by) "
	"VALUES ($1::roboto_orgs.email_domain, $2, $3, $4) "
	"ON CONFLICT (email_domain) DO NOTHING",
	4, {TEXTOID, TEXTOID, BOOLOID, TEXTOID}
};

static RoPlan bound_to_plan = {
	"SELECT d.org_id FROM roboto_orgs.org_email_domains d "
	"WHERE d.email_domain " ED_EQ " $1::roboto_orgs.email_domain",
	1, {TEXTOID}
};

/* 23505 for a domain that is bound already: say whether to this org, without naming another one */
static RO_NORETURN void
raise_domain_taken(const char *org_id, const char *domain, Datum *v)
{
	if (ro_exec_latest(&bound_to_plan, v, NULL, 1) > 0)
	{
		char	   *owner = ro_result_text(0, 0);

		if (owner != NULL && strcmp(owner, org_id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("email domain \"%s\" is already bound to org \"%s\"", domain, org_id)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("email domain \"%s\" is already bound to another org", domain),
			 errdetail("An email domain is bound to at most one org."),
			 errhint("Ask that org's admins to unbind it first.")));
}

/*
 * Binds domain to org_id (webmail refused with 22023, a domain bound to any
 * org with 23505, over the tier's limit 23514). The binding is looked up
 * first, so that a taken domain reports 23505 rather than the tier limit; a
 * concurrent bind of the same domain is caught by ON CONFLICT. Call inside
 * ro_spi_begin/end.
 */
static void
bind_domain(const char *org_id, const char *domain, bool verified, const char *caller)
{
	Datum		v[4];

	refuse_webmail(domain);
	v[0] = CStringGetTextDatum(domain);
	v[1] = CStringGetTextDatum(org_id);
	v[2] = BoolGetDatum(verified);
	v[3] = CStringGetTextDatum(caller);
	if (ro_exec(&bound_to_plan, v, NULL, false, 1) > 0)
		raise_domain_taken(org_id, domain, v);
	if (ro_exec(&insert_binding_plan, v, NULL, false, 0) == 0)
		raise_domain_taken(org_id, domain, v);
}

static RoPlan user_email_plan = {
	"SELECT u.email FROM roboto_orgs.users u WHERE u.user_id = $1",
	1, {TEXTOID}
};

/*
 * The normalised domain of a user's email into out (RO_DOMAIN_BUFSIZE);
 * false when the user has no email or its domain is not a valid one (then
 * *email tells which: NULL for none). Call inside ro_spi_begin/end.
 */
static bool
user_email_domain(const char *user_id, char *out, char **email, RoDomainStatus *st,
				  const char **detail)
{
	Datum		v[1] = {CStringGetTextDatum(user_id)};

	*email = NULL;
	*st = RO_DOMAIN_EMPTY;
	*detail = NULL;
	if (ro_exec(&user_email_plan, v, NULL, true, 1) == 0)
		return false;
	*email = ro_result_text(0, 0);
	if (*email == NULL)
		return false;
	*st = ro_email_domain_normalize(*email, strlen(*email), true, out, detail);
	return *st == RO_DOMAIN_OK;
}

/*
 * create_org(..., bind_email_domain => true): binds the creator's email
 * domain to the new org, verified. 22023 when the creator has no email, no
 * valid domain in it, or a webmail one; 23505 when the domain is bound.
 * Call inside ro_spi_begin/end; an error undoes the org with the rest.
 */
void
ro_bind_creator_email_domain(const char *org_id, const char *caller)
{
	char		domain[RO_DOMAIN_BUFSIZE];
	char	   *email;
	RoDomainStatus st;
	const char *detail;

	if (!user_email_domain(caller, domain, &email, &st, &detail))
	{
		if (email == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("user \"%s\" has no email address whose domain could be bound", caller),
					 errhint("Create the org with bind_email_domain => false, then bind a domain with roboto_orgs.bind_email_domain().")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("email address of user \"%s\" has no domain that can be bound", caller),
				 errdetail("%s", ro_domain_status_text(st)),
				 errhint("Create the org with bind_email_domain => false.")));
	}
	bind_domain(org_id, domain, true, caller);
}

PG_FUNCTION_INFO_V1(roboto_orgs_bind_email_domain);
/* bind_email_domain(org, email_domain) */
Datum
roboto_orgs_bind_email_domain(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *domain = arg_domain(fcinfo, 1);
	char	   *caller = ro_require_caller();
	char		own[RO_DOMAIN_BUFSIZE];
	char	   *email;
	RoDomainStatus st;
	const char *detail;
	bool		verified;
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	ro_spi_begin(&spi);
	a = ro_require_org_role(org_id, caller, RO_ADMIN, "bind email domains", true);
	ro_require_org_not_deprovisioning(org_id, &a);
	/* The caller's own domain is proven by their address: verified at once */
	verified = user_email_domain(caller, own, &email, &st, &detail) && strcmp(own, domain) == 0;
	bind_domain(org_id, domain, verified, caller);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan verify_plan = {
	"UPDATE roboto_orgs.org_email_domains SET verified = true "
	"WHERE org_id = $1 AND email_domain " ED_EQ " $2::roboto_orgs.email_domain",
	2, {TEXTOID, TEXTOID}
};

/* PT404 for a domain not bound to org_id */
static RO_NORETURN void
raise_domain_not_bound(const char *org_id, const char *domain)
{
	ereport(ERROR,
			(errcode(ERRCODE_RO_NOT_FOUND),
			 errmsg("email domain \"%s\" is not bound to org \"%s\"", domain, org_id)));
}

PG_FUNCTION_INFO_V1(roboto_orgs_verify_email_domain);
/* verify_email_domain(org, email_domain) */
Datum
roboto_orgs_verify_email_domain(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *domain = arg_domain(fcinfo, 1);
	Datum		v[2];
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	ro_require_trusted_service("verify email domains");
	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(domain);
	ro_spi_begin(&spi);
	a = ro_org_access(org_id, NULL, true);
	ro_require_org_exists(org_id, &a);
	ro_require_org_not_deprovisioning(org_id, &a);
	if (ro_exec(&verify_plan, v, NULL, false, 0) == 0)
		raise_domain_not_bound(org_id, domain);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan unbind_plan = {
	"DELETE FROM roboto_orgs.org_email_domains "
	"WHERE org_id = $1 AND email_domain " ED_EQ " $2::roboto_orgs.email_domain",
	2, {TEXTOID, TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_unbind_email_domain);
/* unbind_email_domain(org, email_domain): members who joined through it stay */
Datum
roboto_orgs_unbind_email_domain(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *domain = arg_domain(fcinfo, 1);
	char	   *caller = ro_require_caller();
	Datum		v[2];
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	v[0] = CStringGetTextDatum(org_id);
	v[1] = CStringGetTextDatum(domain);
	ro_spi_begin(&spi);
	a = ro_require_org_role(org_id, caller, RO_ADMIN, "unbind email domains", true);
	ro_require_org_not_deprovisioning(org_id, &a);
	if (ro_exec(&unbind_plan, v, NULL, false, 0) == 0)
		raise_domain_not_bound(org_id, domain);
	result = ro_org_record(org_id, false);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}

static RoPlan list_plan = {
	"SELECT d.email_domain FROM roboto_orgs.org_email_domains d "
	"WHERE d.org_id = $1 ORDER BY d.email_domain",
	1, {TEXTOID}
};

static RoPlan bindings_plan = {
	"SELECT d.email_domain, d.verified, d.bound_by, d.created "
	"FROM roboto_orgs.org_email_domains d "
	"WHERE d.org_id = $1 ORDER BY d.email_domain",
	1, {TEXTOID}
};

/* An admin-only list of an org's bindings into the function's result set */
static void
list_bindings(FunctionCallInfo fcinfo, RoPlan *plan, bits32 srf_flags)
{
	ro_list_org(fcinfo, plan, RO_ADMIN, "list its email domains", srf_flags);
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domains);
/* email_domains(org) */
Datum
roboto_orgs_email_domains(PG_FUNCTION_ARGS)
{
	/* A set of a scalar type: the tuple descriptor is the one the executor expects */
	list_bindings(fcinfo, &list_plan, MAT_SRF_USE_EXPECTED_DESC);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(roboto_orgs_email_domain_bindings);
/* email_domain_bindings(org) */
Datum
roboto_orgs_email_domain_bindings(PG_FUNCTION_ARGS)
{
	list_bindings(fcinfo, &bindings_plan, 0);
	return (Datum) 0;
}

static RoPlan join_org_plan = {
	"SELECT d.org_id FROM roboto_orgs.org_email_domains d "
	"JOIN roboto_orgs.orgs o ON o.org_id = d.org_id "
	"WHERE d.email_domain " ED_EQ " $1::roboto_orgs.email_domain AND d.verified "
	"AND o.status <> 'de-provisioning' FOR NO KEY UPDATE OF o",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_users_join_by_email_domain);
/*
 * AFTER INSERT ON users: a user whose email domain is bound to an org, and
 * verified, joins that org as user. The org row is locked (as every join
 * does) so that an org moving to de-provisioning at the same time is seen and
 * skipped, and seats are counted race-free. An org without a free seat is
 * skipped too: the user is still created, and an event member.join_skipped
 * says why. An email without a valid domain joins nothing.
 */
Datum
roboto_orgs_users_join_by_email_domain(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "users_join_by_email_domain", false);
	TupleDesc	desc = td->tg_relation->rd_att;
	bool		isnull;
	Datum		emaild = ro_tuple_value(td->tg_trigtuple, desc, "email", &isnull);
	Datum		user_id;
	char		domain[RO_DOMAIN_BUFSIZE];
	text	   *email;
	const char *detail;
	RoSpi		spi;
	Datum		v[1];

	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"users_join_by_email_domain\" must be fired on INSERT")));
	/* A restore loads the memberships as they were, whatever the table order */
	if (isnull || ro_restoring())
		return PointerGetDatum(NULL);
	email = DatumGetTextPP(emaild);
	if (ro_email_domain_normalize(VARDATA_ANY(email), VARSIZE_ANY_EXHDR(email), true,
								  domain, &detail) != RO_DOMAIN_OK)
		return PointerGetDatum(NULL);
	user_id = ro_tuple_value(td->tg_trigtuple, desc, "user_id", &isnull);
	if (isnull)
		return PointerGetDatum(NULL);

	ro_spi_begin(&spi);
	v[0] = CStringGetTextDatum(domain);
	if (ro_exec(&join_org_plan, v, NULL, false, 1) > 0)
	{
		char	   *org_id = ro_result_text(0, 0);
		char	   *uid = TextDatumGetCString(user_id);
		char	   *tier = NULL;
		int			max_members = 0;

		if (ro_org_has_seat(org_id, uid, false, &tier, &max_members))
			ro_join_org_as_user(org_id, uid);
		else
		{
			char	   *why = psprintf("{\"reason\": \"no free seat\", \"email_domain\": \"%s\", "
									   "\"tier\": \"%s\", \"max_members\": %d}",
									   domain, tier, max_members);

			ro_log_event(org_id, "member.join_skipped", uid, (Datum) 0,
						 DirectFunctionCall1(jsonb_in, CStringGetDatum(why)));
		}
	}
	ro_spi_end(&spi);
	return PointerGetDatum(NULL);
}

static RoPlan webmail_merge_plan = {
	"UPDATE roboto_orgs.webmail_domains SET refused = $2, note = $3 "
	"WHERE email_domain " ED_EQ " $1::roboto_orgs.email_domain",
	3, {TEXTOID, BOOLOID, TEXTOID}
};

PG_FUNCTION_INFO_V1(roboto_orgs_webmail_domains_merge);
/*
 * BEFORE INSERT ON webmail_domains: inserting a domain that is listed
 * updates its row instead. pg_dump keeps the whole (edited) list; on
 * restore CREATE EXTENSION inserts the shipped list first, and the dumped
 * rows then merge into it instead of failing on the primary key.
 */
Datum
roboto_orgs_webmail_domains_merge(PG_FUNCTION_ARGS)
{
	TriggerData *td = ro_trigger_data(fcinfo, "webmail_domains_merge", true);
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	tuple = td->tg_trigtuple;
	Datum		v[3];
	char		n[3] = {' ', ' ', ' '};
	bool		isnull;
	int			updated;
	RoSpi		spi;

	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"webmail_domains_merge\" must be fired on INSERT")));
	v[0] = ro_tuple_value(tuple, desc, "email_domain", &isnull);
	if (isnull)
		return PointerGetDatum(tuple);
	v[1] = ro_tuple_value(tuple, desc, "refused", &isnull);
	if (isnull)
		return PointerGetDatum(tuple);
	v[2] = ro_tuple_value(tuple, desc, "note", &isnull);
	if (isnull)
		n[2] = 'n';
	ro_spi_begin(&spi);
	updated = ro_exec(&webmail_merge_plan, v, n, false, 0);
	ro_spi_end(&spi);
	return PointerGetDatum(updated > 0 ? NULL : tuple);
}
