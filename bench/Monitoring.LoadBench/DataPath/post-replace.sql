-- The single-row upsert of a random seeded key: a replace (pgbench -D items=N).
\set r random(0, :items - 1)
\set n random(1, 1000000000)
INSERT INTO items (key, value, created_at, updated_at)
  VALUES ('k' || CAST(:r AS text), '{"n":' || CAST(:n AS text) || ',"text":"benchmark"}', now(), now())
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
  RETURNING key, value, created_at, updated_at;
