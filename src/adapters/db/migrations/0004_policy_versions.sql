CREATE TABLE `policy_versions` (
	`domain_id` text NOT NULL,
	`policy_id` text NOT NULL,
	`text` text NOT NULL,
	`first_served_at` integer NOT NULL,
	PRIMARY KEY(`domain_id`, `policy_id`),
	FOREIGN KEY (`domain_id`) REFERENCES `domains`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `policy_versions` (`domain_id`, `policy_id`, `text`, `first_served_at`) SELECT `domain_id`, `policy_id`, `text`, `updated_at` FROM `mta_sts_policies`;
