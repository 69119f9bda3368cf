-- graph and targets: heads, merges, branch labels, depends_on, prefixes, relative targets
CREATE EXTENSION pgmig;

-- two roots; a branch point; two branches; depends_on across branches
SELECT revision, action FROM pgmig.mig_upload_batch($j$[
  {"revision": "a0", "up": "SELECT 'a0'", "message": "root A"},
  {"revision": "a1", "up": "SELECT 'a1'", "parents": ["a0"]},
  {"revision": "b1", "up": "SELECT 'b1'", "parents": ["a1"], "branch_labels": ["billing"]},
  {"revision": "b2", "up": "SELECT 'b2'", "parents": ["b1"]},
  {"revision": "c1", "up": "SELECT 'c1'", "parents": ["a1"], "branch_labels": ["catalog"]},
  {"revision": "c2", "up": "SELECT 'c2'", "parents": ["c1"], "depends_on": ["b1"]},
  {"revision": "z0", "up": "SELECT 'z0'", "message": "root Z"}
]$j$);

-- heads in topological order (ties: smallest id first); applied state
SELECT * FROM pgmig.mig_heads();
SELECT current, heads, applied, pending, pending_revisions FROM pgmig.mig_status();

-- "head" with several heads: an error that lists every head and hints at merging
SELECT * FROM pgmig.mig_apply('head');

-- depends_on pulls b1 in before c2 (ordering only: b1 is still not a parent)
SELECT revision FROM pgmig.mig_apply('c2');
SELECT revision FROM pgmig.mig_stamp('base');

-- branch label and label@head
SELECT revision FROM pgmig.mig_apply('billing');
SELECT revision FROM pgmig.mig_apply('billing@head');
SELECT revision FROM pgmig.mig_apply('catalog@head');
SELECT revision FROM pgmig.mig_stamp('base');

-- unique prefix; ambiguous prefix; unknown target
SELECT revision FROM pgmig.mig_apply('z');
SELECT * FROM pgmig.mig_apply('b');
SELECT * FROM pgmig.mig_apply('nothing');
SELECT * FROM pgmig.mig_apply('a1@head');

-- relative targets: +N applies the next N pending revisions in order; -N undoes the last N
SELECT revision FROM pgmig.mig_apply('+2');
SELECT revision FROM pgmig.mig_apply('+1');
SELECT * FROM pgmig.mig_apply('+100');
SELECT revision, action FROM pgmig.mig_stamp('-2');
SELECT current FROM pgmig.mig_status();
SELECT * FROM pgmig.mig_stamp('-10');
SELECT revision FROM pgmig.mig_stamp('base');

-- merging the heads makes "head" unique again
SELECT revision, action FROM pgmig.mig_upload('m1', 'SELECT ''merge''', parents => '{b2,c2,z0}', message => 'merge');
SELECT * FROM pgmig.mig_heads();
SELECT revision FROM pgmig.mig_apply('head');
SELECT current, heads, pending FROM pgmig.mig_status();
SELECT * FROM pgmig.mig_apply('heads');

-- "heads" applies every head at once when there are several
SELECT revision FROM pgmig.mig_upload('n1', 'SELECT 1', parents => '{m1}');
SELECT revision FROM pgmig.mig_upload('n2', 'SELECT 2', parents => '{m1}');
SELECT revision FROM pgmig.mig_apply('heads');
SELECT current FROM pgmig.mig_status();

-- an empty project has no head
SELECT * FROM pgmig.mig_apply('head', project => 'empty');
SELECT * FROM pgmig.mig_apply('base', project => 'empty');
SELECT * FROM pgmig.mig_heads('empty');

DROP EXTENSION pgmig;
