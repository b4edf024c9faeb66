CREATE INDEX "operations_created_brin" ON "operations" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "password_events_created_brin" ON "password_events" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "outbox_created_brin" ON "outbox" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "processed_mo_created_brin" ON "processed_mo" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "sms_archive_created_brin" ON "sms_archive" USING brin ("created_at");