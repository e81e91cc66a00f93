package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// messageUse finds message IDs handed to the error constructors in the code.
var messageUse = regexp.MustCompile(`(?:apperr\.Invalid\([^,()]+, |apperr\.New\([^,()]+, |MessageID: |invalidAt\(|problemAt\()"([A-Za-z_]+)"`)

// TestEveryMessageIDHasAString fails when code uses a message ID that no message file has,
// which a client would see as the bare ID.
func TestEveryMessageIDHasAString(t *testing.T) {
	b := MustNewBundle()
	root := "../../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range messageUse.FindAllStringSubmatch(string(src), -1) {
			for _, loc := range SystemLocales {
				if got := b.Localize([]string{loc}, m[1], map[string]any{}); got == m[1] {
					t.Errorf("%s: message %q has no %s string", path, m[1], loc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
