/*
 * roboto_orgs.c
 *	  Module entry: the settings (GUCs) of roboto_orgs, roles as bit sets,
 *	  org and invite statuses as C enums (the one place their SQL labels are
 *	  spelled), and the argument checks every SQL function shares.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "roboto_orgs.h"

PG_MODULE_MAGIC;

char	   *ro_request_jwt_claims = NULL;
char	   *ro_jwt_claim = NULL;
char	   *ro_user_id = NULL;
char	   *ro_service_role = NULL;
char	   *ro_event_consumer_role = NULL;
int			ro_invite_ttl_seconds = 7 * 24 * 3600;

uint64		ro_caller_settings_generation = 0;

void		_PG_init(void);

/*
 * Assign hook of the settings the caller is derived from. The server calls it
 * on every assignment: SET, SET LOCAL, set_config(), RESET, a function's SET
 * clause and its undoing, the end of a transaction or subtransaction that
 * changed the setting, and a parallel worker's copy of the leader's settings.
 * So an unchanged counter means an unchanged caller (rls.c relies on it).
 */
static void
caller_setting_assigned(const char *newval, void *extra)
{
	ro_caller_settings_generation++;
}

/* Defines the settings and reserves the roboto_orgs. prefix */
void
_PG_init(void)
{
	/*
	 * PostgREST's per-request claims. Defining the setting (rather than
	 * reading a placeholder by name) gives the module its value through a
	 * plain variable and tells it of every change through the assign hook,
	 * with the supported GUC API on every major. A value set before the
	 * module was loaded is kept. Until something sets it, the value is NULL
	 * (current_setting() shows an empty string, as it does for a placeholder
	 * once a transaction has set it locally).
	 */
	DefineCustomStringVariable("request.jwt.claims",
							   "Claims of the verified JWT of the current request, as JSON (set by PostgREST).",
							   "roboto_orgs takes the caller from the claim named by roboto_orgs.jwt_claim.",
							   &ro_request_jwt_claims, NULL,
							   PGC_USERSET, GUC_NOT_IN_SAMPLE,
							   NULL, caller_setting_assigned, NULL);
	DefineCustomStringVariable("roboto_orgs.jwt_claim",
							   "Claim of request.jwt.claims that holds the caller's user id.",
							   "PostgREST puts the verified JWT's claims in request.jwt.claims; "
							   "use 'email' for deployments whose user ids are emails.",
							   &ro_jwt_claim, "sub",
							   PGC_SUSET, 0, NULL, caller_setting_assigned, NULL);
	DefineCustomStringVariable("roboto_orgs.user_id",
							   "Caller's user id, for apps that set it per transaction with SET LOCAL.",
							   "Used when request.jwt.claims gives no caller.",
							   &ro_user_id, "",
							   PGC_USERSET, 0, NULL, caller_setting_assigned, NULL);
	DefineCustomStringVariable("roboto_orgs.service_role",
							   "Role whose members act as the trusted service.",
							   "The trusted service signs users up, lists any user's orgs, "
							   "verifies email domains and changes tiers.",
							   &ro_service_role, "roboto_orgs_service",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("roboto_orgs.invite_ttl",
							"How long an invitation stays acceptable.",
							NULL,
							&ro_invite_ttl_seconds, 7 * 24 * 3600, 60, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomStringVariable("roboto_orgs.event_consumer_role",
							   "Role whose members may read the event feed (event_feed).",
							   "The trusted service may read it too; API roles may not.",
							   &ro_event_consumer_role, "roboto_orgs_event_consumer",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("roboto_orgs");
}

static const char *const role_labels[] = {NULL, "user", "admin", "owner"};

/* Label of a role */
const char *
ro_role_label(RoRole role)
{
	if (role < RO_USER || role > RO_OWNER)
		elog(ERROR, "invalid role %d", (int) role);
	return role_labels[role];
}

/* Role of a label, RO_ROLE_NONE if unknown */
RoRole
ro_role_from_label(const char *label)
{
	for (int r = RO_USER; r <= RO_OWNER; r++)
		if (strcmp(label, role_labels[r]) == 0)
			return (RoRole) r;
	return RO_ROLE_NONE;
}

/* Label of an enum value */
char *
ro_enum_label(Datum enumval)
{
	return DatumGetCString(DirectFunctionCall1(enum_out, enumval));
}

/* Role of an org_role_name value */
RoRole
ro_role_from_enum(Datum enumval)
{
	RoRole		r = ro_role_from_label(ro_enum_label(enumval));

	if (r == RO_ROLE_NONE)
		elog(ERROR, "unexpected org_role_name value");
	return r;
}

/* Highest role in a set */
RoRole
ro_role_rank(int mask)
{
	for (int r = RO_OWNER; r >= RO_USER; r--)
		if (mask & RO_BIT(r))
			return (RoRole) r;
	return RO_ROLE_NONE;
}

/* Set of roles of a text[] of labels */
int
ro_mask_from_text_array(Datum textarray)
{
	ArrayType  *arr = DatumGetArrayTypeP(textarray);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			mask = 0;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		RoRole		r;

		if (nulls[i])
			continue;
		r = ro_role_from_label(TextDatumGetCString(elems[i]));
		if (r != RO_ROLE_NONE)
			mask |= RO_BIT(r);
	}
	return mask;
}

/* Set of roles of an org_role_name[]; *has_null tells whether an element is NULL */
int
ro_mask_from_enum_array(ArrayType *arr, bool *has_null)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			mask = 0;

	*has_null = false;
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role list must be a one-dimensional array")));
	deconstruct_array(arr, ARR_ELEMTYPE(arr), sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			*has_null = true;
		else
			mask |= RO_BIT(ro_role_from_enum(elems[i]));
	}
	return mask;
}

/* text[] of the labels of a set of roles, in role order */
Datum
ro_text_array_from_mask(int mask)
{
	Datum		elems[3];
	int			n = 0;

	for (int r = RO_USER; r <= RO_OWNER; r++)
		if (mask & RO_BIT(r))
			elems[n++] = CStringGetTextDatum(role_labels[r]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Labels of org_status, in RoOrgStatus order */
static const char *const org_status_labels[] = {"provisioning", "active", "de-provisioning"};

/* Labels of org_invite_status, in RoInviteStatus order */
static const char *const invite_status_labels[] = {"pending", "accepted", "declined", "revoked", "expired"};

/* Status of an org_status label */
RoOrgStatus
ro_org_status_from_label(const char *label)
{
	for (int s = 0; s < (int) lengthof(org_status_labels); s++)
		if (strcmp(label, org_status_labels[s]) == 0)
			return (RoOrgStatus) s;
	elog(ERROR, "unexpected org_status value \"%s\"", label);
	return RO_ORG_PROVISIONING; /* keep the compiler quiet */
}

/* Label of an invite status */
const char *
ro_invite_status_label(RoInviteStatus status)
{
	if ((int) status < 0 || (int) status >= (int) lengthof(invite_status_labels))
		elog(ERROR, "invalid invite status %d", (int) status);
	return invite_status_labels[status];
}

/* Status of an org_invite_status label */
RoInviteStatus
ro_invite_status_from_label(const char *label)
{
	for (int s = 0; s < (int) lengthof(invite_status_labels); s++)
		if (strcmp(label, invite_status_labels[s]) == 0)
			return (RoInviteStatus) s;
	elog(ERROR, "unexpected org_invite_status value \"%s\"", label);
	return RO_INVITE_PENDING;	/* keep the compiler quiet */
}

/*
 * Whether the database's roboto_orgs is at 0.3.0 or later: the table
 * org_invites has the column role, which the 0.2.0--0.3.0 script adds
 * together with everything else 0.3.0 reads (org_email_domains'
 * verification_token among them; nothing runs in between). Until
 * ALTER EXTENSION roboto_orgs UPDATE, this build serves the 0.1.0 and 0.2.0
 * functions with the statements of those schemas. Two catalog cache lookups.
 */
bool
ro_schema_v03(void)
{
	Oid			nsp = get_namespace_oid("roboto_orgs", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("org_invites", nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, "role") != InvalidAttrNumber;
}

/* A text argument that must not be NULL (22004) */
text *
ro_arg_text(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be null", argname)));
	return PG_GETARG_TEXT_PP(argno);
}

/* Same, as a C string */
char *
ro_arg_cstring(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	return text_to_cstring(ro_arg_text(fcinfo, argno, argname));
}

/*
 * Whether a code point shows nothing, or changes how the text around it is
 * shown: Unicode white space (Zs, and the line and paragraph separators), the
 * zero-width characters a name could be padded with, the C1 controls, and
 * the bidirectional controls (U+200E/F, U+202A-E, U+2066-9) that can make an
 * address or a name read as another.
 */
bool
ro_invisible_code_point(pg_wchar c)
{
	return (c >= 0x0080 && c <= 0x00A0) || c == 0x1680 || (c >= 0x2000 && c <= 0x200F) ||
		(c >= 0x2028 && c <= 0x202F) || c == 0x205F ||
		(c >= 0x2060 && c <= 0x2069) || c == 0x3000 || c == 0xFEFF || c == 0x180E;
}

/*
 * A name (org name, user name, user id): not empty, not only white space
 * (ASCII, or in a UTF-8 database any invisible character), at most
 * RO_MAX_NAME_CHARS characters (22023).
 */
void
ro_check_name(const char *what, const char *value, bool allow_null)
{
	const char *p;
	bool		blank = true;

	if (value == NULL)
	{
		if (allow_null)
			return;
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	}
	for (p = value; *p; p += pg_mblen(p))
	{
		if ((unsigned char) *p < 0x80)
		{
			if (!isspace((unsigned char) *p))
				blank = false;
		}
		else if (GetDatabaseEncoding() != PG_UTF8 ||
				 !ro_invisible_code_point(utf8_to_unicode((const unsigned char *) p)))
			blank = false;
		if (!blank)
			break;
	}
	if (blank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty or blank", what)));
	if (pg_mbstrlen(value) > RO_MAX_NAME_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is longer than %d characters", what, RO_MAX_NAME_CHARS),
				 errdetail("It has %d characters.", pg_mbstrlen(value))));
}

/*
 * Input echoed in an error's MESSAGE, DETAIL or HINT, bounded: at most
 * RO_ECHO_MAX_CHARS characters, then "…" when cut. The cut falls on a
 * character boundary of the database encoding (pg_mbcliplen), so the message
 * stays valid text. NULL echoes as "(null)". Returns s itself when it is
 * short enough, else a palloc'd copy.
 */
const char *
ro_echo(const char *s)
{
	int			len;
	int			clip;
	char	   *out;

	if (s == NULL)
		return "(null)";
	len = strlen(s);
	/* Fewer bytes than the limit in characters: short enough whatever the encoding */
	if (len <= RO_ECHO_MAX_CHARS)
		return s;
	clip = pg_mbcharcliplen(s, len, RO_ECHO_MAX_CHARS);
	if (clip >= len)
		return s;
	out = palloc(clip + sizeof("\u2026"));
	memcpy(out, s, clip);
	/* An ellipsis the encoding can show: U+2026 in UTF-8, three dots otherwise */
	if (GetDatabaseEncoding() == PG_UTF8)
		strcpy(out + clip, "\u2026");
	else
		strcpy(out + clip, "...");
	return out;
}
