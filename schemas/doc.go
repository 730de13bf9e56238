// Package schemas is the CloudTrail record model of firetrail: the Go types of
// a CloudTrail record and its userIdentity, a hand-written append-style JSON
// encoder that writes keys in the order AWS writes them, the log-file
// container writer, the embedded JSON Schemas and the validator, and the
// rendering of Amazon Data Firehose API inputs into CloudTrail
// requestParameters with AWS's redaction applied.
//
// The package imports nothing else of firetrail's. The facts it encodes come
// from the AWS CloudTrail User Guide (record contents, the userIdentity
// element), the Amazon Data Firehose Developer Guide, the Firehose API model
// and records AWS and others have published; those that are unverified say so.
package schemas
