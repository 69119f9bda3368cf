/*
 * extension/sql/pgmig--0.5--0.6.sql - upgrade pgmig 0.5 to 0.6.
 *
 * 0.6 lets CI see what production will see (issue 16):
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.6'" to load this file. \quit
