CREATE TABLE `fx_days` (
	`source` text NOT NULL,
	`date` text NOT NULL,
	`rates` text NOT NULL,
	`origin` text NOT NULL,
	PRIMARY KEY(`source`, `date`)
);
--> statement-breakpoint
CREATE TABLE `fx_spans` (
	`source` text NOT NULL,
	`first_date` text NOT NULL,
	`last_date` text NOT NULL,
	`origin` text NOT NULL,
	PRIMARY KEY(`source`, `first_date`, `last_date`)
);
--> statement-breakpoint
CREATE TABLE `fx_origins` (
	`source` text NOT NULL,
	`id` text NOT NULL,
	`record` text NOT NULL,
	PRIMARY KEY(`source`, `id`)
);
