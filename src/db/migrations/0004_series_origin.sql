ALTER TABLE `series` ADD `origin` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `series` ADD `origin_rank` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS `series_identity`;--> statement-breakpoint
CREATE UNIQUE INDEX `series_identity` ON `series` (`model`,`component`,`currency`,`unit`,`conditions`,`kind`,`origin`);--> statement-breakpoint
CREATE INDEX `series_line` ON `series` (`model`,`component`,`currency`,`unit`,`conditions`,`origin_rank`);
