package graph

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func meterAt(b Budgets) (*Meter, *fakeClock) {
	m := NewMeter(b)
	clock := &fakeClock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	m.now = clock.now
	return m, clock
}

func TestMeterChargesUntilTheBudgetIsSpent(t *testing.T) {
	t.Parallel()
	m, clock := meterAt(Budgets{Anonymous: 600}) // refills 10 a second
	ctx := context.Background()
	if c := m.Charge(ctx, 500); !c.OK || c.Left != 100 || c.Budget != 600 {
		t.Fatalf("first charge = %+v, want OK with 100 left of 600", c)
	}
	c := m.Charge(ctx, 200)
	if c.OK {
		t.Fatal("charge of 200 with 100 left was allowed")
	}
	if c.RetryAfter != 10 { // 100 more at 10 a second
		t.Errorf("RetryAfter = %d, want 10", c.RetryAfter)
	}
	if c.Left != 100 {
		t.Errorf("a refused charge took from the budget: %d left, want 100", c.Left)
	}
	clock.t = clock.t.Add(10 * time.Second)
	if c := m.Charge(ctx, 200); !c.OK {
		t.Fatalf("charge after waiting RetryAfter = %+v, want OK", c)
	}
}

func TestMeterKeepsCallersApart(t *testing.T) {
	t.Parallel()
	m, _ := meterAt(Budgets{Anonymous: 1000, User: 2000, APIKey: 5000})
	user := auth.WithViewer(context.Background(), &auth.Viewer{User: &auth.User{ID: uuid.New()}})
	key := auth.WithViewer(context.Background(), &auth.Viewer{APIKey: &auth.APIKey{ID: uuid.New()}})
	if !m.Charge(context.Background(), 1000).OK {
		t.Fatal("anonymous charge within budget refused")
	}
	if m.Charge(context.Background(), 1).OK {
		t.Fatal("anonymous caller went over budget")
	}
	if c := m.Charge(user, 2000); !c.OK || c.Budget != 2000 {
		t.Fatalf("user charge = %+v, want OK from a budget of 2000", c)
	}
	if c := m.Charge(key, 5000); !c.OK || c.Budget != 5000 {
		t.Fatalf("API key charge = %+v, want OK from a budget of 5000", c)
	}
}

func TestMeterUnlimitedWhenBudgetIsZero(t *testing.T) {
	t.Parallel()
	m, _ := meterAt(Budgets{})
	for i := 0; i < 100; i++ {
		if !m.Charge(context.Background(), 1_000_000).OK {
			t.Fatal("a zero budget limited a caller")
		}
	}
}

func TestAddressKeyGroupsIPv6By64(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
	} {
		if addressKey(tt.a) != addressKey(tt.b) {
			t.Errorf("%s and %s are metered apart: %s, %s", tt.a, tt.b, addressKey(tt.a), addressKey(tt.b))
		}
	}
	if addressKey("2001:db8:1:2::1") == addressKey("2001:db8:1:3::1") {
		t.Error("two /64s share one budget")
	}
	if addressKey("192.0.2.1") == addressKey("192.0.2.2") {
		t.Error("two IPv4 addresses share one budget")
	}
}
