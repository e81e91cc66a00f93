package graph

import (
	"context"
	"math"
	"net/netip"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/fritid/fritid/internal/auth"
)

// Budgets are the cost each kind of caller may spend per minute; zero is no limit.
type Budgets struct {
	// Anonymous is per client address (an IPv6 client by its /64).
	Anonymous int64
	// User is per signed-in user or OpenID Connect identity.
	User int64
	// APIKey is per API key.
	APIKey int64
}

// meterEntries is how many callers the meter remembers; the least recently seen are
// forgotten first (they come back with a full budget).
const meterEntries = 100_000

// Meter charges each operation's cost to its caller, in a token bucket per caller that
// holds one minute's budget and refills at that budget per minute. It keeps its state in
// memory: each instance of the server meters the callers it sees.
type Meter struct {
	budgets Budgets
	now     func() time.Time
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
}

// NewMeter returns a meter with the given budgets.
func NewMeter(b Budgets) *Meter {
	buckets, _ := lru.New[string, *rate.Limiter](meterEntries) // fails only for a size <= 0
	return &Meter{budgets: b, now: time.Now, buckets: buckets}
}

// Charge is the outcome of charging one operation.
type Charge struct {
	// OK is false when the caller's budget cannot pay the cost now.
	OK bool
	// Budget is the caller's budget per minute (0: unlimited).
	Budget int64
	// Left is what remains of it after this charge.
	Left int64
	// RetryAfter is, when !OK, the whole seconds until the budget can pay.
	RetryAfter int
}

// Charge takes cost from the budget of the caller in ctx.
func (m *Meter) Charge(ctx context.Context, cost int64) Charge {
	key, budget := m.caller(ctx)
	if budget <= 0 {
		return Charge{OK: true}
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	lim, ok := m.buckets.Get(key)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(float64(budget)/60), int(min(budget, math.MaxInt32)))
		m.buckets.Add(key, lim)
	}
	r := lim.ReserveN(now, int(min(cost, math.MaxInt32)))
	if !r.OK() { // more than a whole minute's budget: never payable (MaxCost prevents this)
		return Charge{Budget: budget, Left: int64(lim.TokensAt(now)), RetryAfter: 60}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return Charge{Budget: budget, Left: int64(max(lim.TokensAt(now), 0)), RetryAfter: int(math.Ceil(d.Seconds()))}
	}
	return Charge{OK: true, Budget: budget, Left: int64(max(lim.TokensAt(now), 0))}
}

// caller returns the key and budget of the caller in ctx: its API key, its user or
// identity, or else its address.
func (m *Meter) caller(ctx context.Context) (string, int64) {
	v := auth.ViewerFrom(ctx)
	switch {
	case v != nil && v.APIKey != nil:
		return "key:" + v.APIKey.ID.String(), m.budgets.APIKey
	case v != nil && v.User != nil:
		return "user:" + v.User.ID.String(), m.budgets.User
	case v != nil && v.Identity != nil:
		return "oidc:" + v.Identity.Issuer + " " + v.Identity.Subject, m.budgets.User
	}
	return "addr:" + addressKey(auth.ClientFrom(ctx)), m.budgets.Anonymous
}

// addressKey groups an IPv6 address by its /64 (one household or device usually has a
// whole /64, so metering single addresses would be easy to escape).
func addressKey(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return s
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
