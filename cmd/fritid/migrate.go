package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// migrateCmd runs `fritid migrate up|down|status`.
func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		migrateUsage(stdout)
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
		migrateUsage(stderr)
		return fmt.Errorf("migrate needs up, down or status")
	}
	a, _, err := open(ctx, "fritid migrate "+args[0], args[1:], getenv, stdout, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	m := a.Migrator()
	switch args[0] {
	case "up":
		names, err := m.Up(ctx)
		report(stdout, "applied", names)
		return err
	case "down":
		names, err := m.Down(ctx)
		report(stdout, "rolled back", names)
		return err
	}
	ms, err := m.Status(ctx)
	if err != nil {
		return err
	}
	for _, mg := range ms {
		state := "pending"
		if mg.IsApplied() {
			state = "applied " + mg.MigratedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(stdout, "%-40s %s\n", mg.String(), state)
	}
	return nil
}

func report(w io.Writer, verb string, names []string) {
	if len(names) == 0 {
		fmt.Fprintf(w, "nothing %s\n", verb)
	}
	for _, n := range names {
		fmt.Fprintf(w, "%s %s\n", verb, n)
	}
}

func migrateUsage(w io.Writer) {
	subcommands(w, "fritid migrate",
		"fritid migrate up        apply every pending migration",
		"fritid migrate down      roll back the last group of migrations",
		"fritid migrate status    list the migrations, applied or pending")
}
