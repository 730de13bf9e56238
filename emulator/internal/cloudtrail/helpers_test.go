package cloudtrail

import (
	"time"

	"github.com/firetrail/firetrail/emulator/internal/testrec"
)

// DefaultStartTime is the base time of the store's tests.
var DefaultStartTime = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// testRecord is testrec.Record.
var testRecord = testrec.Record
