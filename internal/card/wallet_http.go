package card

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// The wallet's HTTP endpoints, beside GraphQL:
//
//	GET /card/tickets/{id}/pass.pkpass?expires=...&sig=...   a ticket's Apple Wallet pass
//
// authorised by the signed link issueWalletPass gives the holder (no session, no PIN), and
// the PassKit web service that devices holding a pass call, under WalletServicePath:
//
//	POST   /v1/devices/{device}/registrations/{passType}/{serial}   register for updates
//	DELETE /v1/devices/{device}/registrations/{passType}/{serial}   unregister
//	GET    /v1/devices/{device}/registrations/{passType}?passesUpdatedSince=tag
//	GET    /v1/passes/{passType}/{serial}                           the pass now
//	POST   /v1/log                                                  the device's errors
//
// authorised by the pass's web service token (Authorization: ApplePass <token>).

// WalletServicePath is where the PassKit web service is served: a pass's webServiceURL is
// the API's address followed by it.
const WalletServicePath = "/card/wallet"

// walletBodyLimit bounds the web service's request bodies.
const walletBodyLimit = 16 << 10

// PassFile writes a ticket's .pkpass for a signed download link.
func (h *Handlers) PassFile(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, apperr.NotFoundf("ticket"))
		return
	}
	q := r.URL.Query()
	b, err := h.Service.WalletPassFile(r.Context(), id, q.Get("expires"), q.Get("sig"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.apple.pkpass")
	w.Header().Set("Content-Disposition", `attachment; filename="ticket.pkpass"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b) //nolint:errcheck // the client went away
}

// WalletService returns the PassKit web service, to serve under WalletServicePath.
func (h *Handlers) WalletService() http.Handler {
	mux := http.NewServeMux()
	const reg = "/v1/devices/{device}/registrations/{passType}"
	mux.HandleFunc("POST "+reg+"/{serial}", h.registerDevice)
	mux.HandleFunc("DELETE "+reg+"/{serial}", h.unregisterDevice)
	mux.HandleFunc("GET "+reg, h.updatedSerials)
	mux.HandleFunc("GET /v1/passes/{passType}/{serial}", h.latestPass)
	mux.HandleFunc("POST /v1/log", h.deviceLog)
	return http.StripPrefix(WalletServicePath, mux)
}

// passToken returns the web service token of the request's Authorization header.
func passToken(r *http.Request) string {
	t, _ := strings.CutPrefix(r.Header.Get("Authorization"), "ApplePass ")
	return strings.TrimSpace(t)
}

func (h *Handlers) registerDevice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PushToken string `json:"pushToken"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, walletBodyLimit)).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	created, err := h.Service.RegisterWalletDevice(r.Context(), r.PathValue("device"), r.PathValue("passType"),
		r.PathValue("serial"), passToken(r), body.PushToken)
	switch {
	case err != nil:
		h.walletStatus(w, r, err)
	case created:
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (h *Handlers) unregisterDevice(w http.ResponseWriter, r *http.Request) {
	err := h.Service.UnregisterWalletDevice(r.Context(), r.PathValue("device"), r.PathValue("passType"),
		r.PathValue("serial"), passToken(r))
	if err != nil {
		h.walletStatus(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handlers) updatedSerials(w http.ResponseWriter, r *http.Request) {
	serials, tag, err := h.Service.WalletSerialsUpdated(r.Context(), r.PathValue("device"), r.PathValue("passType"),
		r.URL.Query().Get("passesUpdatedSince"))
	if err != nil {
		h.walletStatus(w, r, err)
		return
	}
	if len(serials) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"lastUpdated": tag, "serialNumbers": serials}) //nolint:errcheck,errchkjson
}

func (h *Handlers) latestPass(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		since, _ = http.ParseTime(v) // an unreadable date asks for the pass
	}
	b, changed, err := h.Service.WalletPassUpdate(r.Context(), r.PathValue("passType"), r.PathValue("serial"),
		passToken(r), since)
	if err != nil {
		h.walletStatus(w, r, err)
		return
	}
	w.Header().Set("Last-Modified", changed.UTC().Format(http.TimeFormat))
	if b == nil {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.apple.pkpass")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b) //nolint:errcheck // the client went away
}

// deviceLog takes the errors a device reports about its passes: only how many are logged,
// since they may name the pass.
func (h *Handlers) deviceLog(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Logs []string `json:"logs"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, walletBodyLimit)).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.Log.InfoContext(r.Context(), "wallet device log", "messages", len(body.Logs))
	w.WriteHeader(http.StatusOK)
}

// walletStatus answers a web service request that failed with the status of err, and no
// body: the protocol has none.
func (h *Handlers) walletStatus(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e == nil {
		h.Log.ErrorContext(r.Context(), "wallet web service", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	status, ok := httpStatuses[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
}
