/*
 * compat.h
 *	  The differences between the PostgreSQL majors roboto_orgs builds for
 *	  (15 through 18), in one place. Code elsewhere uses these names and never
 *	  tests PG_VERSION_NUM itself.
 *
 * - RO_NORETURN: marks a function that never returns (it always raises).
 *   18 replaced the pg_attribute_noreturn() suffix with a pg_noreturn prefix;
 *   it goes first in the declaration:  RO_NORETURN void ro_raise_x(...);
 * - RO_MY_LXID: this backend's local transaction id. 17 moved it from
 *   MyProc->lxid into MyProc->vxid.lxid.
 */
#ifndef ROBOTO_ORGS_COMPAT_H
#define ROBOTO_ORGS_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "roboto_orgs needs PostgreSQL 15 or later"
#endif

#if PG_VERSION_NUM >= 180000
#define RO_NORETURN pg_noreturn
#else
/* __attribute__((noreturn)) where the compiler has it; GCC and clang take it first too */
#define RO_NORETURN pg_attribute_noreturn()
#endif

#if PG_VERSION_NUM >= 170000
#define RO_MY_LXID (MyProc->vxid.lxid)
#else
#define RO_MY_LXID (MyProc->lxid)
#endif

#endif							/* ROBOTO_ORGS_COMPAT_H */
