-- pgmig:revision   20261121_093000_add_users
-- pgmig:parents    20261120_170000_init
-- pgmig:depends_on 20261119_120000_roles
-- pgmig:branch     billing
-- pgmig:message    Add users table
-- pgmig:nontransactional
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);

-- pgmig:down
DROP TABLE users;
