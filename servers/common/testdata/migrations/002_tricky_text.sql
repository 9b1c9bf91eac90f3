-- Test migration 2: text that stresses the C string embedding: quotes, backslashes, ??= trigraphs,
-- a tab	and several statements in one file.
CREATE INDEX items_body ON items (body);
INSERT INTO items (body) VALUES (E'it''s a "quote" \\ back ??= slash %d %s');
