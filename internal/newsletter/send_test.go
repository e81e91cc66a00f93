package newsletter

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestSendJobsKeepTheRate splits recipients into batches scheduled so that no minute gets
// more than the municipality's rate.
func TestSendJobsKeepTheRate(t *testing.T) {
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := make([]uuid.UUID, 250)
	for i := range ids {
		ids[i] = uuid.New()
	}
	c := &Campaign{ID: uuid.New(), MunicipalityID: uuid.New()}
	tests := []struct {
		name    string
		rate    int
		batches []int
		step    time.Duration
	}{
		{"SixtyAMinute", 60, []int{60, 60, 60, 60, 10}, time.Minute},
		{"SixHundredAMinute", 600, []int{100, 100, 50}, 10 * time.Second},
		{"OneAMinute", 1, nil, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := sendJobs(c, ids, tt.rate, start)
			for i, j := range jobs {
				if want := start.Add(time.Duration(i) * tt.step); !j.InsertOpts.ScheduledAt.Equal(want) {
					t.Fatalf("batch %d at %v, want %v", i, j.InsertOpts.ScheduledAt, want)
				}
				if tt.batches != nil && len(j.Args.(SendArgs).SubscriberIDs) != tt.batches[i] {
					t.Fatalf("batch %d has %d", i, len(j.Args.(SendArgs).SubscriberIDs))
				}
			}
			if tt.batches != nil && len(jobs) != len(tt.batches) {
				t.Fatalf("%d batches", len(jobs))
			}
			if tt.rate == 1 && len(jobs) != 250 {
				t.Fatalf("one a minute: %d batches", len(jobs))
			}
		})
	}
}
