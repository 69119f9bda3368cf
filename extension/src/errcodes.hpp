/*
 * extension/src/errcodes.hpp
 *
 * pgmig's own SQLSTATEs.  They live in class "PM", which no PostgreSQL
 * release uses.  docs/errors.md lists every SQLSTATE pgmig raises, these and
 * the standard ones, with their meaning and what to do about them; keep the
 * two in step.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_ERRCODES_HPP
#define PGMIG_ERRCODES_HPP

extern "C" {
#include "postgres.h"
}

/* Graph and target problems */
#define PGMIG_ERRCODE_UNKNOWN_REVISION MAKE_SQLSTATE('P', 'M', '0', '0', '1')   /* PM001 */
#define PGMIG_ERRCODE_UNKNOWN_TARGET MAKE_SQLSTATE('P', 'M', '0', '0', '2')     /* PM002 */
#define PGMIG_ERRCODE_AMBIGUOUS_TARGET MAKE_SQLSTATE('P', 'M', '0', '0', '3')   /* PM003 */
#define PGMIG_ERRCODE_MULTIPLE_HEADS MAKE_SQLSTATE('P', 'M', '0', '0', '4')     /* PM004 */
#define PGMIG_ERRCODE_CYCLE MAKE_SQLSTATE('P', 'M', '0', '0', '5')              /* PM005 */
#define PGMIG_ERRCODE_DUPLICATE_REVISION MAKE_SQLSTATE('P', 'M', '0', '0', '6') /* PM006 */
#define PGMIG_ERRCODE_INVALID_GRAPH MAKE_SQLSTATE('P', 'M', '0', '0', '7')      /* PM007 */
#define PGMIG_ERRCODE_RELATIVE_RANGE MAKE_SQLSTATE('P', 'M', '0', '0', '8')     /* PM008 */
#define PGMIG_ERRCODE_TARGET_NOT_APPLIED MAKE_SQLSTATE('P', 'M', '0', '0', '9') /* PM009 */

/* Body problems found at upload */
#define PGMIG_ERRCODE_EMPTY_BODY MAKE_SQLSTATE('P', 'M', '0', '1', '0')          /* PM010 */
#define PGMIG_ERRCODE_FORBIDDEN_STATEMENT MAKE_SQLSTATE('P', 'M', '0', '1', '1') /* PM011 */
#define PGMIG_ERRCODE_MIXED_NONTX MAKE_SQLSTATE('P', 'M', '0', '1', '2')         /* PM012 */
#define PGMIG_ERRCODE_META_COMMAND MAKE_SQLSTATE('P', 'M', '0', '1', '3')        /* PM013 */
#define PGMIG_ERRCODE_UNNAMED_INDEX MAKE_SQLSTATE('P', 'M', '0', '1', '4')       /* PM014 */
#define PGMIG_ERRCODE_TAMPER MAKE_SQLSTATE('P', 'M', '0', '1', '5')              /* PM015 */
#define PGMIG_ERRCODE_LEFTOVER MAKE_SQLSTATE('P', 'M', '0', '1', '6')            /* PM016 */

/* Checksums and immutability */
#define PGMIG_ERRCODE_IMMUTABLE MAKE_SQLSTATE('P', 'M', '0', '2', '0')          /* PM020 */
#define PGMIG_ERRCODE_CHECKSUM_MISMATCH MAKE_SQLSTATE('P', 'M', '0', '2', '1') /* PM021 */
#define PGMIG_ERRCODE_REVISION_EXISTS MAKE_SQLSTATE('P', 'M', '0', '2', '2')   /* PM022 */
#define PGMIG_ERRCODE_NOT_EXPECTED MAKE_SQLSTATE('P', 'M', '0', '2', '3')      /* PM023 */
#define PGMIG_ERRCODE_ENCODING MAKE_SQLSTATE('P', 'M', '0', '2', '4')          /* PM024 */
#define PGMIG_ERRCODE_NOT_STAMPED MAKE_SQLSTATE('P', 'M', '0', '2', '5')       /* PM025 */
#define PGMIG_ERRCODE_NOT_APPLIED_REPAIR MAKE_SQLSTATE('P', 'M', '0', '2', '6') /* PM026 */

/* Execution */
#define PGMIG_ERRCODE_NONTX_PENDING MAKE_SQLSTATE('P', 'M', '0', '3', '0')     /* PM030 */
#define PGMIG_ERRCODE_IRREVERSIBLE MAKE_SQLSTATE('P', 'M', '0', '3', '1')      /* PM031 */
#define PGMIG_ERRCODE_ISOLATION MAKE_SQLSTATE('P', 'M', '0', '3', '2')         /* PM032 */
#define PGMIG_ERRCODE_LOCK_BUSY MAKE_SQLSTATE('P', 'M', '0', '3', '3')         /* PM033 */
#define PGMIG_ERRCODE_NOT_INSTALLED MAKE_SQLSTATE('P', 'M', '0', '3', '4')     /* PM034 */
#define PGMIG_ERRCODE_LOCK_NOT_AVAILABLE MAKE_SQLSTATE('P', 'M', '0', '3', '5') /* PM035 */
#define PGMIG_ERRCODE_NEXT_IS_TRANSACTIONAL MAKE_SQLSTATE('P', 'M', '0', '3', '6') /* PM036 */
#define PGMIG_ERRCODE_POSTCONDITION MAKE_SQLSTATE('P', 'M', '0', '3', '7')     /* PM037 */
#define PGMIG_ERRCODE_NO_LEASE MAKE_SQLSTATE('P', 'M', '0', '3', '8')          /* PM038 */

/* PM04x: the safety net */
#define PGMIG_ERRCODE_NO_FINGERPRINT MAKE_SQLSTATE('P', 'M', '0', '4', '0')    /* PM040 */
#define PGMIG_ERRCODE_NOT_FRESH MAKE_SQLSTATE('P', 'M', '0', '4', '1')         /* PM041 */
#define PGMIG_ERRCODE_LINT MAKE_SQLSTATE('P', 'M', '0', '4', '2')              /* PM042 */

#endif /* PGMIG_ERRCODES_HPP */
