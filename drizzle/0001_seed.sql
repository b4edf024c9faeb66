-- SPEC "The services": default routes, reply templates (English and Russian), help texts, config version, log-tag key.
-- Ordinary config afterwards: operators edit it; this migration never runs twice.
INSERT INTO "routes" ("id", "short_code", "kind", "keywords", "priority", "action", "params") VALUES
  ('232-on', '232', 'exact', ARRAY['ON', 'PER', 'ПЕР'], 100, 'archive.activate', '{}'),
  ('232-off', '232', 'exact', ARRAY['OFF', 'STOP', 'СТОП'], 100, 'archive.deactivate', '{}'),
  ('232-help', '232', 'any', ARRAY[]::text[], 0, 'help', '{}'),
  ('111-password', '111', 'exact', ARRAY['25'], 100, 'account.password', '{}'),
  ('111-help', '111', 'any', ARRAY[]::text[], 0, 'help', '{}'),
  ('1234-mms', '1234', 'any', ARRAY[]::text[], 0, 'mms.settings', '{"apn":"mms.operator","mmsc":"http://mms.operator/mmsc","proxy":"10.0.0.1","port":8080}');
--> statement-breakpoint
INSERT INTO "templates" ("key", "locale", "body") VALUES
  ('archive.activate', 'en', 'SMS archive is on. Password: {password}. Read your messages at {url}'),
  ('archive.activate', 'ru', 'SMS-архив включён. Пароль: {password}. Сообщения: {url}'),
  ('archive.deactivate', 'en', 'SMS archive is off.'),
  ('archive.deactivate', 'ru', 'SMS-архив выключен.'),
  ('account.password', 'en', 'Your password: {password}. Change it after your first login.'),
  ('account.password', 'ru', 'Ваш пароль: {password}. Смените его после первого входа.'),
  ('password.refused', 'en', 'Too many password requests from your number. Please try again in an hour.'),
  ('password.refused', 'ru', 'Слишком много запросов пароля. Попробуйте через час.'),
  ('mms.settings', 'en', 'MMS settings: APN {apn}, MMSC {mmsc}, proxy {proxy} port {port}.'),
  ('mms.settings', 'ru', 'Настройки MMS: APN {apn}, MMSC {mmsc}, прокси {proxy} порт {port}.'),
  ('help.232', 'en', 'SMS archive, 232: ON - turn on and get a password, OFF - turn off.'),
  ('help.232', 'ru', 'SMS-архив, 232: ПЕР - включить и получить пароль, СТОП - выключить.'),
  ('help.111', 'en', 'Account, 111: 25 - new personal account password. USSD *111# - menu.'),
  ('help.111', 'ru', 'Личный кабинет, 111: 25 - новый пароль. USSD *111# - меню.'),
  ('help.default', 'en', 'Unknown command.'),
  ('help.default', 'ru', 'Неизвестная команда.');
--> statement-breakpoint
INSERT INTO "config_state" ("id", "version") VALUES (1, 1);
--> statement-breakpoint
INSERT INTO "settings" ("key", "value") VALUES ('msisdn_log_key', md5(random()::text || clock_timestamp()::text) || md5(random()::text || clock_timestamp()::text));
