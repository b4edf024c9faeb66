CREATE TABLE "app_forwards" (
	"id" text PRIMARY KEY NOT NULL,
	"app" text NOT NULL,
	"payload" jsonb,
	"link" text NOT NULL,
	"short_code" text NOT NULL,
	"msisdn" text NOT NULL,
	"corr" text NOT NULL,
	"locale" text DEFAULT 'en' NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "apps" (
	"name" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"timeout_ms" integer DEFAULT 5000 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"backoff_ms" integer DEFAULT 1000 NOT NULL,
	"concurrency" integer DEFAULT 4 NOT NULL,
	"fallback_template" text DEFAULT 'app.fallback' NOT NULL,
	"fallback_text" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "app_forwards_pending" ON "app_forwards" USING btree ("updated_at") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "app_forwards_created_brin" ON "app_forwards" USING brin ("created_at");--> statement-breakpoint
-- The default fallback of app.forward (actions/app-forward.ts): sent when an app cannot answer; an operator's own keeps precedence.
INSERT INTO "templates" ("key", "locale", "body") VALUES
  ('app.fallback', 'en', 'Sorry, this service is not available right now. Please try again later.'),
  ('app.fallback', 'ru', 'Извините, сервис сейчас недоступен. Попробуйте позже.')
ON CONFLICT DO NOTHING;
