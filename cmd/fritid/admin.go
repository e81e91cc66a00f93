package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/tenant"
)

// admin runs `fritid admin <subcommand>`.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "create-user" {
		return createUser(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && isHelp(args[0]) {
		adminUsage(stdout)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "create-municipality" {
		adminUsage(stderr)
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

func adminUsage(w io.Writer) {
	subcommands(w, "fritid admin",
		"fritid admin create-municipality --slug SLUG --name NAME [--domain HOST ...] [--time-zone TZ]",
		"fritid admin create-user --municipality SLUG --email EMAIL --role ROLE [--name NAME] < password")
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

// stdin is where create-user reads the password; tests replace it.
var stdin io.Reader = os.Stdin

// createUser runs `fritid admin create-user`: the first administrator of a municipality,
// with the password read from the first line of standard input.
func createUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var slug, email, name string
	var roles listFlag
	a, _, err := open(ctx, "fritid admin create-user", args, getenv, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "municipality", "", "the municipality's slug (required)")
		fs.StringVar(&email, "email", "", "the user's e-mail address (required)")
		fs.StringVar(&name, "name", "", "the user's display name")
		fs.Var(&roles, "role", "a municipal role: ADMIN, EDITOR, CARD_COORDINATOR or CASEWORKER (repeatable)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Migrator().Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	t, err := a.Tenants.FindMunicipalityBySlug(ctx, slug)
	if err != nil {
		return fmt.Errorf("no municipality %q", slug)
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("give the password on standard input")
	}
	in := auth.CreateUserInput{MunicipalityID: t.ID(), Email: email, DisplayName: name, Password: strings.TrimRight(password, "\r\n")}
	for _, r := range roles {
		in.Roles = append(in.Roles, auth.MunicipalRole(strings.ToUpper(r)))
	}
	u, err := a.Auth.CreateUser(ctx, in)
	if e := apperr.As(err); e != nil {
		return fmt.Errorf("%s: %s", e.Field, a.Bundle.Localize([]string{"en"}, messageID(e), e.Data))
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s in %s with roles %v\n", u.Email, t.Municipality.Slug, in.Roles)
	return nil
}
