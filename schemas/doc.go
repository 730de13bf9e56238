// Package schemas is the CloudTrail record model of firetrail: the Go types of
// a CloudTrail record and its userIdentity, a hand-written append-style JSON
// encoder that writes keys in the order AWS writes them, the log-file
// container writer, the embedded JSON Schemas and the validator, and the
// rendering of Amazon Data Firehose API inputs into CloudTrail
// requestParameters with AWS's redaction applied.
//
// The package imports nothing else of firetrail's. See ../shared/REFERENCE.md
// §1–§3 for the facts it encodes.
package schemas
