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

// TestDeployGuideDocumentsEverySetting keeps the production guide's settings table complete.
func TestDeployGuideDocumentsEverySetting(t *testing.T) {
	guide, err := os.ReadFile("../../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		row := "| `" + s.Env + "` | `--" + s.Flag + "` |"
		if !strings.Contains(string(guide), row) {
			t.Errorf("docs/deploy.md lacks a row starting %q", row)
		}
	}
}
