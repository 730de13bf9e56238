// Package sqs is the emulator's Amazon SQS: standard queues per account
// and region, served in both of SQS's wire protocols (AWS JSON 1.0 with
// X-Amz-Target AmazonSQS.<Op>, and the older query protocol with
// Action=<Op>) over one state.
//
// The package knows nothing of HTTP routing, signing or the other
// services: the emulator's router hands it decoded calls (HandleJSON,
// HandleQuery) and writes the answers with the awsapi writers. Other
// services put messages in queues with Deliver.
//
// Message time (delays, visibility timeouts, retention, timestamps) is
// read from Config.Clock only; the emulator calls Tick every second and
// after a virtual clock moves, so that waiting long polls see messages
// that became visible. The only wall-clock time is the length of a long
// poll's wait (a virtual clock never moves by itself) and the debounce of
// saving (save.go).
//
// FIFO queues are not implemented: a FifoQueue attribute is answered
// InvalidAttributeName, as AWS answers an attribute it does not know, and
// a name ending in .fifo fails the name rule of standard queues.
package sqs
