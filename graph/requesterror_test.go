package graph

import (
	"net/http"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// TestTransportErrorOf checks what gqlgen's request messages become, and that no message
// shows the Go types encoding/json names.
func TestTransportErrorOf(t *testing.T) {
	for _, tt := range []struct {
		msg       string
		messageID string
		param     string
		status    int
	}{
		{"json request body could not be decoded: json: cannot unmarshal object into Go struct field RawParams.query of type string body:{}", "ParamNotString", "query", 400},
		{"json request body could not be decoded: json: cannot unmarshal array into Go struct field RawParams.variables of type map[string]interface {} body:", "ParamNotObject", "variables", 400},
		{"json request body could not be decoded: json: cannot unmarshal array into Go value of type graphql.RawParams body:[]", "BodyNotJSON", "", 400},
		{"json request body could not be decoded: EOF body:", "BodyNotJSON", "", 400},
		{"GET requests only allow query operations", "OperationNeedsPost", "", http.StatusMethodNotAllowed},
		{"extensions could not be decoded", "ParamNotObject", "extensions", 400},
		{"unsupported APQ version", "PersistedQueryInvalid", "", 400},
		{"failed to get key 0 from form", "UploadInvalid", "", 400},
		{"invalid semicolon separator in query", "", "", 400},
	} {
		got := transportErrorOf(tt.msg)
		if got.err.Code != apperr.BadRequest || got.err.MessageID != tt.messageID || got.status != tt.status {
			t.Errorf("%q: %+v %d, want %s %d", tt.msg, got.err, got.status, tt.messageID, tt.status)
		}
		if p, _ := got.err.Data["Param"].(string); p != tt.param {
			t.Errorf("%q: param %q, want %q", tt.msg, p, tt.param)
		}
	}
	if got := transportErrorOf("failed to create temp file for key 0"); got.err.Code != apperr.Internal || got.status != 500 {
		t.Errorf("temp file: %+v %d, want INTERNAL 500", got.err, got.status)
	}
}

// TestRequestErrorMessagesExist checks that every message a request error can have is
// written in each of fritid's languages.
func TestRequestErrorMessagesExist(t *testing.T) {
	b := i18n.MustNewBundle()
	ids := []string{"QueryMissing", "OperationNotFound", "IntrospectionDisabled", "BodyNotJSON", "ParamNotString",
		string(apperr.BadRequest), string(apperr.ParseFailed), string(apperr.ValidationFailed)}
	for _, e := range transportErrors {
		ids = append(ids, e.err.MessageID)
	}
	for _, id := range ids {
		for _, loc := range i18n.SystemLocales {
			if id != "" && b.Localize([]string{loc}, id, map[string]any{"Param": "query"}) == id {
				t.Errorf("message %q has no %s string", id, loc)
			}
		}
	}
}
