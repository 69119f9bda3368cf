-- squawk-only
TRUNCATE customers CASCADE;
