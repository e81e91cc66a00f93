package talk

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/tenant"
)

// BenchmarkNoticeFanOut measures what each open forYouUpdated subscription does when a
// notice is announced: check its device and things again and decide whether the notice is
// in its feed (resident.NewInFeed), for 1,000 devices of the neighbourhood, in parallel.
// ns/op is per subscription.
func BenchmarkNoticeFanOut(b *testing.B) {
	db := testdb.New(b)
	tenants, residents := tenant.NewService(db), resident.NewService(db, testSecret)
	residents.MaxRegistrations = 1 << 20
	svc := NewService(db, testSecret, residents)
	larvik, err := tenants.CreateMunicipality(context.Background(),
		tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		b.Fatal(err)
	}
	e := &env{t: b, db: db, tenants: tenants, residents: residents, svc: svc, larvik: larvik}
	nb := e.neighbourhood(larvik, "sentrum")
	devices := make([]context.Context, 1000)
	for i := range devices {
		token, err := residents.RegisterDevice(anonymous(larvik))
		if err != nil {
			b.Fatal(err)
		}
		devices[i] = resident.WithDevice(anonymous(larvik), token)
		if _, err := residents.SetNeighbourhood(devices[i], ptr(gid("Neighbourhood", nb))); err != nil {
			b.Fatal(err)
		}
	}
	editor, _ := e.as(larvik, auth.RoleEditor)
	n, err := svc.PostNotice(editor, gid("Neighbourhood", nb), notice("Dugnad"))
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			dev := devices[next.Add(1)%int64(len(devices))]
			if _, ok, err := residents.NewInFeed(dev, n.ID); err != nil || !ok {
				b.Errorf("%v %v", ok, err)
				return
			}
		}
	})
}
