ALTER TABLE `domains` ADD `retired_policy_id` text;
--> statement-breakpoint
-- Domains already retiring: the newest version first served before the retirement began.
UPDATE `domains` SET `retired_policy_id` = (SELECT `policy_id` FROM `policy_versions` WHERE `policy_versions`.`domain_id` = `domains`.`id` AND `policy_versions`.`first_served_at` < `domains`.`retired_at` ORDER BY `first_served_at` DESC LIMIT 1) WHERE `status` = 'retiring';
