package main

import "github.com/firetrail/firetrail/generator"

// trailSeed is the seed of the unique part of log file names for a run of
// cfg. Shards get seeds of their own so that their trees can be merged, or
// written into one prefix, without two files of the same name; the whole
// run keeps its seed.
func trailSeed(cfg generator.Config) int64 {
	if cfg.Shards <= 1 {
		return cfg.Seed
	}
	return cfg.Seed*1_000_003 + int64(cfg.Shard)*7919 + int64(cfg.Shards)
}
