/* roboto_orgs 0.2.0 -> 0.3.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION roboto_orgs UPDATE TO '0.3.0'" to load this file. \quit

-- 0.2.0 is released and its scripts are frozen: what 0.3.0 adds or changes
-- goes here. A fresh install of 0.3.0 runs 0.1.0, then 0.1.0--0.2.0, then
-- this script.
