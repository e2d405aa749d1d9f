-- The single-row upsert of a key never written before (per client, a random 50-bit number).
\set r random(1, 1000000000000000)
INSERT INTO items (key, value, created_at, updated_at)
  VALUES ('new-' || CAST(:client_id AS text) || '-' || CAST(:r AS text), '{"n":' || CAST(:r AS text) || ',"text":"benchmark"}', now(), now())
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
  RETURNING key, value, created_at, updated_at;
