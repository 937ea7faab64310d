/*
 * rls.c
 *	  Helpers for row-level security policies of an app's own tables:
 *	  is_member(org) and has_role(org, role) for the caller, and
 *	  caller_org_ids(min_role) for the "planned once" policy pattern.
 *	  Anonymous callers, unknown orgs and NULL get false (or no rows), never
 *	  an error.
 *
 * A policy such as USING (roboto_orgs.has_role(org_id, 'user')) calls
 * has_role once per row of every scan, so it has to cost about as much as a
 * hash probe. Each call site (the FmgrInfo of the function call in the
 * plan) keeps an RlsCache in fn_extra, allocated in fn_mcxt:
 *
 * - The first call loads the caller's memberships with one SPI query (org
 *   id and highest role, at most RLS_PRELOAD_MAX rows) into a simplehash
 *   keyed by org id. Later calls hash the org id and probe; the last org
 *   asked about is remembered too, since rows often come grouped by org (an
 *   index on org_id, a clustered table). When the caller has at most
 *   RLS_PRELOAD_MAX memberships the map is complete and a miss means "not a
 *   member"; otherwise a miss is looked up with one SPI query for that org
 *   and remembered, and the map is emptied whenever it reaches RLS_MEMO_MAX
 *   entries. Memory stays bounded (about 1.5 MB per call site) even for a
 *   caller with 100k memberships.
 *
 * - fn_extra can outlive a statement: plpgsql keeps the expression state of
 *   "simple expressions" (x := has_role(...)) for a whole transaction. So
 *   every call checks that the cache was loaded under what decides the
 *   answer, and reloads otherwise:
 *     * the transaction (the local transaction id) and subtransaction (a rolled back
 *       savepoint takes its writes back; today the snapshot's xmax moves then
 *       too, the subtransaction id makes that explicit);
 *     * the active snapshot: xmin, xmax, curcid (our own earlier statements'
 *       writes) and the set of running transactions. When both snapshots
 *       carry the same non-zero snapXactCompletionCount no transaction ended
 *       between them (the reasoning of GetSnapshotDataReuse), so the xid
 *       arrays need no comparison; otherwise (restored snapshots in parallel
 *       workers, imported ones) the arrays are compared;
 *     * the settings the caller is derived from: request.jwt.claims,
 *       roboto_orgs.jwt_claim and roboto_orgs.user_id. The module defines
 *       all three, and their assign hook bumps ro_caller_settings_generation
 *       on every assignment (roboto_orgs.c), so one integer comparison tells
 *       whether any of them changed. Neither a pointer comparison (a freed
 *       setting string can be reused for a new value at the same address)
 *       nor the snapshot (set_config() between two evaluations changes no
 *       snapshot field) would be sound.
 *   The membership query runs read-only, i.e. with that same active
 *   snapshot, so the cached answers are exactly what a per-row query would
 *   return. A role granted or removed by an earlier statement of our
 *   transaction, or committed by another one before a READ COMMITTED
 *   statement started, is seen by that statement; a malformed
 *   request.jwt.claims raises 22023 as caller_id() does, every time.
 *
 * Labels (in the install script):
 * - STABLE: the answer depends on the table contents under the statement's
 *   snapshot and on settings, never changes within a statement, and the
 *   function writes nothing. Not IMMUTABLE: answers change between
 *   statements.
 * - Not STRICT: the contract answers false (not NULL) for a NULL org or role,
 *   so that NOT is_member(x) is true for a NULL x. (STRICT would buy nothing
 *   for a C function: the executor's null check is no cheaper than ours.)
 * - PARALLEL SAFE: the function only reads, under the transaction snapshot;
 *   a parallel worker gets the leader's snapshot and settings (including the
 *   request.jwt.claims), so it computes the same answers; its
 *   cache is its own. Labelling it RESTRICTED would force every scan of an
 *   RLS-protected table onto one process.
 * - No SET search_path: a function with SET clauses runs through
 *   fmgr_security_definer, which saves and restores settings on every call,
 *   several microseconds per row, far more than the whole probe. It is safe
 *   without one because nothing here resolves a name through search_path:
 *   the SQL of the SPI statements names every table, type and operator with
 *   its schema (roboto_orgs.org_members, pg_catalog.text[],
 *   OPERATOR(pg_catalog.=)), casts are found by type OIDs, and the C code
 *   looks up schema roboto_orgs by name. A temporary schema or an object a
 *   user creates elsewhere cannot shadow any of them. (The plan cache does
 *   re-analyse a kept statement when search_path differs from its last use;
 *   that costs a re-parse per query, not per row, and gives the same plan.)
 *   The statements run as the extension owner (ro_spi_begin), as every
 *   other operation does, so callers need no privilege on the tables.
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/snapshot.h"
#include "utils/tuplestore.h"

#include "roboto_orgs.h"

/* Memberships loaded at once; a caller with more falls back to per-org lookups */
#define RLS_PRELOAD_MAX 10000
/* Entries the map may hold in fallback mode before it is emptied */
#define RLS_MEMO_MAX 20000
/* Longest org id remembered as the last one asked about */
#define RLS_LAST_KEY_MAX 64
/* Longest permission name (the role_permissions check allows 63 bytes) */
#define RLS_PERM_KEY_MAX 64
/* Size of the blocks org ids are copied into */
#define RLS_ARENA_BLOCK (32 * 1024)

/* An org id: bytes of a text value, not NUL-terminated */
typedef struct RlsKey
{
	const char *data;
	uint32		len;
} RlsKey;

/*
 * Hash of an org id, 8 bytes at a time (org ids are "og_" and 32 hex digits:
 * hash_bytes() took a sixth of the time of a policy scan).
 */
static inline uint32
key_hash(const char *p, uint32 len)
{
	uint64		h = UINT64CONST(0x9E3779B97F4A7C15) ^ len;
	uint64		v;
	const char *end = p + len;

	if (len >= 8)
	{
		while (end - p > 8)
		{
			memcpy(&v, p, 8);
			h = (h ^ v) * UINT64CONST(0xFF51AFD7ED558CCD);
			h ^= h >> 32;
			p += 8;
		}
		/* the last 8 bytes, overlapping the previous word if need be */
		memcpy(&v, end - 8, 8);
	}
	else
	{
		v = 0;
		for (; p < end; p++)
			v = (v << 8) | (unsigned char) *p;
	}
	h = (h ^ v) * UINT64CONST(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	h *= UINT64CONST(0xC4CEB9FE1A85EC53);
	h ^= h >> 33;
	return (uint32) h;
}

typedef struct RlsEntry
{
	RlsKey		key;
	uint32		hash;
	uint8		rank;			/* RoRole; RO_ROLE_NONE: known non-member */
	char		status;
} RlsEntry;

#define SH_PREFIX rlsmap
#define SH_ELEMENT_TYPE RlsEntry
#define SH_KEY_TYPE RlsKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) key_hash((k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct RlsCache
{
	MemoryContext keycxt;		/* what the content was loaded under */
	MemoryContext mapcxt;		/* the map and the org ids it points to */
	rlsmap_hash *map;
	char	   *arena;			/* free space for org ids in mapcxt */
	Size		arena_left;

	bool		valid;
	bool		anonymous;		/* no caller: every answer is false */
	bool		complete;		/* map holds every membership of the caller */
	char	   *caller;

	/* transaction and snapshot the content was loaded under */
	LocalTransactionId lxid;
	SubTransactionId subxid;
	TransactionId xmin;
	TransactionId xmax;
	CommandId	curcid;
	uint64		completion;
	uint32		xcnt;
	int32		subxcnt;
	bool		suboverflowed;
	TransactionId *xip;			/* xcnt then subxcnt xids */

	/* ro_caller_settings_generation when the caller was derived */
	uint64		settings_generation;

	/* last org asked about and its answer (rows often come grouped by org) */
	int			last_len;		/* -1: none */
	RoRole		last_rank;
	char		last_key[RLS_LAST_KEY_MAX];

	/* last role argument seen, an org_role_name OID */
	Oid			role_oid;
	RoRole		role_rank;

	/*
	 * last permission asked about and the lowest role that has it
	 * (RO_ROLE_NONE: no role has it), valid for the load it was resolved
	 * under: a reload (new snapshot, transaction or caller) resolves again
	 */
	uint64		loads;			/* cache_load() calls so far */
	uint64		perm_load;		/* the load perm_rank was resolved under */
	int			perm_len;		/* -1: none */
	RoRole		perm_rank;
	char		perm_key[RLS_PERM_KEY_MAX];
} RlsCache;

static RoPlan caller_memberships_plan = {
	"SELECT m.org_id, m.roles::pg_catalog.text[] FROM roboto_orgs.org_members m "
	"WHERE m.user_id OPERATOR(pg_catalog.=) $1",
	1, {TEXTOID}
};

static RoPlan permission_role_plan = {
	"SELECT pg_catalog.min(rp.role)::pg_catalog.text FROM roboto_orgs.role_permissions rp "
	"WHERE rp.permission OPERATOR(pg_catalog.=) $1",
	1, {TEXTOID}
};

static RoPlan caller_org_ids_with_plan = {
	"SELECT m.org_id FROM roboto_orgs.org_members m "
	"WHERE m.user_id OPERATOR(pg_catalog.=) $1 "
	"AND EXISTS (SELECT FROM roboto_orgs.role_permissions rp "
	"WHERE rp.permission OPERATOR(pg_catalog.=) $2 "
	"AND rp.role OPERATOR(pg_catalog.<=) ANY (m.roles)) "
	"ORDER BY m.org_id",
	2, {TEXTOID, TEXTOID}
};

static RoPlan caller_org_ids_plan = {
	"SELECT m.org_id FROM roboto_orgs.org_members m "
	"WHERE m.user_id OPERATOR(pg_catalog.=) $1 "
	"AND $2::roboto_orgs.org_role_name OPERATOR(pg_catalog.<=) ANY (m.roles) "
	"ORDER BY m.org_id",
	2, {TEXTOID, TEXTOID}
};

/* Whether the cache was loaded under this transaction, snapshot and caller */
static inline bool
cache_is_current(RlsCache *c, Snapshot snap)
{
	if (!c->valid ||
		c->lxid != RO_MY_LXID ||
		c->subxid != GetCurrentSubTransactionId() ||
		c->xmin != snap->xmin ||
		c->xmax != snap->xmax ||
		c->curcid != snap->curcid)
		return false;
	if (c->completion == 0 || snap->snapXactCompletionCount != c->completion)
	{
		if (c->xcnt != snap->xcnt ||
			c->subxcnt != snap->subxcnt ||
			c->suboverflowed != snap->suboverflowed)
			return false;
		if (snap->xcnt > 0 &&
			memcmp(c->xip, snap->xip, sizeof(TransactionId) * snap->xcnt) != 0)
			return false;
		if (snap->subxcnt > 0 &&
			memcmp(c->xip + c->xcnt, snap->subxip, sizeof(TransactionId) * snap->subxcnt) != 0)
			return false;
	}
	return c->settings_generation == ro_caller_settings_generation;
}

/*
 * An empty map for n entries. Most probes of a policy scan are misses (rows
 * of other orgs), and a miss in a linear-probing table walks to the next
 * empty bucket, so the table is kept at most a third full.
 */
static void
map_reset(RlsCache *c, uint32 n)
{
	MemoryContextReset(c->mapcxt);
	c->map = rlsmap_create(c->mapcxt, Max(n, 16) * 3, NULL);
	c->arena = NULL;
	c->arena_left = 0;
}

/* Remember the rank of the caller in an org; the key's bytes are copied */
static void
map_put(RlsCache *c, RlsKey key, RoRole rank)
{
	bool		found;
	RlsEntry   *e = rlsmap_insert(c->map, key, &found);

	if (!found)
	{
		char	   *copy;

		if (key.len > c->arena_left)
		{
			Size		size = Max(RLS_ARENA_BLOCK, key.len);

			c->arena = MemoryContextAlloc(c->mapcxt, size);
			c->arena_left = size;
		}
		copy = c->arena;
		memcpy(copy, key.data, key.len);
		c->arena += key.len;
		c->arena_left -= key.len;
		e->key.data = copy;
	}
	e->rank = (uint8) rank;
}

/*
 * (Re)load the cache for the active snapshot and the current caller: one
 * query for the caller's memberships, at most RLS_PRELOAD_MAX + 1 rows.
 */
static void
cache_load(RlsCache *c, Snapshot snap)
{
	char	   *caller;

	c->valid = false;
	MemoryContextReset(c->keycxt);
	c->caller = NULL;
	c->last_len = -1;
	c->loads++;

	/* What the content is loaded under */
	c->lxid = RO_MY_LXID;
	c->subxid = GetCurrentSubTransactionId();
	c->xmin = snap->xmin;
	c->xmax = snap->xmax;
	c->curcid = snap->curcid;
	c->completion = snap->snapXactCompletionCount;
	c->xcnt = snap->xcnt;
	c->subxcnt = snap->subxcnt;
	c->suboverflowed = snap->suboverflowed;
	c->xip = MemoryContextAlloc(c->keycxt,
								sizeof(TransactionId) * (Max(snap->xcnt + snap->subxcnt, 1)));
	if (snap->xcnt > 0)
		memcpy(c->xip, snap->xip, sizeof(TransactionId) * snap->xcnt);
	if (snap->subxcnt > 0)
		memcpy(c->xip + snap->xcnt, snap->subxip, sizeof(TransactionId) * snap->subxcnt);
	c->settings_generation = ro_caller_settings_generation;

	caller = ro_caller_id();
	if (caller == NULL)
	{
		map_reset(c, 0);
		c->anonymous = true;
		c->complete = true;
	}
	else
	{
		Datum		v[1] = {CStringGetTextDatum(caller)};
		RoSpi		spi;
		int			n;

		c->anonymous = false;
		c->caller = MemoryContextStrdup(c->keycxt, caller);
		ro_spi_begin(&spi);
		n = ro_exec(&caller_memberships_plan, v, NULL, true, RLS_PRELOAD_MAX + 1);
		c->complete = (n <= RLS_PRELOAD_MAX);
		if (!c->complete)
			n = RLS_PRELOAD_MAX;
		map_reset(c, (uint32) n);
		for (int i = 0; i < n; i++)
		{
			bool		isnull;
			text	   *org = DatumGetTextPP(ro_result(i, 0, &isnull));
			Datum		roles = ro_result(i, 1, &isnull);
			RlsKey		key = {VARDATA_ANY(org), VARSIZE_ANY_EXHDR(org)};

			map_put(c, key, isnull ? RO_ROLE_NONE : ro_role_rank(ro_mask_from_text_array(roles)));
		}
		ro_spi_end(&spi);
	}
	c->valid = true;
}

/* The caller's rank in one org, by query (fallback mode and no-snapshot case) */
static RoRole
lookup_rank(const char *caller, RlsKey key)
{
	char	   *org_id = pnstrdup(key.data, key.len);
	RoSpi		spi;
	RoRole		rank;

	ro_spi_begin(&spi);
	rank = ro_role_rank(ro_member_mask(org_id, caller, false));
	ro_spi_end(&spi);
	pfree(org_id);
	return rank;
}

/* The cache of this call site, made on first use */
static inline RlsCache *
get_cache(FunctionCallInfo fcinfo)
{
	RlsCache   *c = (RlsCache *) fcinfo->flinfo->fn_extra;

	if (c == NULL)
	{
		MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;

		c = MemoryContextAllocZero(mcxt, sizeof(RlsCache));
		c->keycxt = AllocSetContextCreate(mcxt, "roboto_orgs rls cache keys",
										  ALLOCSET_SMALL_SIZES);
		c->mapcxt = AllocSetContextCreate(mcxt, "roboto_orgs rls cache",
										  ALLOCSET_DEFAULT_SIZES);
		c->role_oid = InvalidOid;
		c->perm_len = -1;
		fcinfo->flinfo->fn_extra = c;
	}
	return c;
}

/* Highest role of the caller in an org; RO_ROLE_NONE for anonymous callers and non-members */
static RoRole
caller_rank(FunctionCallInfo fcinfo, text *org)
{
	RlsCache   *c = get_cache(fcinfo);
	RlsKey		key = {VARDATA_ANY(org), VARSIZE_ANY_EXHDR(org)};
	RlsEntry   *e;
	RoRole		rank;

	if (unlikely(!ActiveSnapshotSet()))
	{
		/* Not under an executor (cannot happen for SQL calls): no caching */
		char	   *caller = ro_caller_id();

		if (caller == NULL)
			return RO_ROLE_NONE;
		PushActiveSnapshot(GetTransactionSnapshot());
		rank = lookup_rank(caller, key);
		PopActiveSnapshot();
		return rank;
	}
	if (!cache_is_current(c, GetActiveSnapshot()))
		cache_load(c, GetActiveSnapshot());
	if (c->anonymous)
		return RO_ROLE_NONE;
	if (c->last_len >= 0 && key.len == (uint32) c->last_len && memcmp(key.data, c->last_key, key.len) == 0)
		return c->last_rank;
	e = rlsmap_lookup(c->map, key);
	if (e != NULL)
		rank = (RoRole) e->rank;
	else if (c->complete)
		rank = RO_ROLE_NONE;
	else
	{
		/* Fallback mode: ask, and remember within bounds */
		rank = lookup_rank(c->caller, key);
		if (c->map->members >= RLS_MEMO_MAX)
			map_reset(c, RLS_MEMO_MAX / 2);
		map_put(c, key, rank);
	}
	if (key.len <= RLS_LAST_KEY_MAX)
	{
		memcpy(c->last_key, key.data, key.len);
		c->last_len = (int) key.len;
		c->last_rank = rank;
	}
	return rank;
}

/* Rank of an org_role_name argument, remembered per call site */
static inline RoRole
role_arg_rank(FunctionCallInfo fcinfo, Datum role)
{
	RlsCache   *c = get_cache(fcinfo);
	Oid			oid = DatumGetObjectId(role);

	if (oid != c->role_oid)
	{
		c->role_rank = ro_role_from_enum(role);
		c->role_oid = oid;
	}
	return c->role_rank;
}

PG_FUNCTION_INFO_V1(roboto_orgs_is_member);
/* is_member(org) */
Datum
roboto_orgs_is_member(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(caller_rank(fcinfo, PG_GETARG_TEXT_PP(0)) >= RO_USER);
}

PG_FUNCTION_INFO_V1(roboto_orgs_has_role);
/* has_role(org, role) */
Datum
roboto_orgs_has_role(PG_FUNCTION_ARGS)
{
	RoRole		min_role;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	min_role = role_arg_rank(fcinfo, PG_GETARG_DATUM(1));
	PG_RETURN_BOOL(caller_rank(fcinfo, PG_GETARG_TEXT_PP(0)) >= min_role);
}

/*
 * The lowest role that has a permission (RO_ROLE_NONE when none has it),
 * remembered per call site for the load the caller's roles come from: the
 * mapping is read under the same snapshot as the memberships, so a mapping
 * changed by an earlier statement is seen exactly when a role would be.
 * Call after caller_rank(), which (re)loads the cache.
 */
static RoRole
permission_rank(FunctionCallInfo fcinfo, text *permission)
{
	RlsCache   *c = get_cache(fcinfo);
	const char *p = VARDATA_ANY(permission);
	int			len = (int) VARSIZE_ANY_EXHDR(permission);
	RoRole		rank = RO_ROLE_NONE;
	Datum		v[1];
	RoSpi		spi;
	Snapshot	snap = NULL;

	bool		memo = c->valid && ActiveSnapshotSet();

	if (memo && c->perm_len == len && c->perm_load == c->loads &&
		memcmp(c->perm_key, p, len) == 0)
		return c->perm_rank;
	/* Not a valid permission name: no role can have it */
	if (len < 1 || len >= RLS_PERM_KEY_MAX)
		return RO_ROLE_NONE;

	v[0] = PointerGetDatum(permission);
	if (!ActiveSnapshotSet())
	{
		snap = GetTransactionSnapshot();
		PushActiveSnapshot(snap);
	}
	ro_spi_begin(&spi);
	if (ro_exec(&permission_role_plan, v, NULL, true, 1) == 1)
	{
		char	   *label = ro_result_text(0, 0);

		if (label != NULL)
			rank = ro_role_from_label(label);
	}
	ro_spi_end(&spi);
	if (snap != NULL)
		PopActiveSnapshot();

	if (memo)
	{
		memcpy(c->perm_key, p, len);
		c->perm_len = len;
		c->perm_load = c->loads;
		c->perm_rank = rank;
	}
	return rank;
}

PG_FUNCTION_INFO_V1(roboto_orgs_has_permission);
/* has_permission(org, permission) */
Datum
roboto_orgs_has_permission(PG_FUNCTION_ARGS)
{
	RoRole		rank;
	RoRole		needed;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	rank = caller_rank(fcinfo, PG_GETARG_TEXT_PP(0));
	if (rank == RO_ROLE_NONE)
		PG_RETURN_BOOL(false);
	needed = permission_rank(fcinfo, PG_GETARG_TEXT_PP(1));
	PG_RETURN_BOOL(needed != RO_ROLE_NONE && rank >= needed);
}

/* The caller's org ids from one of the plans above ($1 caller, $2 text), into a materialized SRF */
static void
caller_org_ids_srf(FunctionCallInfo fcinfo, RoPlan *plan, Datum arg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *caller = ro_caller_id();
	MemoryContext old;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(desc, (AttrNumber) 1, "org_id", TEXTOID, -1, 0);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = desc;
	rsinfo->setResult = tuplestore_begin_heap(false, false, work_mem);
	MemoryContextSwitchTo(old);

	if (caller != NULL)
	{
		Datum		v[2];
		RoSpi		spi;

		v[0] = CStringGetTextDatum(caller);
		v[1] = arg;
		ro_spi_begin(&spi);
		ro_exec(plan, v, NULL, true, 0);
		ro_result_to_tuplestore(fcinfo);
		ro_spi_end(&spi);
	}
}

PG_FUNCTION_INFO_V1(roboto_orgs_caller_org_ids);
/*
 * caller_org_ids(min_role): ids of the orgs where the caller holds min_role
 * or a role above it, ordered; no rows for an anonymous caller. STRICT.
 */
Datum
roboto_orgs_caller_org_ids(PG_FUNCTION_ARGS)
{
	caller_org_ids_srf(fcinfo, &caller_org_ids_plan,
					   CStringGetTextDatum(ro_role_label(ro_role_from_enum(PG_GETARG_DATUM(0)))));
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(roboto_orgs_caller_org_ids_with);
/*
 * caller_org_ids_with(permission): ids of the orgs where one of the caller's
 * roles (or a role below it) has the permission, ordered; no rows for an
 * anonymous caller or an unknown permission. STRICT.
 */
Datum
roboto_orgs_caller_org_ids_with(PG_FUNCTION_ARGS)
{
	caller_org_ids_srf(fcinfo, &caller_org_ids_with_plan, PG_GETARG_DATUM(0));
	return (Datum) 0;
}
