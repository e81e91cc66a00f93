package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal/demo"
	"github.com/fritid/fritid/internal/portal/synthetic"
)

// seed runs `fritid seed demo | synthetic`.
func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		seedUsage(stdout)
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "demo" && args[0] != "synthetic") {
		seedUsage(stderr)
		return fmt.Errorf("seed needs demo or synthetic")
	}
	var opt synthetic.Options
	extra := func(fs *flag.FlagSet) {}
	if args[0] == "synthetic" {
		extra = func(fs *flag.FlagSet) {
			fs.IntVar(&opt.Organisations, "organisations", 1000, "how many organisations")
			fs.IntVar(&opt.ActivitiesPerOrganisation, "activities-per-organisation", 10, "how many activities each")
			fs.StringVar(&opt.Slug, "slug", "synthetic", "the municipality to create")
			fs.Int64Var(&opt.Seed, "seed", 1, "random seed: the same seed gives the same data")
		}
	}
	a, log, err := open(ctx, "fritid seed "+args[0], args[1:], getenv, stdout, stderr, extra)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := migrateUp(ctx, a, log); err != nil {
		return err
	}
	if args[0] == "demo" {
		t, err := demo.Seed(ctx, a.Tenants)
		if apperr.CodeOf(err) == apperr.Conflict {
			fmt.Fprintln(stdout, "the demo municipality exists already")
			return nil
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s) with demo data\n", t.Municipality.Name, t.Municipality.Slug)
		return nil
	}
	stats, err := synthetic.Generate(ctx, a.Tenants, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s: %d organisations, %d activities, %d neighbourhoods in %v\n",
		opt.Slug, stats.Organisations, stats.Activities, stats.Neighbourhoods, stats.Took.Round(1e7))
	return nil
}

func seedUsage(w io.Writer) {
	subcommands(w, "fritid seed",
		"fritid seed demo",
		"fritid seed synthetic [--organisations N] [--activities-per-organisation M] [--slug SLUG] [--seed N]")
}
