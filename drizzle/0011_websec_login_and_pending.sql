CREATE TABLE "login_locks" (
	"msisdn" text NOT NULL,
	"client_tag" text NOT NULL,
	"locked_until" timestamp with time zone NOT NULL,
	CONSTRAINT "login_locks_msisdn_client_tag_pk" PRIMARY KEY("msisdn","client_tag")
);
--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "account_password_pending_hash" text;--> statement-breakpoint
ALTER TABLE "login_failures" ADD COLUMN "client_tag" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "login_locks_until" ON "login_locks" USING btree ("locked_until");--> statement-breakpoint
CREATE INDEX "login_failures_msisdn_client_time" ON "login_failures" USING btree ("msisdn","client_tag","created_at");