package app_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/app"
	"github.com/fritid/fritid/internal/platform/config"
)

// TestProductionLogDurations: a production log line is JSON and gives a duration as
// milliseconds under its key with "_ms", not as integer nanoseconds.
func TestProductionLogDurations(t *testing.T) {
	var buf bytes.Buffer
	log := app.NewLogger(&config.Config{Env: config.Production, LogLevel: "info"}, &buf)
	log.Info("started PostgreSQL", "took", 1500*time.Microsecond, "port", 5432)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if got := line["took_ms"]; got != 1.5 {
		t.Errorf("took_ms = %#v, want 1.5; line %s", got, buf.String())
	}
	if _, ok := line["took"]; ok {
		t.Errorf("the nanoseconds are still there: %s", buf.String())
	}
	if line["port"] != float64(5432) {
		t.Errorf("other attributes changed: %s", buf.String())
	}

	buf.Reset()
	dev := app.NewLogger(&config.Config{Env: config.Development, LogLevel: "info"}, &buf)
	dev.Info("started PostgreSQL", "took", 1500*time.Microsecond)
	if !strings.Contains(buf.String(), "took=1.5ms") {
		t.Errorf("development log = %q, want the friendly took=1.5ms", buf.String())
	}
}
