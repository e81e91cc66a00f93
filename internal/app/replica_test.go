package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/database/testdb"
)

// TestAnonymousCatalogueReadsComeFromTheReplica points FRITID_DATABASE_READ_URL at a copy
// of the database taken before a write: a replica that lags for ever. Anonymous queries
// (POST and GET) read the copy and do not see the write; a signed-in editor reads the
// primary and does. The replica's sessions are read-only.
func TestAnonymousCatalogueReadsComeFromTheReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, primaryURL := testdb.NewWithURL(t)
	setup := openServer(t, primaryURL)
	if _, err := setup.app.Migrator().Up(ctx); err != nil {
		t.Fatal(err)
	}
	in := tenantInput("demo", "Demo kommune", "localhost", "127.0.0.1")
	if _, err := setup.app.Tenants.CreateMunicipality(ctx, in); err != nil {
		t.Fatal(err)
	}
	createAdmin(t, setup, "kari@example.no")
	addOrganisation(t, setup, "for-kopien", "Før kopien")
	setup.Close()
	setup.app.Close()
	db.Close()
	replicaURL := copyDatabase(t, primaryURL)

	s := openServer(t, primaryURL, func(c *config.Config) { c.DatabaseReadURL = replicaURL })
	addOrganisation(t, s, "etter-kopien", "Etter kopien")
	query := `{ organisations(first: 10) { nodes { name } } }`
	orgs := func(r *gqlResponse) []string {
		n := names(ok(t, r).Data, "organisations.nodes", "name")
		slices.Sort(n)
		return n
	}
	if got := orgs(s.post(t, query, nil)); !slices.Equal(got, []string{"Før kopien"}) {
		t.Errorf("anonymous POST read %v, want the replica's [Før kopien]", got)
	}
	viaGET := s.do(t, http.MethodGet, "/graphql?query="+url.QueryEscape(query), "", nil)
	if got := orgs(viaGET); !slices.Equal(got, []string{"Før kopien"}) {
		t.Errorf("anonymous GET read %v, want the replica's [Før kopien]", got)
	}
	editor := login(t, s, "kari@example.no")
	if got := orgs(s.post(t, query, nil, editor)); !slices.Equal(got, []string{"Etter kopien", "Før kopien"}) {
		t.Errorf("signed-in read %v, want the primary's [Etter kopien Før kopien]", got)
	}
	t.Run("TheReplicaRefusesWrites", func(t *testing.T) {
		_, err := s.app.ReadDB.ExecContext(ctx, "DELETE FROM organisations")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "25006" { // read_only_sql_transaction
			t.Errorf("a write through the read pool: %v, want read_only_sql_transaction", err)
		}
	})
}

// addOrganisation inserts a published organisation into the demo municipality.
func addOrganisation(t *testing.T, s *testServer, slug, name string) {
	t.Helper()
	s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		SELECT id, ?, ?, 'OTHER', 'PUBLISHED' FROM municipalities WHERE slug = 'demo'`, slug, name)
}

// copyDatabase copies the database at dbURL, which nobody may be connected to, into a new
// database on the same server and returns the copy's URL; the copy is dropped when t ends.
func copyDatabase(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	source := strings.TrimPrefix(u.Path, "/")
	target := source + "_replica"
	u.Path = "/postgres"
	admin, err := database.Open(context.Background(), u.String(), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		drop := fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", target)
		admin.ExecContext(context.Background(), drop) //nolint:errcheck // best effort
		admin.Close()
	})
	if _, err := admin.ExecContext(context.Background(), fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", target, source)); err != nil {
		t.Fatalf("copy the database: %v", err)
	}
	u.Path = "/" + target
	return u.String()
}
