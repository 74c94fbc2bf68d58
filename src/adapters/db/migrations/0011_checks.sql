CREATE TABLE `check_runs` (
	`domain_id` text NOT NULL,
	`kind` text NOT NULL,
	`ran_at` integer NOT NULL,
	`skipped` text,
	PRIMARY KEY(`domain_id`, `kind`),
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `domain_findings` (
	`domain_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`opened_at` integer NOT NULL,
	PRIMARY KEY(`domain_id`, `key`),
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `finding_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`domain_id` text NOT NULL,
	`domain` text NOT NULL,
	`change` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `finding_events_domain` ON `finding_events` (`domain_id`,`id`);