-- Custom SQL migration file, put your code below! --
-- The default USSD menu (SPEC "The services": USSD *111# → a numbered menu of the services). Items are 1–9 as
-- the admin API requires; *111*25# reaches account.password through the 111 SMS route "25" (actions/ussd-menu.ts).
-- A menu an operator already stored for *111# is kept.
INSERT INTO "ussd_menus" ("code", "title", "items") VALUES ('*111#',
  '{"en":"Services 111","ru":"Услуги 111"}',
  '[{"key":"1","label":{"en":"New account password","ru":"Новый пароль кабинета"},"action":"account.password","params":{}},
    {"key":"2","label":{"en":"SMS archive","ru":"SMS-архив"},"menu":{"title":{"en":"SMS archive","ru":"SMS-архив"},"items":[
      {"key":"1","label":{"en":"Turn on, new password","ru":"Включить, новый пароль"},"action":"archive.activate","params":{}},
      {"key":"2","label":{"en":"Turn off","ru":"Выключить"},"action":"archive.deactivate","params":{}}]}},
    {"key":"3","label":{"en":"MMS settings","ru":"Настройки MMS"},"action":"mms.settings","params":{"apn":"mms.operator","mmsc":"http://mms.operator/mmsc","proxy":"10.0.0.1","port":8080}}]')
ON CONFLICT ("code") DO NOTHING;
