-- squawk-only: a domain with a constraint
CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);
