ALTER TABLE "links" ADD COLUMN "remote_system_id" text;--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "remote_password" text;--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "system_type" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "tlvs" jsonb;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "receipt_state" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "receipt_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_message_ids" ON "outbox" USING gin ("message_ids");