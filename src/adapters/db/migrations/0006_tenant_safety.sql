DROP INDEX `domains_name_unique`;--> statement-breakpoint
ALTER TABLE `domains` ADD `verification_token` text;--> statement-breakpoint
ALTER TABLE `domains` ADD `verified_at` integer;--> statement-breakpoint
ALTER TABLE `domains` ADD `claim_expires_at` integer;--> statement-breakpoint
ALTER TABLE `domains` ADD `last_check_at` integer;--> statement-breakpoint
ALTER TABLE `domains` ADD `last_check_error` text;--> statement-breakpoint
CREATE UNIQUE INDEX `domains_name_live` ON `domains` (`name`) WHERE "domains"."status" <> 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX `domains_tenant_name` ON `domains` (`tenant_id`,`name`);--> statement-breakpoint
CREATE INDEX `domains_name` ON `domains` (`name`);--> statement-breakpoint
CREATE INDEX `domains_claim_expires_at` ON `domains` (`claim_expires_at`);--> statement-breakpoint
DROP INDEX `tenants_name_unique`;--> statement-breakpoint
ALTER TABLE `tenants` ADD `quotas` text;--> statement-breakpoint
-- Names equal but for case existed before this rule: every one but the oldest gets its id appended.
UPDATE `tenants` SET `name` = `name` || '-' || substr(`id`, 1, 8) WHERE `rowid` NOT IN (SELECT min(`rowid`) FROM `tenants` GROUP BY lower(`name`));--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_name_ci` ON `tenants` (lower("name"));--> statement-breakpoint
ALTER TABLE `tls_reports` ADD `stored_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `tls_reports_domain_received` ON `tls_reports` (`domain_id`,`received_at`);--> statement-breakpoint
-- Domains registered before proof of control existed were trusted by the operator's deployment.
UPDATE `domains` SET `verified_at` = `created_at` WHERE `status` <> 'pending';
