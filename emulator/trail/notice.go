package trail

import "time"

// Notice describes one delivered log file; Config.Notify receives one after
// each log file is stored.
type Notice struct {
	Bucket  string
	Key     string
	Account string
	Region  string
	// Size is the size of the stored (compressed) object.
	Size int64
	// MD5 is the lowercase hex MD5 of the stored bytes, S3's ETag for a
	// single-part upload (without quotes).
	MD5 string
	// Records is the number of records in the file.
	Records int
	// OldestEventTime and NewestEventTime bound the records' eventTimes.
	OldestEventTime time.Time
	NewestEventTime time.Time
	// DeliveredAt is the file's delivery time.
	DeliveredAt time.Time
}
