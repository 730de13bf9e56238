// Package s3front is an http.Handler placed in front of gofakes3 that makes
// the embedded fake S3 safe for real clients (aws-sdk-go-v2, awscli v2,
// boto3, the JS SDK v3) with their default settings.
//
// gofakes3 v1.2.0 on its own corrupts objects or confuses clients in several
// ways that real clients run into; Front fixes them before a request reaches
// gofakes3 and after it answers:
//
//   - aws-chunked bodies (signed and unsigned, with or without trailers) are
//     decoded strictly (chunks of at least 8 KiB but the last, as S3
//     requires), their trailing checksums verified, and only the decoded
//     bytes reach storage; the framing never does.
//   - PutObject and UploadPart bodies stream to the backend, decoded and
//     hashed as it reads them, never held whole here; they are verified at
//     their end, and a failure is the backend's read error, so it stores
//     nothing (gofakes3's backends read the whole input first).
//   - checksums sent as headers (x-amz-checksum-*, Content-MD5, a hex
//     x-amz-content-sha256) are verified; the object's checksum is kept with
//     the object and returned on whole-object GET/HEAD when the client sends
//     x-amz-checksum-mode: ENABLED, never on ranged reads.
//   - multipart uploads get per-part checksums and the composite
//     "BASE64-N" checksum S3 reports, and the "MD5-N" ETag on later reads.
//   - sub-resources gofakes3 does not route (?tagging, ?acl, ?lifecycle, …)
//     never reach its object handlers, which would overwrite the object with
//     the request's XML: tagging is implemented, ACLs are accepted and
//     reported as owner FULL_CONTROL, the rest answer NotImplemented.
//   - user metadata response headers are written in lower case
//     (x-amz-meta-signature), as S3 does and as botocore expects.
//   - bodies without Content-Length are read up to the size limit; short or
//     stalled bodies, oversized bodies and path-traversal keys get S3 XML
//     errors; a panic becomes an S3 InternalError.
//   - every error, gofakes3's included, is S3's complete XML error document:
//     Code, Message in S3's wording, RequestId and HostId (and the same ids in
//     x-amz-request-id and x-amz-id-2), with S3's status for the code.
//   - an empty body sent with "Expect: 100-continue" gets 100 Continue first,
//     as from S3; botocore stalls on the connection's next PUT otherwise.
//   - ListMultipartUploads of a bucket without uploads is an empty listing.
//   - default bucket encryption (SetBucketEncryption, PutBucketEncryption)
//     and x-amz-server-side-encryption on PUT are reported on the object's
//     PUT, GET and HEAD; GetBucketEncryption answers AES256 for any bucket
//     never configured, as S3 has since 2023.
//   - bucket notification configurations (Put/GetBucketNotificationConfiguration)
//     with queue and topic destinations, validated as S3 does (event
//     names, prefix/suffix filter rules, overlapping configurations,
//     destinations through Options.CheckDestination). Every object created
//     or removed in a configured bucket (PUT, POST, CopyObject,
//     CompleteMultipartUpload, DeleteObject(s), and Front.PutObject, the
//     trail's own writes) makes S3's event JSON (Event) for each matching
//     configuration, handed to Options.Publish asynchronously and in order
//     per bucket; setting a configuration first sends each destination an
//     s3:TestEvent. Lambda destinations answer NotImplemented; an
//     EventBridge configuration is kept and answered but nothing is sent
//     for it.
//
// Object checksums, the multipart ETag and the list of metadata keys written
// by the latest PUT live in the object's gofakes3 metadata under internal
// keys (X-Amz-Firetrail-*) that are never shown to clients, so they survive a
// restart of a persistent backend. Notification configurations survive
// a restart in Options.NotificationPath if given. Object tags and bucket
// encryption settings are kept in memory only.
package s3front
