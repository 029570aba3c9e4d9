ALTER TABLE `orgs` ADD `plan_limits` text;--> statement-breakpoint
ALTER TABLE `orgs` ADD `credits` integer;