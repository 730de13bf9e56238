// Package generator simulates a world that uses Amazon Data Firehose and
// emits the CloudTrail records of its API calls, in time order, as
// schemas.Record values.
//
// # The world
//
// A Config (seed, start instant, number of accounts, regions, optional AWS
// Organization) fixes a world: accounts with principals of every identity
// that can call Firehose — the root user in the console, IAM users with
// long-term keys (AKIA…) and the AWS CLI, IAM users in console sessions
// proxied by the console ("AWS Internal", sessionCredentialFromConsole, no
// tlsDetails), Identity Center (SSO) role sessions (AWSReservedSSO_*) in a
// browser, GitHub Actions roles via web identity running Terraform, roles
// used by CloudFormation (invokedBy, source and user agent
// cloudformation.amazonaws.com), and in every region EC2 instance roles
// polling with boto3, Lambda functions, Java apps on EC2, ECS tasks and
// CodeBuild builds; federated users, AWS services (AWSService), AWS's
// internal callers (userIdentity {accountId, invokedBy "AWS Internal"}, no
// type) and an auditor whose writes are denied. Firehose has no resource
// policies and takes role credentials, so by default no AWSAccount of another
// account, IdentityCenterUser or Role identity calls it; they come only with
// Config.Identities IdentitiesAll (`generate --identities all`), for testing
// parsers on identity types Firehose records do not have. Temporary
// credentials (ASIA…) renew with new session context; ARNs, principal IDs,
// access key types and user agents (in the formats real records show, the
// CLI's naming the exact command) stay consistent. gofakeit/v6, seeded,
// supplies the people and values.
//
// Source addresses: a person calls from the account's
// offices and VPN (small NAT pools), from home (an ISP address that
// changes now and then) or, now and then, from somewhere else, staying a
// while at each. Callers hosted on AWS call from AWS's published EC2
// prefixes of their region (awsEC2Prefixes, from AWS's ip-ranges.json):
// an instance keeps its address until its Auto Scaling group replaces it,
// Lambda functions run in execution environments that come and go, ECS
// tasks and CodeBuild builds are new hosts each time. A third of the
// workloads in a VPC call through the account's Firehose interface
// endpoint (vpcEndpointId) from a private address of the VPC. Services
// keep their service-principal name as source.
//
// Delivery streams of every destination type (S3, Extended S3, Redshift,
// Elasticsearch, OpenSearch Service, OpenSearch Serverless, Splunk, HTTP
// endpoint, Snowflake, Iceberg; dealt from a shuffled deck so every type
// occurs within every ten creations) and every source type live whole
// lifecycles: CreateDeliveryStream followed by DescribeDeliveryStream polls,
// console list pages, Terraform refreshes, UpdateDestination after the
// describe that yields its version id (currentDeliveryStreamVersionId goes
// up by one with every successful update), Tag/Untag/ListTags,
// Start/StopDeliveryStreamEncryption (DirectPut streams; fewer than AWS's
// 25 a stream in 24 hours of the records' time, and a call past them is
// the LimitExceededException AWS answers), and DeleteDeliveryStream. Requests are real aws-sdk-go-v2 service/firehose
// inputs rendered by schemas.RenderFirehoseRequest (so redaction always
// applies: a password, token or key the world holds never appears), once
// per stream configuration or update; requests holding only a stream name
// are appended by hand, and a test checks them against the renderer.
//
// Data events: PutRecord and PutRecordBatch are emitted as CloudTrail data
// events (eventCategory "Data", managementEvent false, resources naming the
// stream; a shape inferred from other services' data events, unverified
// for Firehose), as a trail with a Firehose data-event selector
// logs them. They are on by default (Config.DataEventShare, 15%); a negative
// share turns them off, as for a trail without that selector. A
// PutRecordBatch carries 1 to 500 records: mostly a few, a long tail, and
// about one in twelve a full batch of 500.
//
// UpdateDestination looks like its caller: the console, Terraform and
// CloudFormation send the stream's whole destination configuration (as
// AWS's own example does: roleARN, clusterJDBCURL, s3Update with its
// bucket, prefix, compression, encryption and buffering …), the CLI and SDK
// programs only the members that change. Each update changes one aspect of
// the stream's current destination (buffering, compression, logging,
// retries, credentials, endpoint), which becomes the stream's
// configuration when the call succeeds.
//
// Failures happen where AWS fails: calls on a deleted stream and data to
// a stream still CREATING (ResourceNotFoundException), a create whose name
// is taken and changes while CREATING (ResourceInUseException), an update
// with a stale version id (ConcurrentModificationException), data or
// encryption on a non-DirectPut stream (InvalidArgumentException), and
// injected failures fitting each action (AccessDenied with IAM's message
// forms, ThrottlingException "Rate exceeded", LimitExceeded,
// ConcurrentModification, InvalidKMSResource, ServiceUnavailable), with no
// responseElements. Codes and messages come from the error table of
// schemas (schemas.FirehoseNotFound …), which the emulator's Firehose API
// answers from too; that table's comments say which wordings are
// verified.
//
// The shares of read-only calls, failures and data events follow
// Config.ReadOnlyShare, ErrorShare and DataEventShare: a feedback rule
// steers each share to its target (tests hold them within ±0.02).
//
// Time starts at Config.Start (default DefaultStart, never the wall clock)
// and moves like a working week in UTC: busy 08–18 on weekdays, quieter
// evenings, quiet nights and weekends. Events of a stream never precede its
// creation.
//
// With Config.Rate the records are paced instead: record i of the whole run
// happens at Start + ⌊i/Rate⌋ seconds, as `firetrail load` sends it. The
// world then runs from DefaultStart whatever Start is, so its activity does
// not depend on when a run begins (shards started apart still split one
// run). Sessions and people's addresses last by the records' times: hours
// of them, however many calls those hours hold. The world's own calls keep
// the pace of the records' times, as busy as a working day around the
// clock (about 0.4 calls a second per account); the producers' data
// events make up whatever more the rate asks for, on production streams
// provisioned for it (each at about half Firehose's quota of PutRecord and
// PutRecordBatch requests a second; calls past the quota fail with
// ServiceUnavailableException, "Slow down."). Without data events
// (DataEventShare negative) the world is hurried into the records' times
// instead, and with RateMax it keeps its own pace.
//
// # Scenarios
//
// Config.Scenario plants labelled incidents into the background activity
// (see Scenarios) and Generator.Manifest returns the ground truth: each
// incident's label, description and eventIDs.
//
// # Determinism
//
// The same firetrail version and Config give the same records, byte for
// byte, on any machine and at any GOMAXPROCS: the simulation runs on one
// goroutine, draws from math/rand sources seeded by Config.Seed (0
// included), never ranges over maps and never reads the clock. The pinned
// gofakeit version is part of that promise. Sharding (Config.Shard of
// Config.Shards) keeps the records whose index i in the whole run has
// i mod Shards == Shard: each shard runs the whole (cheap) simulation and
// encodes only its part, so the parts are disjoint and their union, merged
// by index, is the whole run.
//
// # Speed and memory
//
// Records reuse the world's strings and cached request bytes; reads and
// data events allocate nothing of their own (eventIDs and requestIDs are cut
// from a string formatted 128 UUIDs at a time). Writes that render a new
// request allocate. Memory does not grow with the number of events: the
// world holds at most a few hundred streams and principals.
package generator
