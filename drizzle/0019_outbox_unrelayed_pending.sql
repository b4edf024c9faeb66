-- The sweep's index holds pending rows only. Replies sent directly (pipeline/mt direct sends) are never marked
-- relayed, so with `relayed_at is null` alone every one of them stayed in it for the outbox's whole retention, and
-- the sweep (each second) and the relayed mark walked them all (bench: 0.1 ms of PostgreSQL CPU per MO, growing).
DROP INDEX "outbox_unrelayed";--> statement-breakpoint
CREATE INDEX "outbox_unrelayed" ON "outbox" USING btree ("created_at") WHERE relayed_at is null and status = 'pending';