-- Never reached: migration stops at the first failing step.
CREATE TABLE after_broken (id TEXT NOT NULL PRIMARY KEY);
