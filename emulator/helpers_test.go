package emulator

import (
	"compress/gzip"
	"io"

	"github.com/johannesboyne/gofakes3"
)

func gzipNewReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

func gofakes3Page() gofakes3.ListBucketPage { return gofakes3.ListBucketPage{} }
