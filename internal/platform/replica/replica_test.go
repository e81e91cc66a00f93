package replica

import (
	"context"
	"testing"
)

func TestOnlyMarkedContextsMayReadTheReplica(t *testing.T) {
	if Allowed(context.Background()) {
		t.Error("an unmarked context may read the replica")
	}
	if !Allowed(Allow(context.Background())) {
		t.Error("a marked context may not read the replica")
	}
}
