DROP INDEX `certificates_due_at`;--> statement-breakpoint
CREATE INDEX `certificates_due_at_hostname` ON `certificates` (`due_at`,`hostname`);