CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`region` text NOT NULL,
	`capacity` integer NOT NULL,
	`version` text NOT NULL,
	`last_seen_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agents_org` ON `agents` (`org_id`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash` ON `api_tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_org_slug` ON `projects` (`org_id`,`slug`);--> statement-breakpoint
CREATE TABLE `registrars` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`domain` text NOT NULL,
	`port` integer,
	`transport` text NOT NULL,
	`outbound_proxy` text,
	`builtin` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `registrars_project` ON `registrars` (`project_id`);--> statement-breakpoint
CREATE TABLE `run_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`group_name` text NOT NULL,
	`idx` integer NOT NULL,
	`username` text NOT NULL,
	`role` text NOT NULL,
	`agent_id` text,
	`phase` text NOT NULL,
	`outcome` text,
	`status_code` integer,
	`status_text` text,
	`timings` text NOT NULL,
	`metrics` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `test_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_endpoints_run` ON `run_endpoints` (`run_id`);--> statement-breakpoint
CREATE TABLE `sip_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`registrar_id` text NOT NULL,
	`username` text NOT NULL,
	`auth_username` text,
	`password` text NOT NULL,
	`realm` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`registrar_id`) REFERENCES `registrars`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sip_accounts_registrar_user` ON `sip_accounts` (`registrar_id`,`username`);--> statement-breakpoint
CREATE TABLE `test_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`test_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`registrar_id` text NOT NULL,
	`endpoints` integer NOT NULL,
	`codec` text NOT NULL,
	`callee_type` text NOT NULL,
	`callee_group` text,
	`callee_uri` text,
	`region` text,
	FOREIGN KEY (`test_id`) REFERENCES `tests`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`registrar_id`) REFERENCES `registrars`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `test_groups_test` ON `test_groups` (`test_id`);--> statement-breakpoint
CREATE TABLE `test_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`test_id` text NOT NULL,
	`test_name` text NOT NULL,
	`status` text NOT NULL,
	`reason_code` text,
	`reason` text,
	`duration_sec` integer NOT NULL,
	`config` text NOT NULL,
	`summary` text,
	`created_at` text NOT NULL,
	`queued_at` text,
	`started_at` text,
	`ended_at` text,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`test_id`) REFERENCES `tests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `test_runs_project_created` ON `test_runs` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `test_runs_test` ON `test_runs` (`test_id`);--> statement-breakpoint
CREATE TABLE `tests` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`duration_sec` integer NOT NULL,
	`buildup_sec` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tests_project` ON `tests` (`project_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);