/*
 * records.h
 *	  The column lists of the record types (roboto_orgs.org_record,
 *	  user_record, org_invite_record), written once as SQL text for the
 *	  statements that build them. Each takes the alias of the table in the
 *	  statement as a string literal: RO_ORG_RECORD("o") is
 *	  ROW(o.org_id, ..., o.created_by)::roboto_orgs.org_record.
 */
#ifndef ROBOTO_ORGS_RECORDS_H
#define ROBOTO_ORGS_RECORDS_H

/*
 * org_record: the columns of roboto_orgs.orgs it shows. Since 0.3.0 also the
 * slug, public_metadata for a caller who is a member of the org and
 * private_metadata for a caller who is an admin (NULL for anyone else: an
 * invitee, the trusted service without a caller). The caller is
 * roboto_orgs.caller_id(), read in the statement.
 */
#define RO_ORG_CALLER_IS_MEMBER(a, extra) \
	"EXISTS (SELECT 1 FROM roboto_orgs.org_members rm WHERE rm.org_id OPERATOR(pg_catalog.=) " a ".org_id " \
	"AND rm.user_id OPERATOR(pg_catalog.=) roboto_orgs.caller_id()" extra ")"
#define RO_ORG_COLS_V02(a) \
	a ".org_id, " a ".name, " a ".tier, " a ".status, " a ".data_region, " \
	a ".created, " a ".created_by"
#define RO_ORG_COLS(a) \
	RO_ORG_COLS_V02(a) ", " a ".slug, " \
	"CASE WHEN " RO_ORG_CALLER_IS_MEMBER(a, "") " THEN " a ".public_metadata END, " \
	"CASE WHEN " RO_ORG_CALLER_IS_MEMBER(a, " AND rm.roles OPERATOR(pg_catalog.&&) " \
										 "'{admin,owner}'::roboto_orgs.org_role_name[]") \
	" THEN " a ".private_metadata END"
#define RO_ORG_RECORD(a) "ROW(" RO_ORG_COLS(a) ")::roboto_orgs.org_record"

/*
 * The _V02 lists are the records of the 0.1.0 and 0.2.0 schemas: the module
 * serves a database whose extension has not been updated yet (between
 * installing this build and ALTER EXTENSION roboto_orgs UPDATE) with them;
 * ro_schema_v03() tells which applies.
 */
#define RO_ORG_RECORD_V02(a) "ROW(" RO_ORG_COLS_V02(a) ")::roboto_orgs.org_record"

/* user_record: the columns of roboto_orgs.users */
#define RO_USER_COLS(a) \
	a ".user_id, " a ".email, " a ".name, " a ".picture_url, " \
	a ".is_service_user, " a ".is_system_user"
#define RO_USER_RECORD(a) "ROW(" RO_USER_COLS(a) ")::roboto_orgs.user_record"

/*
 * org_invite_record over FROM RO_INVITE_FROM: the invite i, its org o and
 * its inviter b (NULL once the inviter is deleted); a pending invite past
 * its expiry shows as expired. Since 0.3.0 also the role accepting grants
 * and the address of an invitation by email.
 */
#define RO_INVITE_COLS_OF(org) \
	"i.invite_id, i.user_id, " \
	"CASE WHEN b.user_id IS NULL THEN NULL ELSE " RO_USER_RECORD("b") " END, " \
	org ", " \
	"CASE WHEN i.status = 'pending' AND i.expires <= pg_catalog.now() " \
	"THEN 'expired'::roboto_orgs.org_invite_status ELSE i.status END, " \
	"i.created, i.expires"
#define RO_INVITE_COLS RO_INVITE_COLS_OF(RO_ORG_RECORD("o")) ", i.role, i.email"
#define RO_INVITE_COLS_V02 RO_INVITE_COLS_OF(RO_ORG_RECORD_V02("o"))
#define RO_INVITE_FROM \
	"FROM roboto_orgs.org_invites i " \
	"JOIN roboto_orgs.orgs o ON o.org_id = i.org_id " \
	"LEFT JOIN roboto_orgs.users b ON b.user_id = i.invited_by "

#endif							/* ROBOTO_ORGS_RECORDS_H */
