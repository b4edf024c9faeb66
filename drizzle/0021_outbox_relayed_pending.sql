-- The stale sweep (outbox/relay.ts relayedPendingPage) looks for queued replies still pending after a minute. With no
-- index on relayed_at it read the whole outbox every 15 s; this one holds only queued replies not yet settled.
CREATE INDEX "outbox_relayed_pending" ON "outbox" USING btree ("relayed_at") WHERE relayed_at is not null and status = 'pending';