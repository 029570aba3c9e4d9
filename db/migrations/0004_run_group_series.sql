CREATE TABLE `run_group_series` (
	`run_id` text NOT NULL,
	`group_name` text NOT NULL,
	`t` integer NOT NULL,
	`mos` real,
	`jitter_ms` real,
	`fraction_lost` real,
	`rtt_ms` real,
	`reporting` integer NOT NULL,
	PRIMARY KEY(`run_id`, `group_name`, `t`),
	FOREIGN KEY (`run_id`) REFERENCES `test_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
