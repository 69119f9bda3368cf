# test/perl/ScriptCheck.pm — a pgspot-equivalent static check of an
# extension's install and upgrade scripts (pgmig, RELIABILITY.md D1, D2, D8).
#
# pgspot (timescale/pgspot) cannot be installed here (it needs pglast and
# libpg_query from PyPI), so this module checks what it would, in plain Perl,
# on the scripts in the order PostgreSQL runs them, and adds the rules pgmig's
# own security model asks for.  It reads the control file and every
# <ext>--*.sql script, builds the install and update chain from the control
# file's default_version (like PostgreSQL: the install script of the lowest
# version that has one, then the shortest chain of update scripts), and
# reports findings as { code, file, line, object, detail }.
#
# How the SQL is read.  A real tokenizer (not regular expressions over lines):
# single-quoted strings with '' escapes, E'' strings with backslash escapes,
# B'', X'', N'' and U&'' strings, double-quoted identifiers with "" escapes,
# dollar quotes with tags ($$, $fn$), -- comments, nested /* */ comments,
# psql meta-commands (\echo ... \quit at the start of a line), operators
# lexed with PostgreSQL's rules (a trailing + or - is split off), :: casts
# and numbers.  Statements are split at ; outside parentheses (and outside a
# BEGIN ATOMIC body).  Each statement is classified by its leading keywords
# (CREATE FUNCTION, CREATE TABLE, ALTER TABLE, GRANT, REVOKE, DO, SET, ...);
# the parts of it that are expressions (column DEFAULT and CHECK, view
# queries, SELECT, trigger WHEN, function argument defaults) are scanned for
# operators, calls, relation references and casts.  SQL-language function
# bodies are tokenized and checked again as SQL; PL/pgSQL bodies (functions
# and DO blocks) are scanned with PL/pgSQL's own syntax masked out
# (assignments, RAISE ... USING, GET DIAGNOSTICS, FOR ... IN, labels,
# declarations).
#
# The search_path decision.  During CREATE EXTENSION and ALTER EXTENSION
# UPDATE, PostgreSQL runs each script with search_path set to
# "<schema>, pg_temp" (extension.c, execute_extension_script), here
# "pgmig, pg_temp"; pg_catalog, not listed, is searched first, and
# check_function_bodies is off.  So a builtin name with an exact match always
# resolves to pg_catalog, and temporary objects come last.  But operator and
# function resolution picks the best-matching candidate from every schema on
# the path, so a better-typed operator or function in schema pgmig would be
# chosen over pg_catalog's; schema pgmig is trusted only as far as nobody but
# the installing superuser can create objects in it, and the scripts check
# its owner, not its ACL.  This checker therefore does what pgspot does: the
# top level of a script is an UNTRUSTED search_path until the script itself
# sets a safe one (SET [LOCAL] search_path = pg_catalog, pg_temp, or
# pg_catalog.set_config('search_path', ..., ...)), and every operator, call,
# cast and relation reference there must be schema-qualified.  A search_path
# is safe ("pinned") when pg_catalog comes first or is absent (it is then
# searched first), then only schemas these scripts created, and pg_temp
# explicitly last (pgspot's rule; pg_catalog alone is not safe: pg_temp would
# then be searched first for relations and types).  Inside a function with a
# pinned search_path, unqualified builtins are safe; references to the
# extension's own objects must still be qualified (they would otherwise
# resolve to pg_temp or to nothing), and an unqualified relation name that is
# not a pg_catalog relation (pg_*) or a CTE in scope is reported because it
# can only resolve to pg_temp.  Each script starts from the untrusted state
# again (PostgreSQL sets search_path around every script).  SET and RESET of
# search_path are followed at the top level, inside SQL bodies and inside
# PL/pgSQL (where a DO block's SET outlives the block, as it does in the
# server); a nested DO and an EXECUTE of a constant string are checked with
# the state at that point.  A schema the scripts create themselves (CREATE
# SCHEMA without IF NOT EXISTS) cannot hold anyone else's objects, so OR
# REPLACE and IF NOT EXISTS are accepted in it, as pgspot does; pgmig's own
# schema is created by PostgreSQL, not by a script, so they are not accepted
# there.
#
# Against pgspot's own snapshot tests (timescale/pgspot testdata/*.sql, 22
# files) this checker reports the same codes for 20 files.  The two
# differences are on purpose: pgspot puts argument names into a function's
# identity, so CREATE OR REPLACE f(b int) after CREATE f(a int) is PS002 for
# it (PostgreSQL identifies functions by argument types, and refuses the
# rename); and pgspot does not look at RETURN QUERY EXECUTE of a non-constant
# expression, where this checker still reports the operators in it.  It is
# also stricter in places pgspot's AST visitors skip: x IN (subquery), ORDER
# BY ... USING op, typed literals of extension types, the name inside a
# regclass string or pg_extension_config_dump().
#
# Codes.  pgspot's codes keep pgspot's meaning (see its codes.py):
#   PS001 unqualified operator; also IN, NOT IN, BETWEEN, LIKE, ILIKE,
#         SIMILAR TO, IS DISTINCT FROM, NULLIF, OVERLAPS, which look up an
#         operator through the search_path and have no qualified spelling
#         (write x OPERATOR(pg_catalog.=) ANY (ARRAY[...]) for IN, or pin
#         the search_path first)
#   PS002 CREATE OR REPLACE FUNCTION/PROCEDURE of a function that no plain
#         CREATE earlier in these scripts made (and not in a schema they
#         created)
#   PS003 SECURITY DEFINER without SET search_path
#   PS004 SECURITY DEFINER with an unsafe SET search_path
#   PS005 SQL or PL/pgSQL function without a pinned SET search_path
#   PS006 CREATE OR REPLACE TRANSFORM
#   PS007 other CREATE OR REPLACE / IF NOT EXISTS (aggregate, trigger, rule,
#         language, collation, statistics, extension, CREATE TABLE AS ...)
#   PS009 simple CASE (CASE x WHEN ...) under an unsafe search_path
#   PS010 CREATE SCHEMA IF NOT EXISTS
#   PS011 CREATE SEQUENCE IF NOT EXISTS
#   PS012 CREATE [FOREIGN] TABLE IF NOT EXISTS
#   PS013 CREATE SERVER IF NOT EXISTS
#   PS014 CREATE INDEX IF NOT EXISTS
#   PS015 CREATE OR REPLACE VIEW of a view not created earlier
#   PS016 unqualified function call (or trigger / cast function reference)
#   PS017 unqualified object reference (relation, type in a cast, collation,
#         operator class, the target of ALTER/DROP/COMMENT/GRANT, a relation
#         named in a regclass string), or an extension object referenced
#         without its schema inside a pinned function
#   PS018 SET search_path to a single quoted string holding a comma
# and the rules pgmig adds:
#   PSX00 the script cannot be read (unterminated quote or comment, unknown
#         function language)
#   PSX01 an @substitution@ (@extschema@, @extowner@, ...) inside a quoted
#         string, dollar quote or quoted identifier (CVE-2023-39417)
#   PSX02 SECURITY DEFINER at all (pgmig has no SQL-level SECURITY DEFINER)
#   PSX03 a schema object created without a schema
#   PSX04 an object created in (or moved to) a schema other than the
#         extension's
#   PSX05 a function of the extension whose EXECUTE is not revoked from
#         PUBLIC later in the script that creates it (D8)
#   PSX06 a privilege granted to PUBLIC
#   PSX07 ownership given away (OWNER TO anyone but the extension owner)
#   PSX10 control: relocatable is not false
#   PSX11 control: superuser is false
#   PSX12 control: trusted is true
#   PSX13 control: schema is not the expected one
#   PSX14 an update script that goes down (or sideways) in version
#   PSX15 a script on no install/update chain (so never checked), or no chain
#         reaching default_version
package ScriptCheck;

use strict;
use warnings;

use Exporter 'import';

our @EXPORT_OK = qw(tokenize split_statements check_set check_directory
  check_snippet apply_allow version_cmp parse_control %CODES @SCRIPT_RULES
  @CONTROL_RULES);

our %CODES = (
	PS001 => 'unqualified operator',
	PS002 => 'unsafe CREATE OR REPLACE FUNCTION',
	PS003 => 'SECURITY DEFINER function without search_path',
	PS004 => 'SECURITY DEFINER function with an unsafe search_path',
	PS005 => 'function without a pinned search_path',
	PS006 => 'unsafe CREATE OR REPLACE TRANSFORM',
	PS007 => 'unsafe CREATE OR REPLACE / IF NOT EXISTS',
	PS009 => 'simple CASE under an unsafe search_path',
	PS010 => 'CREATE SCHEMA IF NOT EXISTS',
	PS011 => 'CREATE SEQUENCE IF NOT EXISTS',
	PS012 => 'CREATE TABLE IF NOT EXISTS',
	PS013 => 'CREATE SERVER IF NOT EXISTS',
	PS014 => 'CREATE INDEX IF NOT EXISTS',
	PS015 => 'unsafe CREATE OR REPLACE VIEW',
	PS016 => 'unqualified function call',
	PS017 => 'unqualified object reference',
	PS018 => 'search_path set to one quoted string with a comma',
	PSX00 => 'unreadable script',
	PSX01 => '@substitution@ inside a quoted string or identifier',
	PSX02 => 'SECURITY DEFINER (pgmig allows none)',
	PSX03 => 'schema object created without a schema',
	PSX04 => 'object created outside the extension schema',
	PSX05 => 'EXECUTE not revoked from PUBLIC in the creating script',
	PSX06 => 'privilege granted to PUBLIC',
	PSX07 => 'ownership given away',
	PSX10 => 'control: relocatable is not false',
	PSX11 => 'control: superuser is false',
	PSX12 => 'control: trusted is true',
	PSX13 => 'control: unexpected schema',
	PSX14 => 'downgrade update script',
	PSX15 => 'script not on an install/update chain',);

# The rules reported against a script, and against the control file.
our @SCRIPT_RULES = qw(PSX00 PSX01 PS001 PS002 PS003 PS004 PS005 PS006 PS007
  PS009 PS010 PS011 PS012 PS013 PS014 PS015 PS016 PS017 PS018 PSX02 PSX03
  PSX04 PSX05 PSX06 PSX07 PSX14 PSX15);
our @CONTROL_RULES = qw(PSX10 PSX11 PSX12 PSX13 PSX15);

# ---------------------------------------------------------------------------
# Keywords.
# ---------------------------------------------------------------------------

# PostgreSQL 15's reserved and type_func_name keywords: never a bare column
# reference.
my %RESERVED = map { $_ => 1 } qw(
  all analyse analyze and any array as asc asymmetric both case cast check
  collate column constraint create current_catalog current_date current_role
  current_time current_timestamp current_user default deferrable desc distinct
  do else end except false fetch for foreign from grant group having in
  initially intersect into lateral leading limit localtime localtimestamp not
  null offset on only or order placing primary references returning select
  session_user some symmetric table then to trailing true union unique user
  using variadic when where window with authorization binary collation
  concurrently cross current_schema freeze full ilike inner is isnull join
  left like natural notnull outer overlaps right similar tablesample verbose);

# Reserved words that are values.
my %VALUE_KW = map { $_ => 1 } qw(null true false current_catalog current_date
  current_role current_time current_timestamp current_user localtime
  localtimestamp session_user user current_schema);

# PL/pgSQL statement words: never an operand in a PL/pgSQL body.
my %PLPGSQL_KW = map { $_ => 1 } qw(return raise perform if elsif loop exit
  continue while foreach execute get diagnostics open fetch move close assert
  declare begin exception strict reverse slice query next notice warning info
  log debug call);

# Type names the grammar turns into pg_catalog types (SystemTypeName).
my %KW_TYPE = map { $_ => 1 } qw(bigint bit boolean char character dec decimal
  double float int integer interval national nchar numeric real smallint time
  timestamp varchar);

# Words followed by "(" that are syntax, not a function call.
my %NOT_CALL = (
	%RESERVED,
	%KW_TYPE,
	map { $_ => 1 } qw(exists coalesce greatest least nullif grouping extract
	  overlay position substring trim normalize treat row values xmlconcat
	  xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot xmlserialize
	  xmlattributes xmltable key over filter include exclude conflict
	  materialized rollup cube sets by set reset if elsif while return exit
	  assert perform execute raise loop identity returns enum range query next
	  inherits options partition setof inout out in operator));

# Words that precede a call (so a name after them is not an alias).
my %KW_BEFORE_CALL = (
	%RESERVED,
	%PLPGSQL_KW,
	map { $_ => 1 } qw(by set if elsif while return perform execute assert
	  exit raise query next notice values));

# Words followed by a string that are not typed literals (type 'string').
my %NOT_TYPED_LITERAL = map { $_ => 1 } qw(exception notice warning info log
  debug raise escape zone uescape sqlstate language as is to execute using
  format perform return comment default tag);

# Clause words that end a FROM list.
my %FROM_END = map { $_ => 1 } qw(where group having order limit offset union
  intersect except window for on using returning loop then into when else
  select values);

# Functions whose "FROM" is an argument separator.
my %FROM_IN_ARGS = map { $_ => 1 } qw(extract substring trim overlay position
  normalize);

# reg* types whose string literal names an object looked up by search_path.
my %REG_TYPE = map { $_ => 1 } qw(regclass regproc regprocedure regtype
  regoper regoperator regconfig regdictionary regcollation);

# Object kinds that live in a schema.
my %SCHEMA_KIND = map { $_ => 1 } ('table', 'view', 'materialized view',
	'sequence', 'function', 'procedure', 'routine', 'aggregate', 'type',
	'domain', 'operator', 'operator class', 'operator family', 'collation',
	'conversion', 'text search parser', 'text search dictionary',
	'text search template', 'text search configuration', 'foreign table',
	'statistics', 'index');

my %TYPE_ALIAS = (
	int         => 'integer',
	int4        => 'integer',
	integer     => 'integer',
	int8        => 'bigint',
	int2        => 'smallint',
	bool        => 'boolean',
	float8      => 'double precision',
	float       => 'double precision',
	float4      => 'real',
	varchar     => 'character varying',
	char        => 'character',
	bpchar      => 'character',
	timestamptz => 'timestamp with time zone',
	timestamp   => 'timestamp without time zone',
	timetz      => 'time with time zone',
	time        => 'time without time zone',
	decimal     => 'numeric',
	dec         => 'numeric',
	varbit      => 'bit varying',);

my %SERIAL = map { $_ => 1 } qw(serial serial4 bigserial serial8 smallserial
  serial2);

# ---------------------------------------------------------------------------
# Tokenizer.
# ---------------------------------------------------------------------------

# Reads a quoted body after its opening quote; returns (value, closed).
sub _read_quoted
{
	my ($tr, $q, $backslash) = @_;
	my $v = '';
	while (1)
	{
		if ($$tr =~ /\G\Q$q$q\E/gc) { $v .= $q; next; }
		if ($$tr =~ /\G\Q$q\E/gc) { return ($v, 1); }
		if ($backslash && $$tr =~ /\G\\(.)/gcs)
		{
			my $c = $1;
			$v .=
			    $c eq 'n' ? "\n"
			  : $c eq 't' ? "\t"
			  : $c eq 'r' ? "\r"
			  : $c eq 'b' ? "\b"
			  : $c eq 'f' ? "\f"
			  :             $c;
			next;
		}
		if ($backslash && $$tr =~ /\G([^\Q$q\E\\]+)/gc) { $v .= $1; next; }
		if (!$backslash && $$tr =~ /\G([^\Q$q\E]+)/gc) { $v .= $1; next; }
		if ($backslash && $$tr =~ /\G\\\z/gc) { return ($v, 0); }
		return ($v, 0);
	}
}

# tokenize(text, first_line) -> (\@tokens, \@errors).  A token is
# { t => type, v => value, raw => source text, line => line }; types: ident
# (v lower-cased), qident, str, dollar (v = body, tag), num, op, punct,
# param, subst (@name@), meta (psql meta-command line).  Errors are
# { line, msg }.
sub tokenize
{
	my ($text, $line0) = @_;
	my $line = $line0 // 1;
	my (@toks, @errors);
	my $len = length $text;
	pos($text) = 0;
	my $bol = 1;
	while (pos($text) < $len)
	{
		my $start = pos($text);
		my $tline = $line;
		if ($text =~ /\G(\s+)/gc)
		{
			my $n = ($1 =~ tr/\n//);
			$line += $n;
			$bol = 1 if $n;
			next;
		}
		if ($text =~ /\G--[^\n]*/gc) { next; }
		if ($text =~ /\G\/\*/gc)
		{
			my $depth = 1;
			while ($depth > 0)
			{
				if    ($text =~ /\G\/\*/gc) { $depth++; }
				elsif ($text =~ /\G\*\//gc) { $depth--; }
				elsif ($text =~ /\G([^\/*]+|[\/*])/gc) { $line += ($1 =~ tr/\n//); }
				else
				{
					push @errors, { line => $tline, msg => 'unterminated /* comment' };
					last;
				}
			}
			$bol = 0;
			next;
		}
		if ($bol && $text =~ /\G(\\[^\n]*)/gc)
		{
			push @toks, { t => 'meta', v => $1, raw => $1, line => $tline };
			next;
		}
		$bol = 0;
		my ($type, $closed, $v);
		if ($text =~ /\G[eE]'/gc)
		{
			($v, $closed) = _read_quoted(\$text, "'", 1);
			$type = 'str';
		}
		elsif ($text =~ /\G(?:[bBxXnN]|[uU]&)?'/gc)
		{
			($v, $closed) = _read_quoted(\$text, "'", 0);
			$type = 'str';
		}
		elsif ($text =~ /\G(?:[uU]&)?"/gc)
		{
			($v, $closed) = _read_quoted(\$text, '"', 0);
			$type = 'qident';
		}
		elsif ($text =~ /\G(\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$)/gc)
		{
			my $tag  = $1;
			my $from = pos($text);
			my $end  = index($text, $tag, $from);
			if ($end < 0)
			{
				push @errors, { line => $tline, msg => "unterminated dollar quote $tag" };
				pos($text) = $len;
				$v      = substr($text, $from);
				$closed = 1;
			}
			else
			{
				$v = substr($text, $from, $end - $from);
				pos($text) = $end + length $tag;
			}
			my $raw = substr($text, $start, pos($text) - $start);
			push @toks, { t => 'dollar', v => $v, tag => $tag, raw => $raw, line => $tline };
			$line += ($raw =~ tr/\n//);
			next;
		}
		elsif ($text =~ /\G\$(\d+)/gc)
		{
			push @toks, { t => 'param', v => $1, raw => "\$$1", line => $tline };
			next;
		}
		elsif ($text =~ /\G(@[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)?@)/gc)
		{
			push @toks, { t => 'subst', v => lc $1, raw => $1, line => $tline };
			next;
		}
		elsif ($text =~ /\G(\d+(?:\.(?!\.)\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/gc)
		{
			push @toks, { t => 'num', v => $1, raw => $1, line => $tline };
			next;
		}
		elsif ($text =~ /\G([A-Za-z_\x80-\xff][A-Za-z0-9_\$\x80-\xff]*)/gc)
		{
			push @toks, { t => 'ident', v => lc $1, raw => $1, line => $tline };
			next;
		}
		elsif ($text =~ /\G(::|:=|\.\.|[()\[\],;:.])/gc)
		{
			push @toks, { t => 'punct', v => $1, raw => $1, line => $tline };
			next;
		}
		elsif ($text =~ /\G([+\-*\/<>=~!@#%^&|`?]+)/gc)
		{
			my $op = $1;
			# An operator ends before a comment start inside it.
			if ($op =~ /^(.+?)(?:--|\/\*)/s) { $op = $1; }
			# A multi-character operator ending in + or - loses it unless it
			# holds one of ~ ! @ # % ^ & | ` ? (scan.l).
			if ($op !~ /[~!@#%^&|`?]/)
			{
				$op =~ s/[+-]$// while length($op) > 1 && $op =~ /[+-]$/;
			}
			pos($text) = $start + length $op;
			if ($op eq '=>')
			{
				push @toks, { t => 'punct', v => '=>', raw => '=>', line => $tline };
			}
			else
			{
				push @toks, { t => 'op', v => $op, raw => $op, line => $tline };
			}
			next;
		}
		else
		{
			my $c = substr($text, $start, 1);
			push @errors, { line => $tline, msg => "unexpected character '$c'" };
			pos($text) = $start + 1;
			next;
		}
		my $raw = substr($text, $start, pos($text) - $start);
		push @errors, { line => $tline, msg => "unterminated $type" } unless $closed;
		push @toks, { t => $type, v => $v, raw => $raw, line => $tline };
		$line += ($raw =~ tr/\n//);
	}
	return (\@toks, \@errors);
}

# split_statements(\@tokens) -> list of array refs of tokens.  Splits at ;
# outside parentheses and outside BEGIN ATOMIC ... END; a psql meta-command
# ends a statement and is dropped.
sub split_statements
{
	my ($toks) = @_;
	my (@stmts, @cur);
	my ($depth, $atomic, $case) = (0, 0, 0);
	for my $i (0 .. $#$toks)
	{
		my $t = $toks->[$i];
		if ($t->{t} eq 'meta')
		{
			push @stmts, [@cur] if @cur;
			@cur = ();
			next;
		}
		if ($t->{t} eq 'punct')
		{
			$depth++ if $t->{v} eq '(';
			$depth-- if $t->{v} eq ')' && $depth > 0;
			if ($t->{v} eq ';' && $depth == 0 && !$atomic)
			{
				push @stmts, [@cur] if @cur;
				@cur = ();
				next;
			}
		}
		elsif ($t->{t} eq 'ident' && @cur && $cur[0]{t} eq 'ident' && $cur[0]{v} eq 'create')
		{
			my $n = $toks->[ $i + 1 ];
			if ($t->{v} eq 'begin' && $n && $n->{t} eq 'ident' && $n->{v} eq 'atomic') { $atomic++; }
			elsif ($atomic && $t->{v} eq 'case') { $case++; }
			elsif ($atomic && $t->{v} eq 'end')
			{
				if   ($case) { $case--; }
				else         { $atomic--; }
			}
		}
		push @cur, $t;
	}
	push @stmts, [@cur] if @cur;
	return @stmts;
}

# ---------------------------------------------------------------------------
# Small token helpers.
# ---------------------------------------------------------------------------

sub _kw
{
	my ($t, $i, @words) = @_;
	my $tk = $t->[$i];
	return 0 unless $tk && $tk->{t} eq 'ident';
	for (@words) { return 1 if $tk->{v} eq $_; }
	return 0;
}

sub _seq
{
	my ($t, $i, @words) = @_;
	for my $k (0 .. $#words)
	{
		return 0 unless _kw($t, $i + $k, $words[$k]);
	}
	return 1;
}

sub _punct
{
	my ($t, $i, $p) = @_;
	my $tk = $t->[$i];
	return $tk && $tk->{t} eq 'punct' && $tk->{v} eq $p;
}

sub _is_name
{
	my ($tk) = @_;
	return $tk && ($tk->{t} eq 'ident' || $tk->{t} eq 'qident' || $tk->{t} eq 'subst');
}

# The matching ) of the ( at $i (or $hi).
sub _match
{
	my ($t, $i, $hi) = @_;
	my $d = 0;
	for my $k ($i .. $hi)
	{
		next unless $t->[$k]{t} eq 'punct';
		if ($t->[$k]{v} eq '(' || $t->[$k]{v} eq '[') { $d++; }
		elsif ($t->[$k]{v} eq ')' || $t->[$k]{v} eq ']')
		{
			$d--;
			return $k if $d == 0;
		}
	}
	return $hi;
}

# A dotted name starting at $i: returns (last index, \@parts).
sub _chain
{
	my ($t, $i, $hi) = @_;
	my @parts = (_name_of($t->[$i]));
	my $j = $i;
	while ($j + 2 <= $hi && _punct($t, $j + 1, '.') && _is_name($t->[ $j + 2 ]))
	{
		$j += 2;
		push @parts, _name_of($t->[$j]);
	}
	return ($j, \@parts);
}

sub _name_of
{
	my ($tk) = @_;
	return '' unless $tk;
	return $tk->{v} if $tk->{t} eq 'ident' || $tk->{t} eq 'qident';
	return $tk->{raw} if $tk->{t} eq 'subst';
	return $tk->{raw} // '';
}

# Splits [lo, hi] at commas at paren depth 0 (relative); returns [a, b] pairs.
sub _split_commas
{
	my ($t, $lo, $hi) = @_;
	my @r;
	my $d = 0;
	my $a = $lo;
	for my $k ($lo .. $hi)
	{
		my $tk = $t->[$k];
		next unless $tk->{t} eq 'punct';
		if    ($tk->{v} eq '(' || $tk->{v} eq '[') { $d++; }
		elsif ($tk->{v} eq ')' || $tk->{v} eq ']') { $d--; }
		elsif ($tk->{v} eq ',' && $d == 0)
		{
			push @r, [ $a, $k - 1 ];
			$a = $k + 1;
		}
	}
	push @r, [ $a, $hi ] if $a <= $hi;
	return @r;
}

# Index of the first token at depth 0 in [lo, hi] that is one of the words.
sub _find_kw
{
	my ($t, $lo, $hi, @words) = @_;
	my $d = 0;
	for my $k ($lo .. $hi)
	{
		my $tk = $t->[$k];
		if ($tk->{t} eq 'punct')
		{
			$d++ if $tk->{v} eq '(' || $tk->{v} eq '[';
			$d-- if $tk->{v} eq ')' || $tk->{v} eq ']';
			next;
		}
		return $k if $d == 0 && _kw($t, $k, @words);
	}
	return undef;
}

# Is the token at $i the end of an operand (so an operator after it is
# binary)?
sub _operand_end
{
	my ($t, $i, $lo, $plp) = @_;
	return 0 if $i < $lo;
	my $tk = $t->[$i];
	return 1 if $tk->{t} =~ /^(num|str|dollar|qident|param|subst)$/;
	return 1 if $tk->{t} eq 'punct' && ($tk->{v} eq ')' || $tk->{v} eq ']');
	if ($tk->{t} eq 'ident')
	{
		return 1 if $i > $lo && _punct($t, $i - 1, '.');
		return 1 if $VALUE_KW{ $tk->{v} };
		return 0 if $RESERVED{ $tk->{v} };
		return 0 if $plp && $PLPGSQL_KW{ $tk->{v} };
		return 1;
	}
	return 0;
}

sub _operand_start
{
	my ($t, $i, $hi) = @_;
	return 0 if $i > $hi;
	my $tk = $t->[$i];
	return 1 if $tk->{t} =~ /^(num|str|dollar|qident|param|subst)$/;
	return 1 if $tk->{t} eq 'punct' && $tk->{v} eq '(';
	return 1 if $tk->{t} eq 'op';
	if ($tk->{t} eq 'ident')
	{
		return 1 if $VALUE_KW{ $tk->{v} };
		return 1 if $tk->{v} =~ /^(case|not|array|cast|exists|row)$/;
		return 0 if $RESERVED{ $tk->{v} };
		return 1;
	}
	return 0;
}

# ---------------------------------------------------------------------------
# Types.
# ---------------------------------------------------------------------------

# parse_type(t, k, hi) -> (last index, { parts, kw, canon, serial }) or ().
sub _parse_type
{
	my ($t, $k, $hi) = @_;
	return () if $k > $hi;
	my $tk = $t->[$k];
	my ($j, @parts, $kw, $canon);
	if ($tk->{t} eq 'ident' && $KW_TYPE{ $tk->{v} } && !_punct($t, $k + 1, '.'))
	{
		$kw = 1;
		my $w = $tk->{v};
		$j = $k;
		if ($w eq 'double' && _kw($t, $j + 1, 'precision')) { $j++; $w = 'double precision'; }
		if ($w eq 'national' && _kw($t, $j + 1, 'character', 'char')) { $j++; $w = 'character'; }
		if (($w eq 'character' || $w eq 'char') && _kw($t, $j + 1, 'varying'))
		{
			$j++;
			$w = 'character varying';
		}
		if ($w eq 'bit' && _kw($t, $j + 1, 'varying')) { $j++; $w = 'bit varying'; }
		$j = _match($t, $j + 1, $hi) if _punct($t, $j + 1, '(');
		if ($w eq 'time' || $w eq 'timestamp')
		{
			if (_kw($t, $j + 1, 'with', 'without') && _seq($t, $j + 2, 'time', 'zone'))
			{
				$w .= ' ' . $t->[ $j + 1 ]{v} . ' time zone';
				$j += 3;
			}
		}
		if ($w eq 'interval')
		{
			$j++ while _kw($t, $j + 1, qw(year month day hour minute second to));
			$j = _match($t, $j + 1, $hi) if _punct($t, $j + 1, '(');
		}
		$canon = $TYPE_ALIAS{$w} // $w;
		@parts = ($w);
	}
	elsif (_is_name($tk))
	{
		my $parts;
		($j, $parts) = _chain($t, $k, $hi);
		@parts = @$parts;
		$j = _match($t, $j + 1, $hi) if _punct($t, $j + 1, '(');
		my @c = @parts;
		shift @c if @c > 1 && $c[0] eq 'pg_catalog';
		$c[-1] = $TYPE_ALIAS{ $c[-1] } // $c[-1] if @c == 1 && $tk->{t} eq 'ident';
		$canon = join('.', @c);
	}
	else { return (); }
	my $serial = (@parts == 1 && $SERIAL{ $parts[0] }) ? 1 : 0;
	if ($j + 2 <= $hi && $t->[ $j + 1 ]{t} eq 'op' && $t->[ $j + 1 ]{v} eq '%' && _kw($t, $j + 2, 'type', 'rowtype'))
	{
		$canon .= '%' . $t->[ $j + 2 ]{v};
		$j += 2;
	}
	while (_punct($t, $j + 1, '['))
	{
		$j = _match($t, $j + 1, $hi);
		$canon .= '[]';
	}
	if (_kw($t, $j + 1, 'array'))
	{
		$j++;
		$j = _match($t, $j + 1, $hi) if _punct($t, $j + 1, '[');
		$canon .= '[]';
	}
	return ($j, { parts => \@parts, kw => $kw ? 1 : 0, canon => $canon, serial => $serial });
}

# Function arguments between ( at $open and ) at $close.
sub _parse_args
{
	my ($t, $open, $close) = @_;
	my @args;
	return \@args if $close <= $open + 1;
	for my $r (_split_commas($t, $open + 1, $close - 1))
	{
		my ($a, $b) = @$r;
		my $k    = $a;
		my $mode = 'in';
		if (_kw($t, $k, qw(in out inout variadic)) && $k < $b)
		{
			$mode = $t->[$k]{v};
			$k++;
		}
		my ($end, $ty) = _parse_type($t, $k, $b);
		next unless $ty;
		my $name;
		if ($end + 1 <= $b && !_kw($t, $end + 1, 'default') && !($t->[ $end + 1 ]{t} eq 'op' && $t->[ $end + 1 ]{v} eq '='))
		{
			# NAME [mode] type
			$name = _name_of($t->[$k]);
			my $tk2 = $k + 1;
			if ($mode eq 'in' && _kw($t, $tk2, qw(in out inout variadic)) && $tk2 < $b)
			{
				$mode = $t->[$tk2]{v};
				$tk2++;
			}
			my ($e2, $ty2) = _parse_type($t, $tk2, $b);
			($end, $ty) = ($e2, $ty2) if $ty2;
		}
		my $default;
		$default = [ $end + 2, $b ] if $end + 2 <= $b;
		push @args, { mode => $mode, name => $name, type => $ty, default => $default, lo => $a, hi => $b };
	}
	return \@args;
}

sub _sig
{
	my ($schema, $name, $args) = @_;
	my @types = map { $_->{type}{canon} } grep { $_->{mode} ne 'out' } @$args;
	return "$schema.$name(" . join(',', @types) . ')';
}

# ---------------------------------------------------------------------------
# Findings and contexts.
# ---------------------------------------------------------------------------

sub _add
{
	my ($S, $code, $line, $object, $detail) = @_;
	push @{ $S->{out} },
	  {
		code   => $code,
		file   => $S->{file},
		line   => $line,
		object => $object // '',
		detail => $detail // ''
	  };
	return;
}

# The schema a created object lands in, and findings for it.
sub _created_in
{
	my ($S, $ctx, $parts, $line, $kind) = @_;
	my $name = $parts->[-1];
	my $schema;
	if (@$parts == 1)
	{
		_add($S, 'PSX03', $line, $name, "$kind $name created without a schema");
		# pgspot reports the unqualified RangeVar of CREATE TABLE/VIEW/SEQUENCE
		_add($S, 'PS017', $line, $name, "unqualified $kind $name")
		  if !$ctx->{pinned} && $kind =~ /^(table|foreign table|view|materialized view|sequence)$/;
		$schema = $S->{schema};
	}
	else
	{
		$schema = $parts->[-2];
		$schema = $S->{schema} if $schema =~ /^\@extschema(?::.*)?\@$/i;
		if ($schema ne $S->{schema})
		{
			_add($S, 'PSX04', $line, "$schema.$name", "$kind $schema.$name is created outside schema $S->{schema}");
		}
	}
	return ($schema, $name);
}

sub _qual
{
	my ($S, $parts) = @_;
	my @p = @$parts;
	$p[-2] = $S->{schema} if @p > 1 && $p[-2] =~ /^\@extschema(?::.*)?\@$/i;
	unshift @p, $S->{schema} if @p == 1;
	return join('.', @p[ -2, -1 ]);
}

sub _ref_relation
{
	my ($ctx, $parts, $line, $what) = @_;
	return if @$parts > 1;
	my $S = $ctx->{S};
	my $n = $parts->[0];
	my $at = $ctx->{at} // 0;
	return if grep { $_->{name} eq $n && $_->{lo} <= $at && $at <= $_->{hi} } @{ $ctx->{cte_scopes} // [] };
	$what //= 'relation';
	if ($ctx->{pinned})
	{
		if ($S->{reg}{names}{rel}{$n})
		{
			_add($S, 'PS017', $line, $ctx->{object}, "$what $n of the extension referenced without its schema");
		}
		elsif ($n !~ /^pg_/)
		{
			_add($S, 'PS017', $line, $ctx->{object}, "$what $n is not a pg_catalog relation and resolves through pg_temp");
		}
		return;
	}
	_add($S, 'PS017', $line, $ctx->{object}, "unqualified $what $n");
	return;
}

sub _ref_function
{
	my ($ctx, $parts, $line, $what) = @_;
	return if @$parts > 1;
	my $S = $ctx->{S};
	my $n = $parts->[0];
	$what //= 'call';
	if ($ctx->{pinned})
	{
		_add($S, 'PS016', $line, $ctx->{object}, "$what $n(): a function of the extension referenced without its schema")
		  if $S->{reg}{names}{func}{$n};
		return;
	}
	_add($S, 'PS016', $line, $ctx->{object}, "unqualified $what $n()");
	return;
}

sub _ref_type
{
	my ($ctx, $ty, $line, $cast) = @_;
	return if $ty->{kw} || @{ $ty->{parts} } > 1;
	my $S = $ctx->{S};
	my $n = $ty->{parts}[0];
	if ($S->{reg}{names}{type}{$n} || $S->{reg}{names}{rel}{$n})
	{
		_add($S, 'PS017', $line, $ctx->{object}, "type $n of the extension referenced without its schema");
	}
	elsif ($cast && !$ctx->{pinned})
	{
		_add($S, 'PS017', $line, $ctx->{object}, "cast to unqualified type $n");
	}
	return;
}

# A schema object named as the target of ALTER/DROP/COMMENT/GRANT/ON.
sub _ref_object
{
	my ($ctx, $parts, $line, $kind) = @_;
	return if @$parts > 1;
	my $S = $ctx->{S};
	my $n = $parts->[0];
	if ($ctx->{pinned})
	{
		return unless $S->{reg}{names}{rel}{$n} || $S->{reg}{names}{func}{$n} || $S->{reg}{names}{type}{$n};
		_add($S, 'PS017', $line, $ctx->{object}, "$kind $n of the extension referenced without its schema");
		return;
	}
	_add($S, 'PS017', $line, $ctx->{object}, "unqualified $kind $n");
	return;
}

# Is a search_path value list safe?  pg_catalog first (or absent: it is then
# searched first anyway), then only schemas these scripts created, and
# pg_temp explicitly last (pgspot's rule).  pg_catalog alone is not safe:
# pg_temp would be searched first for relations and types.
sub _secure_path
{
	my ($S, @schemas) = @_;
	@schemas = map { my $s = $_; $s =~ s/^\s+|\s+$//g; $s =~ s/^"(.*)"$/$1/; lc $s } @schemas;
	shift @schemas if @schemas && $schemas[0] eq 'pg_catalog';
	shift @schemas while @schemas > 1 && $S->{reg}{schemas}{ $schemas[0] };
	return @schemas == 1 && $schemas[0] eq 'pg_temp';
}

# The value list of SET search_path starting at $k (after = or TO).
# Returns (last index, \@values, ps018).
sub _path_values
{
	my ($t, $k, $hi) = @_;
	my (@vals, $ps018);
	my $j = $k;
	while ($j <= $hi)
	{
		my $tk = $t->[$j];
		last unless $tk->{t} =~ /^(ident|qident|str|subst)$/;
		if ($tk->{t} eq 'str')
		{
			$ps018 = 1 if $tk->{v} =~ /,/;
			push @vals, $tk->{v};
		}
		else { push @vals, _name_of($tk); }
		last unless _punct($t, $j + 1, ',');
		$j += 2;
	}
	return ($j, \@vals, $ps018);
}

# ---------------------------------------------------------------------------
# The expression scanner.
# ---------------------------------------------------------------------------

# CTEs defined in [lo, hi]: NAME [(cols)] AS [NOT] [MATERIALIZED] ( after
# WITH [RECURSIVE] or a comma of the same WITH list.  Each is visible in the
# query its WITH belongs to: the innermost parentheses around the WITH, or up
# to the next ; at the outer level.  Returns { name, lo, hi } scopes.
sub _cte_names
{
	my ($t, $lo, $hi) = @_;
	my (@scopes, @open, @with);
	my $depth = 0;
	for my $k ($lo .. $hi)
	{
		my $tk = $t->[$k];
		if ($tk->{t} eq 'punct' && $tk->{v} eq '(') { push @open, $k; $depth++; next; }
		if ($tk->{t} eq 'punct' && $tk->{v} eq ')') { pop @open; $depth-- if $depth; next; }
		if (_kw($t, $k, 'with') && (_is_name($t->[ $k + 1 ]) || _kw($t, $k + 1, 'recursive')))
		{
			my ($a, $b);
			if (@open) { $a = $open[-1]; $b = _match($t, $open[-1], $hi); }
			else
			{
				$a = $k;
				$b = $k;
				$b++ while $b < $hi && !_punct($t, $b, ';');
			}
			push @with, [ $depth, $a, $b ];
			next;
		}
		next unless _is_name($tk) && $k > $lo;
		next unless _kw($t, $k - 1, 'with', 'recursive') || _punct($t, $k - 1, ',');
		my $j = $k + 1;
		$j = _match($t, $j, $hi) + 1 if _punct($t, $j, '(');
		next unless _kw($t, $j, 'as');
		$j++;
		$j++ if _kw($t, $j, 'not');
		$j++ if _kw($t, $j, 'materialized');
		next unless _punct($t, $j, '(');
		my ($w) = grep { $_->[0] == $depth && $_->[1] <= $k && $k <= $_->[2] } reverse @with;
		my ($a, $b) = $w ? @$w[ 1, 2 ] : ($lo, $hi);
		push @scopes, { name => _name_of($tk), lo => $a, hi => $b };
	}
	return @scopes;
}

# PL/pgSQL syntax that is not an expression: returns \%skip (token index ->
# 1) for assignment "=", RAISE ... USING option "=", GET DIAGNOSTICS "=",
# the IN of FOR/FOREACH, labels, %TYPE, compiler options, declarations
# (whose types are checked here).
sub _plpgsql_marks
{
	my ($ctx, $t, $lo, $hi) = @_;
	my (%skip, %starts);
	my ($depth, $case, $in_decl) = (0, 0, 0);
	my $start = 1;
	my ($first, $opts, $in_seen) = ('', 0, 0);
	for (my $i = $lo; $i <= $hi; $i++)
	{
		my $tk = $t->[$i];
		my ($ty, $v) = ($tk->{t}, $tk->{v} // '');
		if ($start)
		{
			$starts{$i} = 1 unless $in_decl;
			$start   = 0;
			$first   = $ty eq 'ident' ? $v : '';
			$opts    = 0;
			$in_seen = 0;
			if ($ty eq 'op' && $v eq '#')
			{
				# #variable_conflict, #print_strict_params, #option
				my $l = $tk->{line};
				my $k = $i;
				$k++ while $k + 1 <= $hi && $t->[ $k + 1 ]{line} == $l;
				$skip{$_} = 1 for $i .. $k;
				$i     = $k;
				$start = 1;
				next;
			}
			if ($ty eq 'op' && $v eq '<<')
			{
				my $k = $i;
				$k++ while $k <= $hi && !($t->[$k]{t} eq 'op' && $t->[$k]{v} eq '>>');
				$skip{$_} = 1 for $i .. $k;
				$i     = $k;
				$start = 1;
				next;
			}
			if ($in_decl && _is_name($tk) && !_kw($t, $i, 'begin', 'declare'))
			{
				# NAME [CONSTANT] type [COLLATE c] [NOT NULL] [{DEFAULT|:=|=} expr];
				$skip{$i} = 1;
				my $k = $i + 1;
				if (_kw($t, $k, 'alias'))
				{
					$k++ while $k <= $hi && !_punct($t, $k, ';');
					$skip{$_} = 1 for $i .. $k - 1;
					$i = $k - 1;
					next;
				}
				if (_kw($t, $k, 'cursor', 'no', 'scroll'))
				{
					# the cursor's query is scanned as SQL
					$k++ while $k <= $hi && !_kw($t, $k, 'for', 'is');
					$skip{$_} = 1 for $i .. $k;
					$i = $k;
					next;
				}
				$k++ if _kw($t, $k, 'constant');
				my ($end, $typ) = _parse_type($t, $k, $hi);
				if ($typ)
				{
					_ref_type($ctx, $typ, $t->[$k]{line}, 0);
					$skip{$_} = 1 for $i .. $end;
					$k = $end + 1;
				}
				if (_kw($t, $k, 'collate'))
				{
					my ($e) = _chain($t, $k + 1, $hi);
					$skip{$_} = 1 for $k .. $e;
					$k = $e + 1;
				}
				$k += 2 if _seq($t, $k, 'not', 'null');
				$skip{$k} = 1 if $k <= $hi && $t->[$k]{t} eq 'op' && $t->[$k]{v} eq '=';
				$i = $k - 1;
				next;
			}
			# assignment: target [.field]* [subscripts] (= | :=)
			if (_is_name($tk) && !($ty eq 'ident' && ($PLPGSQL_KW{$v} || $RESERVED{$v})))
			{
				my ($k) = _chain($t, $i, $hi);
				$k = _match($t, $k + 1, $hi) while _punct($t, $k + 1, '[');
				$skip{ $k + 1 } = 1 if $k + 1 <= $hi && $t->[ $k + 1 ]{t} eq 'op' && $t->[ $k + 1 ]{v} eq '=';
			}
			if ($first eq 'set' || $first eq 'reset')
			{
				my $k = $i;
				$k++ while $k <= $hi && !_punct($t, $k, ';');
				$skip{$_} = 1 for $i .. $k - 1;
				$i     = $k;
				$start = 1;
				next;
			}
		}
		if ($ty eq 'punct')
		{
			$depth++ if $v eq '(';
			$depth-- if $v eq ')' && $depth > 0;
			$start = 1 if $v eq ';' && $depth == 0;
			next;
		}
		if ($ty eq 'op' && $v eq '%' && _kw($t, $i + 1, 'type', 'rowtype'))
		{
			$skip{$i} = $skip{ $i + 1 } = 1;
			next;
		}
		if ($ty eq 'op' && $v eq '=' && $opts)
		{
			my $p = $t->[ $i - 1 ];
			my $q = $t->[ $i - 2 ];
			$skip{$i} = 1
			  if $p && $p->{t} eq 'ident' && $q && (($q->{t} eq 'ident' && ($q->{v} eq 'using' || $q->{v} eq 'diagnostics')) || ($q->{t} eq 'punct' && $q->{v} eq ','));
			next;
		}
		next unless $ty eq 'ident';
		next if $i > $lo && _punct($t, $i - 1, '.');
		if ($depth == 0)
		{
			if ($v eq 'declare') { $in_decl = 1; $start = 1; next; }
			if ($v eq 'begin')   { $in_decl = 0; $start = 1; next; }
			if (($v eq 'then' || $v eq 'else') && !$case) { $start = 1; next; }
			if ($v eq 'loop')                              { $start = 1; next; }
			if ($v eq 'exception')                         { $start = 1 if _kw($t, $i + 1, 'when'); next; }
		}
		if ($v eq 'case')
		{
			$case++ unless $first eq 'case' && $i == _first_index($t, $i);
			next;
		}
		if ($v eq 'end')
		{
			$case-- if $case > 0 && !_kw($t, $i + 1, 'if', 'loop', 'case');
			next;
		}
		if ($v eq 'using' && $first eq 'raise') { $opts = 1; next; }
		if ($v eq 'diagnostics')                { $opts = 1; next; }
		if ($v eq 'in' && ($first eq 'for' || $first eq 'foreach') && !$in_seen && $depth == 0)
		{
			$skip{$i} = 1;
			$in_seen = 1;
			next;
		}
		if (($v eq 'from' || $v eq 'in') && ($first eq 'fetch' || $first eq 'move'))
		{
			$skip{$i} = 1;
			next;
		}
	}
	return (\%skip, \%starts);
}

# Whether $i is the first token of its PL/pgSQL statement (a CASE statement,
# as opposed to a CASE expression).
sub _first_index
{
	my ($t, $i) = @_;
	my $p = $t->[ $i - 1 ];
	return $i if !$p;
	return $i if $p->{t} eq 'punct' && $p->{v} eq ';';
	return $i if $p->{t} eq 'ident' && $p->{v} =~ /^(begin|then|else|loop|declare)$/;
	return $i if $p->{t} eq 'op' && $p->{v} eq '>>';
	return -1;
}

# scan(ctx, tokens, lo, hi, skip): checks an expression region.
sub _scan
{
	my ($ctx, $t, $lo, $hi, $skip, $starts) = @_;
	return $ctx->{pinned} if $hi < $lo;
	$skip   //= {};
	$starts //= {};
	my %skip = %$skip;
	my $S    = $ctx->{S};
	my $plp  = ($ctx->{lang} // '') eq 'plpgsql';
	local $ctx->{cte_scopes} = [ @{ $ctx->{cte_scopes} // [] }, _cte_names($t, $lo, $hi) ];
	local $ctx->{pinned} = $ctx->{pinned};
	my @stack  = ('');
	my (%from, %setlist, %updating, %opclose);
	my $depth = 0;

	for (my $i = $lo; $i <= $hi; $i++)
	{
		my $tk = $t->[$i];
		my ($ty, $v) = ($tk->{t}, $tk->{v} // '');
		my $prev = $i > $lo ? $t->[ $i - 1 ] : undef;
		my $next = $i < $hi ? $t->[ $i + 1 ] : undef;
		my $line = $tk->{line};
		local $ctx->{at} = $i;

		if ($plp && $starts->{$i} && $ty eq 'ident')
		{
			# PL/pgSQL statements that change the search_path or hold SQL
			my $end = $i;
			$end++ while $end < $hi && !_punct($t, $end, ';');
			if ($v eq 'set' || $v eq 'reset')
			{
				my $pc = { pinned => $ctx->{pinned} };
				_h_set($S, $pc, $ctx, [ @$t[ $i .. ($end > $i && _punct($t, $end, ';') ? $end - 1 : $end) ] ]);
				$ctx->{pinned} = $pc->{pinned};
				$i = $end;
				next;
			}
			if ($v eq 'do')
			{
				my $pc = { pinned => $ctx->{pinned} };
				_h_do($S, { %$ctx, cte_scopes => [] }, [ @$t[ $i .. ($end > $i && _punct($t, $end, ';') ? $end - 1 : $end) ] ], $pc);
				$ctx->{pinned} = $pc->{pinned};
				$i = $end;
				next;
			}
			my $x = $i;
			$x += 2 if _seq($t, $i, 'return', 'query');
			if (_kw($t, $x, 'execute') && $t->[ $x + 1 ] && $t->[ $x + 1 ]{t} =~ /^(str|dollar)$/
				&& (_punct($t, $x + 2, ';') || _kw($t, $x + 2, 'using', 'into') || $x + 1 == $hi))
			{
				# a constant dynamic query is SQL like any other
				_check_sql_body($S, { %$ctx, cte_scopes => [] }, $t->[ $x + 1 ]);
			}
		}

		if ($ty eq 'punct')
		{
			if ($v eq '(')
			{
				my $w = ($prev && $prev->{t} eq 'ident' && !($i - 2 >= $lo && _punct($t, $i - 2, '.'))) ? $prev->{v} : '';
				if ($w eq 'with' || $w eq 'options' || $w eq 'reset' || $w eq 'set')
				{
					# option lists and SET (a, b) column lists: no expressions
					$i = _match($t, $i, $hi);
					next;
				}
				if ($w eq 'inherits')
				{
					my $j = _match($t, $i, $hi);
					for my $r (_split_commas($t, $i + 1, $j - 1))
					{
						my ($e, $parts) = _chain($t, $r->[0], $r->[1]);
						_ref_relation($ctx, $parts, $t->[ $r->[0] ]{line});
					}
					$i = $j;
					next;
				}
				$from{$depth} = 'list' if ($from{$depth} // '') eq 'item';
				push @stack, $w;
				$depth++;
				next;
			}
			if ($v eq ')')
			{
				delete $from{$depth};
				delete $setlist{$depth};
				delete $updating{$depth};
				pop @stack if @stack > 1;
				$depth-- if $depth > 0;
				next;
			}
			if ($v eq ',')
			{
				$from{$depth} = 'item' if ($from{$depth} // '') eq 'list';
				next;
			}
			if ($v eq ';')
			{
				%from = %setlist = %updating = ();
				next;
			}
			if ($v eq '::')
			{
				my ($end, $typ) = _parse_type($t, $i + 1, $hi);
				if ($typ)
				{
					_ref_type($ctx, $typ, $line, 1);
					_reg_literal($ctx, $t->[ $i - 1 ], $typ, $line) if $prev && $prev->{t} eq 'str';
					$i = $end;
				}
				next;
			}
			next;
		}
		next if $skip{$i};

		if ($ty eq 'op')
		{
			if ($v eq '*' || $v eq '-' || $v eq '+' || $v eq '=')
			{
				# after OPERATOR(schema.op) comes an operand, not an operator
				my $bin = _operand_end($t, $i - 1, $lo, $plp) && !$opclose{ $i - 1 };
				next if $v eq '*' && !($bin && _operand_start($t, $i + 1, $hi));
				next if !$bin && ($v eq '-' || $v eq '+') && $next && $next->{t} eq 'num';
				if ($v eq '=' && $setlist{$depth} && $prev)
				{
					my $pp = $i - 2 >= $lo ? $t->[ $i - 2 ] : undef;
					next if $prev->{t} eq 'punct' && ($prev->{v} eq ')' || $prev->{v} eq ']');
					next if _is_name($prev) && $pp && (($pp->{t} eq 'punct' && $pp->{v} eq ',') || ($pp->{t} eq 'ident' && $pp->{v} eq 'set'));
				}
			}
			_add($S, 'PS001', $line, $ctx->{object}, "operator $v") unless $ctx->{pinned};
			next;
		}
		next unless _is_name($tk);

		if ($ty eq 'ident' && !($prev && $prev->{t} eq 'punct' && $prev->{v} eq '.'))
		{
			if ($v eq 'operator' && $next && $next->{t} eq 'punct' && $next->{v} eq '(')
			{
				my $j = _match($t, $i + 1, $hi);
				my $qualified = grep { _punct($t, $_, '.') } ($i + 2 .. $j - 1);
				my $op = join('', map { $t->[$_]{raw} } ($i + 2 .. $j - 1));
				_add($S, 'PS001', $line, $ctx->{object}, "OPERATOR($op) without a schema") unless $qualified || $ctx->{pinned};
				$opclose{$j} = 1;
				$i = $j;
				next;
			}
			if ($v eq 'cast' && $next && $next->{t} eq 'punct' && $next->{v} eq '(')
			{
				my $j  = _match($t, $i + 1, $hi);
				my $as = undef;
				my $d  = 0;
				for my $k ($i + 2 .. $j - 1)
				{
					if ($t->[$k]{t} eq 'punct') { $d++ if $t->[$k]{v} eq '('; $d-- if $t->[$k]{v} eq ')'; next; }
					$as = $k if $d == 0 && _kw($t, $k, 'as');
				}
				if (defined $as)
				{
					my ($end, $typ) = _parse_type($t, $as + 1, $j - 1);
					if ($typ)
					{
						_ref_type($ctx, $typ, $t->[ $as + 1 ]{line}, 1);
						_reg_literal($ctx, $t->[ $as - 1 ], $typ, $line) if $as - 1 == $i + 2 && $t->[ $as - 1 ]{t} eq 'str';
						$skip{$_} = 1 for $as + 1 .. $end;
					}
				}
				next;
			}
			if ($v eq 'case')
			{
				_add($S, 'PS009', $line, $ctx->{object}, 'CASE x WHEN compares with an operator found through search_path')
				  unless $ctx->{pinned} || _kw($t, $i + 1, 'when');
				next;
			}
			if ($v eq 'between')
			{
				_add($S, 'PS001', $line, $ctx->{object}, 'BETWEEN') unless $ctx->{pinned};
				next;
			}
			if (($v eq 'like' || $v eq 'ilike') && _operand_end($t, $i - 1, $lo, $plp) || (($v eq 'like' || $v eq 'ilike') && _kw($t, $i - 1, 'not')))
			{
				_add($S, 'PS001', $line, $ctx->{object}, uc $v) unless $ctx->{pinned};
				next;
			}
			if ($v eq 'similar' && _kw($t, $i + 1, 'to'))
			{
				_add($S, 'PS001', $line, $ctx->{object}, 'SIMILAR TO') unless $ctx->{pinned};
				next;
			}
			if ($v eq 'distinct' && (_kw($t, $i - 1, 'is') || (_kw($t, $i - 1, 'not') && _kw($t, $i - 2, 'is'))) && _kw($t, $i + 1, 'from'))
			{
				_add($S, 'PS001', $line, $ctx->{object}, 'IS DISTINCT FROM') unless $ctx->{pinned};
				$skip{ $i + 1 } = 1;
				next;
			}
			if ($v eq 'overlaps')
			{
				_add($S, 'PS001', $line, $ctx->{object}, 'OVERLAPS') unless $ctx->{pinned};
				next;
			}
			if ($v eq 'nullif' && _punct($t, $i + 1, '('))
			{
				_add($S, 'PS001', $line, $ctx->{object}, 'NULLIF') unless $ctx->{pinned};
				next;
			}
			if ($v eq 'in' && _punct($t, $i + 1, '(')
				&& (_operand_end($t, $i - 1, $lo, $plp) || (_kw($t, $i - 1, 'not') && _operand_end($t, $i - 2, $lo, $plp))))
			{
				_add($S, 'PS001', $line, $ctx->{object}, _kw($t, $i - 1, 'not') ? 'NOT IN' : 'IN') unless $ctx->{pinned};
				next;
			}
			if ($v eq 'collate' && _is_name($next))
			{
				my ($e, $parts) = _chain($t, $i + 1, $hi);
				_add($S, 'PS017', $line, $ctx->{object}, "unqualified collation $parts->[0]") unless @$parts > 1 || $ctx->{pinned};
				$i = $e;
				next;
			}
			if ($v eq 'from' || $v eq 'join')
			{
				next if $v eq 'from' && $FROM_IN_ARGS{ $stack[-1] };
				$from{$depth} = 'item';
				next;
			}
			if ($v eq 'into' && _kw($t, $i - 1, 'insert') && _is_name($next))
			{
				# INSERT INTO table [(columns)]: a relation even before "("
				my ($e, $parts) = _chain($t, $i + 1, $hi);
				_ref_relation($ctx, $parts, $line);
				$i = $e;
				$i = _match($t, $i + 1, $hi) if _punct($t, $i + 1, '(');
				next;
			}
			if ($v eq 'update' && !_kw($t, $i - 1, qw(for on do before after or of instead grant)) && !_punct($t, $i - 1, ','))
			{
				$from{$depth}     = 'item';
				$updating{$depth} = 1;
				next;
			}
			if ($v eq 'set' && ($updating{$depth} || _kw($t, $i - 1, 'update')))
			{
				$setlist{$depth} = 1;
				$from{$depth}    = '';
				next;
			}
			if ($v eq 'references' && _is_name($next))
			{
				my ($e, $parts) = _chain($t, $i + 1, $hi);
				_ref_relation($ctx, $parts, $line);
				$i = $e;
				$i = _match($t, $i + 1, $hi) if _punct($t, $i + 1, '(');
				next;
			}
			if ($v eq 'only' || $v eq 'lateral') { next; }
			if ($v eq 'rows' && _kw($t, $i + 1, 'from') && ($from{$depth} // '') eq 'item')
			{
				# ROWS FROM ( f(), g() ): calls, not a relation
				$from{$depth} = 'list';
				$skip{ $i + 1 } = 1;
				next;
			}
			if ($FROM_END{$v})
			{
				$from{$depth}    = '' if ($from{$depth} // '') ne '';
				$setlist{$depth} = 0  if $v eq 'where' || $v eq 'returning' || $v eq 'from';
				next;
			}
			next if $RESERVED{$v} && !$VALUE_KW{$v};
		}

		# A (possibly qualified) name.
		my ($j, $parts) = _chain($t, $i, $hi);
		if (($from{$depth} // '') eq 'item')
		{
			$from{$depth} = 'list';
			if (_punct($t, $j + 1, '('))
			{
				_ref_function($ctx, $parts, $line);
			}
			else
			{
				_ref_relation($ctx, $parts, $line);
			}
			$i = $j;
			next;
		}
		if (_punct($t, $j + 1, '('))
		{
			if (_is_call($t, $i, $j, $lo, $parts))
			{
				_ref_function($ctx, $parts, $line);
				_config_dump($ctx, $t, $j + 1, $hi, $parts);
			}
			$i = $j;
			next;
		}
		my $n = $t->[ $j + 1 ];
		if ($n && $n->{t} eq 'str' && $j + 1 <= $hi && !(@$parts == 1 && $NOT_TYPED_LITERAL{ $parts->[0] }) && !_operand_end($t, $i - 1, $lo, $plp) && $ty ne 'subst')
		{
			my $last = $parts->[-1];
			unless (@$parts == 1 && ($KW_TYPE{$last} || $RESERVED{$last} || $PLPGSQL_KW{$last}))
			{
				my $typ = { parts => $parts, kw => 0, canon => join('.', @$parts) };
				_ref_type($ctx, $typ, $line, 1);
				_reg_literal($ctx, $n, $typ, $line);
			}
		}
		$i = $j;
	}
	return $ctx->{pinned};
}

# Is NAME( at $i..$j a function call?
sub _is_call
{
	my ($t, $i, $j, $lo, $parts) = @_;
	my $tk = $t->[$i];
	if (@$parts == 1 && $tk->{t} eq 'ident' && $NOT_CALL{ $tk->{v} }) { return 0; }
	return 1 if $i == $lo;
	my $p = $t->[ $i - 1 ];
	return 0 if $p->{t} eq 'punct' && $p->{v} eq ')';
	if ($p->{t} eq 'ident')
	{
		return 0 if $p->{v} =~ /^(as|into|references|table|key|index|type|view|sequence|trigger|schema|domain|aggregate|routine)$/;
		if ($p->{v} eq 'function' || $p->{v} eq 'procedure')
		{
			return _kw($t, $i - 2, 'execute') ? 1 : 0;
		}
		return 1 if $KW_BEFORE_CALL{ $p->{v} };
		return 0;    # an alias: FROM tbl alias(col, ...)
	}
	return 0 if $p->{t} eq 'qident';
	return 1;
}

# A string literal cast to a reg* type: the name inside is looked up through
# the search_path at run time.
sub _reg_literal
{
	my ($ctx, $str, $typ, $line) = @_;
	my $tn = $typ->{parts}[-1];
	return unless $REG_TYPE{$tn};
	my $name = $str->{v};
	return if $name =~ /\./ || $name =~ /^\s*$/;
	return if $ctx->{pinned} && $name =~ /^pg_/;
	_add($ctx->{S}, 'PS017', $line, $ctx->{object}, "'$name'::$tn names an object without its schema");
	return;
}

# pg_extension_config_dump('name', ...): the table is a regclass string.
sub _config_dump
{
	my ($ctx, $t, $open, $hi, $parts) = @_;
	return unless $parts->[-1] eq 'pg_extension_config_dump';
	my $a = $t->[ $open + 1 ];
	return unless $a && $a->{t} eq 'str';
	_reg_literal($ctx, $a, { parts => ['regclass'] }, $a->{line});
	return;
}

# ---------------------------------------------------------------------------
# Statement handlers.
# ---------------------------------------------------------------------------

sub _check_statement
{
	my ($S, $pathctx, $t) = @_;
	return unless @$t;
	my $hi = $#$t;
	my $w0 = $t->[0]{t} eq 'ident' ? $t->[0]{v} : '';
	my $ctx = {
		S      => $S,
		pinned => $pathctx->{pinned},
		lang   => $pathctx->{lang} // 'sql',
		object => $pathctx->{object} // uc($w0),
		cte_scopes => [],
	};
	if    ($w0 eq 'create') { _h_create($S, $ctx, $t); }
	elsif ($w0 eq 'alter')  { _h_alter($S, $ctx, $t); }
	elsif ($w0 eq 'drop')   { _h_drop($S, $ctx, $t); }
	elsif ($w0 eq 'grant' || $w0 eq 'revoke') { _h_grant($S, $ctx, $t); }
	elsif ($w0 eq 'comment')  { _h_comment($S, $ctx, $t); }
	elsif ($w0 eq 'do')       { _h_do($S, $ctx, $t, $pathctx); }
	elsif ($w0 eq 'set' || $w0 eq 'reset') { _h_set($S, $pathctx, $ctx, $t); }
	elsif ($w0 =~ /^(commit|rollback|end|abort)$/)
	{
		$pathctx->{pinned} = 0 if $pathctx->{local};
	}
	else
	{
		_scan($ctx, $t, 0, $hi);
		_set_config($S, $pathctx, $t) if $w0 eq 'select';
	}
	return;
}

# SELECT pg_catalog.set_config('search_path', 'a, b', is_local)
sub _set_config
{
	my ($S, $pathctx, $t) = @_;
	for my $k (0 .. $#$t - 7)
	{
		next unless _seq($t, $k, 'pg_catalog') && _punct($t, $k + 1, '.') && _kw($t, $k + 2, 'set_config') && _punct($t, $k + 3, '(');
		my ($a, $b) = ($t->[ $k + 4 ], $t->[ $k + 6 ]);
		next unless $a->{t} eq 'str' && lc($a->{v}) eq 'search_path' && $b && $b->{t} eq 'str';
		$pathctx->{pinned} = _secure_path($S, split /,/, $b->{v});
		my $l = $t->[ $k + 8 ];
		$pathctx->{local} = ($l && (($l->{t} eq 'ident' && $l->{v} eq 'true') || ($l->{t} eq 'str' && $l->{v} =~ /^(t|true|on|1)$/i))) ? 1 : 0;
	}
	return;
}

sub _h_set
{
	my ($S, $pathctx, $ctx, $t) = @_;
	my $k = 1;
	if ($t->[0]{v} eq 'reset')
	{
		$pathctx->{pinned} = 0 if _kw($t, 1, 'search_path', 'all');
		return;
	}
	my $local = 0;
	if (_kw($t, $k, 'local', 'session')) { $local = $t->[$k]{v} eq 'local'; $k++; }
	return unless _kw($t, $k, 'search_path');
	$k++;
	return unless _kw($t, $k, 'to') || ($t->[$k] && $t->[$k]{t} eq 'op' && $t->[$k]{v} eq '=');
	$k++;
	if (_kw($t, $k, 'default')) { $pathctx->{pinned} = 0; return; }
	my ($e, $vals, $ps018) = _path_values($t, $k, $#$t);
	_add($S, 'PS018', $t->[0]{line}, 'search_path', "SET search_path TO '$vals->[0]' is one schema name") if $ps018;
	$pathctx->{pinned} = $ps018 ? 0 : _secure_path($S, @$vals);
	$pathctx->{local}  = $local;
	return;
}

sub _h_do
{
	my ($S, $ctx, $t, $pathctx) = @_;
	my ($body, $lang) = (undef, 'plpgsql');
	for my $k (1 .. $#$t)
	{
		if ($t->[$k]{t} eq 'str' || $t->[$k]{t} eq 'dollar')
		{
			$body //= $t->[$k];
		}
		elsif (_kw($t, $k, 'language') && $t->[ $k + 1 ])
		{
			$lang = lc _name_of($t->[ $k + 1 ]);
			$lang = lc $t->[ $k + 1 ]{v} if $t->[ $k + 1 ]{t} eq 'str';
		}
	}
	return unless $body;
	$ctx->{object} = 'DO block';
	if ($lang ne 'plpgsql')
	{
		_add($S, 'PSX00', $t->[0]{line}, 'DO block', "DO block in language $lang cannot be checked");
		return;
	}
	# a SET search_path inside a DO block stays in effect after it
	my $after = _check_plpgsql($S, $ctx, $body);
	$pathctx->{pinned} = $after if $pathctx;
	return;
}

sub _check_plpgsql
{
	my ($S, $ctx, $body) = @_;
	my ($toks, $errs) = tokenize($body->{v}, $body->{line});
	_add($S, 'PSX00', $_->{line}, $ctx->{object}, "PL/pgSQL body: $_->{msg}") for @$errs;
	local $ctx->{lang} = 'plpgsql';
	my ($skip, $starts) = _plpgsql_marks($ctx, $toks, 0, $#$toks);
	return _scan($ctx, $toks, 0, $#$toks, $skip, $starts);
}

sub _check_sql_body
{
	my ($S, $ctx, $body) = @_;
	my ($toks, $errs) = tokenize($body->{v}, $body->{line});
	_add($S, 'PSX00', $_->{line}, $ctx->{object}, "SQL body: $_->{msg}") for @$errs;
	my $pc = { pinned => $ctx->{pinned}, lang => 'sql', object => $ctx->{object} };
	_check_statement($S, $pc, $_) for split_statements($toks);
	return;
}

# CREATE ...
sub _h_create
{
	my ($S, $ctx, $t) = @_;
	my $hi = $#$t;
	my $k  = 1;
	my $replace = 0;
	if (_seq($t, $k, 'or', 'replace')) { $replace = 1; $k += 2; }
	$k++ while _kw($t, $k, qw(temp temporary unlogged global local trusted procedural unique constraint recursive default));
	my $kind = ($t->[$k] && $t->[$k]{t} eq 'ident') ? $t->[$k]{v} : '';
	$k++;
	if ($kind eq 'materialized' || $kind eq 'event' || $kind eq 'access')
	{
		$kind .= ' ' . $t->[$k]{v};
		$k++;
	}
	elsif ($kind eq 'operator' && _kw($t, $k, 'class', 'family')) { $kind .= ' ' . $t->[$k]{v}; $k++; }
	elsif ($kind eq 'foreign' && _kw($t, $k, 'table')) { $kind = 'foreign table'; $k++; }
	elsif ($kind eq 'foreign' && _seq($t, $k, 'data', 'wrapper')) { $kind = 'foreign data wrapper'; $k += 2; }
	elsif ($kind eq 'text' && _kw($t, $k, 'search'))
	{
		$kind = 'text search ' . ($t->[ $k + 1 ] ? $t->[ $k + 1 ]{v} : '');
		$k += 2;
	}
	elsif ($kind eq 'user' && _kw($t, $k, 'mapping')) { $kind = 'user mapping'; $k++; }
	$k++ if $kind eq 'index' && _kw($t, $k, 'concurrently');
	my $ine = 0;
	if (_seq($t, $k, 'if', 'not', 'exists')) { $ine = 1; $k += 3; }
	my $line = $t->[0]{line};

	if ($kind eq 'function' || $kind eq 'procedure')
	{
		return _h_function($S, $ctx, $t, $k, $replace, $kind);
	}
	if ($kind eq 'table' || $kind eq 'foreign table')
	{
		return _h_table($S, $ctx, $t, $k, $ine, $kind);
	}
	if ($kind eq 'view' || $kind eq 'materialized view')
	{
		my ($e, $parts) = _chain($t, $k, $hi);
		my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
		my $key = "rel:$schema.$name";
		$ctx->{object} = "$schema.$name";
		if ($replace && !$S->{reg}{plain}{$key} && !$S->{reg}{schemas}{$schema})
		{
			_add($S, 'PS015', $line, "$schema.$name", "CREATE OR REPLACE $kind $schema.$name, not created earlier by these scripts");
		}
		if ($ine && !$S->{reg}{schemas}{$schema})
		{
			_add($S, 'PS007', $line, "$schema.$name", "CREATE $kind IF NOT EXISTS $schema.$name");
		}
		_register($S, $key, 'rel', $name, { kind => $kind eq 'view' ? 'v' : 'm', line => $line }, $replace);
		my $as = _find_kw($t, $e + 1, $hi, 'as');
		if (defined $as)
		{
			my $end = $hi;
			my $wc  = _find_kw($t, $as + 1, $hi, 'with');
			$end = $wc - 1 if defined $wc && _kw($t, $hi, 'option');
			_scan($ctx, $t, $as + 1, $end);
		}
		return;
	}
	if ($kind eq 'index')
	{
		my $on = _find_kw($t, $k, $hi, 'on');
		my $name = (defined $on && $on > $k) ? _name_of($t->[$k]) : '(unnamed)';
		$ctx->{object} = "index $name";
		return unless defined $on;
		my $r = $on + 1;
		$r++ if _kw($t, $r, 'only');
		my ($e, $parts) = _chain($t, $r, $hi);
		_add($S, 'PS014', $line, "index $name", "CREATE INDEX IF NOT EXISTS $name")
		  if $ine && !(@$parts > 1 && $S->{reg}{schemas}{ $parts->[-2] });
		_ref_relation($ctx, $parts, $t->[$r]{line});
		$ctx->{object} = _qual($S, $parts) . " index $name";
		$e += 2 if _kw($t, $e + 1, 'using');
		if (_punct($t, $e + 1, '('))
		{
			my $close = _match($t, $e + 1, $hi);
			for my $el (_split_commas($t, $e + 2, $close - 1))
			{
				my ($a, $b) = @$el;
				$b-- while $b > $a && _kw($t, $b, qw(asc desc first last nulls));
				# an operator class after the column or expression
				my $oc = $b;
				$oc -= 2 while $oc - 2 >= $a && _punct($t, $oc - 1, '.') && _is_name($t->[ $oc - 2 ]);
				if ($oc > $a && _is_name($t->[$oc]) && ($t->[ $oc - 1 ]{t} =~ /^(ident|qident)$/ || _punct($t, $oc - 1, ')'))
					&& !_kw($t, $oc - 1, 'collate'))
				{
					my ($e2, $op) = _chain($t, $oc, $b);
					_ref_object($ctx, $op, $t->[$oc]{line}, 'operator class');
					$b = $oc - 1;
				}
				_scan($ctx, $t, $a, $b);
			}
			_scan($ctx, $t, $close + 1, $hi);
		}
		return;
	}
	if ($kind eq 'sequence')
	{
		my ($e, $parts) = _chain($t, $k, $hi);
		my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
		_add($S, 'PS011', $line, "$schema.$name", "CREATE SEQUENCE IF NOT EXISTS $schema.$name") if $ine && !$S->{reg}{schemas}{$schema};
		_register($S, "rel:$schema.$name", 'rel', $name, { kind => 'S', line => $line });
		my $ob = _find_kw($t, $e + 1, $hi, 'owned');
		if (defined $ob && _kw($t, $ob + 1, 'by') && !_kw($t, $ob + 2, 'none'))
		{
			my ($e2, $p2) = _chain($t, $ob + 2, $hi);
			_ref_object({ %$ctx, object => "$schema.$name" }, [ @$p2[ 0 .. $#$p2 - 1 ] ], $t->[ $ob + 2 ]{line}, 'table');
		}
		return;
	}
	if ($kind eq 'schema')
	{
		my $name = _name_of($t->[$k]);
		# A schema this script creates cannot hold anyone else's objects
		# (pgspot: IF NOT EXISTS and OR REPLACE are safe in it).
		if ($ine) { _add($S, 'PS010', $line, $name, "CREATE SCHEMA IF NOT EXISTS $name") unless $S->{reg}{schemas}{$name}; }
		else      { $S->{reg}{schemas}{$name} = 1; }
		return;
	}
	if ($kind eq 'type' || $kind eq 'domain')
	{
		my ($e, $parts) = _chain($t, $k, $hi);
		my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
		$ctx->{object} = "$schema.$name";
		_register($S, "type:$schema.$name", 'type', $name, { line => $line });
		if ($kind eq 'domain')
		{
			my $tk = $e + 1;
			$tk++ if _kw($t, $tk, 'as');
			my ($te, $typ) = _parse_type($t, $tk, $hi);
			_ref_type($ctx, $typ, $t->[$tk]{line}, 0) if $typ;
			_scan($ctx, $t, ($te // $tk) + 1, $hi);
		}
		elsif (_kw($t, $e + 1, 'as') && _punct($t, $e + 2, '('))
		{
			# composite: attribute types
			my $close = _match($t, $e + 2, $hi);
			for my $el (_split_commas($t, $e + 3, $close - 1))
			{
				my ($te, $typ) = _parse_type($t, $el->[0] + 1, $el->[1]);
				_ref_type($ctx, $typ, $t->[ $el->[0] ]{line}, 0) if $typ;
			}
		}
		elsif (_punct($t, $e + 1, '(') && @$parts == 1 && !$ctx->{pinned})
		{
			_add($S, 'PS017', $line, "$schema.$name", "CREATE TYPE $name (base type) without a schema");
		}
		return;
	}
	if ($kind eq 'trigger')
	{
		my $name = _name_of($t->[$k]);
		my $on   = _find_kw($t, $k + 1, $hi, 'on');
		return unless defined $on;
		my ($e, $parts) = _chain($t, $on + 1, $hi);
		my $tbl = _qual($S, $parts);
		$ctx->{object} = "trigger $name on $tbl";
		_ref_relation($ctx, $parts, $t->[ $on + 1 ]{line});
		my $key = "trigger:$name\@$tbl";
		_add($S, 'PS007', $line, $ctx->{object}, "CREATE OR REPLACE TRIGGER $name, not created earlier by these scripts")
		  if $replace && !$S->{reg}{plain}{$key};
		_register($S, $key, 'trigger', $name, { line => $line }, $replace);
		my $from = _find_kw($t, $e + 1, $hi, 'from');
		if (defined $from)
		{
			my ($e2, $p2) = _chain($t, $from + 1, $hi);
			_ref_relation($ctx, $p2, $t->[ $from + 1 ]{line});
		}
		my $when = _find_kw($t, $e + 1, $hi, 'when');
		if (defined $when && _punct($t, $when + 1, '('))
		{
			my $close = _match($t, $when + 1, $hi);
			_scan($ctx, $t, $when + 2, $close - 1);
		}
		_exec_function($ctx, $t, $e + 1, $hi);
		return;
	}
	if ($kind eq 'event trigger')
	{
		my $name = _name_of($t->[$k]);
		$ctx->{object} = "event trigger $name";
		_exec_function($ctx, $t, $k + 1, $hi);
		return;
	}
	if ($kind eq 'cast')
	{
		$ctx->{object} = 'CREATE CAST';
		my $wf = _find_kw($t, $k - 1, $hi, 'function');
		if (defined $wf && _kw($t, $wf - 1, 'with'))
		{
			my ($e, $parts) = _chain($t, $wf + 1, $hi);
			_ref_function($ctx, $parts, $t->[ $wf + 1 ]{line}, 'cast function');
		}
		return;
	}
	if ($kind eq 'transform')
	{
		_add($S, 'PS006', $line, 'transform', 'CREATE OR REPLACE TRANSFORM') if $replace;
		return;
	}
	if ($kind eq 'server')
	{
		my $name = _name_of($t->[$k]);
		_add($S, 'PS013', $line, $name, "CREATE SERVER IF NOT EXISTS $name") if $ine;
		return;
	}
	if ($kind eq 'rule' || $kind eq 'policy')
	{
		my $name = _name_of($t->[$k]);
		my $on   = _find_kw($t, $k + 1, $hi, $kind eq 'rule' ? 'to' : 'on');
		my ($e, $parts) = defined $on ? _chain($t, $on + 1, $hi) : ($hi, []);
		my $tbl = @$parts ? _qual($S, $parts) : '?';
		$ctx->{object} = "$kind $name on $tbl";
		_ref_relation($ctx, $parts, $t->[ $on + 1 ]{line}) if @$parts;
		my $key = "$kind:$name\@$tbl";
		_add($S, 'PS007', $line, $ctx->{object}, "CREATE OR REPLACE " . uc($kind) . " $name, not created earlier by these scripts")
		  if $replace && !$S->{reg}{plain}{$key};
		_register($S, $key, $kind, $name, { line => $line }, $replace);
		_scan($ctx, $t, $e + 1, $hi);
		return;
	}
	if ($kind eq 'aggregate')
	{
		my ($e, $parts) = _chain($t, $k, $hi);
		my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
		my $args = [];
		if (_punct($t, $e + 1, '('))
		{
			my $close = _match($t, $e + 1, $hi);
			if (_is_name($t->[ $e + 2 ]) && $t->[ $e + 3 ] && $t->[ $e + 3 ]{t} eq 'op' && $t->[ $e + 3 ]{v} eq '=')
			{
				# old syntax: CREATE AGGREGATE name (BASETYPE = type, ...)
				for my $el (_split_commas($t, $e + 2, $close - 1))
				{
					next unless _kw($t, $el->[0], 'basetype');
					my ($te, $typ) = _parse_type($t, $el->[0] + 2, $el->[1]);
					$args = [ { mode => 'in', type => $typ } ] if $typ && $typ->{canon} ne 'any';
				}
			}
			else { $args = _parse_args($t, $e + 1, $close); }
		}
		my $sig = _sig($schema, $name, $args);
		_add($S, 'PS017', $line, $sig, "CREATE AGGREGATE $name without a schema") if @$parts == 1 && !$ctx->{pinned};
		_add($S, 'PS007', $line, $sig, "CREATE OR REPLACE AGGREGATE $sig, not created earlier by these scripts")
		  if $replace && !$S->{reg}{plain}{"func:$sig"} && !$S->{reg}{schemas}{$schema};
		_new_function($S, $sig, $schema, $name, { line => $line, lang => 'aggregate' }, $replace);
		return;
	}
	if ($kind eq 'operator' || $kind eq 'collation' || $kind =~ /^text search/ || $kind eq 'conversion' || $kind eq 'statistics' || $kind =~ /^operator /)
	{
		my ($e, $parts) = ($k, [ _name_of($t->[$k]) ]);
		if ($kind eq 'operator')
		{
			# CREATE OPERATOR [schema.]op (
			my @p;
			while ($k <= $hi && !_punct($t, $k, '('))
			{
				push @p, $t->[$k]{raw} unless _punct($t, $k, '.');
				$k++;
			}
			$parts = @p ? \@p : ['?'];
		}
		else { ($e, $parts) = _chain($t, $k, $hi); }
		my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
		_add($S, 'PS017', $line, "$schema.$name", "CREATE " . uc($kind) . " $name without a schema")
		  if @$parts == 1 && !$ctx->{pinned} && $kind !~ /^(statistics|conversion)$/;
		_add($S, 'PS007', $line, "$schema.$name", "CREATE " . uc($kind) . " IF NOT EXISTS $schema.$name") if $ine && !$S->{reg}{schemas}{$schema};
		_add($S, 'PS007', $line, "$schema.$name", "CREATE OR REPLACE " . uc($kind) . " $schema.$name") if $replace && !$S->{reg}{schemas}{$schema};
		_register($S, "$kind:$schema.$name", $kind, $name, { line => $line });
		return;
	}
	if ($kind eq 'extension')
	{
		my $name = _name_of($t->[$k]);
		_add($S, 'PS007', $line, "extension $name", "CREATE EXTENSION IF NOT EXISTS $name") if $ine;
		return;
	}
	if ($kind eq 'language')
	{
		my $name = _name_of($t->[$k]);
		_add($S, 'PS007', $line, "language $name", "CREATE OR REPLACE LANGUAGE $name") if $replace;
		return;
	}
	if ($replace)
	{
		_add($S, 'PS007', $line, $kind, "CREATE OR REPLACE " . uc($kind));
	}
	if ($ine)
	{
		_add($S, 'PS007', $line, $kind, "CREATE " . uc($kind) . " IF NOT EXISTS");
	}
	return;
}

# EXECUTE FUNCTION|PROCEDURE name(...) in a trigger or event trigger.
sub _exec_function
{
	my ($ctx, $t, $lo, $hi) = @_;
	for my $k ($lo .. $hi - 1)
	{
		next unless _kw($t, $k, 'execute') && _kw($t, $k + 1, 'function', 'procedure');
		my ($e, $parts) = _chain($t, $k + 2, $hi);
		_ref_function($ctx, $parts, $t->[ $k + 2 ]{line}, 'trigger function');
	}
	return;
}

sub _register
{
	my ($S, $key, $kind, $name, $info, $replace) = @_;
	# OR REPLACE is safe only for what a plain CREATE made (pgspot's rule)
	$S->{reg}{plain}{$key} = 1 unless $replace;
	$S->{reg}{obj}{$key} = { %$info, name => $name, created_in => $S->{file} };
	my %bucket = (rel => 'rel', func => 'func', type => 'type');
	$S->{reg}{names}{ $bucket{$kind} }{$name}++ if $bucket{$kind};
	return;
}

sub _unregister
{
	my ($S, $key) = @_;
	delete $S->{reg}{plain}{$key};
	return delete $S->{reg}{obj}{$key};
}

sub _rename
{
	my ($S, $old, $new) = @_;
	my $plain = $S->{reg}{plain}{$old};
	my $o     = _unregister($S, $old);
	$S->{reg}{obj}{$new}   = $o if $o;
	$S->{reg}{plain}{$new} = 1  if $plain;
	return;
}

sub _new_function
{
	my ($S, $sig, $schema, $name, $info, $replace) = @_;
	my $existed = $S->{reg}{obj}{"func:$sig"};
	_register($S, "func:$sig", 'func', $name, $info, $replace && !$S->{reg}{plain}{"func:$sig"});
	# D8: a new function (not a replacement, which keeps its ACL) in the
	# extension schema must have EXECUTE revoked from PUBLIC in this script.
	if (!($replace && $existed) && $schema eq $S->{schema})
	{
		push @{ $S->{created_funcs} }, { sig => $sig, line => $info->{line}, kind => $info->{kind} // 'function' };
	}
	return;
}

sub _h_function
{
	my ($S, $ctx, $t, $k, $replace, $kind) = @_;
	my $hi   = $#$t;
	my $line = $t->[0]{line};
	my ($e, $parts) = _chain($t, $k, $hi);
	my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
	return unless _punct($t, $e + 1, '(');
	my $close = _match($t, $e + 1, $hi);
	my $args  = _parse_args($t, $e + 1, $close);
	my $sig   = _sig($schema, $name, $args);
	$ctx->{object} = $sig;

	# Argument types and defaults (parsed now, under the script's path).
	for my $a (@$args)
	{
		_ref_type($ctx, $a->{type}, $t->[ $a->{lo} ]{line}, 0);
		_scan($ctx, $t, $a->{default}[0], $a->{default}[1]) if $a->{default};
	}

	my ($lang, $body, $secdef, @setpath, $ps018, $atomic) = ('', undef, 0);
	my $i = $close + 1;
	while ($i <= $hi)
	{
		my $tk = $t->[$i];
		if (_kw($t, $i, 'returns'))
		{
			$i++;
			$i++ if _kw($t, $i, 'setof');
			if (_kw($t, $i, 'table') && _punct($t, $i + 1, '('))
			{
				my $c2 = _match($t, $i + 1, $hi);
				for my $el (_split_commas($t, $i + 2, $c2 - 1))
				{
					my ($te, $typ) = _parse_type($t, $el->[0] + 1, $el->[1]);
					_ref_type($ctx, $typ, $t->[ $el->[0] ]{line}, 0) if $typ;
				}
				$i = $c2 + 1;
				next;
			}
			my ($te, $typ) = _parse_type($t, $i, $hi);
			if ($typ) { _ref_type($ctx, $typ, $t->[$i]{line}, 0); $i = $te + 1; }
			next;
		}
		if (_kw($t, $i, 'language') && $t->[ $i + 1 ])
		{
			$lang = $t->[ $i + 1 ]{t} eq 'str' ? lc $t->[ $i + 1 ]{v} : lc _name_of($t->[ $i + 1 ]);
			$i += 2;
			next;
		}
		if (_kw($t, $i, 'as') && $t->[ $i + 1 ] && ($t->[ $i + 1 ]{t} eq 'str' || $t->[ $i + 1 ]{t} eq 'dollar'))
		{
			$body = $t->[ $i + 1 ];
			$i += 2;
			$i += 2 if _punct($t, $i, ',');
			next;
		}
		if (_seq($t, $i, 'security', 'definer') || _seq($t, $i, 'external', 'security', 'definer'))
		{
			$secdef = 1;
			$i += _kw($t, $i, 'external') ? 3 : 2;
			next;
		}
		if (_kw($t, $i, 'set') && _kw($t, $i + 1, 'search_path'))
		{
			my $j = $i + 2;
			if (_seq($t, $j, 'from', 'current'))
			{
				@setpath = ('(from current)');
				$i       = $j + 2;
				next;
			}
			$j++ if _kw($t, $j, 'to') || ($t->[$j] && $t->[$j]{t} eq 'op' && $t->[$j]{v} eq '=');
			my ($je, $vals, $p18) = _path_values($t, $j, $hi);
			@setpath = @$vals;
			$ps018   = 1 if $p18;
			$i       = $je + 1;
			next;
		}
		if (_kw($t, $i, 'set'))
		{
			# SET other = value | TO value | FROM CURRENT
			my $j = $i + 2;
			$j++ if $t->[$j] && ($t->[$j]{t} eq 'op' || _kw($t, $j, 'to', 'from'));
			my ($je) = _path_values($t, $j, $hi);
			$i = $je + 1;
			next;
		}
		if (_kw($t, $i, 'support'))
		{
			my ($je, $p2) = _chain($t, $i + 1, $hi);
			_ref_function($ctx, $p2, $t->[ $i + 1 ]{line}, 'support function');
			$i = $je + 1;
			next;
		}
		if (_seq($t, $i, 'begin', 'atomic'))
		{
			$atomic = [ $i + 2, $hi - (_kw($t, $hi, 'end') ? 1 : 0) ];
			last;
		}
		if (_kw($t, $i, 'return'))
		{
			$atomic = [ $i, $hi ];
			last;
		}
		$i++;
	}
	$lang = 'sql' if $atomic && !$lang;

	my $pinned = (@setpath && !$ps018) ? _secure_path($S, @setpath) : 0;
	_add($S, 'PS018', $line, $sig, "SET search_path TO '$setpath[0]' is one schema name") if $ps018;
	if ($secdef)
	{
		_add($S, 'PSX02', $line, $sig, "$sig is SECURITY DEFINER");
		if (!@setpath) { _add($S, 'PS003', $line, $sig, "SECURITY DEFINER $sig has no SET search_path"); }
		elsif (!$pinned)
		{
			_add($S, 'PS004', $line, $sig, "SECURITY DEFINER $sig has search_path " . join(', ', @setpath));
		}
	}
	elsif (($lang eq 'sql' || $lang eq 'plpgsql') && !$pinned)
	{
		_add($S, 'PS005', $line, $sig,
			@setpath
			? "$lang function $sig has search_path " . join(', ', @setpath) . ' (want pg_catalog, pg_temp)'
			: "$lang function $sig has no SET search_path");
	}
	if ($replace && !$S->{reg}{plain}{"func:$sig"} && !$S->{reg}{schemas}{$schema})
	{
		_add($S, 'PS002', $line, $sig, "CREATE OR REPLACE " . uc($kind) . " $sig, not created earlier by these scripts");
	}
	_new_function($S, $sig, $schema, $name, { line => $line, lang => $lang, pinned => $pinned, kind => $kind }, $replace);

	# The body.
	my $bctx = { %$ctx, pinned => $pinned, cte_scopes => [] };
	if ($atomic)
	{
		# SQL-standard bodies are parsed at CREATE time, under the script's
		# search_path, not the function's.
		my @sub  = @$t[ $atomic->[0] .. $atomic->[1] ];
		_check_statement($S, { pinned => $ctx->{pinned}, lang => 'sql', object => $sig }, $_) for split_statements(\@sub);
	}
	elsif ($body && $lang eq 'sql')
	{
		_check_sql_body($S, $bctx, $body);
	}
	elsif ($body && $lang eq 'plpgsql')
	{
		_check_plpgsql($S, $bctx, $body);
	}
	elsif ($lang ne 'c' && $lang ne 'internal' && $body)
	{
		_add($S, 'PSX00', $line, $sig, "function language $lang cannot be checked");
	}
	return;
}

sub _h_table
{
	my ($S, $ctx, $t, $k, $ine, $kind) = @_;
	my $hi   = $#$t;
	my $line = $t->[0]{line};
	my ($e, $parts) = _chain($t, $k, $hi);
	my ($schema, $name) = _created_in($S, $ctx, $parts, $line, $kind);
	$ctx->{object} = "$schema.$name";
	_register($S, "rel:$schema.$name", 'rel', $name, { kind => 'r', line => $line });
	my $as = _find_kw($t, $e + 1, $hi, 'as');
	if (defined $as)
	{
		# CREATE TABLE ... AS query
		_add($S, 'PS007', $line, "$schema.$name", "CREATE TABLE $schema.$name AS ... IF NOT EXISTS") if $ine && !$S->{reg}{schemas}{$schema};
		_scan($ctx, $t, $as + 1, $hi);
		return;
	}
	_add($S, 'PS012', $line, "$schema.$name", "CREATE " . uc($kind) . " IF NOT EXISTS $schema.$name") if $ine && !$S->{reg}{schemas}{$schema};
	my $rest = $e + 1;
	if (_kw($t, $rest, 'partition') && _kw($t, $rest + 1, 'of'))
	{
		my ($e2, $p2) = _chain($t, $rest + 2, $hi);
		_ref_relation($ctx, $p2, $t->[ $rest + 2 ]{line});
		$rest = $e2 + 1;
	}
	elsif (_kw($t, $rest, 'of'))
	{
		my ($e2, $typ) = _parse_type($t, $rest + 1, $hi);
		_ref_type($ctx, $typ, $t->[ $rest + 1 ]{line}, 0) if $typ;
		$rest = ($e2 // $rest) + 1;
	}
	if (_punct($t, $rest, '('))
	{
		my $close = _match($t, $rest, $hi);
		for my $el (_split_commas($t, $rest + 1, $close - 1))
		{
			_table_element($S, $ctx, $t, $el->[0], $el->[1], $schema, $name);
		}
		$rest = $close + 1;
	}
	_scan($ctx, $t, $rest, $hi);
	return;
}

# One element of CREATE TABLE ( ... ) or ALTER TABLE ADD [COLUMN].
sub _table_element
{
	my ($S, $ctx, $t, $a, $b, $schema, $table) = @_;
	if (_kw($t, $a, qw(constraint check unique primary foreign exclude)))
	{
		_scan($ctx, $t, $a, $b);
		return;
	}
	if (_kw($t, $a, 'like'))
	{
		my ($e, $parts) = _chain($t, $a + 1, $b);
		_ref_relation($ctx, $parts, $t->[ $a + 1 ]{line});
		return;
	}
	# column: name type [constraints]
	my $col = _name_of($t->[$a]);
	my ($te, $typ) = _parse_type($t, $a + 1, $b);
	my $rest = $a + 1;
	if ($typ && !_kw($t, $a + 1, qw(with options)))
	{
		_ref_type($ctx, $typ, $t->[ $a + 1 ]{line}, 0);
		_register($S, "rel:$schema.${table}_${col}_seq", 'rel', "${table}_${col}_seq", { kind => 'S', line => $t->[$a]{line} })
		  if $typ->{serial};
		$rest = $te + 1;
	}
	if (defined _find_kw($t, $rest, $b, 'identity'))
	{
		_register($S, "rel:$schema.${table}_${col}_seq", 'rel', "${table}_${col}_seq", { kind => 'S', line => $t->[$a]{line} });
	}
	_scan($ctx, $t, $rest, $b);
	return;
}

# ALTER ...
sub _h_alter
{
	my ($S, $ctx, $t) = @_;
	my $hi   = $#$t;
	my $line = $t->[0]{line};
	my $k    = 1;
	my $kind = $t->[$k] ? $t->[$k]{v} : '';
	$k++;
	if ($kind eq 'materialized' || $kind eq 'event' || ($kind eq 'foreign' && _kw($t, $k, 'table')) || ($kind eq 'default' && _kw($t, $k, 'privileges')))
	{
		$kind .= ' ' . $t->[$k]{v};
		$k++;
	}
	elsif ($kind eq 'text' && _kw($t, $k, 'search')) { $kind .= ' search ' . $t->[ $k + 1 ]{v}; $k += 2; }
	elsif ($kind eq 'operator' && _kw($t, $k, 'class', 'family')) { $kind .= ' ' . $t->[$k]{v}; $k++; }

	# OWNER TO anyone but the extension owner.
	for my $o (1 .. $hi - 2)
	{
		next unless _seq($t, $o, 'owner', 'to');
		my $who = $t->[ $o + 2 ];
		next if $who->{t} eq 'subst' && lc($who->{raw}) eq '@extowner@';
		next if $who->{t} eq 'ident' && $who->{v} =~ /^(current_user|current_role)$/;
		_add($S, 'PSX07', $line, _name_of($t->[$k]), "ALTER " . uc($kind) . " ... OWNER TO " . _name_of($who));
	}

	if ($kind eq 'default privileges')
	{
		my $g = _find_kw($t, $k, $hi, 'grant', 'revoke');
		if (defined $g)
		{
			my @sub = @$t[ $g .. $hi ];
			_h_grant($S, $ctx, \@sub, 1);
		}
		return;
	}
	return if $kind =~ /^(extension|event trigger|schema|role|user|group|database|system|server|language|publication|subscription|tablespace|foreign data|large)$/ || $kind eq 'event trigger';

	$k += 2 if _seq($t, $k, 'if', 'exists');
	$k++ if _kw($t, $k, 'only');
	return unless _is_name($t->[$k]);
	my ($e, $parts) = _chain($t, $k, $hi);
	$ctx->{object} = _qual($S, $parts);
	if ($SCHEMA_KIND{$kind} && $kind ne 'index')
	{
		_ref_object($ctx, $parts, $t->[$k]{line}, $kind);
	}
	# SET SCHEMA away from the extension schema.
	my $ss = _find_kw($t, $e + 1, $hi, 'set');
	if (defined $ss && _kw($t, $ss + 1, 'schema'))
	{
		my $to = _name_of($t->[ $ss + 2 ]);
		_add($S, 'PSX04', $line, $ctx->{object}, "ALTER " . uc($kind) . " ... SET SCHEMA $to") if lc $to ne $S->{schema};
	}

	if ($kind =~ /^(function|procedure|routine|aggregate)$/)
	{
		my ($schema, $name) = (@$parts > 1 ? $parts->[-2] : $S->{schema}, $parts->[-1]);
		$schema = $S->{schema} if $schema =~ /^\@extschema/i;
		my ($sig, $a2) = ("$schema.$name", $e + 1);
		if (_punct($t, $e + 1, '('))
		{
			my $close = _match($t, $e + 1, $hi);
			$sig = _sig($schema, $name, _parse_args($t, $e + 1, $close));
			$a2  = $close + 1;
		}
		$ctx->{object} = $sig;
		my $fn = $S->{reg}{obj}{"func:$sig"};
		for (my $i = $a2; $i <= $hi; $i++)
		{
			if (_seq($t, $i, 'security', 'definer'))
			{
				_add($S, 'PSX02', $line, $sig, "ALTER FUNCTION $sig SECURITY DEFINER");
			}
			if (_kw($t, $i, 'set') && _kw($t, $i + 1, 'search_path'))
			{
				my $j = $i + 2;
				$j++ if _kw($t, $j, 'to') || ($t->[$j] && $t->[$j]{t} eq 'op');
				my ($je, $vals, $p18) = _path_values($t, $j, $hi);
				_add($S, 'PS018', $line, $sig, "SET search_path TO '$vals->[0]' is one schema name") if $p18;
				my $pin = !$p18 && _secure_path($S, @$vals);
				$fn->{pinned} = $pin if $fn;
				_add($S, 'PS005', $line, $sig, "ALTER FUNCTION $sig SET search_path " . join(', ', @$vals))
				  if !$pin && (!$fn || ($fn->{lang} // '') =~ /^(sql|plpgsql)$/);
			}
			if (_kw($t, $i, 'reset') && _kw($t, $i + 1, 'search_path', 'all'))
			{
				_add($S, 'PS005', $line, $sig, "ALTER FUNCTION $sig RESET " . $t->[ $i + 1 ]{v})
				  if !$fn || ($fn->{lang} // '') =~ /^(sql|plpgsql)$/;
				$fn->{pinned} = 0 if $fn;
			}
			if (_seq($t, $i, 'rename', 'to') && $fn)
			{
				my $new = _name_of($t->[ $i + 2 ]);
				(my $nsig = $sig) =~ s/\.\Q$name\E\(/.$new(/;
				_rename($S, "func:$sig", "func:$nsig");
				$S->{reg}{names}{func}{$new}++;
			}
		}
		return;
	}
	if ($kind eq 'table' || $kind eq 'foreign table' || $kind eq 'view' || $kind eq 'materialized view')
	{
		my $tbl = _qual($S, $parts);
		if (_seq($t, $e + 1, 'rename', 'to'))
		{
			my $new = _name_of($t->[ $e + 3 ]);
			my ($sch) = split /\./, $tbl;
			_rename($S, "rel:$tbl", "rel:$sch.$new");
			$S->{reg}{names}{rel}{$new}++;
			return;
		}
		for my $act (_split_commas($t, $e + 1, $hi))
		{
			my ($a, $b) = @$act;
			if (_kw($t, $a, 'add'))
			{
				my $c = $a + 1;
				$c++ if _kw($t, $c, 'column');
				$c += 3 if _seq($t, $c, 'if', 'not', 'exists');
				my ($sch, $tn) = split /\./, $tbl;
				_table_element($S, $ctx, $t, $c, $b, $sch, $tn);
				next;
			}
			if (_kw($t, $a, 'alter'))
			{
				my $c = $a + 1;
				$c++ if _kw($t, $c, 'column');
				my $ty = _find_kw($t, $c + 1, $b, 'type');
				if (defined $ty && (_kw($t, $ty - 1, 'data') || $ty == $c + 1))
				{
					my ($te, $typ) = _parse_type($t, $ty + 1, $b);
					_ref_type($ctx, $typ, $t->[ $ty + 1 ]{line}, 0) if $typ;
					_scan($ctx, $t, ($te // $ty) + 1, $b);
					next;
				}
			}
			_scan($ctx, $t, $a, $b);
		}
		return;
	}
	return;
}

# DROP kind [IF EXISTS] names
sub _h_drop
{
	my ($S, $ctx, $t) = @_;
	my $hi   = $#$t;
	my $k    = 1;
	my $kind = $t->[$k] ? $t->[$k]{v} : '';
	$k++;
	if ($kind eq 'materialized' || $kind eq 'event' || ($kind eq 'foreign' && _kw($t, $k, 'table')))
	{
		$kind .= ' ' . $t->[$k]{v};
		$k++;
	}
	elsif ($kind eq 'text' && _kw($t, $k, 'search')) { $kind .= ' search ' . $t->[ $k + 1 ]{v}; $k += 2; }
	elsif ($kind eq 'operator' && _kw($t, $k, 'class', 'family')) { $kind .= ' ' . $t->[$k]{v}; $k++; }
	$k++ if _kw($t, $k, 'concurrently');
	$k += 2 if _seq($t, $k, 'if', 'exists');
	my $end = $hi;
	$end-- if _kw($t, $end, 'cascade', 'restrict');
	if ($kind eq 'trigger' || $kind eq 'rule' || $kind eq 'policy')
	{
		my $on = _find_kw($t, $k, $end, 'on');
		return unless defined $on;
		my ($e, $parts) = _chain($t, $on + 1, $end);
		_ref_relation($ctx, $parts, $t->[ $on + 1 ]{line});
		my $tbl = _qual($S, $parts);
		_unregister($S, "$kind:" . _name_of($t->[$k]) . "\@$tbl");
		return;
	}
	return unless $SCHEMA_KIND{$kind};
	for my $r (_split_commas($t, $k, $end))
	{
		my ($a, $b) = @$r;
		next unless _is_name($t->[$a]);
		my ($e, $parts) = _chain($t, $a, $b);
		_ref_object({ %$ctx, object => uc("DROP $kind") }, $parts, $t->[$a]{line}, $kind);
		my $schema = @$parts > 1 ? $parts->[-2] : $S->{schema};
		$schema = $S->{schema} if $schema =~ /^\@extschema/i;
		if ($kind =~ /^(function|procedure|routine|aggregate)$/)
		{
			my $sig = "$schema.$parts->[-1]";
			$sig = _sig($schema, $parts->[-1], _parse_args($t, $e + 1, _match($t, $e + 1, $b))) if _punct($t, $e + 1, '(');
			_unregister($S, "func:$sig");
		}
		elsif ($kind =~ /^(table|view|materialized view|sequence|foreign table|index)$/)
		{
			_unregister($S, "rel:$schema.$parts->[-1]");
		}
		elsif ($kind eq 'type' || $kind eq 'domain')
		{
			_unregister($S, "type:$schema.$parts->[-1]");
		}
	}
	return;
}

# GRANT / REVOKE (also inside ALTER DEFAULT PRIVILEGES when $default).
sub _h_grant
{
	my ($S, $ctx, $t, $default) = @_;
	my $hi     = $#$t;
	my $line   = $t->[0]{line};
	my $revoke = $t->[0]{v} eq 'revoke';
	my $k      = 1;
	$k += 3 if $revoke && _seq($t, $k, 'grant', 'option', 'for');
	my $on = _find_kw($t, $k, $hi, 'on');
	my $tf = _find_kw($t, $k, $hi, $revoke ? 'from' : 'to');
	return unless defined $tf;
	my @privs = map { $t->[$_]{v} // '' } ($k .. (defined $on ? $on : $tf) - 1);

	# grantees
	my @grantees;
	my $gend = $hi;
	for my $g ($tf + 1 .. $hi)
	{
		if (_kw($t, $g, qw(with granted cascade restrict))) { $gend = $g - 1; last; }
	}
	for my $r (_split_commas($t, $tf + 1, $gend))
	{
		my $a = $r->[0];
		$a++ if _kw($t, $a, 'group');
		push @grantees, lc _name_of($t->[$a]);
	}
	my $public = grep { $_ eq 'public' } @grantees;

	if (!defined $on || $on > $tf)
	{
		# role membership
		_add($S, 'PSX06', $line, join(', ', @privs), 'GRANT ' . join(', ', @privs) . ' TO PUBLIC') if !$revoke && $public;
		return;
	}
	my $j = $on + 1;
	my ($kind, $all) = ('table', 0);
	if (_kw($t, $j, 'all') && _kw($t, $j + 1, qw(tables sequences functions procedures routines)) && _kw($t, $j + 2, 'in'))
	{
		$all  = $t->[ $j + 1 ]{v};
		$kind = 'schema';
		$j += 4;
	}
	elsif (_seq($t, $j, 'foreign', 'data', 'wrapper')) { $kind = 'foreign data wrapper'; $j += 3; }
	elsif (_seq($t, $j, 'foreign', 'server'))          { $kind = 'server';               $j += 2; }
	elsif (_seq($t, $j, 'large', 'object'))            { $kind = 'large object';         $j += 2; }
	elsif (_kw($t, $j, qw(table sequence function procedure routine schema database domain type language tablespace parameter)))
	{
		$kind = $t->[$j]{v};
		$j++;
	}
	elsif ($default && _kw($t, $j, qw(tables sequences functions routines types schemas)))
	{
		$kind = $t->[$j]{v};
		$j++;
	}
	my @targets;
	for my $r (_split_commas($t, $j, $tf - 1))
	{
		my ($a, $b) = @$r;
		next unless _is_name($t->[$a]);
		my ($e, $parts) = _chain($t, $a, $b);
		my $schema = @$parts > 1 ? $parts->[-2] : $S->{schema};
		$schema = $S->{schema} if $schema =~ /^\@extschema/i;
		my $id = "$schema.$parts->[-1]";
		if ($kind =~ /^(function|procedure|routine)$/)
		{
			$id = _sig($schema, $parts->[-1], _parse_args($t, $e + 1, _match($t, $e + 1, $b))) if _punct($t, $e + 1, '(');
		}
		$id = $parts->[-1] if $kind !~ /^(table|sequence|function|procedure|routine|domain|type)$/;
		push @targets, $id;
		_ref_object({ %$ctx, object => uc($t->[0]{v}) . ' ON ' . $id }, $parts, $t->[$a]{line}, $kind)
		  if $kind =~ /^(table|sequence|function|procedure|routine|domain|type)$/;
	}
	my $what = $all ? "ALL " . uc($all) . " IN SCHEMA " . join(', ', @targets) : uc($kind) . ' ' . join(', ', @targets);
	if (!$revoke && $public)
	{
		_add($S, 'PSX06', $line, join(', ', @targets), 'GRANT ' . join(' ', @privs) . " ON $what TO PUBLIC");
		return;
	}
	return if $default;
	if ($revoke && $public && grep { $_ eq 'execute' || $_ eq 'all' } @privs)
	{
		for my $f (@{ $S->{created_funcs} })
		{
			if ($all && $all =~ /^(functions|procedures|routines)$/)
			{
				my ($fs) = split /\./, $f->{sig};
				$f->{revoked} = 1 if grep { $_ eq $fs } @targets;
			}
			elsif ($kind =~ /^(function|procedure|routine)$/)
			{
				$f->{revoked} = 1 if grep { $_ eq $f->{sig} } @targets;
			}
		}
	}
	return;
}

# COMMENT ON kind name IS '...'
sub _h_comment
{
	my ($S, $ctx, $t) = @_;
	my $hi = $#$t;
	return unless _kw($t, 1, 'on');
	my $k    = 2;
	my $kind = $t->[$k] ? $t->[$k]{v} : '';
	$k++;
	if ($kind eq 'materialized' || $kind eq 'event' || ($kind eq 'foreign' && _kw($t, $k, 'table')))
	{
		$kind .= ' ' . $t->[$k]{v};
		$k++;
	}
	elsif ($kind eq 'operator' && _kw($t, $k, 'class', 'family')) { $kind .= ' ' . $t->[$k]{v}; $k++; }
	elsif ($kind eq 'text' && _kw($t, $k, 'search')) { $kind .= ' search ' . $t->[ $k + 1 ]{v}; $k += 2; }
	my $is = _find_kw($t, $k, $hi, 'is');
	return unless defined $is && _is_name($t->[$k]);
	if ($kind =~ /^(constraint|trigger|rule|policy)$/)
	{
		my $on = _find_kw($t, $k, $is, 'on');
		if (defined $on)
		{
			$on++ if _kw($t, $on + 1, 'domain');
			my ($e, $parts) = _chain($t, $on + 1, $is - 1);
			_ref_relation({ %$ctx, object => "COMMENT ON " . uc($kind) }, $parts, $t->[ $on + 1 ]{line});
		}
		return;
	}
	my ($e, $parts) = _chain($t, $k, $is - 1);
	if ($kind eq 'column')
	{
		_ref_object({ %$ctx, object => 'COMMENT ON COLUMN' }, [ @$parts[ 0 .. $#$parts - 1 ] ], $t->[$k]{line}, 'table')
		  if @$parts >= 2;
		return;
	}
	_ref_object({ %$ctx, object => "COMMENT ON " . uc($kind) . ' ' . join('.', @$parts) }, $parts, $t->[$k]{line}, $kind)
	  if $SCHEMA_KIND{$kind};
	return;
}

# ---------------------------------------------------------------------------
# Scripts, chains, control file.
# ---------------------------------------------------------------------------

# check_script(state, file, text): all script rules on one script.
sub _check_script
{
	my ($run, $file, $text) = @_;
	my $S = {
		file          => $file,
		schema        => $run->{schema},
		reg           => $run->{reg},
		out           => $run->{out},
		created_funcs => [],
	};
	my ($toks, $errs) = tokenize($text, 1);
	_add($S, 'PSX00', $_->{line}, $file, $_->{msg}) for @$errs;

	# CVE-2023-39417: substitutions are made in the raw text, quotes and all.
	for my $tk (@$toks)
	{
		next unless $tk->{t} =~ /^(str|dollar|qident)$/;
		my $raw = $tk->{raw};
		while ($raw =~ /(@[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)?@)/g)
		{
			my $sub = $1;
			my $off = substr($raw, 0, pos($raw)) =~ tr/\n//;
			_add($S, 'PSX01', $tk->{line} + $off, $sub, "$sub inside a " . ($tk->{t} eq 'qident' ? 'quoted identifier' : $tk->{t} eq 'dollar' ? 'dollar-quoted string' : 'string literal'));
		}
	}

	my $top = { pinned => 0, lang => 'sql' };
	my $n   = 0;
	for my $st (split_statements($toks))
	{
		$n++;
		_check_statement($S, $top, $st);
	}
	for my $f (@{ $S->{created_funcs} })
	{
		next if $f->{revoked};
		_add($S, 'PSX05', $f->{line}, $f->{sig}, "EXECUTE on $f->{sig} is not revoked from PUBLIC in $file (after its CREATE)");
	}
	$run->{statements}{$file} = $n;
	return;
}

# Compares two version strings (numeric parts numerically).
sub version_cmp
{
	my ($a, $b) = @_;
	my @a = split /[._-]/, $a;
	my @b = split /[._-]/, $b;
	while (@a || @b)
	{
		my ($x, $y) = (shift(@a) // 0, shift(@b) // 0);
		my $c = ($x =~ /^\d+$/ && $y =~ /^\d+$/) ? $x <=> $y : $x cmp $y;
		return $c if $c;
	}
	return 0;
}

# parse_control(text) -> { key => value }
sub parse_control
{
	my ($text) = @_;
	my %c;
	for my $l (split /\n/, $text)
	{
		$l =~ s/^\s+//;
		next if $l eq '' || $l =~ /^#/;
		next unless $l =~ /^([A-Za-z_]+)\s*=?\s*(.*)$/;
		my ($k, $v) = (lc $1, $2);
		if ($v =~ /^'((?:[^']|'')*)'/) { ($v = $1) =~ s/''/'/g; }
		else { $v =~ s/\s*#.*$//; $v =~ s/\s+$//; }
		$c{$k} = $v;
	}
	return \%c;
}

sub _bool
{
	my ($v) = @_;
	return undef unless defined $v;
	return 1 if $v =~ /^(true|on|yes|1|t|y)$/i;
	return 0 if $v =~ /^(false|off|no|0|f|n)$/i;
	return undef;
}

# check_set(ext => 'pgmig', schema => 'pgmig', control => text,
#           control_file => 'pgmig.control', scripts => { file => text })
# -> { findings, runs => [[files]], order => [files], statements => {file=>n},
#      counts => { file => { functions, tables, sequences, views, types } } }
sub check_set
{
	my (%a)    = @_;
	my $ext    = $a{ext} // 'pgmig';
	my $want   = $a{schema} // 'pgmig';
	my $cfile  = $a{control_file} // "$ext.control";
	my @out;
	my $cS = { file => $cfile, out => \@out };
	my $c  = parse_control($a{control} // '');

	my $reloc = _bool($c->{relocatable});
	_add($cS, 'PSX10', 0, 'relocatable', 'relocatable = ' . ($c->{relocatable} // '(unset, default false)'))
	  if !defined $c->{relocatable} ? 0 : ($reloc // 1);
	_add($cS, 'PSX11', 0, 'superuser', "superuser = $c->{superuser}") if defined $c->{superuser} && !(_bool($c->{superuser}) // 1);
	_add($cS, 'PSX12', 0, 'trusted',   "trusted = $c->{trusted}")     if defined $c->{trusted}   && (_bool($c->{trusted}) // 1);
	_add($cS, 'PSX13', 0, 'schema', 'schema = ' . ($c->{schema} // '(unset)') . ", want $want")
	  if !defined $c->{schema} || $c->{schema} ne $want;
	my $schema = lc($c->{schema} // $want);

	# install and update scripts
	my (%install, %update, %file_of);
	for my $f (sort keys %{ $a{scripts} })
	{
		if ($f =~ /^\Q$ext\E--([^-]+(?:-[^-]+)*?)--(.+)\.sql$/)
		{
			$update{$1}{$2} = $f;
			_add({ file => $f, out => \@out }, 'PSX14', 0, $f, "update script from $1 to $2 does not go up") if version_cmp($2, $1) <= 0;
		}
		elsif ($f =~ /^\Q$ext\E--(.+)\.sql$/) { $install{$1} = $f; }
	}
	my $default = $c->{default_version};
	my @runs;
	for my $v (sort { version_cmp($a, $b) } keys %install)
	{
		next unless defined $default && version_cmp($v, $default) <= 0;
		# shortest chain of update scripts from $v to $default (BFS)
		my %prev = ($v => undef);
		my @q    = ($v);
		while (@q)
		{
			my $x = shift @q;
			last if $x eq $default;
			for my $y (sort { version_cmp($a, $b) } keys %{ $update{$x} // {} })
			{
				next if exists $prev{$y};
				$prev{$y} = $x;
				push @q, $y;
			}
		}
		next unless exists $prev{$default};
		my @chain;
		for (my $x = $default; defined $prev{$x}; $x = $prev{$x}) { unshift @chain, $update{ $prev{$x} }{$x}; }
		push @runs, [ $install{$v}, @chain ];
	}
	if (!@runs)
	{
		_add($cS, 'PSX15', 0, 'default_version', 'no install script and update chain reaches default_version ' . ($default // '(unset)'));
	}
	my %used = map { $_ => 1 } map { @$_ } @runs;
	for my $f (sort keys %{ $a{scripts} })
	{
		_add({ file => $f, out => \@out }, 'PSX15', 0, $f, "$f is on no install/update chain to $default") unless $used{$f} || !defined $default;
	}

	my (%statements, %counts);
	for my $r (@runs)
	{
		my $run = { schema => $schema, reg => { obj => {}, names => {} }, out => \@out, statements => \%statements };
		for my $f (@$r)
		{
			_check_script($run, $f, $a{scripts}{$f});
			my %n = (functions => 0, tables => 0, sequences => 0, views => 0, types => 0);
			for my $key (keys %{ $run->{reg}{obj} })
			{
				my $o = $run->{reg}{obj}{$key};
				next unless $key =~ /^(\w+):\Q$schema\E\./;
				if    ($1 eq 'func') { $n{functions}++; }
				elsif ($1 eq 'type') { $n{types}++; }
				elsif ($1 eq 'rel')
				{
					$n{tables}++    if $o->{kind} eq 'r';
					$n{sequences}++ if $o->{kind} eq 'S';
					$n{views}++     if $o->{kind} eq 'v' || $o->{kind} eq 'm';
				}
			}
			$counts{$f} //= \%n;
		}
	}

	# one finding per (code, file, line, object, detail)
	my %seen;
	my @f = grep { !$seen{ join("\0", @$_{qw(code file line object detail)}) }++ } @out;
	@f = sort { $a->{file} cmp $b->{file} || $a->{line} <=> $b->{line} || $a->{code} cmp $b->{code} } @f;
	return {
		findings   => \@f,
		runs       => \@runs,
		order      => $runs[0] // [],
		statements => \%statements,
		counts     => \%counts,
		control    => $c,
	};
}

# check_directory(control_path, sql_dir) reads <ext>.control and
# <ext>--*.sql and checks them.
sub check_directory
{
	my ($control, $sqldir, %opt) = @_;
	my ($ext) = $control =~ m{([^/]+)\.control$};
	my %scripts;
	opendir(my $dh, $sqldir) or die "cannot read $sqldir: $!";
	for my $f (sort readdir $dh)
	{
		next unless $f =~ /^\Q$ext\E--.*\.sql$/;
		$scripts{$f} = _slurp("$sqldir/$f");
	}
	closedir $dh;
	return check_set(ext => $ext, schema => $opt{schema} // $ext, control => _slurp($control),
		control_file => "$ext.control", scripts => \%scripts);
}

sub _slurp
{
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "cannot read $path: $!";
	local $/;
	my $s = <$fh>;
	close $fh;
	return $s;
}

# check_snippet(sql, prelude => sql, control => text): checks a small update
# script pgmig--1.0--1.1.sql after an install script pgmig--1.0.sql
# (prelude, default empty), with a good control file unless one is given.
sub check_snippet
{
	my ($sql, %o) = @_;
	my $control = $o{control} // "default_version = '1.1'\nrelocatable = false\nschema = pgmig\nsuperuser = true\ntrusted = false\n";
	my %scripts = ('pgmig--1.0.sql' => $o{prelude} // '', 'pgmig--1.0--1.1.sql' => $sql, %{ $o{extra} // {} });
	return check_set(ext => 'pgmig', schema => 'pgmig', control => $control, scripts => \%scripts);
}

# apply_allow(\@findings, \@allow) -> (\@kept, \@unused_allow_entries).  An
# entry { code, file, object, detail (regex, optional), reason } removes the
# findings it matches; an entry without a reason is refused (die).
sub apply_allow
{
	my ($findings, $allow) = @_;
	my (@kept, %used);
	for my $a (@$allow)
	{
		die "allow-list entry for $a->{code} $a->{file} $a->{object} has no reason\n"
		  unless defined $a->{reason} && $a->{reason} =~ /\S/;
	}
  F: for my $f (@$findings)
	{
		for my $i (0 .. $#$allow)
		{
			my $a = $allow->[$i];
			next unless $a->{code} eq $f->{code} && $a->{file} eq $f->{file} && $a->{object} eq $f->{object};
			next if defined $a->{detail} && $f->{detail} !~ $a->{detail};
			$used{$i} = 1;
			next F;
		}
		push @kept, $f;
	}
	my @unused = map { $allow->[$_] } grep { !$used{$_} } 0 .. $#$allow;
	return (\@kept, \@unused);
}

1;
