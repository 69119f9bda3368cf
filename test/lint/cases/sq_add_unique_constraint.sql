-- squawk-only: a UNIQUE constraint builds its index under ACCESS EXCLUSIVE
ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE (note);
