CREATE TABLE `dns_entries` (
	`domain_id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`entry` text,
	`sts_id` text,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dns_entries_version` ON `dns_entries` (`version`);--> statement-breakpoint
CREATE TABLE `dns_zone` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `policy_acks` (
	`instance_id` text NOT NULL,
	`domain_id` text NOT NULL,
	`policy_id` text NOT NULL,
	`acked_at` integer NOT NULL,
	PRIMARY KEY(`instance_id`, `domain_id`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `policy_acks_domain` ON `policy_acks` (`domain_id`);--> statement-breakpoint
ALTER TABLE `domains` ADD `dns_mode` text DEFAULT 'self' NOT NULL;--> statement-breakpoint
ALTER TABLE `domains` ADD `dns_label` text;--> statement-breakpoint
CREATE UNIQUE INDEX `domains_dns_label` ON `domains` (`dns_label`);