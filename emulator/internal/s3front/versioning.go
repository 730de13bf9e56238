package s3front

import (
	"encoding/xml"

	"github.com/johannesboyne/gofakes3"
)

// versioningConfiguration is GetBucketVersioning's answer. Status and
// MfaDelete are left out when never set, as S3 does: an empty
// <VersioningConfiguration/> for a bucket that was never versioned
// (gofakes3 writes empty elements, values outside the model's enums).
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// getBucketVersioning answers GET /bucket?versioning.
func (f *Front) getBucketVersioning(rw *responseWriter, bucket string) error {
	if err := f.checkBucket(bucket); err != nil {
		return err
	}
	out := versioningConfiguration{Xmlns: s3Xmlns}
	if vb, ok := f.backend.(gofakes3.VersionedBackend); ok {
		cfg, err := vb.VersioningConfiguration(bucket)
		if err != nil {
			return err
		}
		out.Status, out.MfaDelete = string(cfg.Status), string(cfg.MFADelete)
	}
	return writeXML(rw, out)
}
