CREATE TABLE "config_versions" (
	"version" bigint PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"summary" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ussd_menus" (
	"code" text PRIMARY KEY NOT NULL,
	"title" jsonb NOT NULL,
	"items" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
