CREATE TABLE `acme_challenges` (
	`token` text PRIMARY KEY NOT NULL,
	`key_authorization` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `acme_challenges_expires_at` ON `acme_challenges` (`expires_at`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`hostname` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`issuer_name` text,
	`serial` text,
	`issuer` text,
	`not_before` integer,
	`not_after` integer,
	`renew_at` integer,
	`due_at` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_attempt_at` integer,
	`dns_status` text,
	`dns_detail` text,
	`lease_owner` text,
	`lease_until` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `certificates_due_at` ON `certificates` (`due_at`);