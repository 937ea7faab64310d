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
 *	  A binding is a claim until it is verified: several orgs may hold a
 *	  pending claim on one domain (the primary key is (email_domain, org_id));
 *	  a pending claim carries a random token for its org to publish in DNS,
 *	  joins nobody and blocks nobody. Invariant 5 (at most one verified
 *	  binding per domain, compared on the normalised form) is the partial
 *	  unique index org_email_domains_verified_key: the type normalises on
 *	  input, so every spelling of a domain is one key. Binding and verifying
 *	  take a transaction-level advisory lock on the domain first, so that
 *	  races end in a clear 23505 rather than a deadlock or a bare unique
 *	  violation. Public suffixes (libpsl, the list of Debian's publicsuffix
 *	  package, loaded once per backend) and webmail domains are refused. The
 *	  tier's limit on bindings is limits.c's; no binding changes while the
 *	  org is de-provisioning is invariants.c's.
 *
 *	  Domains are passed to SPI as text (the type is binary-compatible with
 *	  text) and cast in SQL; operators are written OPERATOR(roboto_orgs.=)
 *	  since the functions run with search_path = pg_catalog, pg_temp.
 */
#include "postgres.h"

#include <libpsl.h>

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
				 errmsg("email domain \"%s\" is a public webmail domain", ro_echo(domain)),
				 strcmp(listed, domain) == 0
				 ? errdetail("Anyone can have an address at %s, so it cannot tie users to an org.", ro_echo(domain))
				 : errdetail("It is under %s, which anyone can have an address at.", ro_echo(listed)),
				 errhint("Bind the org's own domain; the list is the table roboto_orgs.webmail_domains.")));
	}
}

/*
 * The public suffix list, from the file of Debian's publicsuffix package,
 * loaded on first use and kept for the life of the backend (libpsl allocates
 * it with malloc). The compact DAFSA form first, the text form otherwise.
 */
#define RO_PSL_DAFSA "/usr/share/publicsuffix/public_suffix_list.dafsa"
#define RO_PSL_DAT "/usr/share/publicsuffix/public_suffix_list.dat"

static psl_ctx_t *public_suffixes = NULL;

static const psl_ctx_t *
public_suffix_list(void)
{
	if (public_suffixes == NULL)
	{
		public_suffixes = psl_load_file(RO_PSL_DAFSA);
		if (public_suffixes == NULL)
			public_suffixes = psl_load_file(RO_PSL_DAT);
		if (public_suffixes == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("could not load the public suffix list"),
					 errdetail("Neither %s nor %s could be read.", RO_PSL_DAFSA, RO_PSL_DAT),
					 errhint("Install the publicsuffix package.")));
	}
	return public_suffixes;
}

/*
 * 22023 when domain is itself a public suffix (co.uk, com.au, github.io):
 * under one, anyone can register a name, so binding it would tie every one
 * of them to an org. Both sections of the list count (ICANN and private).
 */
static void
refuse_public_suffix(const char *domain)
{
	if (psl_is_public_suffix2(public_suffix_list(), domain, PSL_TYPE_ANY))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("email domain \"%s\" is a public suffix", ro_echo(domain)),
				 errdetail("Anyone can register a name under %s, so it cannot tie users to an org.",
						   ro_echo(domain)),
				 errhint("Bind the org's own domain under it, e.g. acme.%s.", ro_echo(domain))));
}

/* 22023 for a domain no org may bind or verify: webmail, public suffix */
static void
refuse_unbindable(const char *domain)
{
	refuse_public_suffix(domain);
	refuse_webmail(domain);
}

/*
 * Serialises binding and verifying one domain for the rest of the
 * transaction: the first key is roboto_orgs' ('ROED'), the second the hash of
 * the normalised domain (a collision only makes two domains wait for each
 * other). Reads after it use the latest snapshot.
 */
static RoPlan lock_domain_plan = {
	"SELECT pg_catalog.pg_advisory_xact_lock(1380926788, pg_catalog.hashtext($1))",
	1, {TEXTOID}
};

static void
lock_domain(Datum *v)
{
	ro_exec(&lock_domain_plan, v, NULL, false, 0);
}

/* $1 domain: the org holding its verified binding */
static RoPlan verified_holder_plan = {
	"SELECT d.org_id FROM roboto_orgs.org_email_domains d "
	"WHERE d.email_domain " ED_EQ " $1::roboto_orgs.email_domain AND d.verified",
	1, {TEXTOID}
};

/* $1 domain, $2 org: whether the org holds it, and verified */
static RoPlan own_binding_plan = {
	"SELECT d.verified FROM roboto_orgs.org_email_domains d "
	"WHERE d.email_domain " ED_EQ " $1::roboto_orgs.email_domain AND d.org_id = $2",
	2, {TEXTOID, TEXTOID}
};

/*
 * 23505 when another org holds the verified binding of the domain (v[0]),
 * without naming it. Call after lock_domain.
 */
static void
refuse_verified_elsewhere(const char *org_id, const char *domain, Datum *v)
{
	if (ro_exec_latest(&verified_holder_plan, v, NULL, 1) > 0)
	{
		char	   *holder = ro_result_text(0, 0);

		if (holder != NULL && strcmp(holder, org_id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("email domain \"%s\" is already bound to another org", ro_echo(domain)),
					 errdetail("Another org holds its verified binding; an email domain has at most one."),
					 errhint("Ask that org's admins to unbind it first.")));
	}
}

/* Whether org_id (v[1]) holds the domain (v[0]); *verified tells how. Call after lock_domain. */
static bool
own_binding(Datum *v, bool *verified)
{
	bool		isnull;

	if (ro_exec_latest(&own_binding_plan, v, NULL, 1) == 0)
		return false;
	*verified = DatumGetBool(ro_result(0, 0, &isnull));
	return true;
}

static RoPlan mark_verified_legacy_plan = {
	"UPDATE roboto_orgs.org_email_domains SET verified = true "
	"WHERE email_domain " ED_EQ " $1::roboto_orgs.email_domain AND org_id = $2 AND NOT verified",
	2, {TEXTOID, TEXTOID}
};

static RoPlan mark_verified_plan = {
	"UPDATE roboto_orgs.org_email_domains SET verified = true, verification_token = NULL "
	"WHERE email_domain " ED_EQ " $1::roboto_orgs.email_domain AND org_id = $2 AND NOT verified",
	2, {TEXTOID, TEXTOID}
};

static RoPlan drop_claims_plan = {
	"DELETE FROM roboto_orgs.org_email_domains "
	"WHERE email_domain " ED_EQ " $1::roboto_orgs.email_domain AND org_id <> $2 AND NOT verified",
	2, {TEXTOID, TEXTOID}
};

/*
 * Every other org's pending claim on the domain (v[0]) goes, now that org
 * v[1] holds its verified binding; the log trigger records each as
 * domain.claim_dropped.
 */
static void
drop_other_claims(Datum *v)
{
	ro_exec(&drop_claims_plan, v, NULL, false, 0);
}

/* Marks org v[1]'s pending claim on domain v[0] verified and drops the other claims */
static void
mark_verified(Datum *v)
{
	ro_exec(ro_schema_v03() ? &mark_verified_plan : &mark_verified_legacy_plan, v, NULL, false, 0);
	drop_other_claims(v);
}

static RoPlan insert_binding_plan = {
	"INSERT INTO roboto_orgs.org_email_domains "
	"(email_domain, org_id, verified, bound_by, verification_token) "
	"VALUES ($1::roboto_orgs.email_domain, $2, $3, $4, $5) "
	"ON CONFLICT DO NOTHING",
	5, {TEXTOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID}
};

static RoPlan insert_binding_legacy_plan = {
	"INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id, verified, bound_by) "
	"VALUES ($1::roboto_orgs.email_domain, $2, $3, $4) "
	"ON CONFLICT DO NOTHING",
	4, {TEXTOID, TEXTOID, BOOLOID, TEXTOID}
};

/* 23505: the org holds the domain already */
static RO_NORETURN void
raise_already_bound(const char *org_id, const char *domain, bool verified)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("email domain \"%s\" is already bound to org \"%s\"", ro_echo(domain), ro_echo(org_id)),
			 verified ? 0 : errdetail("The binding is pending: publish its verification_token (roboto_orgs.email_domain_bindings) in DNS for the trusted service to verify it.")));
}

/*
 * Binds domain to org_id: verified (and the other orgs' claims dropped), or
 * a pending claim with a new token. 22023 webmail or public suffix; 23505
 * another org holds the verified binding, or this org holds the domain
 * (a pending claim of its own is verified instead when verified is true);
 * 23514 over the tier's limit (the INSERT's trigger). The bindings are
 * looked up first, so that a taken domain reports 23505 rather than the tier
 * limit. Call inside ro_spi_begin/end.
 */
static void
bind_domain(const char *org_id, const char *domain, bool verified, const char *caller)
{
	Datum		v[5];
	char		n[5] = {' ', ' ', ' ', ' ', ' '};
	bool		own_verified = false;

	refuse_unbindable(domain);
	v[0] = CStringGetTextDatum(domain);
	v[1] = CStringGetTextDatum(org_id);
	v[2] = BoolGetDatum(verified);
	v[3] = CStringGetTextDatum(caller);
	if (verified)
	{
		v[4] = (Datum) 0;
		n[4] = 'n';
	}
	else
		v[4] = CStringGetTextDatum(ro_new_id("rv"));
	lock_domain(v);
	refuse_verified_elsewhere(org_id, domain, v);
	if (own_binding(v, &own_verified))
	{
		if (verified && !own_verified)
		{
			mark_verified(v);
			return;
		}
		raise_already_bound(org_id, domain, own_verified);
	}
	/*
	 * Under the lock a conflict is not expected from 0.3.0 on (the index
	 * stays the guard); before it, the primary key on the domain made any
	 * binding a reservation
	 */
	if (ro_exec(ro_schema_v03() ? &insert_binding_plan : &insert_binding_legacy_plan,
				v, n, false, 0) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("email domain \"%s\" is already bound to another org", ro_echo(domain)),
				 errhint("Update the extension (ALTER EXTENSION roboto_orgs UPDATE): from 0.3.0 on, a pending claim reserves nothing.")));
	if (verified)
		drop_other_claims(v);
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
					 errmsg("user \"%s\" has no email address whose domain could be bound", ro_echo(caller)),
					 errhint("Create the org with bind_email_domain => false, then bind a domain with roboto_orgs.bind_email_domain().")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("email address of user \"%s\" has no domain that can be bound", ro_echo(caller)),
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

/* PT404 for a domain not bound to org_id */
static RO_NORETURN void
raise_domain_not_bound(const char *org_id, const char *domain)
{
	ereport(ERROR,
			(errcode(ERRCODE_RO_NOT_FOUND),
			 errmsg("email domain \"%s\" is not bound to org \"%s\"", ro_echo(domain), ro_echo(org_id))));
}

PG_FUNCTION_INFO_V1(roboto_orgs_verify_email_domain);
/* verify_email_domain(org, email_domain) */
Datum
roboto_orgs_verify_email_domain(PG_FUNCTION_ARGS)
{
	char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
	char	   *domain = arg_domain(fcinfo, 1);
	Datum		v[2];
	bool		verified = false;
	RoOrgAccess a;
	RoSpi		spi;
	Datum		result;

	ro_require_trusted_service("verify email domains");
	/* v[0] domain, v[1] org, as the plans above take them */
	v[0] = CStringGetTextDatum(domain);
	v[1] = CStringGetTextDatum(org_id);
	ro_spi_begin(&spi);
	a = ro_org_access(org_id, NULL, true);
	ro_require_org_exists(org_id, &a);
	ro_require_org_not_deprovisioning(org_id, &a);
	refuse_unbindable(domain);
	lock_domain(v);
	refuse_verified_elsewhere(org_id, domain, v);
	if (!own_binding(v, &verified))
		raise_domain_not_bound(org_id, domain);
	if (!verified)
		mark_verified(v);
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

/* email_domain_bindings() of 0.1.0 and 0.2.0, without verification_token */
static RoPlan bindings_legacy_plan = {
	"SELECT d.email_domain, d.verified, d.bound_by, d.created "
	"FROM roboto_orgs.org_email_domains d "
	"WHERE d.org_id = $1 ORDER BY d.email_domain",
	1, {TEXTOID}
};

static RoPlan bindings_plan = {
	"SELECT d.email_domain, d.verified, d.verification_token, d.bound_by, d.created "
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
/*
 * email_domain_bindings(org): admins, or the trusted service acting without
 * a caller, which reads a claim's token to look for it in DNS before
 * verify_email_domain
 */
Datum
roboto_orgs_email_domain_bindings(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	RoPlan	   *bindings = &bindings_plan;

	/* The result type of the installed SQL: 0.1.0 and 0.2.0 have four columns */
	if (get_call_result_type(fcinfo, NULL, &desc) == TYPEFUNC_COMPOSITE && desc->natts == 4)
		bindings = &bindings_legacy_plan;
	if (ro_caller_id() == NULL && ro_is_trusted_service())
	{
		char	   *org_id = ro_arg_cstring(fcinfo, 0, "org");
		Datum		v[1] = {CStringGetTextDatum(org_id)};
		RoOrgAccess a;
		RoSpi		spi;

		InitMaterializedSRF(fcinfo, 0);
		ro_spi_begin(&spi);
		a = ro_org_access(org_id, NULL, false);
		ro_require_org_exists(org_id, &a);
		ro_exec(bindings, v, NULL, true, 0);
		ro_result_to_tuplestore(fcinfo);
		ro_spi_end(&spi);
	}
	else
		list_bindings(fcinfo, bindings, 0);
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
