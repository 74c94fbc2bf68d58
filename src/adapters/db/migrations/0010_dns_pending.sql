CREATE TABLE `dns_pending` (
	`domain_id` text PRIMARY KEY NOT NULL,
	`since` integer NOT NULL
);
