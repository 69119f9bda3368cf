# 028_lint_registry.pl — the lint rules are a table (extension/src/lint/),
# and the table, the rules' cases and docs/lint.md agree:
#   - registry.cpp lists every rule once, in id order (its kLintRules table,
#     one "&kLNNN..." line per rule, read with a strict pattern: a line it
#     cannot read, or an empty table, fails the test); each entry is defined
#     in lNNN_<name>.cpp with its id, name and severity; no rule file and no
#     cases file is left out of the table, and every rule has its cases file;
#   - on a live server, every "fires" case of a rule's lNNN_<name>.cases.sql
#     is reported by that rule with the registry's id, name and severity,
#     and no "silent" case is; every finding of any case names a registered
#     rule with its registered name and severity (so the values read from
#     the source are the ones the server reports);
#   - docs/lint.md has exactly one "## LNNN name (severity)" section per
#     registered rule and no other, with the registry's name and severity,
#     and its **Message** example is what the rule's first "fires" case
#     reports.
use strict;
use warnings;

use File::Basename qw(basename);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{PGMIG_SOURCE} // '.';
my $lintdir = "$src/extension/src/lint";
my $docs = "$src/docs/lint.md";
-d $lintdir or die "no $lintdir (PGMIG_SOURCE=$src)";
-f $docs or die "no $docs (PGMIG_SOURCE=$src)";

# --- the registry, from the source -----------------------------------------

my $registry = slurp_file("$lintdir/registry.cpp");
my ($table) = $registry =~ /^const LintRule \*const kLintRules\[\] = \{\n(.*?)^\};$/ms
	or die "registry.cpp: no kLintRules table found";
my @symbols;
for my $line (split /\n/, $table) {
	$line =~ /^\t&(kL\d{3}\w*),$/ or die "registry.cpp: cannot read the kLintRules line '$line'";
	push @symbols, $1;
}
die "registry.cpp: kLintRules lists no rule" unless @symbols;

# Every "const LintRule kX = {" of the rule files, read strictly.
my %defs;
for my $file (sort glob("$lintdir/*.cpp")) {
	my $text = slurp_file($file);
	my $all = () = $text =~ /^const LintRule k\w+ = \{/mg;
	my $read = 0;
	while ($text =~ /^const LintRule (k\w+) = \{\n\t"(L\d{3})", "([a-z0-9-]+)", "(warning|error)",/mg) {
		die basename($file) . ": $1 defined twice" if $defs{$1};
		$defs{$1} = { file => basename($file), id => $2, name => $3, severity => $4 };
		$read++;
	}
	die basename($file) . ": a LintRule definition not of the form "
	  . "'const LintRule kX = {' + newline + tab + '\"LNNN\", \"name\", \"severity\",'"
	  if $read != $all;
}

my (@rules, %by_id, %stem_registered);
my $previous = '';
for my $symbol (@symbols) {
	my $def = $defs{$symbol};
	ok($def, "$symbol (registry.cpp) is defined in a rule file") or next;
	my $stem = lc($def->{id}) . '_' . ($def->{name} =~ tr/-/_/r);
	is($def->{file}, "$stem.cpp", "$def->{id} is defined in $stem.cpp");
	ok($def->{id} gt $previous, "$def->{id} follows $previous in the registry (id order, no repeat)");
	ok(!grep({ $_->{name} eq $def->{name} } @rules), "$def->{id}'s name $def->{name} is unique");
	$previous = $def->{id};
	$def->{stem} = $stem;
	push @rules, $def;
	$by_id{ $def->{id} } = $def;
	$stem_registered{$stem} = 1;
}
note(scalar(@rules) . " rules registered: " . join(' ', map { $_->{id} } @rules));

for my $file (sort glob("$lintdir/l[0-9][0-9][0-9]_*.cpp")) {
	my $stem = basename($file) =~ s/\.cpp$//r;
	ok($stem_registered{$stem}, basename($file) . " is a registered rule");
}
for my $file (sort glob("$lintdir/*.cases.sql")) {
	my $stem = basename($file) =~ s/\.cases\.sql$//r;
	ok($stem_registered{$stem}, basename($file) . " belongs to a registered rule");
}

# --- the cases -------------------------------------------------------------

# A cases file: an optional "-- setup:" part, then bodies each starting at
# "-- fires: <what>" or "-- silent: <what>".
sub read_cases
{
	my ($file) = @_;
	my (@parts, $current);
	for my $line (split /\n/, slurp_file($file)) {
		if ($line =~ /^-- (setup|fires|silent):\s*(.*)$/) {
			$current = { kind => $1, title => $2, body => '' };
			push @parts, $current;
		}
		elsif ($current) {
			$current->{body} .= "$line\n";
		}
	}
	my $setup = @parts && $parts[0]{kind} eq 'setup' ? shift(@parts)->{body} : '';
	die basename($file) . ": '-- setup:' must come first and once" if grep { $_->{kind} eq 'setup' } @parts;
	die basename($file) . ": a case with an empty body" if grep { $_->{body} !~ /\S/ } @parts;
	return ($setup, @parts);
}

my $node = PostgreSQL::Test::Cluster->new('lintregistry');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE lint_base');
$node->safe_psql('lint_base', 'CREATE EXTENSION pgmig');
$node->safe_psql('lint_base', slurp_file("$src/test/lint/setup.sql"));

# The findings of a body, as a list of hashes (rule, name, severity, message).
sub lint
{
	my ($db, $body) = @_;
	die "a case body holds the quote tag \$pgmig_case\$" if $body =~ /\$pgmig_case\$/;
	my $json = $node->safe_psql($db,
		"SELECT coalesce(json_agg(json_build_object('rule', rule, 'name', name, 'severity', severity, "
		  . "'message', message) ORDER BY statement, rule), '[]') FROM pgmig.mig_lint(\$pgmig_case\$$body\$pgmig_case\$)");
	return @{ decode_json($json) };
}

my %first_messages;    # rule id -> messages of its first "fires" case
for my $rule (@rules) {
	my $file = "$lintdir/$rule->{stem}.cases.sql";
	ok(-f $file, "$rule->{id} has its cases file $rule->{stem}.cases.sql") or next;
	my ($setup, @cases) = read_cases($file);
	ok(scalar(grep { $_->{kind} eq 'fires' } @cases), "$rule->{id} has a case it fires on");
	ok(scalar(grep { $_->{kind} eq 'silent' } @cases), "$rule->{id} has a safe case it stays silent on");

	my $db = 'lint_' . lc($rule->{id});
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE lint_base");
	$node->safe_psql($db, $setup) if $setup =~ /\S/;
	for my $case (@cases) {
		my @findings = lint($db, $case->{body});
		my @mine = grep { $_->{rule} eq $rule->{id} } @findings;
		my $label = "$rule->{id} $case->{kind}: $case->{title}";
		if ($case->{kind} eq 'fires') {
			ok(@mine > 0, "$label: reported") or diag(explain(\@findings));
			$first_messages{ $rule->{id} } //= [ map { $_->{message} } @mine ];
		}
		else {
			is(scalar(@mine), 0, "$label: not reported") or diag(explain(\@mine));
		}
		for my $f (@findings) {
			my $def = $by_id{ $f->{rule} };
			is(($def ? "$def->{name} ($def->{severity})" : 'not registered'), "$f->{name} ($f->{severity})",
				"$label: finding $f->{rule} carries the registry's name and severity");
		}
	}
}

# --- docs/lint.md ----------------------------------------------------------

my (%sections, @order);
my $current;
for my $line (split /\n/, slurp_file($docs)) {
	if ($line =~ /^## L/) {
		$line =~ /^## (L\d{3}) ([a-z0-9-]+) \((warning|error)\)$/
		  or die "docs/lint.md: cannot read the rule heading '$line'";
		fail("docs/lint.md: a second section for $1") if $sections{$1};
		$current = $sections{$1} = { name => $2, severity => $3, messages => [] };
		push @order, $1;
	}
	elsif ($line =~ /^(## |---)/) {
		undef $current;
	}
	elsif ($current && $line =~ /^\*\*Message\*\* `(.*)`$/) {
		push @{ $current->{messages} }, $1;
	}
}
is(join(' ', @order), join(' ', map { $_->{id} } @rules), 'docs/lint.md has one section per registered rule, in order');
for my $rule (@rules) {
	my $section = $sections{ $rule->{id} } or next;
	is("$section->{name} ($section->{severity})", "$rule->{name} ($rule->{severity})",
		"docs/lint.md: $rule->{id}'s name and severity are the registry's");
	is(scalar(@{ $section->{messages} }), 1, "docs/lint.md: $rule->{id} shows one **Message**") or next;
	my $message = $section->{messages}[0];
	ok(scalar(grep { $_ eq $message } @{ $first_messages{ $rule->{id} } // [] }),
		"docs/lint.md: $rule->{id}'s **Message** is what its first case reports")
	  or diag("docs: $message\ncase: " . join("\n      ", @{ $first_messages{ $rule->{id} } // [] }));
}

$node->stop;
done_testing();
