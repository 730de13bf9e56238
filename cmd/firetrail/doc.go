// Command firetrail makes CloudTrail logs of Amazon Data Firehose API calls
// and serves them from an emulator, so that programs that consume CloudTrail
// can be tested end to end without an AWS account.
//
// Usage:
//
//	firetrail <command> [flags]
//
// The commands:
//
//	generate  write deterministic CloudTrail records of a simulated world
//	          that uses Firehose: NDJSON (one record a line) or a tree of
//	          .json.gz log files exactly as CloudTrail delivers them
//	serve     run the emulator: an embedded S3 (path-style) holding the
//	          delivered log files and signed digests, the CloudTrail API
//	          (LookupEvents, ListPublicKeys, DescribeTrails, GetTrailStatus),
//	          a Firehose API that records every call, SQS and SNS, on one
//	          port
//	flush     make a running serve deliver everything pending now (POST
//	          /_firetrail/flush) and print the keys it wrote
//	validate  check CloudTrail records — single records, log files, NDJSON,
//	          .gz, directory trees in the CloudTrail S3 key layout — against
//	          AWS's record schema and consistency rules
//	load      deliver generated log files into S3 or any S3-compatible
//	          store at a steady rate, sharded across machines
//	version   print the version and the versions that pin the output
//
// Each command's --help lists its flags; README.md holds the same text.
//
// # Exit status
//
// 0 on success (and for --help); 1 when a command failed or validate found
// problems, with one line per problem on stdout (validate) or one line on
// stderr; 2 for a wrong command line, with the error and the synopsis on
// stderr. stdout carries data (records, problems, serve's endpoint first),
// stderr diagnostics.
//
// # generate
//
// The same version and flags give the same bytes: --seed fixes the world,
// --start its first instant (default 2025-03-03T00:00:00Z, never the wall
// clock). --shard k/N writes part k of N; the parts are disjoint and their
// union is the whole run (record i belongs to shard i mod N). Data events
// (PutRecord/PutRecordBatch, eventCategory Data) are on by default at 15%
// of records, as for a trail with a Firehose data-event selector;
// --data-event-share -1 turns them off. --scenario plants labelled incidents
// and writes a ground-truth manifest (scenario, eventIDs) beside the output.
// Output is written to a temporary name and renamed at the end, so a partial
// run never looks complete.
//
// # serve
//
// serve prints the endpoint URL on its first line, then the bucket, export
// lines for the AWS environment and ready-to-paste awscli lines. --events N
// records are generated (from --seed) and delivered before that. Log files
// are delivered every --delivery-interval; digests every hour. SIGINT or
// SIGTERM delivers what is pending and exits 0. --data-dir keeps objects,
// the digest chain, the signing key, LookupEvents history and Firehose
// state across restarts; the record of each answered call is journaled
// (fsynced) before the answer, so a restart after a crash delivers it,
// once. A data dir remembers its preload: restarted with the same --events
// and --seed (or without --events) it delivers nothing again; other
// --events or --seed on it are an error naming the flags it holds (use
// those, or a new data dir). With --addr 0.0.0.0:PORT (or [::]:PORT) the
// URL printed is the loopback one a client on the machine can dial.
//
// SQS (JSON 1.0 and query protocols) and SNS are served too: --queue NAME
// makes a queue fed by the log bucket's S3 event notifications,
// --topic-queue NAME one subscribed to the trail's SNS topic (to which
// every delivered log file publishes CloudTrail's notification); serve
// prints the topic and the queue URLs.
//
// On the same port: POST /_firetrail/flush delivers everything pending now
// (open log files, due digests, buffered Firehose destination data) and
// answers {"keys":[...],"firehoseObjects":[...]}; GET /_firetrail/health
// answers the version, account, region, bucket, trail and counters. A
// flushed file's key is stamped like a closed window: never before its
// newest event.
//
// # flush
//
// flush [--endpoint URL] POSTs /_firetrail/flush to a running serve
// (default $AWS_ENDPOINT_URL, else http://127.0.0.1:4599) and prints the
// keys of the log and digest files written, one a line, then the Firehose
// destination objects as s3://bucket/key.
//
// # load
//
// load delivers --events N (or --rate × --duration) generated events at
// --rate per second (or --rate max) into --bucket at --endpoint, or in
// Amazon S3 without --endpoint, with the credentials and region of the AWS
// environment (checked, with the bucket, before anything is sent). Each
// event's eventTime is the moment it is sent, in simulated time that
// --speedup X runs X times as fast as the wall clock. The simulated
// accounts make their own calls at a working day's pace in that time
// (a stream is ACTIVE 20 to 60 s after its create); their producers'
// PutRecord and PutRecordBatch data events make up the rest of the rate.
// With --shard k/N
// each shard is its own trail (its own file names and digest chain) and
// sends its events when the whole run would, so N machines share one
// bucket, prefix and rate. Progress goes to stderr (a live display on a
// terminal), and a summary at the end and on SIGINT or SIGTERM, which
// deliver what was generated and exit 0; --summary-json writes it as JSON.
package main
