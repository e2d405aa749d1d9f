-- The hot key: one stored item, read again and again.
SELECT key, value, created_at, updated_at FROM items WHERE key = 'bench';
