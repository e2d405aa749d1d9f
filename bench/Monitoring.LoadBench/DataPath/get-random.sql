-- A point SELECT of a random seeded key (pgbench -D items=N).
\set r random(0, :items - 1)
SELECT key, value, created_at, updated_at FROM items WHERE key = 'k' || CAST(:r AS text);
