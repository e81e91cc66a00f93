package mail

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSMSGatewayRefusal sends to a gateway that refuses: the error names the status and
// never the number, and a gateway URL that is not https (nor this machine) is refused.
func TestSMSGatewayRefusal(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unknown recipient +4791234567", http.StatusUnprocessableEntity)
	}))
	defer srv.Close()
	g, err := NewSMSGateway(srv.URL, "", "Larvik")
	if err != nil {
		t.Fatal(err)
	}
	err = g.SendSMS(context.Background(), "+4791234567", "Hei")
	if err == nil || !strings.Contains(err.Error(), "422") || strings.Contains(err.Error(), "91234567") {
		t.Errorf("err = %v", err)
	}
	for _, u := range []string{"http://sms.example.no/send", "ftp://127.0.0.1/", "not a url"} {
		if _, err := NewSMSGateway(u, "", "Larvik"); err == nil {
			t.Errorf("%s was taken", u)
		}
	}
}
