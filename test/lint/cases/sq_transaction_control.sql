-- squawk-only finding; pgmig refuses the body (each revision runs in pgmig's own transaction)
BEGIN;
ALTER TABLE orders ADD COLUMN region text;
COMMIT;
