CREATE TABLE `observations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`series_id` integer NOT NULL,
	`run_id` integer NOT NULL,
	`url` text NOT NULL,
	`snapshot` text,
	`observed_at` integer NOT NULL,
	`known_at` integer NOT NULL,
	`amount` text,
	`claims` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `observations_series` ON `observations` (`series_id`,`observed_at`);--> statement-breakpoint
CREATE INDEX `observations_run` ON `observations` (`run_id`);--> statement-breakpoint
CREATE INDEX `observations_url` ON `observations` (`url`,`observed_at`);--> statement-breakpoint
ALTER TABLE `facts` ADD `last_confirmed_at` integer;