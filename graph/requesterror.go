package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// Request errors are errors in the request itself, found before execution starts: a body
// that is not JSON, a missing query, a document that does not parse or validate, a
// mutation sent with GET. gqlgen reports them in English, some without extensions.code
// and some naming Go types; here they become our codes and our localised messages, with
// the HTTP status the GraphQL-over-HTTP spec asks for:
//
//	BAD_REQUEST (the request cannot be read)         400, whatever the Accept header
//	BAD_REQUEST (a mutation over GET)                405 with Allow: POST
//	PAYLOAD_TOO_LARGE (the query text), RATE_LIMITED 413, 429 (asked for with setRequestStatus)
//	GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
//	QUERY_TOO_COMPLEX, QUERY_TOO_DEEP                200 for application/json,
//	                                                 400 for application/graphql-response+json
//
// A document that does not parse or validate also gets gqlparser's explanation, in
// English, as extensions.detail: it is technical, for the developer of the client.

// requestError returns what a client is told about gqlgen's own error about the request,
// and the technical detail for a document that does not parse or validate.
func requestError(gerr *gqlerror.Error) (*apperr.Error, string) {
	msg := gerr.Message
	code, _ := gerr.Extensions["code"].(string)
	switch {
	case code == "GRAPHQL_PARSE_FAILED" || strings.Contains(msg, "token limit"):
		return &apperr.Error{Code: apperr.ParseFailed}, detailOf(msg)
	case code == "GRAPHQL_VALIDATION_FAILED":
		return validationError(msg)
	case code == "PERSISTED_QUERY_NOT_FOUND":
		return &apperr.Error{Code: apperr.PersistedQueryNotFound}, ""
	}
	return transportErrorOf(msg).err, ""
}

// validationError tells a missing operation (HTTP 400: there is nothing to run) from a
// document that does not validate against the schema.
func validationError(msg string) (*apperr.Error, string) {
	switch {
	case msg == "no operation provided":
		return apperr.New(apperr.BadRequest, "QueryMissing"), ""
	case strings.HasPrefix(msg, "operation ") && strings.HasSuffix(msg, " not found"):
		return apperr.New(apperr.ValidationFailed, "OperationNotFound"), ""
	}
	return &apperr.Error{Code: apperr.ValidationFailed}, detailOf(msg)
}

// transportError is what a client is told, and with which HTTP status, about a request
// that gqlgen's transports or extensions could not read.
type transportError struct {
	err    *apperr.Error
	status int
}

var (
	badRequest      = transportError{apperr.New(apperr.BadRequest, ""), http.StatusBadRequest}
	uploadInvalid   = transportError{apperr.New(apperr.BadRequest, "UploadInvalid"), http.StatusBadRequest}
	apqInvalid      = transportError{apperr.New(apperr.BadRequest, "PersistedQueryInvalid"), http.StatusBadRequest}
	uploadTempFiles = transportError{apperr.New(apperr.Internal, ""), http.StatusInternalServerError}
)

// transportErrors maps the start of each message gqlgen's transports and extensions give
// about a request they could not read. A message not listed is a plain BAD_REQUEST.
var transportErrors = []struct {
	prefix string
	transportError
}{
	{"GET requests only allow query operations", transportError{apperr.New(apperr.BadRequest, "OperationNeedsPost"), http.StatusMethodNotAllowed}},
	{"variables could not be decoded", transportError{badParam("ParamNotObject", "variables"), http.StatusBadRequest}},
	{"extensions could not be decoded", transportError{badParam("ParamNotObject", "extensions"), http.StatusBadRequest}},
	{"invalid APQ extension data", apqInvalid},
	{"unsupported APQ version", apqInvalid},
	{"provided APQ hash does not match query", apqInvalid},
	{"failed to parse multipart form", uploadInvalid},
	{"first part must be operations", uploadInvalid},
	{"operations form field could not be decoded", uploadInvalid},
	{"second part must be map", uploadInvalid},
	{"map form field could not be decoded", uploadInvalid},
	{"failed to parse part", uploadInvalid},
	{"invalid empty operations paths list", uploadInvalid},
	{"invalid operations paths", uploadInvalid},
	{"path is missing", uploadInvalid},
	{"failed to read file", uploadInvalid},
	{"failed to get key", uploadInvalid},
	{"failed to create temp file", uploadTempFiles},
	{"failed to copy to temp file", uploadTempFiles},
	{"failed to close temp file", uploadTempFiles},
	{"failed to open temp file", uploadTempFiles},
}

// transportErrorOf returns what a client is told about gqlgen's message msg.
func transportErrorOf(msg string) transportError {
	if strings.HasPrefix(msg, "json request body could not be decoded") {
		return transportError{bodyError(msg), http.StatusBadRequest}
	}
	for _, t := range transportErrors {
		if strings.HasPrefix(msg, t.prefix) {
			return t.transportError
		}
	}
	return badRequest
}

// rawParamsField finds the request parameter a JSON body had with the wrong type in
// encoding/json's message ("... into Go struct field RawParams.query of type string").
var rawParamsField = regexp.MustCompile(`RawParams\.(query|operationName|variables|extensions) `)

// bodyError says what is wrong with a POST body that does not decode: a parameter of the
// wrong type, or not a JSON object at all.
func bodyError(msg string) *apperr.Error {
	m := rawParamsField.FindStringSubmatch(msg)
	switch {
	case m == nil:
		return apperr.New(apperr.BadRequest, "BodyNotJSON")
	case m[1] == "query" || m[1] == "operationName":
		return badParam("ParamNotString", m[1])
	default:
		return badParam("ParamNotObject", m[1])
	}
}

// badParam returns a BAD_REQUEST about the request parameter param.
func badParam(messageID, param string) *apperr.Error {
	return &apperr.Error{Code: apperr.BadRequest, MessageID: messageID, Data: map[string]any{"Param": param}}
}

// requestErrorWriter holds back gqlgen's answer to a request error and rewrites it by the
// GraphQL-over-HTTP spec: no "data" entry, since execution never started; every error
// with our code and a localised message; the status by the table above, or the one the
// error asked for with setRequestStatus (429 for a spent budget, 413 for an over-long
// query, 400 for a BAD_REQUEST that gqlgen answers with 200). gqlgen marks most request
// errors by setting a 4xx status before it writes; so the status is held until the first
// write.
type requestErrorWriter struct {
	http.ResponseWriter
	chain        []string
	opt          *Options
	request      *http.Request
	asked        *int // the status a request error asked for, or 0
	status       int  // the status gqlgen set, not yet written
	requestError bool // the answer is held back to be rewritten by finish
	started      bool // the status has been written
	body         bytes.Buffer
}

type statusKey struct{}

// withRequestStatus gives the request a slot in which a request error (one found before
// execution) can ask for its HTTP status.
func withRequestStatus(r *http.Request) (*http.Request, *int) {
	status := new(int)
	return r.WithContext(context.WithValue(r.Context(), statusKey{}, status)), status
}

// setRequestStatus asks for status as the answer's HTTP status, should the request fail
// before execution.
func setRequestStatus(ctx context.Context, status int) {
	if p, ok := ctx.Value(statusKey{}).(*int); ok {
		*p = status
	}
}

// askedStatus returns the status a request error asked for, or 0.
func (w *requestErrorWriter) askedStatus() int {
	if w.asked == nil {
		return 0
	}
	return *w.asked
}

func (w *requestErrorWriter) WriteHeader(status int) {
	if !w.started && !w.requestError {
		w.status = status
	}
}

func (w *requestErrorWriter) Write(p []byte) (int, error) {
	if !w.started && !w.requestError {
		w.start(p)
	}
	if w.requestError {
		return w.body.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// start decides, at the first write of body, whether the answer is a request error to hold
// back, and otherwise writes the status: 503 with Retry-After for an answer that gqlgen
// gave no status and that has nothing but SERVICE_UNAVAILABLE errors.
func (w *requestErrorWriter) start(body []byte) {
	if w.status == 0 && unavailableAnswer(body) {
		httpserver.SetRetryAfter(w.Header())
		w.status = http.StatusServiceUnavailable
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.askedStatus() != 0 || w.status >= 400 && w.status < 500 {
		w.requestError = true
		return
	}
	w.started = true
	w.ResponseWriter.WriteHeader(w.status)
}

func (w *requestErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wireError is one entry of a response's "errors", as gqlgen writes it.
type wireError struct {
	Message    string          `json:"message"`
	Locations  json.RawMessage `json:"locations,omitempty"`
	Path       json.RawMessage `json:"path,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// finish writes a held-back request error, rewritten, or a status that was set without a
// body.
func (w *requestErrorWriter) finish() {
	if !w.started && !w.requestError {
		if w.status == 0 {
			return // nothing written: net/http answers 200
		}
		w.start(nil)
	}
	if !w.requestError {
		return
	}
	var resp map[string]json.RawMessage
	var errs []wireError
	if json.Unmarshal(w.body.Bytes(), &resp) != nil || json.Unmarshal(resp["errors"], &errs) != nil || len(errs) == 0 {
		w.ResponseWriter.WriteHeader(w.status)
		w.ResponseWriter.Write(w.body.Bytes()) //nolint:errcheck // the client went away
		return
	}
	status := w.rewrite(errs)
	delete(resp, "data")
	resp["errors"], _ = json.Marshal(errs)
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if status == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodPost)
	}
	w.ResponseWriter.WriteHeader(status)
	json.NewEncoder(w.ResponseWriter).Encode(resp) //nolint:errcheck // the client went away
}

// rewrite gives the errors gqlgen wrote without a code (its transports write some directly,
// past the error presenter) our code and a localised message, and returns the status.
func (w *requestErrorWriter) rewrite(errs []wireError) int {
	status := w.status
	for i, e := range errs {
		if _, ok := e.Extensions["code"]; ok {
			continue
		}
		t := transportErrorOf(e.Message)
		if t.err.Code == apperr.Internal {
			w.opt.Logger.ErrorContext(w.request.Context(), "internal error", "request_id", w.opt.RequestID(w.request.Context()), "err", e.Message)
		}
		errs[i] = wireError{Message: localize(w.opt.Bundle, w.chain, t.err), Extensions: map[string]any{"code": string(t.err.Code)}}
		if i == 0 {
			status = t.status
		}
	}
	return w.statusFor(errs[0], status)
}

// statusFor returns the status of a request error whose first error is first; status is
// the one found so far.
func (w *requestErrorWriter) statusFor(first wireError, status int) int {
	switch code, _ := first.Extensions["code"].(string); {
	case w.askedStatus() != 0:
		return w.askedStatus()
	case status == http.StatusMethodNotAllowed || status >= 500:
		return status
	case code == string(apperr.BadRequest):
		return http.StatusBadRequest
	case strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"):
		return http.StatusOK // the spec's "SHOULD" for parse and validation failures
	}
	return http.StatusBadRequest
}

// unavailableAnswer reports whether a GraphQL response answered nothing because the
// database could not be reached: it has errors, every one SERVICE_UNAVAILABLE, and no data
// (null, or only null fields). gqlgen writes a response with one Write.
func unavailableAnswer(body []byte) bool {
	if !bytes.Contains(body, []byte(apperr.ServiceUnavailable)) {
		return false
	}
	var resp struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct {
				Code apperr.Code `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &resp) != nil || len(resp.Errors) == 0 {
		return false
	}
	for _, e := range resp.Errors {
		if e.Extensions.Code != apperr.ServiceUnavailable {
			return false
		}
	}
	for _, v := range resp.Data {
		if string(v) != "null" {
			return false
		}
	}
	return true
}
