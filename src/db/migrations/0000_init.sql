CREATE TABLE `aliases` (
	`alias` text NOT NULL,
	`model` text NOT NULL,
	`valid_from` integer,
	`valid_to` integer,
	PRIMARY KEY(`alias`, `model`)
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`event_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`claimed_by` text,
	`claimed_until` integer,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_subscription` ON `deliveries` (`subscription_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_once` ON `deliveries` (`subscription_id`,`event_id`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`status` integer,
	`ok` integer NOT NULL,
	`error` text,
	`duration_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery` ON `delivery_attempts` (`delivery_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`created_at` integer NOT NULL,
	`provider` text,
	`payload` text NOT NULL,
	`fanned_out_at` integer
);
--> statement-breakpoint
CREATE INDEX `events_fanout` ON `events` (`fanned_out_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `facts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`series_id` integer NOT NULL,
	`amount` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer,
	`announced_at` integer,
	`recorded_at` integer NOT NULL,
	`superseded_at` integer,
	`prior_unknown` integer DEFAULT false NOT NULL,
	`free` integer DEFAULT false NOT NULL,
	`detected_between` text,
	`sources` text NOT NULL,
	`confidence` text NOT NULL,
	`fact_key` text NOT NULL,
	`run_id` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `facts_key` ON `facts` (`fact_key`);--> statement-breakpoint
CREATE INDEX `facts_series_valid` ON `facts` (`series_id`,`valid_from`,`recorded_at`);--> statement-breakpoint
CREATE INDEX `facts_recorded` ON `facts` (`recorded_at`);--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`record` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `models_provider` ON `models` (`provider`);--> statement-breakpoint
CREATE TABLE `page_state` (
	`url` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`etag` text,
	`last_modified` text,
	`last_snapshot` text,
	`last_observed_at` integer,
	`pending_snapshot` text,
	`pending_since` integer,
	`pending_claims` text
);
--> statement-breakpoint
CREATE TABLE `plan_rates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan` text NOT NULL,
	`model` text NOT NULL,
	`component` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer,
	`recorded_at` integer NOT NULL,
	`superseded_at` integer,
	`record` text NOT NULL,
	`fact_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_rates_key` ON `plan_rates` (`fact_key`);--> statement-breakpoint
CREATE INDEX `plan_rates_plan` ON `plan_rates` (`plan`,`valid_from`);--> statement-breakpoint
CREATE TABLE `plan_terms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer,
	`recorded_at` integer NOT NULL,
	`superseded_at` integer,
	`record` text NOT NULL,
	`fact_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_terms_key` ON `plan_terms` (`fact_key`);--> statement-breakpoint
CREATE INDEX `plan_terms_plan` ON `plan_terms` (`plan`,`valid_from`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`record` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `providers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`record` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scrape_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`url` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`outcome` text NOT NULL,
	`reason` text,
	`snapshot` text,
	`observations` integer DEFAULT 0 NOT NULL,
	`facts_added` integer DEFAULT 0 NOT NULL,
	`facts_superseded` integer DEFAULT 0 NOT NULL,
	`changes` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scrape_runs_provider` ON `scrape_runs` (`provider`,`started_at`);--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model` text NOT NULL,
	`component` text NOT NULL,
	`currency` text NOT NULL,
	`unit` text NOT NULL,
	`conditions` text NOT NULL,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_identity` ON `series` (`model`,`component`,`currency`,`unit`,`conditions`,`kind`);--> statement-breakpoint
CREATE TABLE `snapshots` (
	`sha256` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`fetched_at` integer NOT NULL,
	`content_type` text,
	`size` integer NOT NULL,
	`gzip` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`description` text,
	`filter` text NOT NULL,
	`format` text NOT NULL,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`status` text NOT NULL,
	`disabled_reason` text,
	`failing_since` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
