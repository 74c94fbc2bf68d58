CREATE TABLE `tls_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`domain_id` text NOT NULL,
	`organization` text NOT NULL,
	`report_id` text NOT NULL,
	`contact` text,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`day` text NOT NULL,
	`successful` integer NOT NULL,
	`failed` integer NOT NULL,
	`parsed` text NOT NULL,
	`warnings` text NOT NULL,
	`raw` blob NOT NULL,
	`source` text NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tls_reports_submitter` ON `tls_reports` (`domain_id`,`organization`,`report_id`);--> statement-breakpoint
CREATE INDEX `tls_reports_domain_day` ON `tls_reports` (`domain_id`,`day`);--> statement-breakpoint
CREATE TABLE `tlsrpt_tokens` (
	`token` text PRIMARY KEY NOT NULL,
	`domain_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tlsrpt_tokens_domain` ON `tlsrpt_tokens` (`domain_id`);