-- Hand-edited after drizzle-kit: contact_id is new, so existing deliveries copy it as NULL.
CREATE TABLE `alert_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text NOT NULL,
	`confirm_hash` text,
	`confirm_attempts` integer DEFAULT 0 NOT NULL,
	`confirmed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_contacts_tenant_email` ON `alert_contacts` (`tenant_id`,`email`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_alert_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`webhook_id` text,
	`contact_id` text,
	`event_id` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer,
	`last_status` integer,
	`last_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `alert_contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "alert_deliveries_one_target" CHECK((webhook_id IS NULL) <> (contact_id IS NULL))
);
--> statement-breakpoint
INSERT INTO `__new_alert_deliveries`("id", "webhook_id", "contact_id", "event_id", "status", "attempts", "next_attempt_at", "last_status", "last_reason", "created_at", "updated_at") SELECT "id", "webhook_id", NULL, "event_id", "status", "attempts", "next_attempt_at", "last_status", "last_reason", "created_at", "updated_at" FROM `alert_deliveries`;--> statement-breakpoint
DROP TABLE `alert_deliveries`;--> statement-breakpoint
ALTER TABLE `__new_alert_deliveries` RENAME TO `alert_deliveries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `alert_deliveries_due` ON `alert_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_webhook` ON `alert_deliveries` (`webhook_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_contact` ON `alert_deliveries` (`contact_id`,`created_at`);