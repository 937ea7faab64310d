/*
 * identity.c
 *	  Who is calling: caller_id() from request.jwt.claims (the claim named by
 *	  roboto_orgs.jwt_claim) or roboto_orgs.user_id; the trusted service path
 *	  (members of the role named by roboto_orgs.service_role); and sign-up
 *	  (create_user), the trusted service's way to register users.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "roboto_orgs.h"
#include "records.h"

/*
 * The claims as jsonb. JSON that jsonb cannot hold (a \u0000 escape, or one
 * the server encoding cannot represent: 22P05) fails with 22P02 like any
 * other claims that are not valid JSON, the one SQLSTATE documented for it.
 */
static Jsonb *
parse_claims(const char *claims)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Jsonb	   *jb = NULL;

	PG_TRY();
	{
		jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_UNTRANSLATABLE_CHARACTER)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("request.jwt.claims is not valid JSON"),
				 errdetail("%s", ro_echo(edata->detail ? edata->detail : edata->message))));
	}
	PG_END_TRY();
	return jb;
}

/*
 * The claim named by roboto_orgs.jwt_claim in the JSON claims: a non-empty
 * JSON string, taken as it is. Missing, JSON null or an empty string: NULL
 * (anonymous). Any other JSON type is refused with 22023: a number would
 * otherwise name a caller by its text, and 1.0e2, 100 and 100.0 would be
 * three spellings of one claim, of which a user id can only be one.
 */
static char *
caller_from_claims(const char *claims)
{
	Jsonb	   *jb;
	JsonbValue *v;
	const char *claim = ro_jwt_claim ? ro_jwt_claim : "sub";

	jb = parse_claims(claims);
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("request.jwt.claims is not a JSON object")));
	v = getKeyJsonValueFromContainer(&jb->root, claim, strlen(claim), NULL);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
		return v->val.string.len > 0 ? pnstrdup(v->val.string.val, v->val.string.len) : NULL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("claim \"%s\" of request.jwt.claims is not a string", ro_echo(claim)),
			 errdetail("A caller's user id is taken from a JSON string only."),
			 errhint("Issue the JWT with the user id as a string, e.g. {\"%s\": \"42\"}.", ro_echo(claim))));
	pg_unreachable();
}

/*
 * The caller's user id, or NULL for an anonymous caller. Reads the settings
 * once. When request.jwt.claims is set (a PostgREST request), the claims
 * alone name the caller: a JWT without the claim, or with an empty one, is
 * anonymous, even where roboto_orgs.user_id has a value (a role's or the
 * database's default, which PostgREST applies to its requests too).
 *
 * The answer is remembered for as long as ro_caller_settings_generation does
 * not move (no assignment of the three settings since), so the claims are
 * parsed once per request, not once per call and event. Malformed claims are
 * not remembered: they raise their error every time.
 */
char *
ro_caller_id(void)
{
	static uint64 known_generation = 0;
	static bool known = false;
	static char *known_caller = NULL;
	const char *claims = ro_request_jwt_claims;
	char	   *caller;

	if (known && known_generation == ro_caller_settings_generation)
		return known_caller ? pstrdup(known_caller) : NULL;

	if (claims != NULL && claims[0] != '\0')
		caller = caller_from_claims(claims);
	else if (ro_user_id != NULL && ro_user_id[0] != '\0')
		caller = pstrdup(ro_user_id);
	else
		caller = NULL;

	if (known_caller != NULL)
		pfree(known_caller);
	known_caller = caller ? MemoryContextStrdup(TopMemoryContext, caller) : NULL;
	known_generation = ro_caller_settings_generation;
	known = true;
	return caller;
}

/* The caller's user id; 42501 for an anonymous caller */
char *
ro_require_caller(void)
{
	char	   *id = ro_caller_id();

	if (id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("anonymous caller is not allowed"),
				 errdetail("Neither request.jwt.claims nor roboto_orgs.user_id names a user."),
				 errhint("Set roboto_orgs.user_id (SET LOCAL) or send a JWT with the \"%s\" claim.",
						 ro_jwt_claim ? ro_jwt_claim : "sub")));
	return id;
}

/* Whether current_user acts as the trusted service */
bool
ro_is_trusted_service(void)
{
	Oid			me = GetUserId();
	Oid			service;

	if (superuser_arg(me))
		return true;
	if (ro_service_role == NULL || ro_service_role[0] == '\0')
		return false;
	service = get_role_oid(ro_service_role, true);
	if (!OidIsValid(service))
		return false;
	return has_privs_of_role(me, service);
}

static RoPlan user_exists_plan = {
	"SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = $1",
	1, {TEXTOID}
};

/*
 * Whether a user exists. read_only: under the active snapshot; otherwise
 * (triggers) also seeing what the statement that fired them deleted. Call
 * inside ro_spi_begin/end.
 */
bool
ro_user_exists(const char *user_id, bool read_only)
{
	Datum		v[1] = {CStringGetTextDatum(user_id)};

	return ro_exec(&user_exists_plan, v, NULL, read_only, 1) > 0;
}

/*
 * The user must exist: 42501 when it is the caller (an unknown caller is
 * not allowed anything), PT404 otherwise. Call inside ro_spi_begin/end.
 */
void
ro_require_known_user(const char *user_id, bool is_caller)
{
	if (ro_user_exists(user_id, true))
		return;
	if (is_caller)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("caller \"%s\" is not a known user", ro_echo(user_id)),
				 errhint("Register the user with roboto_orgs.create_user() first.")));
	ereport(ERROR,
			(errcode(ERRCODE_RO_NOT_FOUND),
			 errmsg("user \"%s\" does not exist", ro_echo(user_id))));
}

PG_FUNCTION_INFO_V1(roboto_orgs_caller_id);
/* caller_id() */
Datum
roboto_orgs_caller_id(PG_FUNCTION_ARGS)
{
	char	   *id = ro_caller_id();

	if (id == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(id));
}

PG_FUNCTION_INFO_V1(roboto_orgs_is_trusted_service);
/* is_trusted_service() */
Datum
roboto_orgs_is_trusted_service(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ro_is_trusted_service());
}

/* 42501 unless current_user is the trusted service */
void
ro_require_trusted_service(const char *action)
{
	if (!ro_is_trusted_service())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the trusted service may %s", action),
				 errhint("Grant role \"%s\" (roboto_orgs.service_role) to the service's database role.",
						 ro_service_role ? ro_service_role : "")));
}

static RoPlan insert_user_plan = {
	"INSERT INTO roboto_orgs.users AS u (user_id, email, name, picture_url, is_service_user, is_system_user) "
	"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING "
	"RETURNING " RO_USER_RECORD("u"),
	6, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, BOOLOID}
};

static RoPlan user_id_taken_plan = {
	"SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = $1",
	1, {TEXTOID}
};

/* An email address: one @, something on each side, no white space, at most 320 octets */
static void
check_email(const char *email)
{
	const char *at = strchr(email, '@');
	const char *p;

	if (strlen(email) > 320 || at == NULL || at == email || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not an email address", ro_echo(email)),
				 errhint("Give an address of the form name@example.com.")));
	for (p = email; *p; p++)
		if (isspace((unsigned char) *p) || iscntrl((unsigned char) *p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is not an email address", ro_echo(email)),
					 errdetail("It contains white space or control characters.")));
}

PG_FUNCTION_INFO_V1(roboto_orgs_create_user);
/*
 * create_user(user_id, email, name, picture_url, is_service_user, is_system_user).
 * Joining the org that a verified binding of the email's domain names is
 * the AFTER INSERT trigger users_join_by_email_domain's
 * (email_domain_bindings.c), so it holds for users inserted by any path.
 */
Datum
roboto_orgs_create_user(PG_FUNCTION_ARGS)
{
	char	   *user_id = ro_arg_cstring(fcinfo, 0, "user_id");
	char	   *email = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *name = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *picture_url = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	Datum		v[6];
	char		n[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	RoSpi		spi;
	Datum		result;
	bool		isnull;

	ro_require_trusted_service("create users");
	if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments \"is_service_user\" and \"is_system_user\" must not be null")));
	ro_check_name("user_id", user_id, false);
	ro_check_name("user name", name, true);
	if (email != NULL)
		check_email(email);
	if (picture_url != NULL && strlen(picture_url) > 2048)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("picture_url is longer than 2048 octets")));

	v[0] = CStringGetTextDatum(user_id);
	v[1] = email ? CStringGetTextDatum(email) : (Datum) 0;
	v[2] = name ? CStringGetTextDatum(name) : (Datum) 0;
	v[3] = picture_url ? CStringGetTextDatum(picture_url) : (Datum) 0;
	v[4] = PG_GETARG_DATUM(4);
	v[5] = PG_GETARG_DATUM(5);
	if (!email)
		n[1] = 'n';
	if (!name)
		n[2] = 'n';
	if (!picture_url)
		n[3] = 'n';

	ro_spi_begin(&spi);
	/*
	 * The conflict is on the user id, or (0.3.0, users_email_key) on the
	 * address: ON CONFLICT DO NOTHING waited for a concurrent sign-up, so the
	 * latest snapshot tells which
	 */
	if (ro_exec(&insert_user_plan, v, n, false, 1) == 0)
	{
		if (email == NULL || ro_exec_latest(&user_id_taken_plan, v, NULL, 1) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("user \"%s\" already exists", ro_echo(user_id))));
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("email address \"%s\" is already taken", ro_echo(email)),
				 errdetail("Addresses are unique with the domain normalised and the local part's ASCII letters in lower case."),
				 errhint("Each user needs an address of their own.")));
	}
	result = ro_result_copy(0, 0, &isnull);
	ro_spi_end(&spi);
	PG_RETURN_DATUM(result);
}
