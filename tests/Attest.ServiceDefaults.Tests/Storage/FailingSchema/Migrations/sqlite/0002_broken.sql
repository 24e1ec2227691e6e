-- Fails after a statement that succeeded: the script's transaction must take that statement back too.
CREATE TABLE gadgets (id TEXT NOT NULL PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES ('x');
