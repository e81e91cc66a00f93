package newsletter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/mail/mailtest"
)

// TestReturnTokens opens the return-path tokens fritid signed, in either case, and refuses
// every other: a changed character, another server secret, garbage. Every token fits a
// local part with the longest bounce local part the configuration allows.
func TestReturnTokens(t *testing.T) {
	s := NewService(nil, "a server secret of at least thirty-two characters")
	sub := uuid.New()
	for _, want := range []returnToken{{kind: kindBounce, delivery: 1}, {kind: kindBounce, delivery: 1 << 40},
		{kind: kindUnsubscribe, delivery: 7}, {kind: kindConfirmBounce, subscriber: sub}} {
		text := s.signReturn(want)
		if len(text) > maxReturnToken || len("abcdefghijklmnopqrs+"+text) > 64 || text != strings.ToLower(text) {
			t.Fatalf("token %q is %d characters", text, len(text))
		}
		for _, variant := range []string{text, strings.ToUpper(text)} {
			if got, ok := s.openReturn(variant); !ok || got != want {
				t.Fatalf("open(%q) = %+v, %v; want %+v", variant, got, ok, want)
			}
		}
	}
	good := s.signReturn(returnToken{kind: kindBounce, delivery: 42})
	changed := []byte(good)
	changed[5] = map[bool]byte{true: 'b', false: 'a'}[changed[5] == 'a']
	other := NewService(nil, "another server secret of thirty-two characters")
	tests := []struct {
		name string
		svc  *Service
		text string
	}{
		{"ErrChangedCharacter", s, string(changed)},
		{"ErrOtherSecret", other, good},
		{"ErrTruncated", s, good[:len(good)-1]},
		{"ErrGarbage", s, "not-a-token"},
		{"ErrEmpty", s, ""},
		{"ErrWrongLengthForKind", s, returnEncoding.EncodeToString(append([]byte{kindConfirmBounce}, make([]byte, 18)...))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := tt.svc.openReturn(tt.text); ok {
				t.Fatalf("opened %+v", got)
			}
		})
	}
}

// campaignMail is a list e-mail as the inbox receives it: sent from a return path, with
// fritid's delivery header.
func campaignMail(tok string) mailtest.Message {
	return mailtest.Message{From: "bounces+" + tok + "@bounce.example.org", To: []string{"kari@example.no"},
		Data: "From: Demo kommune <noreply@example.org>\r\nTo: kari@example.no\r\nSubject: Vinterferien\r\n" +
			"X-Fritid-Delivery: " + tok + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Se programmet for uke 8.\r\n"}
}

// reportCases are incoming messages and what they say: a hard bounce, a delay, a
// temporary failure, a complaint, a not-spam report, an auto-reply, a report part outside
// a report, and garbage.
func reportCases(t testing.TB) []struct {
	name      string
	recipient string
	msg       []byte
	want      report
} {
	tok := strings.Repeat("a", 31)
	m := campaignMail(tok)
	dsn := func(action, status string) []byte {
		b, err := mailtest.DeliveryReport(m, action, status)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	arf := func(typ string) []byte {
		b, err := mailtest.FeedbackReport(m, "fbl@bounce.example.org", typ)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	autoReply := []byte("From: kari@example.no\r\nTo: " + m.From + "\r\nSubject: Out of office\r\n\r\nBack in March.\r\n")
	// A delivery-status part attached to an ordinary multipart/mixed message says nothing.
	mixed := bytes.Replace(dsn("failed", "5.1.1"), []byte("multipart/report"), []byte("multipart/mixed"), 1)
	return []struct {
		name      string
		recipient string
		msg       []byte
		want      report
	}{
		{"HardBounce", m.From, dsn("failed", "5.1.1"), report{to: []string{tok, tok}, returned: []string{tok}, hard: true}},
		{"HardBounceWithComment", "", dsn("failed", "5.2.1 (mailbox disabled)"),
			report{to: []string{tok}, returned: []string{tok}, hard: true}},
		{"Delayed", "", dsn("delayed", "4.4.1"), report{to: []string{tok}, returned: []string{tok}}},
		{"TemporaryFailure", "", dsn("failed", "4.2.2"), report{to: []string{tok}, returned: []string{tok}}},
		{"Complaint", "", arf("abuse"), report{returned: []string{tok, tok}, complaint: true}},
		{"NotSpam", "", arf("not-spam"), report{returned: []string{tok, tok}}},
		{"AutoReply", "", autoReply, report{to: []string{tok}}},
		{"FormDecodedRecipient", "bounces " + strings.ToUpper(tok) + "@bounce.example.org", autoReply,
			report{to: []string{tok, tok}}},
		{"ReportPartOutsideAReport", "", mixed, report{to: []string{tok}}},
		{"Garbage", "", []byte("\x00\x01 not a message"), report{}},
		{"Empty", "", nil, report{}},
	}
}

// TestParseReport reads what each incoming message says.
func TestParseReport(t *testing.T) {
	for _, tt := range reportCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			got := parseReport(tt.recipient, bytes.NewReader(tt.msg))
			if strings.Join(got.to, " ") != strings.Join(tt.want.to, " ") ||
				strings.Join(got.returned, " ") != strings.Join(tt.want.returned, " ") ||
				got.hard != tt.want.hard || got.complaint != tt.want.complaint {
				t.Fatalf("got %+v, want %+v\n%s", got, tt.want, tt.msg)
			}
		})
	}
}

// FuzzParseReport: whatever arrives, reading it neither panics nor finds anything but
// well-formed tokens.
func FuzzParseReport(f *testing.F) {
	for _, tt := range reportCases(f) {
		f.Add(tt.recipient, tt.msg)
	}
	f.Add("", []byte("Content-Type: multipart/report; boundary=x\r\n\r\n"+
		"--x\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, recipient string, msg []byte) {
		got := parseReport(recipient, bytes.NewReader(msg))
		for _, tok := range append(got.to, got.returned...) {
			if !bareToken.MatchString(tok) || tok != strings.ToLower(tok) {
				t.Fatalf("found %q", tok)
			}
		}
	})
}
