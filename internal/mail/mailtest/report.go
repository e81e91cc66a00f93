package mailtest

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// DeliveryReport returns the delivery status notification (RFC 3464) a receiving server
// sends about message m to its envelope sender: To: m.From, a multipart/report with a
// human-readable part, a message/delivery-status part whose recipient block has action
// (failed, delayed) and status (5.1.1, 4.2.2), and the returned message's header
// (text/rfc822-headers). It is written with go-message, as a mail server would write it.
func DeliveryReport(m Message, action, status string) ([]byte, error) {
	var h message.Header
	h.Set("From", "Mail Delivery System <MAILER-DAEMON@mx.example.net>")
	h.Set("To", m.From)
	h.Set("Subject", "Undelivered Mail Returned to Sender")
	h.SetContentType("multipart/report", map[string]string{"report-type": "delivery-status"})
	perMessage := blocks(
		[][2]string{{"Reporting-MTA", "dns; mx.example.net"}, {"Arrival-Date", "Mon, 1 Mar 2027 09:00:00 +0100"}},
		[][2]string{{"Final-Recipient", "rfc822; " + m.To[0]}, {"Original-Recipient", "rfc822; " + m.To[0]},
			{"Action", action}, {"Status", status},
			{"Diagnostic-Code", "smtp; 550 " + status + " <" + m.To[0] + ">: Recipient address rejected"}})
	return report(h, "This is the mail system at host mx.example.net.\r\n\r\nI'm sorry to have to inform you...\r\n",
		"message/delivery-status", perMessage, "text/rfc822-headers", headerOf(m.Data))
}

// FeedbackReport returns the complaint (ARF, RFC 5965) a mailbox provider's feedback loop
// sends to the address to about message m: a multipart/report with a human-readable part,
// a message/feedback-report part with feedbackType (abuse, not-spam), and the whole
// original message (message/rfc822).
func FeedbackReport(m Message, to, feedbackType string) ([]byte, error) {
	var h message.Header
	h.Set("From", "Feedback Loop <fbl@mailbox.example.net>")
	h.Set("To", to)
	h.Set("Subject", "Complaint about message")
	h.SetContentType("multipart/report", map[string]string{"report-type": "feedback-report"})
	feedback := blocks([][2]string{{"Feedback-Type", feedbackType}, {"User-Agent", "ExampleFBL/1.0"},
		{"Version", "1"}, {"Original-Mail-From", "<" + m.From + ">"}})
	return report(h, "This is an email abuse report for an email message received from you.\r\n",
		"message/feedback-report", feedback, "message/rfc822", []byte(m.Data))
}

// blocks writes groups of header fields, each ended by a blank line, as the parts of a
// report carry them.
func blocks(groups ...[][2]string) []byte {
	var buf bytes.Buffer
	for _, g := range groups {
		var h textproto.Header
		for i := len(g) - 1; i >= 0; i-- {
			h.Add(g[i][0], g[i][1]) // written last added first
		}
		textproto.WriteHeader(&buf, h) //nolint:errcheck // a bytes.Buffer does not fail
	}
	return buf.Bytes()
}

// report writes a multipart/report with header h: the human-readable text, a report part
// of type reportType and the returned original of type originalType.
func report(h message.Header, text, reportType string, body []byte, originalType string, original []byte,
) ([]byte, error) {
	var buf bytes.Buffer
	w, err := message.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	parts := []struct {
		typ  string
		body []byte
	}{{"text/plain", []byte(text)}, {reportType, body}, {originalType, original}}
	for _, p := range parts {
		var ph message.Header
		ph.SetContentType(p.typ, nil)
		pw, err := w.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := pw.Write(p.body); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// headerOf returns the header of a raw message, ended by its blank line.
func headerOf(data string) []byte {
	h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(data)))
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	textproto.WriteHeader(&buf, h) //nolint:errcheck // a bytes.Buffer does not fail
	return buf.Bytes()
}
