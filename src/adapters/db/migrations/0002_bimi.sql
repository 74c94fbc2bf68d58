CREATE TABLE `bimi_assertions` (
	`domain_id` text NOT NULL,
	`selector` text NOT NULL,
	`logo_sha256` text NOT NULL,
	`vmc_pem` text,
	`vmc_not_after` integer,
	`vmc_matches_logo` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`domain_id`, `selector`),
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`logo_sha256`) REFERENCES `logos`(`sha256`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `domain_logos` (
	`domain_id` text NOT NULL,
	`sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`domain_id`, `sha256`),
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sha256`) REFERENCES `logos`(`sha256`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `logos` (
	`sha256` text PRIMARY KEY NOT NULL,
	`svg` blob NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
