ALTER TABLE "links" ADD COLUMN "binds" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- A link bound from no node at all is "enabled: false", not binds 0.
ALTER TABLE "links" ADD CONSTRAINT "links_binds_range" CHECK ("binds" BETWEEN 1 AND 32);
