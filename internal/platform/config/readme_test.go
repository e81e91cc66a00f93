package config

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsEverySetting keeps the README's configuration table complete.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		row := "| `" + s.Env + "` | `--" + s.Flag + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks a row starting %q", row)
		}
	}
}
