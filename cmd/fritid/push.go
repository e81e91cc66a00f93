package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/fritid/fritid/internal/push"
)

// pushCmd runs "fritid push keys": it writes a new VAPID key pair as the settings'
// lines, for the operator to keep with the other secrets. It touches no database.
func pushCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[len(args)-1]) {
		subcommands(stdout, "fritid push", "fritid push keys")
		return flag.ErrHelp
	}
	if len(args) != 1 || args[0] != "keys" {
		subcommands(stderr, "fritid push", "fritid push keys")
		return errors.New("push: give the subcommand keys")
	}
	private, public, err := push.GenerateKeys()
	if err != nil {
		return fmt.Errorf("push keys: %w", err)
	}
	fmt.Fprintf(stdout, "FRITID_PUSH_VAPID_PUBLIC_KEY=%s\nFRITID_PUSH_VAPID_PRIVATE_KEY=%s\n", public, private)
	return nil
}
