package schemas

import "testing"

// TestDataEvent: a record is a data event by its eventCategory, or by
// managementEvent false where it has no category (eventVersion 1.06).
func TestDataEvent(t *testing.T) {
	for _, tc := range []struct {
		r    Record
		want bool
	}{
		{Record{EventCategory: "Data", ManagementEvent: BoolFalse}, true},
		{Record{EventCategory: "Data"}, true},
		{Record{ManagementEvent: BoolFalse}, true},
		{Record{EventCategory: "Management", ManagementEvent: BoolTrue}, false},
		{Record{EventCategory: "Insight"}, false},
		{Record{}, false},
	} {
		if got := tc.r.DataEvent(); got != tc.want {
			t.Errorf("DataEvent of category %q, managementEvent %v = %v, want %v", tc.r.EventCategory, tc.r.ManagementEvent, got, tc.want)
		}
	}
}
