-- Receipts look replies up by message id; only sent replies have ids. The GIN index held a null item for every reply
-- from its insert on (the MO batch's statement), and with autovacuum off its pending list grew to 4 MB (about
-- 100,000 entries, scanned by every look-up) before the statement that crossed the limit flushed it inline.
DROP INDEX "outbox_message_ids";--> statement-breakpoint
CREATE INDEX "outbox_message_ids" ON "outbox" USING gin ("message_ids") WITH (fastupdate=false) WHERE message_ids is not null;