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

/* org_record: the columns of roboto_orgs.orgs it shows */
#define RO_ORG_COLS(a) \
	a ".org_id, " a ".name, " a ".tier, " a ".status, " a ".data_region, " \
	a ".created, " a ".created_by"
#define RO_ORG_RECORD(a) "ROW(" RO_ORG_COLS(a) ")::roboto_orgs.org_record"

/* user_record: the columns of roboto_orgs.users */
#define RO_USER_COLS(a) \
	a ".user_id, " a ".email, " a ".name, " a ".picture_url, " \
	a ".is_service_user, " a ".is_system_user"
#define RO_USER_RECORD(a) "ROW(" RO_USER_COLS(a) ")::roboto_orgs.user_record"

/*
 * org_invite_record over FROM RO_INVITE_FROM: the invite i, its org o and
 * its inviter b (NULL once the inviter is deleted); a pending invite past
 * its expiry shows as expired.
 */
#define RO_INVITE_COLS \
	"i.invite_id, i.user_id, " \
	"CASE WHEN b.user_id IS NULL THEN NULL ELSE " RO_USER_RECORD("b") " END, " \
	RO_ORG_RECORD("o") ", " \
	"CASE WHEN i.status = 'pending' AND i.expires <= pg_catalog.now() " \
	"THEN 'expired'::roboto_orgs.org_invite_status ELSE i.status END, " \
	"i.created, i.expires"
#define RO_INVITE_FROM \
	"FROM roboto_orgs.org_invites i " \
	"JOIN roboto_orgs.orgs o ON o.org_id = i.org_id " \
	"LEFT JOIN roboto_orgs.users b ON b.user_id = i.invited_by "

#endif							/* ROBOTO_ORGS_RECORDS_H */
