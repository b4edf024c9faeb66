ALTER TABLE "links" ADD COLUMN "max_sessions" integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "mo_rate_per_second" integer DEFAULT 1000;