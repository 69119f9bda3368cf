-- squawk-only: DROP INDEX without CONCURRENTLY
DROP INDEX orders_pkey_copy;
