-- L002 safe: now() is stable, evaluated once
ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();
