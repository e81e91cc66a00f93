package migrations

// The job queue's migration, for its test.
var (
	JobQueueUp   = jobQueueUp
	JobQueueDown = jobQueueDown
)
