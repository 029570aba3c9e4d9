ALTER TABLE `run_endpoints` ADD `call_averages` text;--> statement-breakpoint
ALTER TABLE `run_endpoints` ADD `series` text;