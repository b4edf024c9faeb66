ALTER TABLE "subscribers" ADD COLUMN "locale_chosen_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_ussd_http_body" ON "outbox" USING btree ("created_at") WHERE link = 'http:ussd' and body is not null;--> statement-breakpoint
-- Issue 11: the reply of the locale.set action (actions/locale-set.ts); an operator's own keep precedence.
INSERT INTO "templates" ("key", "locale", "body") VALUES
  ('locale.set', 'en', 'Language: English.'),
  ('locale.set', 'ru', 'Язык: русский.')
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Issue 11: "Language" in the seeded *111# menu, an explicit choice that USSD screens then follow. Added as item 4 only
-- where the menu has no item 4 yet (an operator's own menu is left as it is). The English label stays GSM-7 so the
-- English top screen is not turned into UCS-2 (80 characters instead of 182) by one word.
UPDATE "ussd_menus" SET "items" = "items" || '[{"key":"4","label":{"en":"Language","ru":"Язык"},"menu":{"title":{"en":"Language","ru":"Язык"},"items":[
    {"key":"1","label":{"en":"English","ru":"English"},"action":"locale.set","params":{"locale":"en"}},
    {"key":"2","label":{"en":"Русский","ru":"Русский"},"action":"locale.set","params":{"locale":"ru"}}]}}]'::jsonb,
  "updated_at" = now()
WHERE "code" = '*111#' AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements("items") AS i WHERE i->>'key' = '4');
