ALTER TABLE "links" ADD COLUMN "bind_kind" text DEFAULT 'transceiver' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "receipt_parts" jsonb;