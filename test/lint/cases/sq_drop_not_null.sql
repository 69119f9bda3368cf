-- squawk-only: DROP NOT NULL (the application may rely on it)
ALTER TABLE customers ALTER COLUMN name DROP NOT NULL;
