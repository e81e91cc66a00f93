package graph

import (
	"context"

	"github.com/fritid/fritid/internal/events"
)

// signupOf returns event e's sign-up settings (nil: it takes no sign-ups), loaded with
// those of every event in the same list.
func signupOf(ctx context.Context, e *events.Event) (*events.SignupSettings, error) {
	l := loadersFor(ctx)
	if l.events == nil {
		return nil, nil
	}
	return l.events.signup.get(ctx, e.ID)
}
