// Package golden holds firetrail's checked-in fixture sets and the helpers
// that compare output with golden files, for firetrail's own tests and for
// yours.
//
// # Fixture sets
//
// Sets lists them; each lives in testdata/<name>/:
//
//   - seed-example: the five records of AWS's Firehose CloudTrail example
//     (the Amazon Data Firehose Developer Guide's example log file), built
//     from fixed inputs and written with schemas.LogFileWriter; byte for
//     byte the file schemas/testdata/seed_example.json.
//   - mixed-identities: ndjson (records.ndjson) of a one-account world in two
//     regions with every kind of caller and a 15% error share.
//   - organization: a --format cloudtrail tree of a three-account AWS
//     Organization that starts empty and creates a stream of every
//     destination type, with the exfil-destination scenario planted
//     (ground-truth.json), as delivered by emulator/trail; log files are
//     stored decompressed (.json) beside a SHA256SUMS manifest of the exact
//     .json.gz bytes.
//
// Every set also has a SHA256SUMS of its files' exact bytes.
//
// TestSets regenerates every set and compares it byte for byte;
// `go test ./golden -update` rewrites them.
//
// # Stability promise
//
// A fixture set's bytes are part of firetrail's interface: they change only
// in a release whose notes say so and why (a new realism rule, a fixed
// quirk, a bumped gofakeit or klauspost/compress version, which are pinned
// in go.mod for this reason). Between such releases, the same version and
// Config give the same bytes on any machine, at any GOMAXPROCS and in any
// shard layout.
//
// # Your own golden tests
//
// Assert compares bytes with a golden file and AssertDir compares a tree
// of files (.gz compared by content plus a SHA-256 manifest) with a golden
// directory. Both follow the -update flow: run the test with -update to
// (re)write the golden files; on a mismatch they print a diff and the
// command, and write the actual output beside the golden (NAME.actual) so
// that it can be inspected.
//
// The -update flag: this package registers a boolean -update flag on the
// default flag set unless one is registered already (as gotest.tools does),
// and reads whichever is registered. A test package that defines its own
// -update must do so before importing this package's flag, which Go's
// initialization order makes impossible; use Update instead.
package golden
