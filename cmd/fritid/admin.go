package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/tenant"
)

// admin runs `fritid admin <subcommand>`.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create-municipality" {
		fmt.Fprintln(stderr, "Usage: fritid admin create-municipality --slug SLUG --name NAME [--domain HOST ...] [--time-zone TZ]")
		return fmt.Errorf("unknown admin command")
	}
	var in tenant.CreateMunicipalityInput
	var domains listFlag
	a, _, err := open(ctx, "fritid admin create-municipality", args[1:], getenv, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&in.Slug, "slug", "", "short URL-safe name, e.g. larvik (required)")
		fs.StringVar(&in.Name, "name", "", `display name, e.g. "Larvik kommune" (required)`)
		fs.StringVar(&in.TimeZone, "time-zone", "Europe/Oslo", "IANA time zone")
		fs.Var(&domains, "domain", "a host name the municipality is served at (repeatable)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Migrator().Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	in.Domains = domains
	t, err := a.Tenants.CreateMunicipality(ctx, in)
	if e := apperr.As(err); e != nil {
		return fmt.Errorf("%s: %s", e.Field, a.Bundle.Localize([]string{"en"}, messageID(e), e.Data))
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created municipality %s (%s) with locales nb, nn, en and the default categories\n", t.Municipality.Slug, t.Municipality.Name)
	return nil
}

func messageID(e *apperr.Error) string {
	if e.MessageID != "" {
		return e.MessageID
	}
	return string(e.Code)
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
