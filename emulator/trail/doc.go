// Package trail is CloudTrail delivery: it batches records into log files,
// names, compresses and stores them, writes signed hourly digest files that
// chain together, and reports each delivered file to Config.Notify. Every
// path of firetrail that writes log files uses it: `generate --format
// cloudtrail` (a TreeSink, ByEventTime and Untidy),
// `serve` (the embedded S3, a real or fake clock) and `load` (any S3
// endpoint). The same records, Config and clock give the same bytes on any
// path.
//
// # Delivery
//
// Records go in with Add or AddAll and are kept per account
// (recipientAccountId) and region (awsRegion) in delivery windows of
// Config.Interval (5 minutes), aligned to the clock. Tick stores every window
// that has closed; Flush stores everything now. Each window becomes one or
// more gzip files (split at Config.MaxFileSize, 50 MB compressed) named as
// CloudTrail names them (CloudTrail User Guide, finding your log files):
//
//	[prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
//
// The path date and stamp are the delivery time (window end plus
// Config.DeliveryDelay, or the flush time), the stamp rounded down to 5
// minutes. UNIQUE is 16 letters and digits hashed from Config.Seed, account,
// region, stamp and the file's number among the files of that stamp.
//
// A file is {"Records":[…]} exactly as schemas.LogFileWriter writes it,
// gzipped by klauspost/compress at CompressionLevel with a zero ModTime and no
// name. Records are compressed 8 blocks (512 KiB) at a time as they arrive,
// so a Trail holds the compressed bytes of open windows and at most 8 blocks
// of JSON per open file; with ByEventTime a window is delivered and released as
// soon as a later record closes it, so AddAll streams any number of records
// in constant memory. With GOMAXPROCS above 1, closed files are compressed on
// worker goroutines (the bytes do not depend on it).
//
// # Untidy delivery
//
// With Config.Untidy (and ByEventTime), files are as untidy as
// CloudTrail's: each record arrives a few seconds after its eventTime, a
// share of them minutes to an hour later (in a later window's file), the
// records of a file are in arrival order, and some windows are written as
// two files. The arrival delays come from the Rand given, so the same
// seed gives the same bytes. The live emulator records calls in their real
// arrival order and leaves it off.
//
// # Digests
//
// With Config.SigningKey set, every account+region the trail has seen gets a
// digest file every DigestPeriod (hour), empty hours included, listing the
// log files delivered in that hour with the SHA-256 of their uncompressed
// bytes (CloudTrail User Guide, digest files). Digests chain through their
// previousDigest* fields, are signed SHA256withRSA over StringToSign, and
// carry the signature in the S3 metadata "signature" and
// "signature-algorithm". Without a key no digests are written: a key made up
// on the fly could not be reproduced. Digest windows start at the trail's own
// offset from the hour (Config.DigestOffset, minutes and seconds from the
// seed and the trail's names, as AWS starts them when logging started), not
// on the hour. State and Config.State carry the chains, and the offset,
// across restarts.
//
// # Failures, restarts and limits
//
// A Sink error stops delivery at the failed object; it and everything after
// it stay queued, in order, and are retried by the next Tick, Flush or
// Close (CloudTrail retries for 30 days; a Trail retries while it lives).
// Log files enter the digest of their delivery time even if their Put is
// still being retried, and a digest is never stored before the log files it
// lists. After a silence of more than 31 days a chain skips the empty hours
// instead of writing a digest for each, leaving a gap as a stopped trail
// does. Not implemented: backfill digests, Insights files, one signing key
// per region, S3 metadata other than the digest signature.
//
// # Notifications
//
// Config.Notify hears of each stored log file, as a Notice, from the
// goroutine that delivers. The package knows nothing of HTTP or SNS: the
// emulator's SNS (emulator/internal/sns) turns notices into SNS envelopes
// and S3 event notifications without blocking delivery.
package trail
