CREATE TABLE "links" (
	"name" text PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"allowed_sources" text[] DEFAULT '{}' NOT NULL,
	"direction" text DEFAULT 'listen' NOT NULL,
	"host" text,
	"port" integer,
	"rate_per_second" integer DEFAULT 100 NOT NULL,
	"window" integer DEFAULT 10 NOT NULL,
	"allow_binary" boolean DEFAULT false NOT NULL,
	"archive_feed" boolean DEFAULT false NOT NULL,
	"dc0" text DEFAULT 'gsm7' NOT NULL,
	"gsm7_packed" boolean DEFAULT false NOT NULL,
	"concat" text DEFAULT 'udh8' NOT NULL,
	"vendor" text DEFAULT 'standard' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "admin_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "config_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routes" (
	"id" text PRIMARY KEY NOT NULL,
	"short_code" text NOT NULL,
	"kind" text NOT NULL,
	"keywords" text[] DEFAULT '{}' NOT NULL,
	"pattern" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"action" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"key" text NOT NULL,
	"locale" text NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "templates_key_locale_pk" PRIMARY KEY("key","locale")
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"msisdn" text NOT NULL,
	"action" text NOT NULL,
	"channel" text NOT NULL,
	"outcome" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"corr" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "password_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"msisdn" text NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscribers" (
	"msisdn" text PRIMARY KEY NOT NULL,
	"locale" text DEFAULT 'en' NOT NULL,
	"archive_on" boolean DEFAULT false NOT NULL,
	"archive_password_hash" text,
	"account_password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idem_key" text NOT NULL,
	"link" text NOT NULL,
	"source" text NOT NULL,
	"destination" text NOT NULL,
	"body" text,
	"template" text NOT NULL,
	"corr" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"segments" integer,
	"message_ids" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"relayed_at" timestamp with time zone,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "processed_mo" (
	"idem_key" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "operations_msisdn_time" ON "operations" USING btree ("msisdn","created_at");--> statement-breakpoint
CREATE INDEX "password_events_msisdn_time" ON "password_events" USING btree ("msisdn","created_at");--> statement-breakpoint
CREATE INDEX "outbox_unrelayed" ON "outbox" USING btree ("created_at") WHERE relayed_at is null;--> statement-breakpoint
CREATE INDEX "outbox_idem" ON "outbox" USING btree ("idem_key");