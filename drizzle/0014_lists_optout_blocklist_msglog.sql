CREATE TABLE "blocklist" (
	"pattern" text PRIMARY KEY NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opt_outs" (
	"msisdn" text NOT NULL,
	"scope" text NOT NULL,
	"opted_out" boolean NOT NULL,
	"channel" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "opt_outs_msisdn_scope_pk" PRIMARY KEY("msisdn","scope")
);
--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "link" text;--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "destination" text;--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "corr" text;--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "state" text;--> statement-breakpoint
ALTER TABLE "processed_mo" ADD COLUMN "action" text;--> statement-breakpoint
CREATE INDEX "outbox_destination_time" ON "outbox" USING btree ("destination","created_at");--> statement-breakpoint
CREATE INDEX "processed_mo_source_time" ON "processed_mo" USING btree ("source","created_at");--> statement-breakpoint
-- Reply templates of the optout and optin actions (actions/optout.ts, actions/optin.ts); an operator's own keep precedence.
INSERT INTO "templates" ("key", "locale", "body") VALUES
  ('optout', 'en', 'You have opted out of messages from {shortCode}. Replies to your own requests still come.'),
  ('optout', 'ru', 'Вы отписались от сообщений с номера {shortCode}. Ответы на ваши запросы по-прежнему приходят.'),
  ('optout.global', 'en', 'You have opted out of all our messages. Replies to your own requests still come.'),
  ('optout.global', 'ru', 'Вы отписались от всех наших сообщений. Ответы на ваши запросы по-прежнему приходят.'),
  ('optin', 'en', 'You have opted in to messages from {shortCode} again.'),
  ('optin', 'ru', 'Вы снова подписаны на сообщения с номера {shortCode}.'),
  ('optin.global', 'en', 'You have opted in to all our messages again.'),
  ('optin.global', 'ru', 'Вы снова подписаны на все наши сообщения.')
ON CONFLICT DO NOTHING;
