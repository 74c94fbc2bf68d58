CREATE TABLE `acme_accounts` (
	`directory_url` text PRIMARY KEY NOT NULL,
	`key_sealed` blob NOT NULL,
	`account_url` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `certificate_bundles` (
	`hostname` text PRIMARY KEY NOT NULL,
	`serial` text NOT NULL,
	`not_before` integer NOT NULL,
	`not_after` integer NOT NULL,
	`issuer` text NOT NULL,
	`chain_pem` text NOT NULL,
	`key_sealed` blob NOT NULL,
	`digest` text NOT NULL,
	`written_at` integer NOT NULL
);
