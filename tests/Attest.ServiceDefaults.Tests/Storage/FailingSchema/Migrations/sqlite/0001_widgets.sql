-- A good first step, to show it stays applied when a later step fails.
CREATE TABLE widgets (id TEXT NOT NULL PRIMARY KEY);
