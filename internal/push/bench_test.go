package push

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// BenchmarkCampaign50k queues one push message to each of 50,000 devices that chose a
// neighbourhood (the news of an article published for it), in the languages nb, nn and
// en: the messages in one set-based insert and their 50,000 delivery jobs in one COPY, in
// one transaction, committed. Run:
//
//	go test -run '^$' -bench Campaign50k -benchtime 5x ./internal/push/
func BenchmarkCampaign50k(b *testing.B) {
	const devices = 50_000
	ctx := context.Background()
	db := testdb.New(b)
	m, err := tenant.NewService(db).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik",
		Name: "Larvik kommune"})
	if err != nil {
		b.Fatal(err)
	}
	private, public, err := GenerateKeys()
	if err != nil {
		b.Fatal(err)
	}
	svc := NewService(db, Options{PublicKey: public, PrivateKey: private, Subject: testSubject}, nil, nil,
		i18n.MustNewBundle())
	key := newBrowser(b).key.PublicKey().Bytes()
	var hood uuid.UUID
	err = db.QueryRowContext(ctx, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon,
		max_lat, max_lon) VALUES (?, 'torstrand', '{}', 0, 0, 0, 0) RETURNING id`, m.ID()).Scan(&hood)
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `WITH o AS (INSERT INTO resident_owners (municipality_id, token_hash, neighbourhood_id)
			SELECT ?0, sha256(i::text::bytea), ?1 FROM generate_series(1, ?2) i RETURNING id)
		INSERT INTO push_subscriptions (municipality_id, owner_id, endpoint, p256dh, auth, locale)
		SELECT ?0, o.id, 'https://fcm.googleapis.com/fcm/send/' || o.id, ?3, '\x00112233445566778899aabbccddeeff',
			(ARRAY['nb', 'nn', 'en'])[1 + (row_number() OVER ()) % 3] FROM o`, m.ID(), hood, devices, key)
	if err != nil {
		b.Fatal(err)
	}
	c := &campaign{mid: m.ID(), kind: KindNeighbourhoodNews,
		where: `s.owner_id IN (SELECT ro.id FROM resident_owners ro WHERE ro.neighbourhood_id = ?)`,
		args:  []any{hood}, render: func(locale string) (*Payload, error) {
			return svc.texts(locale, "nb", "PushNeighbourhoodNews", map[string]any{"Title": "Ny lekeplass"},
				"https://larvik.example/nyheter/ny-lekeplass"), nil
		}}
	b.ResetTimer()
	for range b.N {
		var n int
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			n, err = svc.enqueue(ctx, tx, c)
			return err
		})
		if err != nil || n != devices {
			b.Fatalf("queued %d (%v)", n, err)
		}
		b.StopTimer()
		_, err = db.ExecContext(ctx, "TRUNCATE push_messages; DELETE FROM river_job WHERE kind = 'push'")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(devices)*float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}
