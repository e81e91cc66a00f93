package graph

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// multipartForm is gqlgen's multipart transport with the client's mistakes answered as
// such: gqlgen places each file at the path its "map" part names by type assertions, and a
// path through a string or past the end of a list panics. A panic can only come from
// reading the request here (resolvers' panics are recovered where they run), so it is a
// BAD_REQUEST, not an INTERNAL error.
type multipartForm struct {
	transport.MultipartForm
	bundle *i18n.Bundle
}

var _ graphql.Transport = multipartForm{}

func (t multipartForm) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	rw := &startedWriter{ResponseWriter: w}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if rw.started {
			panic(p) // an answer is under way: not a reading error; let gqlgen report it
		}
		chain := i18n.FromContext(r.Context()).Chain
		msg := t.bundle.Localize(chain, "UploadPathInvalid", nil)
		httpserver.WriteError(w, http.StatusBadRequest, msg, string(apperr.BadRequest))
	}()
	t.MultipartForm.Do(rw, r, exec)
}

// startedWriter notes whether a response has been started.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startedWriter) WriteHeader(status int) {
	w.started = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *startedWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

func (w *startedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
