-- The seed made msisdn_log_key with md5(random()), not a secure random source. The gateway now makes it
-- from crypto random bytes on start (db/queries/log-key.ts); drop the old one so a new one is made.
DELETE FROM "settings" WHERE "key" = 'msisdn_log_key';
