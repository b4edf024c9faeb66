CREATE TABLE "api_callbacks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"state" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"done_at" timestamp with time zone,
	"gave_up_at" timestamp with time zone,
	"last_error" text,
	"outbox_id" bigint
);
--> statement-breakpoint
CREATE TABLE "api_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"token_id" text NOT NULL,
	"idem_key" text,
	"request_hash" text NOT NULL,
	"source" text NOT NULL,
	"destination" text NOT NULL,
	"link" text NOT NULL,
	"reference" text,
	"callback_url" text,
	"kind" text DEFAULT 'text' NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"parts" integer,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"expired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "allowed_sources" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "send_rate" integer;--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "send_rate_window_s" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "daily_quota" integer;--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "callback_secret" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "api_message_id" text;--> statement-breakpoint
ALTER TABLE "api_callbacks" ADD CONSTRAINT "api_callbacks_message_id_api_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."api_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_callbacks_message_state" ON "api_callbacks" USING btree ("message_id","state");--> statement-breakpoint
CREATE INDEX "api_callbacks_open" ON "api_callbacks" USING btree ("id") WHERE done_at is null and gave_up_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "api_messages_token_idem" ON "api_messages" USING btree ("token_id","idem_key") WHERE idem_key is not null;--> statement-breakpoint
CREATE INDEX "api_messages_queued_brin" ON "api_messages" USING brin ("queued_at");--> statement-breakpoint
-- Send API (issue 11 item 3): an api message's state follows its outbox row. Kept in step with
-- src/db/queries/api-state.ts (messageState); test/db/api-state.test.ts checks the two agree.
CREATE OR REPLACE FUNCTION api_message_state(status text, receipt_state text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN status = 'failed' THEN 'failed'
    WHEN status IS DISTINCT FROM 'sent' THEN 'queued'
    WHEN receipt_state = 'DELIVRD' THEN 'delivered'
    WHEN receipt_state = 'EXPIRED' THEN 'expired'
    WHEN receipt_state IN ('UNDELIV', 'REJECTD', 'DELETED', 'UNKNOWN') THEN 'failed'
    ELSE 'sent'
  END
$$;
--> statement-breakpoint
-- Runs in the transaction that records the send or the receipt: the state, its time and the one callback due for
-- it commit together or not at all. States only move forward (queued < sent < a final one); a final state reached
-- from queued by a receipt also records 'sent' first, so every state has its callback.
CREATE OR REPLACE FUNCTION api_message_follow_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cur text;
  url text;
  nxt text := api_message_state(NEW.status, NEW.receipt_state);
  rank_cur int;
  rank_nxt int;
  sent_ts timestamptz := coalesce(NEW.sent_at, now());
  final_ts timestamptz := coalesce(NEW.receipt_at, now());
BEGIN
  SELECT state, callback_url INTO cur, url FROM api_messages WHERE id = NEW.api_message_id FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  rank_cur := CASE cur WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END;
  rank_nxt := CASE nxt WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END;
  IF NEW.segments IS NOT NULL AND NEW.segments > 0 THEN
    UPDATE api_messages SET parts = NEW.segments WHERE id = NEW.api_message_id AND parts IS DISTINCT FROM NEW.segments;
  END IF;
  IF rank_nxt <= rank_cur THEN RETURN NULL; END IF;
  IF rank_cur = 0 AND rank_nxt = 2 AND NEW.status = 'sent' THEN
    UPDATE api_messages SET state = 'sent', sent_at = sent_ts WHERE id = NEW.api_message_id;
    IF url IS NOT NULL THEN
      INSERT INTO api_callbacks (message_id, state, at, outbox_id) VALUES (NEW.api_message_id, 'sent', sent_ts, NEW.id) ON CONFLICT DO NOTHING;
    END IF;
  END IF;
  UPDATE api_messages SET
    state = nxt,
    sent_at = CASE WHEN nxt = 'sent' THEN sent_ts ELSE sent_at END,
    delivered_at = CASE WHEN nxt = 'delivered' THEN final_ts ELSE delivered_at END,
    expired_at = CASE WHEN nxt = 'expired' THEN final_ts ELSE expired_at END,
    failed_at = CASE WHEN nxt = 'failed' THEN (CASE WHEN NEW.status = 'failed' THEN sent_ts ELSE final_ts END) ELSE failed_at END
  WHERE id = NEW.api_message_id;
  IF url IS NOT NULL THEN
    INSERT INTO api_callbacks (message_id, state, at, outbox_id)
    VALUES (NEW.api_message_id, nxt, CASE WHEN nxt = 'sent' OR NEW.status = 'failed' THEN sent_ts ELSE final_ts END, NEW.id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER outbox_api_message_state AFTER UPDATE OF status, receipt_state, segments ON outbox
  FOR EACH ROW WHEN (NEW.api_message_id IS NOT NULL)
  EXECUTE FUNCTION api_message_follow_outbox();
