CREATE TABLE "login_failures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"msisdn" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mms_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"sender" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"password_hash" text,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"purged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mms_parts" (
	"mms_id" text NOT NULL,
	"seq" integer NOT NULL,
	"content_type" text NOT NULL,
	"name" text,
	"data" "bytea" NOT NULL,
	CONSTRAINT "mms_parts_mms_id_seq_pk" PRIMARY KEY("mms_id","seq")
);
--> statement-breakpoint
CREATE TABLE "password_form_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"client_tag" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_archive" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"msisdn" text NOT NULL,
	"direction" text NOT NULL,
	"peer" text NOT NULL,
	"body" text NOT NULL,
	"origin" text NOT NULL,
	"link" text NOT NULL,
	"corr" text,
	"outbox_id" bigint,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web_accounts" (
	"msisdn" text PRIMARY KEY NOT NULL,
	"alert_on_login" boolean DEFAULT false NOT NULL,
	"alert_on_failure" boolean DEFAULT false NOT NULL,
	"locked_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "archive_text" text;--> statement-breakpoint
ALTER TABLE "mms_parts" ADD CONSTRAINT "mms_parts_mms_id_mms_messages_id_fk" FOREIGN KEY ("mms_id") REFERENCES "public"."mms_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "login_failures_msisdn_time" ON "login_failures" USING btree ("msisdn","created_at");--> statement-breakpoint
CREATE INDEX "mms_messages_unpurged" ON "mms_messages" USING btree ("expires_at") WHERE purged_at is null;--> statement-breakpoint
CREATE INDEX "password_form_requests_client_time" ON "password_form_requests" USING btree ("client_tag","created_at");--> statement-breakpoint
CREATE INDEX "sms_archive_msisdn_time" ON "sms_archive" USING btree ("msisdn","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_archive_outbox" ON "sms_archive" USING btree ("outbox_id") WHERE outbox_id is not null;--> statement-breakpoint
-- Reply templates of the web-originated SMS (actions/mms-notify.ts, actions/account-alert.ts); an operator's own keep precedence.
INSERT INTO "templates" ("key", "locale", "body") VALUES
  ('mms.notify', 'en', 'MMS from {from}: {url} Password: {password}. Kept for {days} days.'),
  ('mms.notify', 'ru', 'MMS от {from}: {url} Пароль: {password}. Хранится {days} дн.'),
  ('alert.login', 'en', 'Web login with your number just now. If it was not you, request a new password.'),
  ('alert.login', 'ru', 'Только что выполнен вход на сайт с вашим номером. Если это были не вы, запросите новый пароль.'),
  ('alert.failed', 'en', 'A wrong password was entered for your number on the web.'),
  ('alert.failed', 'ru', 'На сайте введён неверный пароль для вашего номера.'),
  ('alert.locked', 'en', 'Web login for your number is locked for {minutes} minutes after too many wrong passwords.'),
  ('alert.locked', 'ru', 'Вход на сайт для вашего номера заблокирован на {minutes} мин. после нескольких неверных паролей.')
ON CONFLICT DO NOTHING;
